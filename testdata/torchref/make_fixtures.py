#!/usr/bin/env python3
"""Makes the small PyTorch reference fixtures in testdata/torchref/<case>/.

They have the format of the full references in ../shared/torch-reference (see
its README.md): case.json plus float64 .npy files x, y, mask, init_<param>,
grad_<param> (W_hh's masked) and final_<param>, for the masked Elman network

    h_t = act(x_t W_in^T + h_{t-1} (W_hh * M)^T + b),  h_{-1} = 0
    y_t = h_t W_out^T + b_out

or, with the continuous-time option (extras alpha, noise_std),

    a_t = act(x_t W_in^T + h_{t-1} (W_hh * M)^T + b + noise_t)
    h_t = (1 - alpha) h_{t-1} + alpha a_t

where noise_t is a fixed array (noise.npy, trials x steps x neurons, drawn
once from the seeded generator with standard deviation noise_std) used at
every step, so that the Go test can add the same values.

With Dale's law (extras dale = share of excitatory neurons) every neuron j
has a sign s_j (signs.npy: +1 or -1), the initial W_hh[i, j] is
s_j |W_hh[i, j]|, and after every optimizer step the weights that crossed
their neuron's sign are set to 0: W.copy_(s * clamp(s * W, min=0)).

trained for `steps` full-batch optimizer steps; losses_f64[s] is the loss
before step s. The reference is computed in float64 (losses_f32 come from
the same run in float32, for information). Before every step W_hh's gradient
is multiplied by M, then the gradient is clipped (clip_norm > 0, as
torch.nn.utils.clip_grad_norm_), then the optimizer steps. Beyond the shared
format, case.json holds inputs, outputs, momentum, dampening, nesterov,
weight_decay, clip_norm and seed.

Every value comes from numpy's seeded generator (data, masks, initial
parameters); PyTorch only computes the losses, gradients and updates. Run
with the pinned PyTorch from requirements.txt, from the repository root:

    python3 -m venv /tmp/torchenv
    /tmp/torchenv/bin/pip install -r testdata/torchref/requirements.txt
    /tmp/torchenv/bin/python testdata/torchref/make_fixtures.py
"""
import json
import pathlib
import sys

import numpy as np
import torch

TORCH_VERSION = "2.15.0"  # keep in step with requirements.txt
HERE = pathlib.Path(__file__).resolve().parent
PARAMS = ["W_in", "W_hh", "b", "W_out", "b_out"]

# name, task, act, hidden, batch, length (seq_mem: L, T = 2L+1; nback: L, T = L+1),
# optimizer, lr, steps, extras (momentum, dampening, nesterov, weight_decay, clip_norm)
CASES = [
    ("seqmem_tanh_adam", "seq_mem", "tanh", 16, 6, 3, "adam", 1e-2, 6, {}),
    ("seqmem_relu_sgd", "seq_mem", "relu", 13, 5, 3, "sgd", 2e-1, 5, {}),
    ("nback_relu_adam", "nback", "relu", 14, 8, 5, "adam", 1e-2, 6, {}),
    ("seqmem_tanh_rmsprop", "seq_mem", "tanh", 12, 6, 3, "rmsprop", 1e-3, 6, {}),
    ("nback_tanh_sgd_momentum_wd_clip", "nback", "tanh", 17, 6, 4, "sgd", 1e-1, 6,
     dict(momentum=0.9, dampening=0.1, weight_decay=1e-2, clip_norm=0.05)),
    ("seqmem_relu_sgd_nesterov_wd", "seq_mem", "relu", 9, 4, 3, "sgd", 2e-1, 5,
     dict(momentum=0.8, nesterov=True, weight_decay=1e-3)),
    ("seqmem_tanh_adam_wd_clip", "seq_mem", "tanh", 19, 4, 2, "adam", 1e-2, 5,
     dict(weight_decay=1e-2, clip_norm=0.02)),
    ("nback_tanh_rmsprop_wd", "nback", "tanh", 8, 6, 3, "rmsprop", 1e-3, 5, dict(weight_decay=1e-2)),
    ("seqmem_tanh_adam_leak", "seq_mem", "tanh", 15, 6, 3, "adam", 2e-2, 6, dict(alpha=0.2)),
    ("nback_relu_adam_leak_noise", "nback", "relu", 12, 8, 4, "adam", 1e-2, 6, dict(alpha=0.5, noise_std=0.1)),
    ("seqmem_tanh_adam_dale", "seq_mem", "tanh", 14, 6, 3, "adam", 5e-2, 8, dict(dale=0.8)),
    ("nback_relu_sgd_dale", "nback", "relu", 12, 8, 4, "sgd", 3e-1, 6, dict(dale=0.7, momentum=0.9)),
]


def task_data(rng, task, batch, length):
    """seq_mem: values on channel 1 at steps 0..L-1, the cue on channel 0 at
    step L, recall at steps L+1..2L. nback: values at steps 0..L-1 with the
    cue at step L-1, the answer (class 2 match, 1 non-match) at step L; half
    of the trials match (the value at L-1-n copied from the last one, n = 2)."""
    if task == "seq_mem":
        t = 2 * length + 1
        x = np.zeros((batch, t, 2))
        y = np.zeros((batch, t, 1))
        v = rng.random((batch, length))
        x[:, :length, 1] = v
        x[:, length, 0] = 1
        y[:, length + 1:, 0] = v
        return x, y, list(range(length + 1, t)), 1
    t = length + 1
    x = np.zeros((batch, t, 2))
    y = np.zeros((batch, t))
    v = rng.random((batch, length))
    n = 2
    match = np.arange(batch) % 2 == 0
    v[match, length - 1 - n] = v[match, length - 1]
    x[:, :length, 1] = v
    x[:, length - 1, 0] = 1
    y[:, length] = np.where(match, 2, 1)
    return x, y, [length], 3


def random_mask(rng, h):
    """A sparse random mask (about 30% of the entries) with some neurons that
    receive no recurrent input (zero rows) and one that sends none (a zero
    column)."""
    m = (rng.random((h, h)) < 0.3).astype(np.float64)
    zero_rows = rng.choice(h, size=max(1, h // 6), replace=False)
    m[zero_rows, :] = 0
    m[:, rng.integers(h)] = 0
    assert m.any()
    return m


def init_params(rng, h, inputs, outputs, mask):
    """PyTorch's default initialisation U(-1/sqrt(H), 1/sqrt(H)), drawn by
    numpy; W_hh is masked."""
    k = 1 / np.sqrt(h)
    p = {
        "W_in": rng.uniform(-k, k, (h, inputs)),
        "W_hh": rng.uniform(-k, k, (h, h)) * mask,
        "b": rng.uniform(-k, k, h),
        "W_out": rng.uniform(-k, k, (outputs, h)),
        "b_out": rng.uniform(-k, k, outputs),
    }
    return p


def run(dtype, init, mask, x, y, act, loss_kind, loss_steps, opt_name, lr, steps, extras, noise, signs):
    """Returns the losses before every step, the (masked) gradient at the
    initial parameters and the parameters after the last step."""
    p = {k: torch.tensor(v, dtype=dtype, requires_grad=True) for k, v in init.items()}
    m = torch.tensor(mask, dtype=dtype)
    xt = torch.tensor(x, dtype=dtype)
    yt = torch.tensor(y, dtype=dtype)
    f = torch.tanh if act == "tanh" else torch.relu
    params = [p[k] for k in PARAMS]
    wd = extras.get("weight_decay", 0.0)
    if opt_name == "adam":
        opt = torch.optim.Adam(params, lr=lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=wd)
    elif opt_name == "rmsprop":
        opt = torch.optim.RMSprop(params, lr=lr, alpha=0.99, eps=1e-8, weight_decay=wd)
    else:
        opt = torch.optim.SGD(params, lr=lr, momentum=extras.get("momentum", 0.0),
                              dampening=extras.get("dampening", 0.0), nesterov=extras.get("nesterov", False),
                              weight_decay=wd)

    def loss_fn():
        h = torch.zeros(xt.shape[0], m.shape[0], dtype=dtype)
        w = p["W_hh"] * m
        outs = []
        alpha = extras.get("alpha", 1.0)
        for t in range(xt.shape[1]):
            pre = xt[:, t] @ p["W_in"].T + h @ w.T + p["b"]
            if noise is not None:
                pre = pre + torch.tensor(noise[:, t], dtype=dtype)
            h = f(pre) if alpha == 1.0 else (1 - alpha) * h + alpha * f(pre)
            outs.append(h @ p["W_out"].T + p["b_out"])
        out = torch.stack(outs, dim=1)[:, loss_steps]
        if loss_kind == "mse":
            return torch.nn.functional.mse_loss(out, yt[:, loss_steps])
        return torch.nn.functional.cross_entropy(out.reshape(-1, out.shape[-1]),
                                                 yt[:, loss_steps].reshape(-1).long())

    losses, grad0, clipped = [], None, []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        p["W_hh"].grad.mul_(m)
        if grad0 is None:
            grad0 = {k: p[k].grad.detach().clone().numpy() for k in PARAMS}
        if extras.get("clip_norm", 0) > 0:
            norm = torch.nn.utils.clip_grad_norm_(params, extras["clip_norm"])
            clipped.append(float(norm) > extras["clip_norm"])
        losses.append(loss.item())
        opt.step()
        if signs is not None:  # Dale's law by projection
            with torch.no_grad():
                s = torch.tensor(signs, dtype=dtype)[None, :]
                p["W_hh"].copy_(s * torch.clamp(s * p["W_hh"], min=0))
    final = {k: p[k].detach().numpy().astype(np.float64) for k in PARAMS}
    return losses, grad0, final, clipped


def make_case(index, spec):
    name, task, act, hidden, batch, length, opt_name, lr, steps, extras = spec
    seed = 1000 + index
    rng = np.random.default_rng(seed)
    x, y, loss_steps, outputs = task_data(rng, task, batch, length)
    mask = random_mask(rng, hidden)
    init = init_params(rng, hidden, x.shape[2], outputs, mask)
    loss_kind = "mse" if task == "seq_mem" else "nll"
    noise = None
    if extras.get("noise_std", 0) > 0:  # drawn last: the other cases' values stay as they were
        noise = rng.normal(0, extras["noise_std"], (x.shape[0], x.shape[1], hidden))
    signs = None
    if extras.get("dale", 0) > 0:
        signs = np.where(rng.random(hidden) < extras["dale"], 1.0, -1.0)
        init["W_hh"] = signs[None, :] * np.abs(init["W_hh"])
    args = (init, mask, x, y, act, loss_kind, loss_steps, opt_name, lr, steps, extras, noise, signs)
    l64, g64, f64, clipped = run(torch.float64, *args)
    l32, _, _, _ = run(torch.float32, *args)
    if extras.get("clip_norm", 0) > 0 and not all(clipped):
        sys.exit(f"{name}: clip_norm {extras['clip_norm']} did not clip at every step ({clipped})")
    changes = {}
    for k in PARAMS:  # the steps must move every parameter well beyond the tests' tolerance (1e-4)
        changes[k] = np.linalg.norm(f64[k] - init[k]) / np.linalg.norm(init[k])
        if not changes[k] > 2e-3:
            sys.exit(f"{name}: {k} changed by only {changes[k]:.2g} (relative)")
    case = {
        "name": name, "hidden": hidden, "act": act, "task": task, "batch": batch,
        "pattern_or_trial_length": length, "T": x.shape[1], "inputs": x.shape[2], "outputs": outputs,
        "loss": loss_kind, "loss_steps": loss_steps, "optimizer": opt_name, "lr": lr, "steps": steps,
        "momentum": extras.get("momentum", 0.0), "dampening": extras.get("dampening", 0.0),
        "nesterov": extras.get("nesterov", False), "weight_decay": extras.get("weight_decay", 0.0),
        "clip_norm": extras.get("clip_norm", 0.0),
        "leak_alpha": extras.get("alpha", 1.0), "noise_std": extras.get("noise_std", 0.0),
        "dale": signs is not None,
        "seed": seed, "torch_version": torch.__version__,
        "optimizer_defaults": {"adam": {"betas": [0.9, 0.999], "eps": 1e-08},
                               "rmsprop": {"alpha": 0.99, "eps": 1e-08, "momentum": 0, "centered": False}},
        "loss0_f64": l64[0], "losses_f64": l64, "loss0_f32": l32[0], "losses_f32": l32,
    }
    d = HERE / name
    d.mkdir(exist_ok=True)
    for old in d.glob("*.npy"):
        old.unlink()
    (d / "case.json").write_text(json.dumps(case, indent=1) + "\n")
    arrays = {"x": x, "y": y, "mask": mask}
    if noise is not None:
        arrays["noise"] = noise
    if signs is not None:
        arrays["signs"] = signs
    for k in PARAMS:
        arrays["init_" + k] = init[k]
        arrays["grad_" + k] = g64[k]
        arrays["final_" + k] = f64[k]
    for k, v in arrays.items():
        np.save(d / (k + ".npy"), np.ascontiguousarray(v, dtype=np.float64))
    size = sum(f.stat().st_size for f in d.iterdir())
    print(f"{name}: hidden {hidden}, batch {batch}, T {x.shape[1]}, {opt_name}, loss {l64[0]:.6g} -> {l64[-1]:.6g}, "
          f"{size} bytes; least change {min(changes.values()):.2g}")


def main():
    if torch.__version__.split("+")[0] != TORCH_VERSION:
        sys.exit(f"make_fixtures.py: PyTorch {torch.__version__}, expected {TORCH_VERSION} "
                 "(pip install -r testdata/torchref/requirements.txt)")
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    for i, spec in enumerate(CASES):
        make_case(i, spec)


if __name__ == "__main__":
    main()
