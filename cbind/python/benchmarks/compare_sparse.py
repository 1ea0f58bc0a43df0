#!/usr/bin/env python3
"""Per-epoch training time of biornn (`biornn bench train`) against PyTorch
with a torch.sparse CSR recurrent matrix (and dense PyTorch where it fits),
on a large neuron-level network folder.

The network is a folder written by `biornn build` (or `biornn build
--synthetic sbm`): connections.parquet (pre, post, weight; the edge pre ->
post) and neurons.parquet (one row per neuron). Both sides train the same
masked Elman RNN on it,

    h_t = tanh(x_t W_in^T + h_{t-1} W_hh^T + b),  y_t = h_t W_out^T + b_out,

with W_hh[post, pre] the only trainable recurrent positions, on seq_mem
(L values, a cue, recall; T = 2L+1 steps), MSE at the recall steps, Adam,
the same batch size and trial counts. An epoch is the mini-batch updates over
the training trials plus the validation loss over the validation trials.

- biornn: the CLI, `biornn bench train --network DIR --path sparse --json`
  (its own seed-1 data and initial weights: the same shapes and the same
  amount of work, not the same numbers).
- torch-sparse: W_hh as a torch.sparse_csr_tensor (rows = post, columns =
  pre) holding a values Parameter of nnz entries; W_in, b, W_out, b_out
  dense; one torch.optim.Adam over all of them. PyTorch's own backward of
  torch.mm / torch.sparse.mm with a CSR or COO matrix whose values require
  grad forms the dense H x H gradient before masking it (40 GB at 100,000
  neurons), so the product is a small autograd.Function: forward
  torch.mm(W, h^T); backward W^T g by a second CSR matrix (the transpose's
  pattern, values gathered once per mini-batch) and the values' gradient by
  torch.sparse.sampled_addmm (g h only at the kept positions). --sparse-grad
  picks the alternatives for comparison (see README.md here).
- torch-dense (--dense, when H*H*4 bytes fit --max-dense-gb): the dense
  nn.RNN of compare_torch.py with the mask kept by a gradient hook, from the
  same initial weights, data and batch order as torch-sparse, so the two
  final validation losses must agree to float32 rounding.

Every measurement runs in a fresh process (a child of this script, or the
biornn binary), alternating biornn and PyTorch --rounds times; the figures
are medians. GFLOP/s use bench train's convention: 2*(nnz + H*(inputs +
outputs)) per step, times T, times (3 * training + validation) trials.

Run it with a Python that has numpy, torch and pyarrow; see README.md here.
"""

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
INPUTS, OUTPUTS = 2, 1  # seq_mem: value and cue channels in, one value out


# --- the network folder ---------------------------------------------------------


def read_network(folder):
    """The folder's edges in CSR order (sorted by post, then pre) and its
    neuron count: (H, pre, post) as int64 arrays."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise SystemExit("compare_sparse.py: needs pyarrow to read %s (pip install pyarrow)" % folder)
    cp, np_ = os.path.join(folder, "connections.parquet"), os.path.join(folder, "neurons.parquet")
    if not os.path.isfile(cp):
        raise SystemExit("compare_sparse.py: %s: no connections.parquet (make one with biornn build --out)" % folder)
    t = pq.read_table(cp, columns=["pre", "post"])
    pre = t.column("pre").to_numpy().astype(np.int64)
    post = t.column("post").to_numpy().astype(np.int64)
    H = pq.read_metadata(np_).num_rows if os.path.isfile(np_) else 0
    H = max(H, int(pre.max()) + 1, int(post.max()) + 1)
    order = np.lexsort((pre, post))
    pre, post = pre[order], post[order]
    if len(pre) > 1 and np.any((np.diff(post) == 0) & (np.diff(pre) == 0)):
        raise SystemExit("compare_sparse.py: %s: repeated (pre, post) edges" % folder)
    return H, pre, post


def epoch_gflop(H, nnz, T, train, val):
    """bench train's convention (rnn/trainbench: EpochGFLOP)."""
    return 2.0 * (nnz + H * (INPUTS + OUTPUTS)) * T * (3 * train + val) / 1e9


# --- the PyTorch trainers ---------------------------------------------------------


def sparse_model(torch, H, pre, post, grad_mode):
    """Returns spmm(vals, hT) = W_hh @ hT (H x B) for the CSR pattern (rows
    post, columns pre) with its values, and prepare(vals), to be called once
    after every optimizer step (it builds the CSR matrices from the current
    values). grad_mode: "sampled" (default), "gather" or "autograd"."""
    it = torch.int32 if H < 2**31 and len(pre) < 2**31 else torch.int64
    crow = np.zeros(H + 1, np.int64)
    np.cumsum(np.bincount(post, minlength=H), out=crow[1:])
    permT = np.lexsort((post, pre))  # the transpose's CSR order (rows = pre)
    crowT = np.zeros(H + 1, np.int64)
    np.cumsum(np.bincount(pre, minlength=H), out=crowT[1:])
    crow_t, col_t = torch.from_numpy(crow).to(it), torch.from_numpy(pre).to(it)
    crowT_t, colT_t = torch.from_numpy(crowT).to(it), torch.from_numpy(post[permT]).to(it)
    permT_t = torch.from_numpy(permT)
    pre_t, post_t = torch.from_numpy(pre), torch.from_numpy(post)
    st = {}

    class SpMM(torch.autograd.Function):
        @staticmethod
        def forward(ctx, vals, hT):
            ctx.save_for_backward(hT)
            return torch.mm(st["W"], hT)

        @staticmethod
        def backward(ctx, g):
            (hT,) = ctx.saved_tensors
            gh = torch.mm(st["WT"], g) if ctx.needs_input_grad[1] else None
            if grad_mode == "gather":
                gv = (g.index_select(0, post_t) * hT.index_select(0, pre_t)).sum(1)
            else:  # (g hT^T) at the kept positions only, in the CSR order
                gv = torch.sparse.sampled_addmm(st["W"], g, hT.t(), beta=0.0).values()
            return gv, gh

    def prepare(vals):
        if grad_mode == "autograd":
            st["W"] = torch.sparse_csr_tensor(crow_t, col_t, vals, (H, H))
            return
        v = vals.detach()
        st["W"] = torch.sparse_csr_tensor(crow_t, col_t, v, (H, H))
        st["WT"] = torch.sparse_csr_tensor(crowT_t, colT_t, v[permT_t], (H, H))

    def spmm(vals, hT):
        if grad_mode == "autograd" or not torch.is_grad_enabled():
            return torch.mm(st["W"], hT)
        return SpMM.apply(vals, hT)

    return spmm, prepare


def sparse_loss_fn(torch, spmm, p, x, y, ls):
    """The masked Elman RNN over x (B, T, inputs), state kept as H x B; MSE
    of the outputs at the loss steps ls (as F.mse_loss(out[:, ls], y[:, ls]))."""
    B, T, _ = x.shape
    H = p["b"].shape[0]
    hT = x.new_zeros(H, B)
    outs = []
    bcol = p["b"][:, None]
    for t in range(T):
        hT = torch.tanh(torch.addmm(bcol, p["w_in"], x[:, t, :].t()) + spmm(p["vals"], hT))
        outs.append(torch.addmm(p["b_out"][:, None], p["w_out"], hT))  # outputs x B
    out = torch.stack(outs, 0).permute(2, 0, 1)  # B x T x outputs
    return torch.nn.functional.mse_loss(out[:, ls, :], y[:, ls, :])


def train_torch_sparse(torch, z, batch, lr, threads, grad_mode):
    torch.set_num_threads(threads)
    H = int(z["H"])
    spmm, prepare = sparse_model(torch, H, z["pre"], z["post"], grad_mode)
    p = {k: torch.nn.Parameter(torch.from_numpy(np.array(z[k]))) for k in ("vals", "w_in", "b", "w_out", "b_out")}
    opt = torch.optim.Adam(list(p.values()), lr=lr)
    ls = [int(v) for v in z["loss_steps"]]
    Xtr, Ytr, Xva, Yva = (torch.from_numpy(z[k]) for k in ("xtr", "ytr", "xva", "yva"))
    wall, cpu, val = [], [], []
    for perm in z["perms"]:
        t0, c0 = time.perf_counter(), time.process_time()
        for lo in range(0, len(perm), batch):
            idx = torch.from_numpy(perm[lo:lo + batch])
            prepare(p["vals"])
            opt.zero_grad()
            loss = sparse_loss_fn(torch, spmm, p, Xtr[idx], Ytr[idx], ls)
            loss.backward()
            opt.step()
        with torch.no_grad():
            prepare(p["vals"])
            v = sparse_loss_fn(torch, spmm, p, Xva, Yva, ls).item()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        val.append(v)
    return wall, cpu, val


def dense_params(z):
    """compare_torch.py's parameter dict and mask from the sparse ones."""
    H = int(z["H"])
    w = np.zeros((H, H), np.float32)
    w[z["post"], z["pre"]] = z["vals"]
    mask = np.zeros((H, H), bool)
    mask[z["post"], z["pre"]] = True
    return {"w_in": z["w_in"], "w_hh": w, "b": z["b"], "w_out": z["w_out"], "b_out": z["b_out"]}, mask


def train_torch_dense(torch, z, batch, lr, threads):
    sys.path.insert(0, HERE)
    import compare_torch
    params, mask = dense_params(z)
    data = (z["xtr"], z["ytr"], z["xva"], z["yva"], [int(v) for v in z["loss_steps"]])
    return compare_torch.train_torch(torch, params, mask, data, list(z["perms"]), batch, lr, threads)


def gradient_check(torch, z, grad_modes, batch):
    """One mini-batch: the values' gradient of each sparse formulation
    against the masked gradient of the same network with a dense W_hh (also
    the loss). Returns {mode: (max abs diff / max abs grad, loss diff)}."""
    H = int(z["H"])
    pre_t, post_t = torch.from_numpy(z["pre"]), torch.from_numpy(z["post"])
    ls = [int(v) for v in z["loss_steps"]]
    x, y = torch.from_numpy(z["xtr"][:batch]), torch.from_numpy(z["ytr"][:batch])

    def params():
        return {k: torch.nn.Parameter(torch.from_numpy(np.array(z[k]))) for k in ("vals", "w_in", "b", "w_out", "b_out")}

    pd = params()
    W = torch.zeros(H, H)
    W = W.index_put((post_t, pre_t), pd["vals"])  # differentiable scatter: the gradient is the dense one, masked
    ld = sparse_loss_fn(torch, lambda v, hT: W @ hT, pd, x, y, ls)
    ld.backward()
    out = {}
    for mode in grad_modes:
        spmm, prepare = sparse_model(torch, H, z["pre"], z["post"], mode)
        ps = params()
        prepare(ps["vals"])
        l = sparse_loss_fn(torch, spmm, ps, x, y, ls)
        l.backward()
        rel = max(float((ps[k].grad - pd[k].grad).abs().max() / pd[k].grad.abs().max()) for k in ps)
        out[mode] = (rel, abs(l.item() - ld.item()))
    return out


# --- one measurement per process --------------------------------------------------


def child(spec_json):
    spec = json.loads(spec_json)
    warnings.filterwarnings("ignore")  # torch's "sparse CSR support is in beta"
    import torch
    z = dict(np.load(spec["data"]))
    out = {"version": torch.__version__}
    if spec["framework"] == "torch-sparse":
        w, c, v = train_torch_sparse(torch, z, spec["batch"], spec["lr"], spec["threads"], spec["grad"])
    elif spec["framework"] == "torch-dense":
        w, c, v = train_torch_dense(torch, z, spec["batch"], spec["lr"], spec["threads"])
    elif spec["framework"] == "check":
        torch.set_num_threads(spec["threads"])
        out["check"] = gradient_check(torch, z, spec["modes"], spec["batch"])
        print(json.dumps(out))
        return 0
    else:
        raise SystemExit("compare_sparse.py: unknown framework %r" % spec["framework"])
    out.update(wall=w, cpu=c, val=v)
    print(json.dumps(out))
    return 0


def run_child(spec):
    r = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", json.dumps(spec)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("the %s measurement failed (%s threads):\n%s" % (
            spec["framework"], spec.get("threads"), r.stderr.strip()[-3000:]))
    return json.loads(r.stdout.strip().splitlines()[-1])


def run_biornn(a, threads):
    cmd = [a.biornn, "bench", "train", "--network", a.network, "--path", "sparse", "--batch", str(a.batch),
           "--trials", str(a.trials), "--pattern-length", str(a.pattern_length), "--epochs", str(a.epochs),
           "--warmup", str(a.warmup), "--threads", str(threads), "--seed", str(a.seed), "--json", "--quiet"]
    if a.impl:
        cmd += ["--impl", a.impl]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("%s failed:\n%s" % (" ".join(cmd), r.stderr.strip()[-3000:]))
    rec = json.loads(r.stdout)[0]
    rec["command"] = " ".join(cmd)
    return rec


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) == 2 and argv[0] == "--child":
        return child(argv[1])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--network", required=True, help="network folder (connections.parquet, neurons.parquet)")
    ap.add_argument("--biornn", default="biornn", help="the biornn binary [%(default)s]")
    ap.add_argument("--batch", type=int, default=32, help="[%(default)s]")
    ap.add_argument("--trials", type=int, default=500, help="80%% training, 20%% validation [%(default)s]")
    ap.add_argument("--pattern-length", type=int, default=5, help="seq_mem L, T = 2L+1 [%(default)s]")
    ap.add_argument("--epochs", type=int, default=2, help="measured epochs per run [%(default)s]")
    ap.add_argument("--warmup", type=int, default=1, help="epochs run first, not measured [%(default)s]")
    ap.add_argument("--threads", default="1", help="PyTorch thread counts, comma list [%(default)s]")
    ap.add_argument("--biornn-threads", default="1,2", help="biornn thread counts, comma list [%(default)s]")
    ap.add_argument("--impl", default="", help="biornn kernel set (bench train --impl) [the best on this CPU]")
    ap.add_argument("--rounds", type=int, default=1, help="alternate biornn and PyTorch runs this many times [%(default)s]")
    ap.add_argument("--dense", action="store_true", help="also time dense PyTorch (compare_torch.py's nn.RNN) if it fits")
    ap.add_argument("--max-dense-gb", type=float, default=2.0,
                    help="--dense and the gradient check only when H*H*4 bytes fit this [%(default)s]")
    ap.add_argument("--sparse-grad", default="sampled", choices=["sampled", "gather", "autograd"],
                    help="the CSR values' gradient: sampled (torch.sparse.sampled_addmm), gather (index_select "
                         "products, B x nnz), autograd (PyTorch's own backward: dense H x H) [%(default)s]")
    ap.add_argument("--no-torch", action="store_true", help="time biornn only")
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", default="", help="also write every measurement and the summary to this JSON file")
    a = ap.parse_args(argv)
    if a.epochs < 1 or a.warmup < 0 or a.trials < 5 or a.batch < 1 or a.rounds < 1:
        ap.error("need --epochs >= 1, --warmup >= 0, --trials >= 5, --batch >= 1, --rounds >= 1")
    tthreads = [int(t) for t in a.threads.split(",") if t]
    bthreads = [int(t) for t in a.biornn_threads.split(",") if t]
    sys.path.insert(0, HERE)
    from compare_torch import seq_mem

    H, pre, post = read_network(a.network)
    nnz = len(pre)
    L = a.pattern_length
    T = 2 * L + 1
    ntr = a.trials * 4 // 5
    if ntr == a.trials:
        ntr -= 1
    nva = a.trials - ntr
    gflop = epoch_gflop(H, nnz, T, ntr, nva)
    dense_fits = H * H * 4 <= a.max_dense_gb * 2**30

    try:
        bver = subprocess.run([a.biornn, "--version"], capture_output=True, text=True).stdout.strip()
    except OSError as e:
        raise SystemExit("compare_sparse.py: --biornn %s: %s" % (a.biornn, e))
    warnings.filterwarnings("ignore")
    import torch
    info = {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "cpu": cpu_model(), "cpus": os.cpu_count(),
            "python": sys.version.split()[0], "numpy": np.__version__, "torch": torch.__version__,
            "torch_mkl": torch.backends.mkl.is_available(), "biornn": bver, "network": os.path.abspath(a.network),
            "neurons": H, "connections": nnz, "steps": T, "train_trials": ntr, "val_trials": nva,
            "batch": a.batch, "epoch_gflop": gflop, "sparse_grad": a.sparse_grad}
    print("%s | %s (%d CPUs) | python %s, numpy %s, torch %s (MKL %s) | %s" % (
        info["date"], info["cpu"], info["cpus"], info["python"], info["numpy"], info["torch"], info["torch_mkl"], bver))
    print("network %s: %d neurons, %d connections (density %.4g); seq_mem L=%d (T=%d), %d+%d trials, batch %d, "
          "Adam lr %g, tanh; %d warm-up + %d measured epochs per run, %d round(s); %.3f GFLOP per epoch" % (
              a.network, H, nnz, nnz / H / H, L, T, ntr, nva, a.batch, a.lr, a.warmup, a.epochs, a.rounds, gflop),
          flush=True)

    measurements = []
    results = {}  # (framework, threads) -> list of per-run medians
    with tempfile.TemporaryDirectory(prefix="compare_sparse") as tmp:
        data = os.path.join(tmp, "data.npz")
        if not a.no_torch:
            x, y, ls = seq_mem(L, a.trials, a.seed)
            rng = np.random.default_rng(a.seed + 1)
            k = 1 / math.sqrt(H)  # PyTorch's default nn.RNN / nn.Linear bound
            u = lambda *s: rng.uniform(-k, k, size=s).astype(np.float32)
            params = {"w_in": u(H, INPUTS), "vals": u(nnz), "b": u(H), "w_out": u(OUTPUTS, H), "b_out": u(OUTPUTS)}
            prng = np.random.default_rng(a.seed + 2)
            perms = np.stack([prng.permutation(ntr) for _ in range(a.warmup + a.epochs)])
            np.savez(data, H=np.int64(H), pre=pre, post=post, xtr=x[:ntr], ytr=y[:ntr], xva=x[ntr:], yva=y[ntr:],
                     loss_steps=np.array(ls), perms=perms, **params)
            del pre, post
            if dense_fits:
                t0 = time.perf_counter()
                chk = run_child({"framework": "check", "data": data, "threads": tthreads[0], "batch": a.batch,
                                 "modes": ["sampled", "gather", "autograd"]})["check"]
                info["gradient_check"] = chk
                print("gradient check (one mini-batch, sparse against the masked dense gradient, max abs diff / max "
                      "abs gradient; loss diff): %s (%.1f s)" % (
                          ", ".join("%s %.1e, %.1e" % (m, r, l) for m, (r, l) in chk.items()),
                          time.perf_counter() - t0), flush=True)
            else:
                print("gradient check skipped: a dense %d x %d matrix exceeds --max-dense-gb %g" % (H, H, a.max_dense_gb))
        torch_fws = [] if a.no_torch else ["torch-sparse"] + (["torch-dense"] if a.dense and dense_fits else [])
        if a.dense and not dense_fits:
            print("torch-dense skipped: W_hh alone would take %.1f GB (--max-dense-gb %g)" % (H * H * 4 / 2**30,
                                                                                          a.max_dense_gb))
        for rnd in range(1, a.rounds + 1):
            jobs = [("biornn", t) for t in bthreads] + [(fw, t) for fw in torch_fws for t in tthreads]
            for fw, t in jobs:
                t0 = time.perf_counter()
                try:
                    if fw == "biornn":
                        rec = run_biornn(a, t)
                        m = {"framework": fw, "threads": t, "round": rnd, "seconds": rec["epoch_seconds"],
                             "min_seconds": rec["epoch_seconds_min"], "cpu_seconds": rec["cpu_seconds"],
                             "final_val_loss": rec["final_val_loss"], "impl": rec["impl"], "path": rec["path"],
                             "gflops_reported": rec["gflops"], "epoch_gflop_reported": rec["epoch_gflop"],
                             "command": rec["command"]}
                        extra = "%s/%s, bench train: %.2f GFLOP/s of %.3f GFLOP" % (
                            rec["impl"], rec["path"], rec["gflops"], rec["epoch_gflop"])
                    else:
                        r = run_child({"framework": fw, "data": data, "threads": t, "batch": a.batch, "lr": a.lr,
                                       "grad": a.sparse_grad})
                        w, c = r["wall"][a.warmup:], r["cpu"][a.warmup:]
                        m = {"framework": fw, "threads": t, "round": rnd, "seconds": statistics.median(w),
                             "min_seconds": min(w), "cpu_seconds": statistics.median(c), "final_val_loss": r["val"][-1],
                             "epochs_seconds": r["wall"], "val_losses": r["val"]}
                        extra = "epochs (warm-up first) %s" % ", ".join("%.2f" % s for s in r["wall"])
                except RuntimeError as e:
                    print("round %d %-12s %dt FAILED: %s" % (rnd, fw, t, e), flush=True)
                    measurements.append({"framework": fw, "threads": t, "round": rnd, "error": str(e)})
                    continue
                measurements.append(m)
                results.setdefault((fw, t), []).append(m)
                print("round %d %-12s %dt %9.4g s/epoch (fastest %.4g, CPU %.4g s) %7.2f GFLOP/s, final val loss %.6f "
                      "| %s | run %.0f s" % (rnd, fw, t, m["seconds"], m["min_seconds"], m["cpu_seconds"],
                                             gflop / m["seconds"], m["final_val_loss"], extra,
                                             time.perf_counter() - t0), flush=True)

    summary = []
    for (fw, t), ms in results.items():
        sec = statistics.median(m["seconds"] for m in ms)
        summary.append({"framework": fw, "threads": t, "runs": len(ms), "seconds": sec,
                        "cpu_seconds": statistics.median(m["cpu_seconds"] for m in ms), "gflops": gflop / sec,
                        "final_val_loss": ms[-1]["final_val_loss"]})
    b1 = next((s["seconds"] for s in summary if s["framework"] == "biornn" and s["threads"] == 1), None)
    bbest = min((s["seconds"] for s in summary if s["framework"] == "biornn"), default=None)
    print("\n%-13s %7s %5s %14s %10s %10s %16s %16s" % ("framework", "threads", "runs", "median s/epoch", "CPU s",
                                                       "GFLOP/s", "x biornn 1t", "x biornn best"))
    for s in summary:
        s["ratio_biornn_1t"] = s["seconds"] / b1 if b1 else None
        s["ratio_biornn_best"] = s["seconds"] / bbest if bbest else None
        print("%-13s %7d %5d %14.4g %10.4g %10.2f %16s %16s" % (
            s["framework"], s["threads"], s["runs"], s["seconds"], s["cpu_seconds"], s["gflops"],
            "%.2f" % s["ratio_biornn_1t"] if b1 else "n/a", "%.2f" % s["ratio_biornn_best"] if bbest else "n/a"))
    sp = [s for s in summary if s["framework"] == "torch-sparse"]
    dn = [s for s in summary if s["framework"] == "torch-dense"]
    status = 0
    if sp and dn:
        rel = abs(sp[0]["final_val_loss"] - dn[0]["final_val_loss"]) / abs(dn[0]["final_val_loss"])
        info["sparse_dense_val_loss_rel_diff"] = rel
        print("final validation loss torch-sparse %.7f, torch-dense %.7f (rel diff %.1e)" % (
            sp[0]["final_val_loss"], dn[0]["final_val_loss"], rel))
        if rel > 1e-3:
            print("compare_sparse.py: torch-sparse and torch-dense did not do the same work", file=sys.stderr)
            status = 1
    chk = info.get("gradient_check", {}).get(a.sparse_grad)
    if chk and chk[0] > 1e-3:
        print("compare_sparse.py: the %s gradient differs from the dense one" % a.sparse_grad, file=sys.stderr)
        status = 1
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"info": info, "measurements": measurements, "summary": summary}, f, indent=1)
    return status


if __name__ == "__main__":
    sys.exit(main())
