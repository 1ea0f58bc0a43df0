"""Run a sweep (a grid of training runs) through the ``biornn`` command.

A sweep is the command line's job: it trains many runs in parallel
processes, resumes, shards, and submits to Slurm. ``sweep`` runs that
command with a config file or a preset and waits for it, so the same grid
is reachable from Python, locally or on a cluster::

    import biornn
    biornn.sweep("grid.toml", "results")                       # here, in parallel
    biornn.sweep(preset="paper-seqmem", quick=True, out="results")
    job = biornn.sweep("grid.toml", "/shared/results", slurm=True,
                       slurm_opts="--partition=short --time=02:00:00")
    print(job.job_id)                                          # then: biornn sweep --status
    runs = biornn.read_results("results")                      # a pandas DataFrame
"""
import os
import shutil
import subprocess

__all__ = ["sweep", "find_binary", "SweepRun"]


def find_binary(binary=None):
    """The biornn command: ``binary`` if given, else $BIORNN_BIN, else
    ``biornn`` on PATH. Raises FileNotFoundError naming the three."""
    for cand in (binary, os.environ.get("BIORNN_BIN")):
        if cand:
            if os.path.isfile(cand) and os.access(cand, os.X_OK):
                return os.path.abspath(cand)
            found = shutil.which(cand)
            if found:
                return found
            raise FileNotFoundError(f"biornn command {cand!r} not found or not executable")
    found = shutil.which("biornn")
    if found:
        return found
    raise FileNotFoundError(
        "the biornn command was not found: put it on PATH (go install github.com/biornn/biornn/cli/biornn@latest), "
        "set BIORNN_BIN, or pass binary=")


class SweepRun:
    """What ``sweep`` ran: ``args`` (the command), ``returncode``,
    ``stdout`` (the summary table of a local sweep; the job id of a Slurm
    submission), ``out`` (the results folder) and ``job_id`` (the Slurm
    job, or None)."""

    def __init__(self, args, returncode, stdout, out, slurm):
        self.args, self.returncode, self.stdout, self.out = args, returncode, stdout, out
        first = stdout.strip().splitlines()[0] if slurm and stdout.strip() else ""
        self.job_id = first if first.isdigit() else None

    def __repr__(self):
        return f"SweepRun(out={self.out!r}, returncode={self.returncode}, job_id={self.job_id!r})"


def _flag(name, value):
    flag = "--" + name.replace("_", "-")
    if value is True:
        return [flag]
    if value is False or value is None:
        return []
    return [flag, str(value)]


def sweep(config=None, out="results", *, preset=None, slurm=False, binary=None, global_flags=None, check=True,
          **flags):
    """Run ``biornn sweep`` on a config file (``config``) or a built-in grid
    (``preset=``), writing into the results folder ``out``, and wait for it.

    Every other keyword is a flag of ``biornn sweep`` (``biornn sweep
    --help``), underscores for dashes: ``workers=4``, ``quick=True``,
    ``report="plots"``, ``shard="0/4"``, ``dry_run=True``; and with
    ``slurm=True``: ``tasks=16``, ``runs_per_task=20``,
    ``slurm_opts="--partition=short --account=lab --time=02:00:00"``,
    ``wait=True`` (block until the job array ends). True adds the flag,
    False or None leaves it out. ``global_flags`` are the flags given
    before ``sweep``, as a dict (``{"data_dir": "data", "kernels":
    "generic"}``). The command is ``binary``, else $BIORNN_BIN, else
    ``biornn`` on PATH.

    Progress goes to stderr as the command prints it; stdout is captured.
    Returns a SweepRun; with ``check`` (the default) a failing command
    raises subprocess.CalledProcessError (its ``stderr`` is not captured:
    read it above). Re-running the same call resumes a local sweep or, with
    ``slurm=True``, submits only the array tasks whose runs are missing.
    """
    if (config is None) == (preset is None):
        raise ValueError("give either config (a sweep TOML file) or preset= (a built-in grid), not both or neither")
    args = [find_binary(binary)]
    for k, v in (global_flags or {}).items():
        args += _flag(k, v)
    args.append("sweep")
    args += _flag("out", os.fspath(out))
    if preset is not None:
        args += _flag("preset", preset)
    args += _flag("slurm", bool(slurm))
    for k, v in flags.items():
        args += _flag(k, v)
    if config is not None:
        args.append(os.fspath(config))
    proc = subprocess.run(args, stdout=subprocess.PIPE, text=True)
    if check and proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, args, output=proc.stdout)
    return SweepRun(args, proc.returncode, proc.stdout, os.fspath(out), bool(slurm))
