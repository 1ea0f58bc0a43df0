"""ctypes declarations of the biornn C API (cbind/include/biornn.h).

The library is loaded once: from $BIORNN_LIB if set (a path to
libbiornn.so), else from the lib/ folder the package build put it in.
ctypes releases the GIL during every call into the library, so training in
one Python thread lets other threads run.

The library reads a few environment variables (BIORNN_DATA, BIORNN_KERNELS:
biornn.env_names()) from its own copy of the environment, taken when it was
loaded; os.environ changes made later would not reach it. So lib() gives the
library the current os.environ values of these variables when it loads it
and again, before any call, whenever they changed.
"""
import ctypes
import os
import pathlib
import sys
import threading

ABI_VERSION = 1

c_handle = ctypes.c_int64
c_size = ctypes.c_size_t
c_f32p = ctypes.POINTER(ctypes.c_float)
c_f64p = ctypes.POINTER(ctypes.c_double)
c_i64p = ctypes.POINTER(ctypes.c_int64)
c_u8p = ctypes.POINTER(ctypes.c_uint8)
c_str = ctypes.c_char_p
c_buf = ctypes.c_char_p
c_sizep = ctypes.POINTER(ctypes.c_size_t)
c_int = ctypes.c_int

PROGRESS = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64,
    ctypes.c_double, ctypes.c_double, ctypes.c_double, ctypes.c_double)

# Status codes (biornn_status).
OK = 0
ERR_INVALID = 1
ERR_NULL = 2
ERR_HANDLE = 3
ERR_SIZE = 4
ERR_IO = 5
CANCELLED = 6
ERR_INTERNAL = 7
ERR_UNSUPPORTED = 8

# Column types (biornn_col_type).
COL_FLOAT64, COL_INT64, COL_BOOL, COL_STRING, COL_TIMESTAMP = 1, 2, 3, 4, 5

_SIGNATURES = {
    "biornn_abi_version": (ctypes.c_int32, []),
    "biornn_last_error": (c_size, [c_buf, c_size]),
    "biornn_version": (c_int, [c_buf, c_size, c_sizep]),
    "biornn_kernels": (c_int, [c_buf, c_size, c_sizep]),
    "biornn_default_kernel": (c_int, [c_buf, c_size, c_sizep]),
    "biornn_set_kernels": (c_int, [c_str]),
    "biornn_env_names": (c_int, [c_buf, c_size, c_sizep]),
    "biornn_set_env": (c_int, [c_str, c_str]),
    "biornn_get_env": (c_int, [c_str, c_buf, c_size, c_sizep]),
    "biornn_set_threads": (c_int, [ctypes.c_int32]),
    "biornn_get_threads": (c_int, [ctypes.POINTER(ctypes.c_int32)]),
    "biornn_network_from_connectome": (c_int, [c_str, c_str, ctypes.POINTER(c_handle)]),
    "biornn_network_from_arrays": (c_int, [
        ctypes.c_int64, ctypes.c_int64, ctypes.c_int64,
        c_f32p, c_size, c_f32p, c_size, c_f32p, c_size, c_f32p, c_size, c_f32p, c_size,
        c_u8p, c_size, c_str, ctypes.POINTER(c_handle)]),
    "biornn_network_sizes": (c_int, [c_handle, c_i64p, c_i64p, c_i64p]),
    "biornn_get_info": (c_int, [c_handle, c_str, c_buf, c_size, c_sizep]),
    "biornn_matrix_size": (c_int, [c_handle, c_str, c_i64p, c_i64p]),
    "biornn_get_matrix": (c_int, [c_handle, c_str, c_f64p, c_size]),
    "biornn_stat_names": (c_int, [c_buf, c_size, c_sizep]),
    "biornn_get_stats": (c_int, [c_handle, c_f64p, c_size]),
    "biornn_param_size": (c_int, [c_handle, c_str, c_i64p, c_i64p]),
    "biornn_get_param": (c_int, [c_handle, c_str, c_f32p, c_size]),
    "biornn_set_param": (c_int, [c_handle, c_str, c_f32p, c_size]),
    "biornn_train_arrays": (c_int, [
        c_handle, c_f32p, c_size, ctypes.c_int64, ctypes.c_int64, c_f32p, c_size,
        c_i64p, c_size, c_str, c_f64p, c_size]),
    "biornn_evaluate": (c_int, [
        c_handle, c_f32p, c_size, ctypes.c_int64, ctypes.c_int64, c_f32p, c_size,
        c_i64p, c_size, c_str, c_f64p, c_f64p]),
    "biornn_predict": (c_int, [c_handle, c_f32p, c_size, ctypes.c_int64, ctypes.c_int64, c_f32p, c_size]),
    "biornn_predict_hidden": (c_int, [c_handle, c_f32p, c_size, ctypes.c_int64, ctypes.c_int64, c_f32p, c_size,
                                      c_f32p, c_size]),
    "biornn_network_save": (c_int, [c_handle, c_str]),
    "biornn_set_dale": (c_int, [c_handle, c_f32p, c_size]),
    "biornn_network_load": (c_int, [c_str, c_str, ctypes.POINTER(c_handle)]),
    "biornn_train": (c_int, [c_handle, c_str, PROGRESS, ctypes.c_void_p, c_buf, c_size]),
    "biornn_results_open": (c_int, [c_str, ctypes.POINTER(c_handle)]),
    "biornn_results_tables": (c_int, [c_handle, c_buf, c_size, c_sizep]),
    "biornn_results_num_rows": (c_int, [c_handle, c_str, c_i64p]),
    "biornn_results_columns": (c_int, [c_handle, c_str, c_buf, c_size, c_sizep]),
    "biornn_results_column_type": (c_int, [c_handle, c_str, c_str, ctypes.POINTER(ctypes.c_int32)]),
    "biornn_results_get_float64": (c_int, [c_handle, c_str, c_str, c_f64p, c_size]),
    "biornn_results_get_int64": (c_int, [c_handle, c_str, c_str, c_i64p, c_size]),
    "biornn_results_get_valid": (c_int, [c_handle, c_str, c_str, c_u8p, c_size]),
    "biornn_results_get_strings": (c_int, [c_handle, c_str, c_str, c_buf, c_size, c_sizep]),
    "biornn_free": (c_int, [c_handle]),
}

_lock = threading.RLock()
_lib = None
_env_names = ()   # the environment variables the library reads (biornn_env_names)
_env_given = {}   # name -> the value last given to the library (None = unset)


def cstr(value, what):
    """value (str, bytes or os.PathLike) as the bytes of a C string.

    Raises ValueError if it contains a NUL character, which would silently
    cut the string in C, and TypeError if it is not text.
    """
    given = value
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if isinstance(value, str):
        value = os.fsencode(value)  # UTF-8; undecodable file names round-trip
    if not isinstance(value, bytes):
        raise TypeError(f"biornn: {what} must be a string, got {type(given).__name__}")
    if b"\0" in value:
        raise ValueError(f"biornn: {what} {given!r} contains a NUL character")
    return value


def _last_error(handle):
    n = handle.biornn_last_error(None, 0)
    buf = ctypes.create_string_buffer(n + 1)
    handle.biornn_last_error(buf, n + 1)
    return buf.value.decode("utf-8", "replace")


def _give_env(handle, name, value):
    """Sets variable name to value (None = unset) in the library; call with _lock held."""
    rc = handle.biornn_set_env(name.encode(), None if value is None else cstr(value, name))
    if rc != OK:
        raise OSError(f"biornn: could not set {name} in the library: {_last_error(handle)}")
    _env_given[name] = value


def _sync_env(handle):
    """Gives the library the os.environ values of the variables it reads
    that changed since they were last given; call with _lock held."""
    for name in _env_names:
        value = os.environ.get(name)
        if name not in _env_given or _env_given[name] != value:
            _give_env(handle, name, value)


def _library_name():
    return "libbiornn.dylib" if sys.platform == "darwin" else "libbiornn.so"


def _library_candidates():
    """The places the library is looked for when $BIORNN_LIB is not set,
    in order: the copy bundled in the package (biornn/lib/, where the wheel
    and `pip install` put it), then, for a package imported straight from
    the source tree (cbind/python/biornn), cbind/lib/ where `cbind/build.sh`
    builds it by default."""
    pkg = pathlib.Path(__file__).resolve().parent
    name = _library_name()
    return [pkg / "lib" / name, pkg.parent.parent / "lib" / name]


def library_path():
    """Where the library is loaded from: $BIORNN_LIB if set (an explicit
    choice, used as given), else the package's own lib/ folder (the copy a
    wheel or `pip install` bundles), else cbind/lib/ of the source tree
    when the package is imported from there. When none exists, the bundled
    path (so that the error names it)."""
    env = os.environ.get("BIORNN_LIB")
    if env:
        return pathlib.Path(env)
    candidates = _library_candidates()
    for path in candidates:
        if path.is_file():
            return path
    return candidates[0]


def lib():
    """The loaded library with every signature declared (loaded on first
    use), its environment variables brought up to date with os.environ."""
    global _lib, _env_names
    with _lock:
        if _lib is not None:
            _sync_env(_lib)
        else:
            path = library_path()
            if not path.is_file():
                raise ImportError(
                    f"biornn: the C library {path} is missing; reinstall with "
                    "`pip install ./cbind/python` (needs the Go toolchain) or set BIORNN_LIB")
            handle = ctypes.CDLL(str(path))
            for name, (restype, argtypes) in _SIGNATURES.items():
                fn = getattr(handle, name)
                fn.restype = restype
                fn.argtypes = argtypes
            abi = handle.biornn_abi_version()
            if abi != ABI_VERSION:
                raise ImportError(f"biornn: {path} has ABI version {abi}, this package needs {ABI_VERSION}")
            needed = ctypes.c_size_t(0)
            handle.biornn_env_names(None, 0, ctypes.byref(needed))
            buf = ctypes.create_string_buffer(needed.value)
            if handle.biornn_env_names(buf, needed.value, None) != OK:
                raise ImportError(f"biornn: {path}: biornn_env_names failed: {_last_error(handle)}")
            _env_names = tuple(n for n in buf.value.decode().split("\n") if n)
            _sync_env(handle)
            _lib = handle
        return _lib
