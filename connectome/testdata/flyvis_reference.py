#!/usr/bin/env python3
"""Build flyvis's optic-lobe network with flyvis's OWN code, for the Go cross-check.

Usage: flyvis_reference.py WHEEL EXTENT OUTDIR

WHEEL is flyvis's wheel (flyvis-1.2.0-py3-none-any.whl, MIT). The script unzips it
into a temporary folder and runs flyvis.connectome.connectome.ConnectomeFromAvgFilters
(the class flyvis's networks are built from) on the wheel's fib25-fib19_v2.2.json at
the given extent with flyvis's default n_syn_fill=1. flyvis's package __init__ imports
torch, datamate, xarray and more that the construction does not use, so the package
module and those imports are stubbed in sys.modules; the construction code itself
(add_nodes, add_edges, fill_hull, add_conv_edges, the constructor) runs unchanged
on numpy, scipy (ConvexHull, "QJ"), matplotlib (Path.contains_points) and toolz.

It writes, in flyvis's own order:
  OUTDIR/nodes.csv  index,type,u,v,role
  OUTDIR/edges.csv  source_index,target_index,n_syn,sign
and prints one line "nodes N edges M json-sha256 H versions ..." on stdout.
"""

import importlib
import os
import sys
import tempfile
import types
import zipfile


class _Anything:
    """A stand-in for any attribute of a stubbed module (callable, subscriptable)."""

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        return _Anything()

    def __getattr__(self, name):
        return _Anything()

    def __getitem__(self, key):
        return _Anything()

    def __mro_entries__(self, bases):
        return (object,)


class _StubModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Anything()


def _stub(name, **attrs):
    m = _StubModule(name)
    m.__path__ = []  # a package, so that submodules can be stubbed too
    for k, v in attrs.items():
        setattr(m, k, v)
    sys.modules[name] = m
    return m


class _Table:
    """What datamate's Directory makes of an assigned dict: attribute and item access."""

    def __init__(self, d):
        for k, v in d.items():
            setattr(self, k, v)

    def __getitem__(self, k):
        return getattr(self, k)

    def __contains__(self, k):
        return hasattr(self, k)


class _Directory:
    """datamate.Directory without the disk: dict attributes become tables."""

    def __setattr__(self, k, v):
        if isinstance(v, dict):
            v = _Table(v)
        object.__setattr__(self, k, v)

    def __contains__(self, k):
        return hasattr(self, k)


def load_flyvis(root):
    """Import flyvis.connectome.connectome from the unzipped wheel at root."""
    pkg = os.path.join(root, "flyvis")
    flyvis = types.ModuleType("flyvis")
    flyvis.__path__ = [pkg]
    flyvis.__file__ = os.path.join(pkg, "__init__.py")
    from pathlib import Path

    flyvis.package_dir = Path(pkg)
    flyvis.root_dir = Path(root) / "data"  # only named (datamate's root decorator is stubbed)
    flyvis.connectome_file = Path(pkg) / "connectome" / "fib25-fib19_v2.2.json"
    sys.modules["flyvis"] = flyvis

    # Heavy or unrelated imports of the modules below.
    _stub("torch", Tensor=_Anything, device=_Anything)
    _stub(
        "datamate",
        ArrayFile=_Anything,
        Directory=_Directory,
        Namespace=dict,
        root=lambda *a, **k: (lambda cls: cls),
    )
    for name in [
        "flyvis.analysis",
        "flyvis.analysis.visualization",
        "flyvis.analysis.visualization.plots",
        "flyvis.analysis.visualization.plt_utils",
        "flyvis.analysis.visualization.figsize_utils",
        "flyvis.analysis.visualization.network_fig",
        "flyvis.utils.groundtruth_utils",
        "flyvis.utils.df_utils",
        "flyvis.utils.hex_utils",
    ]:
        _stub(name)
    try:
        import pandas  # noqa: F401  (only for annotations of the viewer classes)
    except ImportError:
        _stub("pandas", DataFrame=_Anything)
    # flyvis.utils (the real one sets up xarray and joblib at import): a bare package
    # whose submodule nodes_edges_utils (order_node_type_list) is flyvis's own.
    utils = types.ModuleType("flyvis.utils")
    utils.__path__ = [os.path.join(pkg, "utils")]
    sys.modules["flyvis.utils"] = utils
    flyvis.utils = utils
    utils.groundtruth_utils = sys.modules["flyvis.utils.groundtruth_utils"]
    utils.df_utils = sys.modules["flyvis.utils.df_utils"]
    utils.hex_utils = sys.modules["flyvis.utils.hex_utils"]
    cm = importlib.import_module("flyvis.connectome.connectome")
    return cm


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: flyvis_reference.py WHEEL EXTENT OUTDIR")
    wheel, extent, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with tempfile.TemporaryDirectory(prefix="flyvis-wheel.") as root:
        with zipfile.ZipFile(wheel) as z:
            z.extractall(root)
        cm = load_flyvis(root)
        build(cm, root, extent, out)


def build(cm, root, extent, out):
    import hashlib

    import numpy as np
    import scipy
    import matplotlib
    import toolz

    json_file = os.path.join(root, "flyvis", "connectome", "fib25-fib19_v2.2.json")
    with open(json_file, "rb") as f:
        json_sha = hashlib.sha256(f.read()).hexdigest()
    c = cm.ConnectomeFromAvgFilters(file=json_file, extent=extent, n_syn_fill=1)

    nodes, edges = c.nodes, c.edges
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "nodes.csv"), "w") as f:
        f.write("index,type,u,v,role\n")
        f.writelines(
            f"{i},{t.decode()},{u},{v},{r.decode()}\n"
            for i, t, u, v, r in zip(nodes.index, nodes.type, nodes.u, nodes.v, nodes.role)
        )
    n_syn = np.asarray(edges.n_syn, dtype=np.float32)
    # %.9g round-trips every float32.
    syn_text = [f"{x:.9g}" for x in n_syn.tolist()]
    with open(os.path.join(out, "edges.csv"), "w") as f:
        f.write("source_index,target_index,n_syn,sign\n")
        f.writelines(
            f"{s},{t},{n},{int(g)}\n"
            for s, t, n, g in zip(
                edges.source_index.tolist(), edges.target_index.tolist(), syn_text, edges.sign.tolist()
            )
        )
    print(
        f"nodes {len(nodes.index)} edges {len(edges.source_index)} json-sha256 {json_sha} "
        f"versions numpy={np.__version__} scipy={scipy.__version__} "
        f"matplotlib={matplotlib.__version__} toolz={toolz.__version__}"
    )


if __name__ == "__main__":
    main()
