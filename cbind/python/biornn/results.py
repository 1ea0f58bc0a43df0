"""Reading a results folder back."""
import ctypes
import os

import numpy as np

from . import _lib as L
from .errors import check
from .info import _list, _string


def read_results(path, engine="auto"):
    """Reads a results folder written by biornn (CLI, sweeps or
    Network.train) and returns (runs, epochs) as pandas DataFrames.

    engine="pyarrow" uses pandas.read_parquet (needs pyarrow);
    engine="biornn" reads the Parquet files with the library itself (no
    pyarrow needed); "auto" (the default) takes pyarrow when it is
    installed, else the library. Timestamps come back as
    datetime64[us, UTC] with either.
    """
    import pandas as pd

    path = os.fsdecode(L.cstr(path, "results folder"))  # a NUL raises ValueError
    if engine == "auto":
        try:
            import pyarrow  # noqa: F401
            engine = "pyarrow"
        except ImportError:
            engine = "biornn"
    if engine == "biornn":
        tables = read_tables(path)
        return tables["runs"], tables["epochs"]
    if engine != "pyarrow":
        raise ValueError(f"biornn: engine {engine!r}: expected 'auto', 'pyarrow' or 'biornn'")
    return (pd.read_parquet(os.path.join(path, "runs")), pd.read_parquet(os.path.join(path, "epochs")))


def read_tables(path):
    """Every table of a results folder as a dict of DataFrames, read through
    the C library (biornn_results_*)."""
    import pandas as pd

    lib = L.lib()
    h = L.c_handle(0)
    check(lib.biornn_results_open(L.cstr(path, "results folder"), ctypes.byref(h)))
    try:
        out = {}
        for table in _list(_string(lib.biornn_results_tables, h.value)):
            t = L.cstr(table, "table")
            rows = ctypes.c_int64()
            check(lib.biornn_results_num_rows(h.value, t, ctypes.byref(rows)))
            n = rows.value
            cols = {}
            for col in _list(_string(lib.biornn_results_columns, h.value, t)):
                c = L.cstr(col, "column")
                typ = ctypes.c_int32()
                check(lib.biornn_results_column_type(h.value, t, c, ctypes.byref(typ)))
                valid = np.empty(n, dtype=np.uint8)
                check(lib.biornn_results_get_valid(h.value, t, c, valid.ctypes.data_as(L.c_u8p), n))
                valid = valid.astype(bool)
                if typ.value == L.COL_STRING:
                    needed = ctypes.c_size_t()
                    check(lib.biornn_results_get_strings(h.value, t, c, None, 0, ctypes.byref(needed)))
                    buf = ctypes.create_string_buffer(max(needed.value, 1))
                    check(lib.biornn_results_get_strings(h.value, t, c, buf, needed.value, None))
                    vals = buf.raw[:needed.value].split(b"\0")[:n]
                    series = pd.Series([v.decode() if ok else None for v, ok in zip(vals, valid)])
                elif typ.value == L.COL_FLOAT64:
                    v = np.empty(n, dtype=np.float64)
                    check(lib.biornn_results_get_float64(h.value, t, c, v.ctypes.data_as(L.c_f64p), n))
                    series = pd.Series(v)
                else:
                    v = np.empty(n, dtype=np.int64)
                    check(lib.biornn_results_get_int64(h.value, t, c, v.ctypes.data_as(L.c_i64p), n))
                    if typ.value == L.COL_TIMESTAMP:
                        series = pd.Series(pd.to_datetime(v, unit="us", utc=True))
                        series[~valid] = pd.NaT
                    elif typ.value == L.COL_BOOL:
                        series = pd.Series(v.astype(bool)) if valid.all() else pd.Series(
                            [bool(x) if ok else None for x, ok in zip(v, valid)], dtype=object)
                    else:
                        series = pd.Series(v) if valid.all() else pd.Series(v).where(valid).astype("Int64")
                cols[col] = series
            out[table] = pd.DataFrame(cols)
        return out
    finally:
        lib.biornn_free(h.value)
