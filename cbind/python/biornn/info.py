"""Library information and process-wide settings."""
import ctypes
import os

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
    """Selects the kernels of every later network and run ("default" = automatic).

    This choice comes before $BIORNN_KERNELS (see set_env)."""
    check(L.lib().biornn_set_kernels(L.cstr(name, "kernels name")))


def env_names():
    """The environment variables the library reads: BIORNN_DATA (the data
    folder, see set_data_dir) and BIORNN_KERNELS (the kernels used when none
    are named and set_kernels was not called)."""
    L.lib()
    return list(L._env_names)


def set_env(name, value):
    """Sets the environment variable name (one of env_names()) to value for
    the library and in os.environ; value None unsets it.

    The library reads these variables from its own copy of the environment.
    biornn gives it the os.environ values when it loads the library and
    again before every call whenever they changed, so assigning
    os.environ["BIORNN_DATA"] works too; set_env does the same at once and
    checks the name. A value is checked where it is used: a data folder
    that does not exist is an error of the call that loads a connectome.
    Raises InvalidArgumentError for a name the library does not read and
    ValueError for a value holding a NUL character.
    """
    if value is not None:
        value = os.fsdecode(L.cstr(value, name))
    with L._lock:
        lib = L.lib()
        check(lib.biornn_set_env(L.cstr(name, "environment variable name"),
                                 None if value is None else L.cstr(value, name)))
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
        L._env_given[name] = value


def get_env(name):
    """The library's value of the environment variable name (one of
    env_names()); "" when it is not set."""
    return _string(L.lib().biornn_get_env, L.cstr(name, "environment variable name"))


def set_data_dir(path):
    """Sets the data folder (BIORNN_DATA) for the library and in os.environ:
    a data set of the same name there replaces the built-in one (checked
    against the same SHA-256), when no data_dir option is given. None
    unsets it. The same as set_env("BIORNN_DATA", path)."""
    set_env("BIORNN_DATA", None if path is None else os.fspath(path))


def data_dir():
    """The library's data folder setting, BIORNN_DATA ("" when not set:
    the built-in data sets are used)."""
    return get_env("BIORNN_DATA")


def set_mnist_dir(path):
    """Sets the folder of the picture task's MNIST latents (BIORNN_MNIST) for
    the library and in os.environ, used when no mnist_dir option is given.
    None unsets it (then mnist-latent in or beside the data folder is used).
    The same as set_env("BIORNN_MNIST", path)."""
    set_env("BIORNN_MNIST", None if path is None else os.fspath(path))


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
