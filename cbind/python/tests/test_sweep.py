"""biornn.sweep: the biornn command run from Python (a local tiny sweep,
a Slurm dry run, bad arguments). The command is built with `go build` into
a temporary folder when Go is available, else taken from $BIORNN_BIN or
PATH; without any the tests skip, naming why."""
import os
import pathlib
import shutil
import subprocess

import pytest

import biornn
from conftest import ROOT

TINY = """
name = "py-sweep"
seeds = [1, 2]
[grid]
connectome = ["macaque"]
strategy = ["bio-random", "permute"]
pattern_length = [3, 5]
[fixed]
neurons_per_region = 1
trials = 20
batch_size = 8
epochs = 2
"""


@pytest.fixture(scope="module")
def binary(tmp_path_factory):
    go = shutil.which("go")
    if go:
        out = tmp_path_factory.mktemp("bin") / "biornn"
        subprocess.run([go, "build", "-o", str(out), "./cli/biornn"], cwd=ROOT, check=True)
        return str(out)
    try:
        return biornn.find_binary()
    except FileNotFoundError as e:
        pytest.skip(f"no Go to build the biornn command and {e}")


@pytest.fixture
def config(tmp_path):
    p = tmp_path / "tiny.toml"
    p.write_text(TINY)
    return p


GLOBAL = {"data_dir": str(ROOT / "connectome" / "builtin"), "kernels": "generic"}


def test_local_sweep(binary, config, tmp_path):
    out = tmp_path / "res"
    run = biornn.sweep(config, out, binary=binary, global_flags=GLOBAL, workers=2, quiet=True)
    assert run.returncode == 0 and run.job_id is None
    assert run.args[1:5] == ["--data-dir", GLOBAL["data_dir"], "--kernels", "generic"]
    assert "--workers" in run.args and "--quiet" in run.args and "--slurm" not in run.args
    runs = sorted(p.name for p in (out / "runs").glob("*.parquet"))
    assert len(runs) == 8, runs
    assert "bio-random" in run.stdout  # the summary table
    # The same call resumes: nothing new to train.
    again = biornn.sweep(config, out, binary=binary, global_flags=GLOBAL, no_report=True)
    assert again.returncode == 0
    assert sorted(p.name for p in (out / "runs").glob("*.parquet")) == runs
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    df = pd.read_parquet(out / "runs")
    assert len(df) == 8 and set(df["strategy"]) == {"bio-random", "permute"}


def test_slurm_dry_run(binary, config, tmp_path):
    out = tmp_path / "res"
    run = biornn.sweep(config, out, slurm=True, dry_run=True, tasks=4, binary=binary, global_flags=GLOBAL,
                       slurm_opts="--partition=short --time=00:10:00")
    assert "--slurm" in run.args and run.args[-1] == str(config)
    assert "#SBATCH --array=0-3" in run.stdout and "#SBATCH --partition=short" in run.stdout
    assert not out.exists()  # a dry run writes nothing


def test_bad_arguments(binary, config, tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="either config"):
        biornn.sweep(config, tmp_path / "r", preset="paper-seqmem", binary=binary)
    with pytest.raises(ValueError, match="either config"):
        biornn.sweep(None, tmp_path / "r", binary=binary)
    with pytest.raises(FileNotFoundError, match="not found"):
        biornn.sweep(config, tmp_path / "r", binary=str(tmp_path / "no-such-biornn"))
    monkeypatch.setenv("BIORNN_BIN", binary)
    assert biornn.find_binary() == os.path.abspath(binary)
    # A failing command raises, with its exit code.
    with pytest.raises(subprocess.CalledProcessError) as e:
        biornn.sweep(config, tmp_path / "r", workers=0)
    assert e.value.returncode != 0
    run = biornn.sweep(config, tmp_path / "r", workers=0, check=False)
    assert run.returncode != 0


def test_one_seed_meaning(binary, tmp_path):
    """from_connectome(seed=1) builds the network `biornn build --seed 1`
    writes, and training it gives the run `biornn train --seed 1` gives
    (the same run id and the same metrics)."""
    net = biornn.Network.from_connectome("macaque", seed=1, strategy="permute")
    subprocess.run([binary, "build", "--connectome", "macaque", "--seed", "1", "--strategy", "permute",
                    "--out", str(tmp_path / "w.npy")], check=True, capture_output=True)
    import numpy as np
    assert np.array_equal(np.load(tmp_path / "w.npy"), net.matrix("w"))
    run = net.train(tmp_path / "py", epochs=3, trials=60)
    cli = subprocess.run([binary, "train", "-q", "--seed", "1", "--strategy", "permute", "--epochs", "3",
                          "--trials", "60", "--out", str(tmp_path / "cli")], check=True, capture_output=True, text=True)
    assert cli.stdout.split()[1].rstrip(":") == run
    py_runs, _ = biornn.read_results(tmp_path / "py")
    cli_runs, _ = biornn.read_results(tmp_path / "cli")
    assert py_runs.loc[0, "min_val_loss"] == cli_runs.loc[0, "min_val_loss"]
