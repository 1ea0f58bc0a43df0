"""ctypes declarations of the biornn C API (cbind/include/biornn.h).

The library is loaded once: from $BIORNN_LIB if set (a path to
libbiornn.so), else from the lib/ folder the package build put it in.
ctypes releases the GIL during every call into the library, so training in
one Python thread lets other threads run.
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

_lock = threading.Lock()
_lib = None


def library_path():
    """Where the library is loaded from ($BIORNN_LIB or the package's lib/)."""
    env = os.environ.get("BIORNN_LIB")
    if env:
        return pathlib.Path(env)
    name = "libbiornn.dylib" if sys.platform == "darwin" else "libbiornn.so"
    return pathlib.Path(__file__).resolve().parent / "lib" / name


def lib():
    """The loaded library with every signature declared (loaded on first use)."""
    global _lib
    with _lock:
        if _lib is None:
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
            _lib = handle
        return _lib
