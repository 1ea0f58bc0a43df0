#!/usr/bin/env python3
"""Per-epoch training time of biornn against PyTorch (eager, or torch.compile)
and JAX (jit), on identical work.

Both frameworks train the same masked Elman RNN (the paper's up-scaled
connectome: the mask comes from biornn's network builder), from the same
initial weights, on the same seq_mem trials, with the same mini-batches in
the same order (one shuffle per epoch, drawn once and shared), Adam at the
same learning rate and MSE at the recall steps. An epoch is the pass of
mini-batch updates over the training trials plus the validation loss, timed
the same way on both sides. Because the work is identical, the final
validation losses must agree to float32 rounding, which the script checks.

PyTorch runs on the CPU with 1 and with 2 threads (its best counts); biornn
runs through its Python binding (the biornn package: installed, or the
source tree next to this folder) with the thread counts asked for. Every
measurement runs in a fresh child process of this script, so that one
framework's thread pools (OpenMP, OpenBLAS, Go) cannot spin on the cores
while the other is timed. PyTorch is timed with each BLAS asked for by
--torch-blas: the one the system selects for libblas.so.3 ("installed") and
OpenBLAS loaded through LD_LIBRARY_PATH ("openblas").

Run it with a Python that has numpy and torch (Debian's python3-torch lives
in /usr/bin/python3); the binding loads libbiornn from --lib, $BIORNN_LIB or
its package folder. See README.md here.
"""

import argparse
import ctypes
import glob
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

# --- biornn through its Python binding --------------------------------------------


def import_biornn(lib):
    """Imports the biornn package: the installed one, else the source tree
    next to this folder (cbind/python). --lib sets BIORNN_LIB, the library
    the binding loads."""
    if lib:
        os.environ["BIORNN_LIB"] = os.path.abspath(lib)
    try:
        import biornn
    except ImportError:
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
        import biornn
    try:
        biornn.version()  # loads the library: fail here with the binding's message
    except ImportError as e:
        raise SystemExit("compare_torch.py: %s\n(build the library with cbind/build.sh and pass --lib "
                         "cbind/lib/libbiornn.so)" % e)
    return biornn


PAPER_FILES = {"macaque": "C_Macaque_Normalized.npy", "marmoset": "C_Marmoset_Normalized.npy",
               "human": "C_Human_Betzel_Normalized.npy"}


def connectome_mask(biornn, name, data_dir, seed):
    """The W_hh mask (row = target neuron) of the paper's construction of
    connectome `name`, built by biornn (4 neurons per region, target
    sparsity 0.8, intrinsic sparsity 1, intrinsic weight 0.8, no diagonal)."""
    arg = name
    if data_dir and name in PAPER_FILES and os.path.isfile(os.path.join(data_dir, PAPER_FILES[name])):
        arg = os.path.join(data_dir, PAPER_FILES[name])
    opts = dict(neurons=4, target_sparsity=0.8, intrinsic_sparsity=1.0, intrinsic_weight=0.8, seed=seed)
    if data_dir:
        opts["data_dir"] = data_dir
    with biornn.Network.from_connectome(arg, **opts) as net:
        return net.matrix("mask") != 0


# --- the task and the shared initial state ------------------------------------


def seq_mem(L, trials, seed):
    """biornn's seq_mem: L values from U(0,1) on channel 1 at steps 0..L-1, the
    cue on channel 0 at step L, recall of the values at steps L+1..2L."""
    rng = np.random.default_rng(seed)
    T = 2 * L + 1
    x = np.zeros((trials, T, 2), dtype=np.float32)
    y = np.zeros((trials, T, 1), dtype=np.float32)
    v = rng.random((trials, L), dtype=np.float32)
    x[:, :L, 1] = v
    x[:, L, 0] = 1
    y[:, L + 1:, 0] = v
    return x, y, list(range(L + 1, 2 * L + 1))


def initial_params(hidden, inputs, outputs, mask, seed):
    """PyTorch's default initialisation of nn.RNN + nn.Linear (uniform in
    +-1/sqrt(hidden)), the recurrent weights masked, one bias per neuron."""
    rng = np.random.default_rng(seed + 1)
    k = 1 / math.sqrt(hidden)
    u = lambda *s: rng.uniform(-k, k, size=s).astype(np.float32)
    return {"w_in": u(hidden, inputs), "w_hh": u(hidden, hidden) * mask.astype(np.float32),
            "b": u(hidden), "w_out": u(outputs, hidden), "b_out": u(outputs)}


# --- the two trainers -----------------------------------------------------------


def torch_blas():
    """The BLAS library the process loaded (read from /proc/self/maps on
    Linux; "" elsewhere). Debian's torch calls whatever libblas.so.3 the
    system provides: the reference BLAS by default, several times slower
    than OpenBLAS, which would flatter biornn."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
    except OSError:
        return ""
    return ", ".join(sorted(os.path.realpath(p) for p in libs))


def blas_label(loaded):
    """A short name for torch_blas()'s list: the OpenBLAS core library if
    one is loaded, else the first library's folder and name."""
    paths = [p for p in loaded.split(", ") if p]
    if not paths:
        return "unknown"
    p = next((p for p in paths if "openblas" in os.path.basename(p).lower()), paths[0])
    return os.path.join(os.path.basename(os.path.dirname(p)), os.path.basename(p))


def openblas_dir():
    """The folder of a Debian OpenBLAS build's libblas.so.3 ("" if none is
    installed): putting it first in LD_LIBRARY_PATH makes torch use it."""
    for flavour in ("openblas-pthread", "openblas-openmp", "openblas-serial"):
        for d in sorted(glob.glob("/usr/lib/*/" + flavour)):
            if os.path.isfile(os.path.join(d, "libblas.so.3")):
                return d
    return ""


def set_openblas_threads(threads):
    """OpenBLAS keeps its own thread pool, which torch.set_num_threads does
    not size; give it the same count so "1 thread" means one."""
    for path in torch_blas().split(", "):
        if "openblas" in os.path.basename(path).lower():
            try:
                ctypes.CDLL(path).openblas_set_num_threads(int(threads))
            except (OSError, AttributeError):
                pass


def train_torch(torch, params, mask, data, perms, batch, lr, threads, compile_=False):
    """Trains with PyTorch: nn.RNN (tanh) + nn.Linear, the mask kept hard by a
    gradient hook (masked weights start at 0 and their Adam moments stay 0),
    b_hh frozen at 0 so the single bias b matches biornn's. Returns the
    per-epoch seconds (wall and CPU) and the validation losses."""
    torch.set_num_threads(threads)
    set_openblas_threads(threads)
    xtr, ytr, xva, yva, ls = data
    hidden, inputs = params["w_in"].shape
    outputs = params["w_out"].shape[0]
    rnn = torch.nn.RNN(inputs, hidden, nonlinearity="tanh", batch_first=True)
    lin = torch.nn.Linear(hidden, outputs)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(params["w_in"]))
        rnn.weight_hh_l0.copy_(torch.from_numpy(params["w_hh"]))
        rnn.bias_ih_l0.copy_(torch.from_numpy(params["b"]))
        rnn.bias_hh_l0.zero_()
        lin.weight.copy_(torch.from_numpy(params["w_out"]))
        lin.bias.copy_(torch.from_numpy(params["b_out"]))
    rnn.bias_hh_l0.requires_grad_(False)
    m = torch.from_numpy(mask.astype(np.float32))
    rnn.weight_hh_l0.register_hook(lambda g: g * m)
    ps = [p for p in list(rnn.parameters()) + list(lin.parameters()) if p.requires_grad]
    opt = torch.optim.Adam(ps, lr=lr)
    lsi = torch.tensor(ls)
    Xtr, Ytr, Xva, Yva = (torch.from_numpy(a) for a in (xtr, ytr, xva, yva))

    def loss_of(x, y):
        h, _ = rnn(x)
        out = lin(h)
        return torch.nn.functional.mse_loss(out[:, lsi, :], y[:, lsi, :])

    if compile_:  # torch.compile (inductor); its compilation falls in the warm-up epochs
        loss_of = torch.compile(loss_of)

    wall, cpu, val = [], [], []
    for perm in perms:
        t0, c0 = time.perf_counter(), time.process_time()
        for lo in range(0, len(perm), batch):
            idx = torch.from_numpy(perm[lo:lo + batch])
            opt.zero_grad()
            loss = loss_of(Xtr[idx], Ytr[idx])
            loss.backward()
            opt.step()
        with torch.no_grad():
            v = loss_of(Xva, Yva).item()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        val.append(v)
    return wall, cpu, val


def train_jax(params, mask, data, perms, batch, lr):
    """Trains the same network with JAX: a jit-compiled step (lax.scan over
    time, value_and_grad, the mask applied to W_hh and its gradient, Adam
    written out as PyTorch's). Threads are set through XLA_FLAGS by the
    parent (the child's environment)."""
    import jax
    import jax.numpy as jnp
    xtr, ytr, xva, yva, ls = data
    m = jnp.asarray(mask.astype(np.float32))
    lsi = jnp.asarray(ls)
    p = {k: jnp.asarray(v) for k, v in params.items()}

    def loss_fn(p, x, y):
        w = p["w_hh"] * m
        def step(h, xt):
            h = jnp.tanh(xt @ p["w_in"].T + h @ w.T + p["b"])
            return h, h
        _, hs = jax.lax.scan(step, jnp.zeros((x.shape[0], w.shape[0]), x.dtype), jnp.swapaxes(x, 0, 1))
        out = hs[lsi] @ p["w_out"].T + p["b_out"]
        return jnp.mean((out - jnp.swapaxes(y, 0, 1)[lsi]) ** 2)

    b1, b2, eps = 0.9, 0.999, 1e-8

    @jax.jit
    def update(p, mo, ve, t, x, y):
        loss, g = jax.value_and_grad(loss_fn)(p, x, y)
        g = dict(g, w_hh=g["w_hh"] * m)
        mo = {k: b1 * mo[k] + (1 - b1) * g[k] for k in p}
        ve = {k: b2 * ve[k] + (1 - b2) * g[k] ** 2 for k in p}
        step = lr / (1 - b1 ** t)
        bc2 = jnp.sqrt(1 - b2 ** t)
        p = {k: p[k] - step * mo[k] / (jnp.sqrt(ve[k]) / bc2 + eps) for k in p}
        return p, mo, ve

    val_loss = jax.jit(loss_fn)
    mo = {k: jnp.zeros_like(v) for k, v in p.items()}
    ve = {k: jnp.zeros_like(v) for k, v in p.items()}
    Xtr, Ytr, Xva, Yva = (jnp.asarray(a) for a in (xtr, ytr, xva, yva))
    wall, cpu, val, t = [], [], [], 0
    for perm in perms:
        t0, c0 = time.perf_counter(), time.process_time()
        for lo in range(0, len(perm), batch):
            idx = perm[lo:lo + batch]
            t += 1
            p, mo, ve = update(p, mo, ve, float(t), Xtr[idx], Ytr[idx])
        v = float(val_loss(p, Xva, Yva))
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        val.append(v)
    return wall, cpu, val, jax.__version__


def train_biornn(biornn, params, mask, data, perms, batch, lr, threads, kernels, path):
    """Trains the same network with biornn: one Network.train_arrays step per
    mini-batch (the Adam state carries over between calls), then the
    validation loss."""
    xtr, ytr, xva, yva, ls = data
    opts = dict(path=path, threads=threads)
    if kernels:
        opts["kernels"] = kernels
    wall, cpu, val = [], [], []
    with biornn.Network.from_arrays(params["w_in"], params["w_hh"], params["b"], params["w_out"], params["b_out"],
                                    mask=mask, activation="tanh", **opts) as net:
        for perm in perms:
            t0, c0 = time.perf_counter(), time.process_time()
            for lo in range(0, len(perm), batch):
                idx = perm[lo:lo + batch]
                net.train_arrays(xtr[idx], ytr[idx], loss="mse", loss_steps=ls, optimizer="adam", lr=lr, steps=1)
            v, _ = net.evaluate(xva, yva, loss="mse", loss_steps=ls)
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            val.append(v)
        return wall, cpu, val, net.info("kernel_set"), net.info("path")


# --- one measurement per child process ---------------------------------------------


def child(spec_json):
    """Runs one measurement (the hidden --child mode) and prints its result
    as JSON: the spec names the data file, the framework and its settings."""
    spec = json.loads(spec_json)
    z = np.load(spec["data"])
    params = {k: z[k] for k in ("w_in", "w_hh", "b", "w_out", "b_out")}
    mask = z["mask"]
    data = (z["xtr"], z["ytr"], z["xva"], z["yva"], [int(v) for v in z["loss_steps"]])
    perms = list(z["perms"])
    out = {}
    if spec["framework"] in ("torch", "torch-compile"):
        import torch
        out["blas"] = torch_blas()
        out["version"] = torch.__version__
        w, c, v = train_torch(torch, params, mask, data, perms, spec["batch"], spec["lr"], spec["threads"],
                              compile_=spec["framework"] == "torch-compile")
    elif spec["framework"] == "jax":
        if hasattr(os, "sched_setaffinity"):  # XLA sizes its thread pool from the CPUs it may use
            os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[:spec["threads"]]))
        w, c, v, out["version"] = train_jax(params, mask, data, perms, spec["batch"], spec["lr"])
        out["blas"] = "XLA"
    else:
        biornn = import_biornn("")
        w, c, v, out["kernels"], out["path"] = train_biornn(biornn, params, mask, data, perms, spec["batch"],
                                                            spec["lr"], spec["threads"], spec["kernels"], spec["path"])
    out.update(wall=w, cpu=c, val=v)
    print(json.dumps(out))
    return 0


def measure(spec, env_extra=None):
    """Runs child(spec) in a fresh Python process (this interpreter, this
    script) and returns its result; env_extra is added to its environment."""
    env = dict(os.environ)
    env.update(env_extra or {})
    r = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", json.dumps(spec)],
                       env=env, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("compare_torch.py: the %s measurement failed (%d threads):\n%s" % (
            spec["framework"], spec["threads"], r.stderr.strip()))
    return json.loads(r.stdout.strip().splitlines()[-1])


def torch_blas_choices(names):
    """[(label, extra environment)] for the --torch-blas names: "installed"
    leaves libblas.so.3 to the system, "openblas" points LD_LIBRARY_PATH at
    OpenBLAS (skipped with a warning when it is not installed)."""
    out = []
    for n in names:
        if n == "installed":
            out.append(("installed", {}))
        elif n == "openblas":
            d = openblas_dir()
            if not d:
                print("compare_torch.py: warning: no OpenBLAS found (Debian: apt install libopenblas0-pthread); "
                      "skipping --torch-blas openblas", file=sys.stderr)
                continue
            ld = os.environ.get("LD_LIBRARY_PATH", "")
            out.append(("openblas", {"LD_LIBRARY_PATH": d + (":" + ld if ld else "")}))
        else:
            raise SystemExit("compare_torch.py: --torch-blas: unknown choice %r (installed, openblas)" % n)
    return out


def summarize(runs, warmup):
    """Per thread count: median and fastest wall seconds and median CPU
    seconds of the measured epochs; plus the best count."""
    res = {}
    best = None
    for t, r in runs.items():
        sec = statistics.median(r["wall"][warmup:])
        res["%dt_seconds" % t] = sec
        res["%dt_cpu_seconds" % t] = statistics.median(r["cpu"][warmup:])
        res["%dt_min_seconds" % t] = min(r["wall"][warmup:])
        if best is None or sec < best[0]:
            best = (sec, t, r["val"][-1])
    res["seconds"], res["threads"], res["final_val_loss"] = best
    return res


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) == 2 and argv[0] == "--child":
        return child(argv[1])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--network", default="macaque,marmoset,human", help="comma list [%(default)s]")
    ap.add_argument("--epochs", type=int, default=10, help="measured epochs [%(default)s]")
    ap.add_argument("--warmup", type=int, default=2, help="epochs run first, not measured [%(default)s]")
    ap.add_argument("--pattern-length", type=int, default=5, help="seq_mem L [%(default)s]")
    ap.add_argument("--trials", type=int, default=500, help="80%% training, 20%% validation [%(default)s]")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--torch-threads", default="1,2", help="PyTorch thread counts; the best is reported [%(default)s]")
    ap.add_argument("--torch-blas", default="installed,openblas",
                    help="BLAS builds to time PyTorch with: installed (the system's libblas.so.3), openblas "
                         "(OpenBLAS through LD_LIBRARY_PATH) [%(default)s]")
    ap.add_argument("--frameworks", default="torch",
                    help="what biornn is compared with: torch (eager), torch-compile (torch.compile), jax (jit) "
                         "[%(default)s]")
    ap.add_argument("--biornn-threads", default="1,2", help="biornn thread counts; the best is reported [%(default)s]")
    ap.add_argument("--kernels", default="", help="biornn kernel set [the best on this CPU]")
    ap.add_argument("--path", default="auto", help="biornn path: auto, sparse or dense [%(default)s]")
    ap.add_argument("--data-dir", default=os.environ.get("BIORNN_DATA", ""),
                    help="folder with the connectome files [$BIORNN_DATA]")
    ap.add_argument("--lib", default="", help="path of libbiornn.so (sets BIORNN_LIB) [$BIORNN_LIB, then the package's copy]")
    ap.add_argument("--json", action="store_true", help="print one JSON object per network and BLAS instead of text")
    a = ap.parse_args(argv)
    if a.epochs < 1 or a.warmup < 0 or a.trials < 5 or a.batch < 1:
        ap.error("need --epochs >= 1, --warmup >= 0, --trials >= 5, --batch >= 1")
    biornn = import_biornn(a.lib)
    try:
        import torch
    except ImportError:
        raise SystemExit("compare_torch.py: PyTorch is not importable from %s; use a Python with torch "
                         "(Debian: apt install python3-torch, then /usr/bin/python3)" % sys.executable)
    tthreads = [int(t) for t in a.torch_threads.split(",") if t]
    bthreads = [int(t) for t in a.biornn_threads.split(",") if t]
    blases = torch_blas_choices([b for b in a.torch_blas.split(",") if b])
    if not tthreads or not bthreads or not blases:
        ap.error("need at least one torch thread count, biornn thread count and torch BLAS")
    if not a.json:
        print("biornn %s (%s), torch %s, numpy %s, python %s" % (
            biornn.version(), biornn.library_path(), torch.__version__, np.__version__, sys.version.split()[0]))
        print("seq_mem L=%d, %d trials (%d training), batch %d, Adam lr %g, tanh; %d measured epochs after %d warm-up; "
              "times are medians per epoch; every measurement in its own process" % (
                  a.pattern_length, a.trials, a.trials - a.trials // 5, a.batch, a.lr, a.epochs, a.warmup))
    results = []
    with tempfile.TemporaryDirectory(prefix="compare_torch") as tmp:
        for name in [n for n in a.network.split(",") if n]:
            mask = connectome_mask(biornn, name, a.data_dir, a.seed)
            x, y, ls = seq_mem(a.pattern_length, a.trials, a.seed)
            ntr = a.trials - a.trials // 5
            params = initial_params(mask.shape[0], 2, 1, mask, a.seed)
            rng = np.random.default_rng(a.seed + 2)
            perms = np.stack([rng.permutation(ntr) for _ in range(a.warmup + a.epochs)])
            data = os.path.join(tmp, name + ".npz")
            np.savez(data, mask=mask, xtr=x[:ntr], ytr=y[:ntr], xva=x[ntr:], yva=y[ntr:], loss_steps=np.array(ls),
                     perms=perms, **params)
            base = dict(data=data, batch=a.batch, lr=a.lr, kernels=a.kernels, path=a.path)
            bruns = {t: measure(dict(base, framework="biornn", threads=t)) for t in bthreads}
            b = summarize(bruns, a.warmup)
            first = bruns[bthreads[0]]
            variants = []
            for fw in [f for f in a.frameworks.split(",") if f]:
                if fw == "jax":
                    variants.append((fw, "xla", {}))
                elif fw in ("torch", "torch-compile"):
                    variants += [(fw, label, env) for label, env in blases]
                else:
                    ap.error("--frameworks: unknown %r (torch, torch-compile, jax)" % fw)
            for fw, label, env in variants:
                if fw == "jax":
                    # XLA's CPU thread pool follows these flags (set before jax is imported).
                    env = {"XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false"}
                    truns = {}
                    for t in tthreads:
                        e = dict(env) if t == 1 else {}
                        truns[t] = measure(dict(base, framework=fw, threads=t), e)
                else:
                    truns = {t: measure(dict(base, framework=fw, threads=t), env) for t in tthreads}
                tr = summarize(truns, a.warmup)
                res = {"network": name, "neurons": int(mask.shape[0]), "connections": int(mask.sum()),
                       "framework": fw, "framework_version": truns[tthreads[0]]["version"],
                       "torch_blas_choice": label, "torch_blas": truns[tthreads[0]]["blas"],
                       "kernels": first["kernels"], "path": first["path"]}
                res.update({"torch_" + k: v for k, v in tr.items()})
                res.update({"biornn_" + k: v for k, v in b.items()})
                res["ratio"] = res["torch_seconds"] / res["biornn_seconds"]
                # The fastest single epochs: the least disturbed by other work.
                res["min_ratio"] = min(tr["%dt_min_seconds" % t] for t in tthreads) / min(
                    b["%dt_min_seconds" % t] for t in bthreads)
                if 1 in tthreads and 1 in bthreads:
                    # One thread each, CPU time: steady on a shared machine.
                    res["cpu_ratio_1t"] = tr["1t_cpu_seconds"] / b["1t_cpu_seconds"]
                res["val_loss_rel_diff"] = abs(res["biornn_final_val_loss"] - res["torch_final_val_loss"]) / abs(
                    res["torch_final_val_loss"])
                results.append(res)
                if a.json:
                    print(json.dumps(res), flush=True)
                    continue
                print("%-9s %4d neurons %6d connections | %s %s/%s %7.2f ms/epoch (%dt; %s) | biornn %7.2f ms/epoch "
                      "(%dt, %s/%s; %s) | ratio %5.1fx (fastest epochs %.1fx, 1-thread CPU time %s) | final val loss "
                      "torch %.6f biornn %.6f (rel diff %.1e) | torch BLAS %s" % (
                          name, res["neurons"], res["connections"], fw, res["framework_version"], label,
                          1e3 * res["torch_seconds"],
                          res["torch_threads"], ", ".join("%dt %.2f" % (t, 1e3 * tr["%dt_seconds" % t]) for t in tthreads),
                          1e3 * res["biornn_seconds"], res["biornn_threads"], res["kernels"], res["path"],
                          ", ".join("%dt %.2f" % (t, 1e3 * b["%dt_seconds" % t]) for t in bthreads),
                          res["ratio"], res["min_ratio"], ("%.1fx" % res["cpu_ratio_1t"]) if "cpu_ratio_1t" in res else "n/a",
                          res["torch_final_val_loss"], res["biornn_final_val_loss"], res["val_loss_rel_diff"],
                          blas_label(res["torch_blas"])), flush=True)
    bad = sorted({r["network"] for r in results if r["val_loss_rel_diff"] > 1e-3})
    if bad:
        print("compare_torch.py: final validation losses differ by more than 0.1%% for %s: the two runs did not "
              "do the same work" % ", ".join(bad), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
