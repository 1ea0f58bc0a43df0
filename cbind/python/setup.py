"""Build step of the biornn Python package: compiles the Go library.

The package is a thin ctypes layer over libbiornn.so, which `go build
-buildmode=c-shared` makes from the Go module two folders up (this folder is
cbind/python of the biornn source tree). The module root is found from the
BIORNN_SRC environment variable if set, else by walking up from this file to
the go.mod of module github.com/biornn/biornn (pip builds a local folder in
place, so the walk finds it). The library goes into biornn/lib/ inside the
built package. Needs the Go toolchain (1.26) and a C compiler on PATH.
"""
import os
import pathlib
import subprocess

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

MODULE = "module github.com/biornn/biornn"


def go_module_root():
    env = os.environ.get("BIORNN_SRC")
    if env:
        root = pathlib.Path(env).resolve()
        if not (root / "go.mod").is_file():
            raise SystemExit(f"biornn: BIORNN_SRC={env} has no go.mod")
        return root
    here = pathlib.Path(__file__).resolve().parent
    for d in [here, *here.parents]:
        gomod = d / "go.mod"
        if gomod.is_file() and gomod.read_text().splitlines()[0].strip() == MODULE:
            return d
    raise SystemExit(
        "biornn: cannot find the biornn Go source tree above "
        f"{here}; set BIORNN_SRC to the folder holding go.mod"
    )


class BuildGo(build_py):
    """build_py that also builds libbiornn with the Go toolchain."""

    def run(self):
        super().run()
        root = go_module_root()
        out = pathlib.Path(self.build_lib, "biornn", "lib").resolve()
        out.mkdir(parents=True, exist_ok=True)
        script = root / "cbind" / "build.sh"
        self.announce(f"building libbiornn with {script} into {out}", level=2)
        subprocess.run(["bash", str(script), str(out)], check=True)


class BinaryDistribution(Distribution):
    """The wheel holds a native library: mark it platform-specific."""

    def has_ext_modules(self):
        return True


setup(cmdclass={"build_py": BuildGo}, distclass=BinaryDistribution)
