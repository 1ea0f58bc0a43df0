"""Build step of the biornn Python package: compiles the Go library into it.

The package is a thin ctypes layer over libbiornn.so, which `go build
-buildmode=c-shared` makes from the Go module two folders up (this folder is
cbind/python of the biornn source tree). The module root is found from the
BIORNN_SRC environment variable if set, else by walking up from this file to
the go.mod of module github.com/biornn/biornn (pip builds a local folder in
place, so the walk finds it). Building needs the Go toolchain (1.26) and a C
compiler on PATH.

The library goes into biornn/lib/ inside the built package, so a wheel
(`pip wheel ./cbind/python`) carries it and installs on a machine without
Go. The wheel is tagged py3-none-<platform> (for example
py3-none-linux_x86_64): the library is native code for one platform, but it
is loaded with ctypes, so it does not depend on the Python version or ABI.
"""
import os
import pathlib
import subprocess

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

try:  # setuptools >= 70.1 has its own; older ones use the wheel package's
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:
    try:
        from wheel.bdist_wheel import bdist_wheel
    except ImportError:  # no wheel support at all: an sdist or a plain install
        bdist_wheel = None

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
    """build_py that also builds libbiornn with the Go toolchain into the
    package's lib/ folder (so bdist_wheel packs it)."""

    def run(self):
        super().run()
        root = go_module_root()
        out = pathlib.Path(self.build_lib, "biornn", "lib").resolve()
        out.mkdir(parents=True, exist_ok=True)
        script = root / "cbind" / "build.sh"
        self.announce(f"building libbiornn with {script} into {out}", level=2)
        subprocess.run(["bash", str(script), str(out)], check=True)
        # build.sh also copies the C header beside the library: the Python
        # package does not need it.
        (out / "biornn.h").unlink(missing_ok=True)


class BinaryDistribution(Distribution):
    """The package holds a native library: install it as platform-specific."""

    def has_ext_modules(self):
        return True


cmdclass = {"build_py": BuildGo}
if bdist_wheel is not None:

    class PlatformWheel(bdist_wheel):
        """A platform wheel for any Python 3: py3-none-<platform>."""

        def finalize_options(self):
            super().finalize_options()
            self.root_is_pure = False

        def get_tag(self):
            _, _, plat = super().get_tag()
            return "py3", "none", plat

    cmdclass["bdist_wheel"] = PlatformWheel

setup(cmdclass=cmdclass, distclass=BinaryDistribution)
