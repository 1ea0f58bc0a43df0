"""Library information and process-wide settings."""
import ctypes

from . import _lib as L
from .errors import check


def _string(fn, *args):
    """Calls a (…, buf, len, needed) function of the C API and returns the text."""
    needed = ctypes.c_size_t(0)
    check(fn(*args, None, 0, ctypes.byref(needed)))
    buf = ctypes.create_string_buffer(needed.value)
    check(fn(*args, buf, needed.value, None))
    return buf.value.decode("utf-8")


def _list(text):
    return text.split("\n") if text else []


def version():
    """The library version."""
    return _string(L.lib().biornn_version)


def kernels():
    """The kernel implementations this CPU can run, best first."""
    return _list(_string(L.lib().biornn_kernels))


def default_kernel():
    """The kernel implementation used when none is named."""
    return _string(L.lib().biornn_default_kernel)


def set_kernels(name):
    """Selects the kernels of every later network and run ("default" = automatic)."""
    check(L.lib().biornn_set_kernels(name.encode()))


def set_threads(n):
    """Sets the worker threads of later training calls (results do not depend on it)."""
    check(L.lib().biornn_set_threads(int(n)))


def threads():
    """The worker-thread count set by set_threads (default 1)."""
    n = ctypes.c_int32(0)
    check(L.lib().biornn_get_threads(ctypes.byref(n)))
    return n.value


def stat_names():
    """Names of the statistics of Network.stats(), in order."""
    return _list(_string(L.lib().biornn_stat_names))
