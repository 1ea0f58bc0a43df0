"""Tests of the biornn Python package through the C library."""
import json
import multiprocessing
import os
import threading

import numpy as np
import pandas as pd
import pytest

import biornn
import workers
from conftest import SHARED, TORCHREF


def test_library_info():
    assert biornn.version()
    ks = biornn.kernels()
    assert "generic" in ks
    assert biornn.default_kernel() in ks
    assert biornn.stat_names()[0] == "neurons"
    with pytest.raises(biornn.InvalidArgumentError, match="no-such"):
        biornn.set_kernels("no-such")
    with pytest.raises(biornn.InvalidArgumentError, match="thread"):
        biornn.set_threads(0)
    biornn.set_threads(2)
    assert biornn.threads() == 2
    biornn.set_threads(1)


def _forward(p, mask, x, act):
    """The model in numpy (float64): h_t = act(x_t W_in^T + h (W_hh*M)^T + b)."""
    w = p["w_hh"] * mask
    h = np.zeros((x.shape[0], w.shape[0]))
    ys = []
    for t in range(x.shape[1]):
        h = x[:, t] @ p["w_in"].T + h @ w.T + p["b"]
        h = np.tanh(h) if act == "tanh" else np.maximum(h, 0)
        ys.append(h @ p["w_out"].T + p["b_out"])
    return np.stack(ys, axis=1)


@pytest.mark.parametrize("act", ["tanh", "relu"])
def test_predict_matches_numpy(act):
    params, mask, x, _ = workers.small_problem(1)
    with biornn.Network.from_arrays(**params, mask=mask, activation=act) as net:
        assert net.sizes() == (2, 12, 1)
        assert net.info("activation") == act
        got = net.predict(x)
        assert got.shape == (10, 6, 1) and got.dtype == np.float32
        np.testing.assert_allclose(got, _forward(params, mask, x, act), rtol=1e-4, atol=1e-5)


def test_parameters_and_mask():
    params, mask, x, y = workers.small_problem(2)
    net = biornn.Network.from_arrays(**params, mask=mask)
    p = net.parameters()
    assert set(p) == {"w_in", "w_hh", "b", "w_out", "b_out"}
    assert p["b"].shape == (12,) and p["w_in"].shape == (12, 2)
    np.testing.assert_array_equal(p["w_hh"], (params["w_hh"] * mask).astype(np.float32))
    np.testing.assert_array_equal(net.matrix("mask"), mask.astype(float))
    losses = net.train_arrays(x, y, loss_steps=[5], optimizer="rmsprop", lr=0.01, steps=10)
    assert losses.shape == (10,) and losses[-1] < losses[0]
    after = net.parameters()["w_hh"]
    assert np.all(after[~mask] == 0), "masked weights must stay exactly zero"
    assert np.any(after[mask] != p["w_hh"][mask])
    net.set_parameters(w_out=np.ones((1, 12)))
    np.testing.assert_array_equal(net.parameter("w_out"), np.ones((1, 12), np.float32))
    st = net.stats()
    assert st["neurons"] == 12 and st["connections"] == mask.sum()
    net.close()
    net.close()  # idempotent


OPTIMIZER_EXTRAS = ["momentum", "dampening", "nesterov", "weight_decay", "clip_norm"]
SHARED_TORCH_CASES = ["macaque_seqmem_tanh_adam", "gamanut_nback_relu_adam", "marmoset_seqmem_relu_sgd"]


def _torch_cases():
    """The project's fixtures in testdata/torchref always; the full cases in
    ../shared/torch-reference (skipped when absent)."""
    own = sorted(d for d in TORCHREF.iterdir() if (d / "case.json").is_file())
    assert own, f"no PyTorch fixtures in {TORCHREF}"
    cases = [pytest.param(d, id="testdata/" + d.name) for d in own]
    shared = SHARED / "torch-reference"
    for name in SHARED_TORCH_CASES:
        marks = [] if shared.is_dir() else [pytest.mark.skip(
            reason=f"the full PyTorch reference {shared.resolve()} is missing (../shared): cross-check skipped")]
        cases.append(pytest.param(shared / name, id="shared/" + name, marks=marks))
    return cases


def _load_case(d):
    case = json.loads((d / "case.json").read_text())
    arr = {f.stem: np.load(f) for f in d.glob("*.npy")}
    return case, arr


@pytest.mark.parametrize("case_dir", _torch_cases())
def test_torch_reference(case_dir):
    """PyTorch's losses and final parameters, reproduced through Python."""
    case, a = _load_case(case_dir)
    init = {k: a["init_" + n] for k, n in
            [("w_in", "W_in"), ("w_hh", "W_hh"), ("b", "b"), ("w_out", "W_out"), ("b_out", "b_out")]}
    extras = {k: case[k] for k in OPTIMIZER_EXTRAS if case.get(k)}
    if case.get("noise_std"):
        pytest.skip("the reference's fixed noise can be given to the network only in the Go test")
    dynamics = {"tau": 1 / case["leak_alpha"]} if case.get("leak_alpha", 1) != 1 else {}
    with biornn.Network.from_arrays(**init, mask=a["mask"], activation=case["act"], **dynamics) as net:
        if case.get("dale"):
            net.set_dale(a["signs"])
        losses = net.train_arrays(a["x"], a["y"], loss=case["loss"], loss_steps=case["loss_steps"],
                                  optimizer=case["optimizer"], lr=case["lr"], steps=case["steps"], **extras)
        want = np.array(case["losses_f64"])
        np.testing.assert_allclose(losses, want, rtol=1e-4)
        got = net.parameters()
        for k, n in [("w_in", "W_in"), ("w_hh", "W_hh"), ("b", "b"), ("w_out", "W_out"), ("b_out", "b_out")]:
            ref = a["final_" + n]
            err = np.linalg.norm(got[k] - ref) / np.linalg.norm(ref)
            assert err < 1e-4, f"{k}: relative error {err:.3g}"
        assert np.all(got["w_hh"][a["mask"] == 0] == 0)


def test_errors_carry_messages():
    params, mask, x, y = workers.small_problem(3)
    with pytest.raises(ValueError, match="w_in"):
        biornn.Network.from_arrays(**{**params, "w_in": np.zeros((5, 2))})
    with pytest.raises(biornn.InvalidArgumentError, match="activation"):
        biornn.Network.from_arrays(**params, activation="sigmoid")
    with pytest.raises(biornn.InvalidArgumentError, match="finite"):
        biornn.Network.from_arrays(**{**params, "b": np.full(12, np.nan)})
    net = biornn.Network.from_arrays(**params, mask=mask)
    with pytest.raises(biornn.InvalidArgumentError, match='unknown key "colour"'):
        net.train_arrays(x, y, colour="blue")
    with pytest.raises(biornn.InvalidArgumentError, match='"optimizer"'):
        net.train_arrays(x, y, optimizer="adagrad")
    with pytest.raises(biornn.SizeError, match="x has"):
        net.predict(np.zeros((2, 3, 5)))
    with pytest.raises(biornn.SizeError, match="y has"):
        net.train_arrays(x, y[:, :, :0])
    with pytest.raises(biornn.InvalidArgumentError, match="class"):
        net.train_arrays(x, np.full((10, 6), 4.0), loss="nll", loss_steps=[5])
    with pytest.raises(biornn.InvalidArgumentError, match="loss step 9"):
        net.train_arrays(x, y, loss_steps=[9])
    with pytest.raises(biornn.InvalidArgumentError, match="gamma"):
        net.parameter("gamma")
    with pytest.raises(ValueError, match="cannot contain"):
        net.train_arrays(x, y, optimizer="adam;lr=1")
    with pytest.raises(biornn.UnsupportedError, match="connectome"):
        net.matrix("connectome")
    wrong = {"x": np.zeros((10, 3, net.sizes()[0] + 1)), "y": np.zeros((10, 3, net.sizes()[2]))}
    with pytest.raises(biornn.InvalidArgumentError, match="the task has"):
        net.train(task=wrong, epochs=1)
    net.close()
    with pytest.raises(biornn.BiornnError, match="closed"):
        net.predict(x)
    with pytest.raises(biornn.DataError, match="no-such-connectome"):
        biornn.Network.from_connectome("no-such-connectome")
    with pytest.raises(biornn.DataError):
        biornn.read_results("/nonexistent/biornn", engine="biornn")


def test_connectome_network():
    net = biornn.Network.from_connectome("macaque", neurons=2, seed=5)
    assert net.sizes() == (0, 58, 0)
    assert net.info("name") == "macaque" and net.info("source") == "connectome"
    assert len(net.regions) == 29
    c = net.matrix("connectome")
    assert c.shape == (29, 29) and np.count_nonzero(c) == 536
    w = net.matrix("w")
    assert w.shape == (58, 58)
    region = net.matrix("region")
    assert region.shape == (58,) and region[0] == 0 and region[-1] == 28
    st = net.stats()
    assert st["regions"] == 29 and st["connections"] == np.count_nonzero(w)
    assert st["spectral_radius"] == pytest.approx(np.max(np.abs(np.linalg.eigvals(w))), rel=1e-9)
    null = biornn.Network.from_connectome("macaque", neurons=2, seed=5, null="permute")
    wn = null.matrix("w")
    assert np.count_nonzero(wn) == np.count_nonzero(w) and not np.array_equal(wn, w)
    with pytest.raises(biornn.InvalidArgumentError, match='"nuerons"'):
        biornn.Network.from_connectome("macaque", nuerons=2)
    with pytest.raises(biornn.UnsupportedError):
        net.parameters()


def test_data_dir(shared_connectomes, tmp_path):
    """data_dir=../shared/connectomes: the same data set as the built-in one
    (same checksum, same network), and runs record the folder as the source."""
    builtin = biornn.Network.from_connectome("macaque", neurons=2, seed=5)
    net = biornn.Network.from_connectome("macaque", data_dir=shared_connectomes, neurons=2, seed=5)
    assert net.info("sha256") == builtin.info("sha256")
    np.testing.assert_array_equal(net.matrix("w"), builtin.matrix("w"))
    for n, want in [(net, shared_connectomes), (builtin, "builtin")]:
        out = tmp_path / want.replace("/", "_")
        n.train(out, epochs=1, trials=20)
        runs, _ = biornn.read_results(out)
        source = runs["connectome_source"][0]
        assert source == want or os.path.samefile(source, want), (source, want)


def test_train_progress_and_results(tmp_path):
    net = biornn.Network.from_connectome("macaque", neurons=1)
    seen = []
    caller = threading.get_ident()

    def progress(ep):
        assert threading.get_ident() == caller  # callbacks run on the calling thread
        seen.append(ep)

    out = tmp_path / "results"
    run_id = net.train(out, task="nback_mem", epochs=3, trials=40, batch_size=16, progress=progress)
    assert len(run_id) == 16
    assert [e.epoch for e in seen] == [0, 1, 2, 3] and all(e.epochs == 3 for e in seen)
    assert all(0 <= e.val_accuracy <= 1 for e in seen)
    runs, epochs = biornn.read_results(out)
    assert list(runs["run_id"]) == [run_id] and runs["task"][0] == "nback_mem"
    assert list(epochs["epoch"]) == [0, 1, 2, 3]
    np.testing.assert_allclose(epochs["val_loss"], [e.val_loss for e in seen])
    # a second run continues the network (epochs 4 after 0..3), other task
    # data: a second row whose epochs hold the first run's and its own
    run2 = net.train(out, task="nback_mem", epochs=1, trials=40, batch_size=16, seed=9)
    assert run2 != run_id
    runs, epochs = biornn.read_results(out)
    assert sorted(runs["run_id"]) == sorted([run_id, run2]) and len(epochs) == 4 + 5
    runs2, epochs2 = biornn.read_results(out, engine="biornn")
    # Both readers give the same values and the same nulls (settings that do
    # not apply to nback_mem, unset texts, missing metrics); a null is NaN in
    # pyarrow's columns and None or <NA> in the library reader's, so the
    # frames are compared with every null as None.
    assert runs["pattern_length"].isna().all() and runs2["pattern_length"].isna().all()
    assert runs["mnist_dir"].isna().all() and runs2["mnist_dir"].isna().all()

    def nulls_as_none(df):
        return df.astype(object).where(df.notna(), None)

    pd.testing.assert_frame_equal(nulls_as_none(runs), nulls_as_none(runs2), check_dtype=False)
    pd.testing.assert_frame_equal(nulls_as_none(epochs), nulls_as_none(epochs2), check_dtype=False)


def test_cancellation(tmp_path):
    net = biornn.Network.from_connectome("macaque", neurons=1)
    out = tmp_path / "results"
    seen = []

    def stop_at_1(ep):
        seen.append(ep.epoch)
        return ep.epoch < 1

    with pytest.raises(biornn.Cancelled, match="cancelled"):
        net.train(out, epochs=100, trials=40, progress=stop_at_1)
    assert seen == [0, 1]
    assert not (out / "runs").exists() or not list((out / "runs").glob("*.parquet"))

    class Stop(Exception):
        pass

    def boom(ep):
        raise Stop("from the callback")

    with pytest.raises(Stop):
        net.train(out, epochs=100, trials=40, progress=boom)


def _adder(results, seed):
    results[seed] = workers.train_small(seed)


def test_threads_give_sequential_results():
    """Networks on different threads train in parallel (the GIL is released)
    and give exactly the sequential results."""
    want = {s: workers.train_small(s) for s in range(4)}
    got = {}
    ts = [threading.Thread(target=_adder, args=(got, s)) for s in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    for s in range(4):
        np.testing.assert_array_equal(got[s], want[s])


def test_spawn_pool():
    """Worker processes must be spawned, never forked after the Go runtime
    is loaded: a spawn pool gives exactly the in-process results."""
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        got = pool.map(workers.train_small, [0, 1, 2])
    for s, losses in enumerate(got):
        np.testing.assert_array_equal(losses, workers.train_small(s))
        assert losses[-1] < losses[0]


def test_ctrl_c_stops_training(tmp_path):
    """SIGINT during a run cancels it at the next epoch and raises
    KeyboardInterrupt once the library returned; the handler is restored."""
    import signal

    net = biornn.Network.from_connectome("macaque", neurons=1)
    before = signal.getsignal(signal.SIGINT)
    seen = []

    def progress(ep):
        seen.append(ep.epoch)
        if ep.epoch == 1:
            os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        net.train(tmp_path / "results", epochs=1000, trials=40, progress=progress)
    assert seen[-1] <= 3, seen
    assert signal.getsignal(signal.SIGINT) is before


def test_settings_checked_like_the_cli():
    """Every setting of the table, through Python keyword arguments: a value
    out of range is an InvalidArgumentError naming the key and what the
    table allows (the same words as the CLI and sweep files); the default
    value is accepted."""
    checked = 0
    for key, (group, typ, default, allowed, help_) in biornn.SETTINGS.items():
        if key == "connectome":
            continue  # the name argument
        for bad in ["nonesuch", "-1", "0", "1.5", "2", "5000", "NaN", ""]:
            try:
                biornn.Network.from_connectome("macaque", **{key: bad}).close()
            except biornn.InvalidArgumentError as e:
                msg = str(e)
                # any text is allowed: the error is a rule with other settings
                assert f'option "{key}"' in msg and (allowed in msg or allowed == "a text"), (key, bad, msg)
                checked += 1
                break
            except biornn.BiornnError:
                break  # e.g. a data folder that does not exist: not a range
    assert checked >= 30, checked
    with biornn.Network.from_connectome("macaque", intrinsic_weight=0.5, momentum=0, target_sparsity=1,
                                        weight_decay=0.1, optimizer="sgd") as net:
        assert net.stats()["neurons"] > 0


def test_diverged_network_recovers_and_memory_is_bounded(tmp_path):
    """train_arrays with lr=1e30 fails without leaving NaN parameters (the
    failed step is undone and the error says so), set_parameters then takes
    a single parameter, and a bad one is named. Sizes beyond the memory
    budget are an error, not a dead interpreter. neurons=1.5 says what is
    expected."""
    params, mask, x, y = workers.small_problem(7)
    with biornn.Network.from_arrays(**params, mask=mask) as net:
        with pytest.raises(biornn.InvalidArgumentError, match="parameters"):
            net.train_arrays(x, y, lr=1e30, steps=20)
        for name, value in net.parameters().items():
            assert np.isfinite(value).all(), name
        net.set_parameters(w_hh=params["w_hh"])
        bad = params["b"].copy()
        bad[2] = np.nan
        with pytest.raises(biornn.InvalidArgumentError, match=r"b\[2\]"):
            net.set_parameters(b=bad)
        net.set_parameters(**params)  # back to the start: steps before the failed one were kept
        losses = net.train_arrays(x, y, lr=1e-3, steps=2)
        assert np.isfinite(losses).all()
    with biornn.Network.from_arrays(**params, mask=mask) as net:
        long_x, long_y = np.zeros((1, 200000, 2)), np.zeros((1, 200000, 1))
        with pytest.raises(biornn.InvalidArgumentError, match="1 trials x 200000 steps.*estimated"):
            net.train_arrays(long_x, long_y, loss_steps=[199999], max_memory=10000000)
    with pytest.raises(biornn.InvalidArgumentError, match="estimated"):
        biornn.Network.from_arrays(**params, mask=mask, max_memory=1000)
    with biornn.Network.from_connectome("macaque", neurons=1) as net:
        with pytest.raises(biornn.InvalidArgumentError, match=r"trials = 1000000000: .*estimated"):
            net.train(tmp_path / "results", trials=1000000000)
    with pytest.raises(biornn.InvalidArgumentError, match=r'option "neurons" = 1.5: expected an integer >= 1'):
        biornn.Network.from_connectome("macaque", neurons=1.5)


def test_trained_connectome_network_is_a_network(tmp_path):
    """A connectome network, once trained, gives its parameters, predicts
    with hidden states, saves and continues exactly where it stopped."""
    net = biornn.Network.from_connectome("macaque", seed=1)
    with pytest.raises(biornn.UnsupportedError, match="not been trained"):
        net.parameters()
    net.train(tmp_path / "r", epochs=3, trials=60)
    p = net.parameters()
    assert p["w_hh"].shape == (116, 116) and p["w_in"].shape == (116, 2)
    x = np.random.default_rng(0).normal(size=(4, 7, 2)).astype(np.float32)
    y, h = net.predict(x, return_hidden=True)
    assert y.shape == (4, 7, 1) and h.shape == (4, 7, 116)
    np.testing.assert_allclose(h @ p["w_out"].T + p["b_out"], y, rtol=1e-5, atol=1e-6)
    net.save(tmp_path / "net")
    assert set(pd.read_parquet(tmp_path / "net" / "connections.parquet").columns) == {"pre", "post", "weight"}
    assert np.array_equal(np.load(tmp_path / "net" / "w_in.npy"), p["w_in"])
    net.train(tmp_path / "r", epochs=3, trials=60)
    loaded = biornn.Network.load(tmp_path / "net")
    loaded.train(tmp_path / "r", epochs=3, trials=60)
    whole = biornn.Network.from_connectome("macaque", seed=1)
    whole.train(tmp_path / "r", epochs=6, trials=60)
    for name in biornn.network.PARAM_NAMES:
        assert np.array_equal(whole.parameter(name), net.parameter(name)), name
        assert np.array_equal(whole.parameter(name), loaded.parameter(name)), name


def test_train_on_own_task(tmp_path):
    """A mapping task (as biornn.tasks.from_neurogym returns) trains with
    its split; bad arrays are refused naming the array."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 10, 3)).astype(np.float32)
    labels = (x[:, :, 0].cumsum(1) > 0).astype(np.int64)
    split = np.zeros(300, dtype=np.int64)
    split[240:] = 1
    net = biornn.Network.from_connectome("macaque", seed=1)
    run = net.train(task={"x": x, "y": labels, "split": split}, epochs=30)
    runs, epochs = biornn.read_results(net.last_results)
    assert runs.loc[0, "run_id"] == run and len(epochs) == 31
    loss, acc = net.evaluate(x[240:], labels[240:], loss="nll")
    assert acc > 0.8
    with pytest.raises(biornn.InvalidArgumentError, match="time-major"):
        biornn.Network.from_connectome("macaque").train(tmp_path / "r", task={"x": x, "y": labels.T}, epochs=1)
    bad = x.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(biornn.InvalidArgumentError, match="x: element 0 is NaN"):
        biornn.Network.from_connectome("macaque").train(tmp_path / "r", task={"x": bad, "y": labels}, epochs=1)


def test_flyvis_optic_lobe(tmp_path):
    """The built-in fly optic lobe at a small extent trains under Dale's law
    with the photoreceptors as inputs; its neuron ids are flyvis's indices."""
    net = biornn.Network.from_connectome("flyvis-optic-lobe", extent=2, dale=True,
                                         input_neurons="type:R1,R2,R3,R4,R5,R6,R7,R8", output_neurons="type:T4a,T4b")
    n = net.stats()["neurons"]
    assert net.neuron_ids == [str(i) for i in range(int(n))]
    net.train(tmp_path / "r", epochs=2, trials=40)
    runs, _ = biornn.read_results(tmp_path / "r")
    assert runs.loc[0, "extent"] == 2 and runs.loc[0, "level"] == "neuron" and bool(runs.loc[0, "dale"])
    net.close()


def test_from_edges(tmp_path):
    """A neuron-level network from DataFrames (integer ids), under Dale's
    law, reads its ids back and trains with its signs kept."""
    rng = np.random.default_rng(3)
    ids = np.arange(720575940600000000, 720575940600000000 + 30)  # FlyWire-like root ids
    pre, post = rng.integers(0, 30, 300), rng.integers(0, 30, 300)
    keep = pre != post
    edges = pd.DataFrame({"pre": ids[pre[keep]], "post": ids[post[keep]], "syn_count": rng.integers(1, 9, keep.sum())})
    neurons = pd.DataFrame({"id": ids, "nt_type": ["acetylcholine"] * 20 + ["gaba"] * 10,
                            "role": ["sensory"] * 5 + ["inter"] * 20 + ["motor"] * 5})
    net = biornn.Network.from_edges(edges, neurons, dale=True, input_neurons="role:sensory", output_neurons="role:motor")
    assert net.neuron_ids == [str(i) for i in ids]
    net.train(tmp_path / "r", epochs=20, trials=60, lr=0.01)
    p = net.parameters()
    signs = np.array([1.0] * 20 + [-1.0] * 10)
    assert (p["w_hh"] * signs[None, :] >= 0).all()
    assert (p["w_in"][5:] == 0).all() and (p["w_out"][:, :25] == 0).all()
    runs, _ = biornn.read_results(tmp_path / "r")
    assert runs.loc[0, "level"] == "neuron" and runs.loc[0, "excitatory_share"] == 20 / 30
    files = net._files
    net.close()
    assert not os.path.exists(files)
    with pytest.raises(biornn.DataError, match="not in the neuron table"):
        biornn.Network.from_edges(pd.DataFrame({"pre": [1], "post": [2], "weight": [1.0]}), pd.DataFrame({"id": [1]}))
