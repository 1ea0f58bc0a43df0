"""The library's environment variables (BIORNN_DATA, BIORNN_KERNELS) follow
os.environ and set_env; strings holding a NUL character are refused."""
import os
import pathlib
import subprocess
import sys

import pytest

import biornn
from conftest import ROOT

BUILTIN = ROOT / "connectome" / "builtin"  # the built-in data sets' files


def test_env_names():
    assert biornn.env_names() == ["BIORNN_DATA", "BIORNN_MNIST", "BIORNN_KERNELS"]
    with pytest.raises(biornn.InvalidArgumentError, match="BIORNN_NOPE"):
        biornn.set_env("BIORNN_NOPE", "x")
    with pytest.raises(biornn.InvalidArgumentError, match="BIORNN_NOPE"):
        biornn.get_env("BIORNN_NOPE")


def test_os_environ_data_dir_after_load(monkeypatch, tmp_path):
    """os.environ["BIORNN_DATA"] set after the library was loaded reaches it
    (a missing folder is an error naming it and the variable)."""
    monkeypatch.delenv("BIORNN_DATA", raising=False)
    biornn.Network.from_connectome("macaque", neurons=1).close()  # the library is loaded
    missing = str(tmp_path / "no-such-folder")
    monkeypatch.setenv("BIORNN_DATA", missing)
    with pytest.raises(biornn.DataError, match="no-such-folder.*BIORNN_DATA"):
        biornn.Network.from_connectome("macaque", neurons=1)
    assert biornn.data_dir() == missing
    monkeypatch.delenv("BIORNN_DATA")
    assert biornn.data_dir() == ""
    biornn.Network.from_connectome("macaque", neurons=1).close()


def test_set_data_dir_corrupted_copy(monkeypatch, tmp_path):
    """set_data_dir points the library at a folder whose corrupted copy of
    the macaque matrix is refused, naming the file; None unsets it."""
    monkeypatch.delenv("BIORNN_DATA", raising=False)
    for f in BUILTIN.glob("*Macaque*"):
        data = bytearray(f.read_bytes())
        if f.name == "C_Macaque_Normalized.npy":
            data[-1] ^= 1  # one flipped bit in the last weight
        (tmp_path / f.name).write_bytes(bytes(data))
    biornn.set_data_dir(tmp_path)
    try:
        assert os.environ["BIORNN_DATA"] == str(tmp_path)
        assert biornn.data_dir() == str(tmp_path)
        with pytest.raises(biornn.DataError, match="C_Macaque_Normalized.npy"):
            biornn.Network.from_connectome("macaque", neurons=1)
        # the data_dir option comes first
        biornn.Network.from_connectome("macaque", neurons=1, data_dir=str(tmp_path.parent)).close()
    finally:
        biornn.set_data_dir(None)
    assert "BIORNN_DATA" not in os.environ and biornn.data_dir() == ""
    biornn.Network.from_connectome("macaque", neurons=1).close()  # the built-in copy again


def test_kernels_env(monkeypatch):
    monkeypatch.delenv("BIORNN_KERNELS", raising=False)
    best = biornn.default_kernel()
    monkeypatch.setenv("BIORNN_KERNELS", "generic")
    assert biornn.default_kernel() == "generic"
    monkeypatch.setenv("BIORNN_KERNELS", "nonesuch")
    with pytest.raises(biornn.InvalidArgumentError, match="nonesuch"):
        biornn.default_kernel()
    biornn.set_env("BIORNN_KERNELS", "generic")
    assert os.environ["BIORNN_KERNELS"] == "generic" and biornn.get_env("BIORNN_KERNELS") == "generic"
    assert biornn.default_kernel() == "generic"
    biornn.set_env("BIORNN_KERNELS", None)
    assert "BIORNN_KERNELS" not in os.environ
    assert biornn.default_kernel() == best


def test_environment_at_load(tmp_path):
    """A fresh process: the values in os.environ when the library is loaded
    are the library's."""
    code = ("import os, biornn; os.environ['BIORNN_KERNELS'] = 'generic'; "
            "print(biornn.default_kernel(), biornn.data_dir())")
    env = dict(os.environ, BIORNN_DATA=str(tmp_path))
    env.pop("BIORNN_KERNELS", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["generic", str(tmp_path)]


def test_nul_in_strings_is_refused(tmp_path):
    """A NUL character would cut the string in C: every string argument
    refuses it (ValueError) instead of passing a shorter one."""
    net = biornn.Network.from_connectome("macaque", neurons=1)
    cases = [
        lambda: biornn.Network.from_connectome("macaque\0x", neurons=1),
        lambda: biornn.Network.from_connectome("macaque", data_dir=str(tmp_path) + "\0x"),
        lambda: biornn.Network.from_connectome(pathlib.Path("a\0b")),
        lambda: biornn.read_results(str(tmp_path) + "\0x"),
        lambda: biornn.read_results(str(tmp_path) + "\0x", engine="biornn"),
        lambda: biornn.set_data_dir(str(tmp_path) + "\0x"),
        lambda: biornn.set_env("BIORNN_DATA\0x", "y"),
        lambda: biornn.set_kernels("generic\0x"),
        lambda: net.info("name\0x"),
        lambda: net.matrix("w\0x"),
        lambda: net.train(str(tmp_path / "out") + "\0x", epochs=1),
    ]
    for f in cases:
        with pytest.raises(ValueError, match="NUL"):
            f()
    net.close()
    assert biornn.data_dir() == ""
    with pytest.raises(TypeError, match="string"):
        biornn.set_kernels(3)


def test_mnist_dir_env(tmp_path):
    """BIORNN_MNIST reaches the library: train on pic_latent_mem without an
    mnist_dir option looks there, and says so when the latents are not."""
    biornn.set_mnist_dir(tmp_path)
    try:
        assert biornn.get_env("BIORNN_MNIST") == str(tmp_path)
        with biornn.Network.from_connectome("macaque", neurons=1) as net:
            with pytest.raises(biornn.BiornnError, match=str(tmp_path)):
                net.train(str(tmp_path / "res"), task="pic_latent_mem", epochs=1, trials=10)
    finally:
        biornn.set_mnist_dir(None)


def test_stats_counts_are_ints():
    """Counts come back as ints, the rest as floats."""
    with biornn.Network.from_connectome("macaque", neurons_per_region=1) as net:
        st = net.stats()
        assert all(type(st[k]) is int for k in ("neurons", "regions", "connections", "self_loops")), st
        assert st["neurons"] == 29 and isinstance(st["density"], float)


def test_read_results_without_pyarrow(tmp_path, monkeypatch):
    """Without pyarrow, read_results falls back to the library's reader."""
    with biornn.Network.from_connectome("macaque", neurons_per_region=1) as net:
        net.train(str(tmp_path / "res"), epochs=2, trials=20, batch_size=8)
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now fails
    runs, epochs = biornn.read_results(str(tmp_path / "res"))
    assert len(runs) == 1 and len(epochs) == 3 and runs["strategy"][0] == "bio-random"
