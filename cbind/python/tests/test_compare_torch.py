"""The benchmark script's plumbing without PyTorch: the per-process
measurement of the biornn side and the option checks."""

import importlib.util
import pathlib

import numpy as np
import pytest

SCRIPT = pathlib.Path(__file__).resolve().parents[1] / "benchmarks" / "compare_torch.py"


@pytest.fixture(scope="module")
def ct():
    spec = importlib.util.spec_from_file_location("compare_torch", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_biornn_measurement_in_child_process(ct, tmp_path):
    rng = np.random.default_rng(4)
    hidden = 12
    mask = rng.random((hidden, hidden)) < 0.4
    x, y, ls = ct.seq_mem(2, 40, 1)
    params = ct.initial_params(hidden, 2, 1, mask, 1)
    perms = np.stack([rng.permutation(32) for _ in range(3)])
    data = tmp_path / "d.npz"
    np.savez(data, mask=mask, xtr=x[:32], ytr=y[:32], xva=x[32:], yva=y[32:], loss_steps=np.array(ls),
             perms=perms, **params)
    spec = dict(data=str(data), batch=16, lr=1e-2, kernels="", path="sparse", framework="biornn", threads=1)
    r = ct.measure(spec)
    assert r["path"] == "sparse" and r["kernels"]
    assert len(r["wall"]) == len(r["cpu"]) == len(r["val"]) == 3
    assert all(w > 0 for w in r["wall"])
    assert all(np.isfinite(r["val"])) and r["val"][-1] < r["val"][0]
    s = ct.summarize({1: r}, 1)
    assert s["threads"] == 1 and s["final_val_loss"] == r["val"][-1]
    assert s["1t_min_seconds"] <= s["1t_seconds"]


def test_failed_child_is_reported(ct, tmp_path):
    spec = dict(data=str(tmp_path / "missing.npz"), batch=16, lr=1e-2, kernels="", path="sparse",
                framework="biornn", threads=1)
    with pytest.raises(SystemExit, match="biornn measurement failed"):
        ct.measure(spec)


def test_blas_choices(ct):
    with pytest.raises(SystemExit, match="unknown choice"):
        ct.torch_blas_choices(["mkl"])
    assert ct.torch_blas_choices(["installed"]) == [("installed", {})]
    assert ct.blas_label("") == "unknown"
    assert ct.blas_label("/usr/lib/x/openblas-pthread/libblas.so.3, /usr/lib/x/openblas-pthread/libopenblasp-r0.3.so") \
        == "openblas-pthread/libopenblasp-r0.3.so"
