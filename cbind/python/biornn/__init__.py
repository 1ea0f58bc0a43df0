"""biornn: bio-instantiated recurrent neural networks (connectome-wired RNNs).

Python bindings of the Go library libbiornn through ctypes: networks built
from a named connectome or from numpy arrays, training on the built-in
working-memory tasks (results written as Parquet) or on your own arrays,
prediction, parameters, and reading results back as pandas DataFrames.

The library reads BIORNN_DATA and BIORNN_KERNELS from its own copy of the
environment; biornn keeps it equal to os.environ (set_env, set_data_dir).

Do not fork() a process after biornn is loaded (the Go runtime's threads do
not survive fork); use multiprocessing with the "spawn" start method.
"""
from ._lib import ABI_VERSION, library_path
from .errors import (BiornnError, Cancelled, DataError, HandleError, InternalError,
                     InvalidArgumentError, NullPointerError, SizeError, UnsupportedError)
from .network import Epoch, Network
from .info import (data_dir, default_kernel, env_names, get_env, kernels, set_data_dir, set_env, set_kernels,
                   set_mnist_dir,
                   set_threads, stat_names, threads, version)
from .results import read_results
from . import tasks
from .sweep import SweepRun, find_binary, sweep
from ._settings import SETTINGS  # noqa: F401 (re-exported)

__all__ = [
    "ABI_VERSION", "SETTINGS", "BiornnError", "Cancelled", "DataError", "Epoch", "HandleError", "InternalError",
    "InvalidArgumentError", "Network", "NullPointerError", "SizeError", "UnsupportedError",
    "data_dir", "default_kernel", "env_names", "get_env", "kernels", "library_path", "read_results",
    "set_data_dir", "set_env", "set_mnist_dir", "set_kernels", "set_threads", "stat_names", "threads", "version",
    "SweepRun", "find_binary", "sweep", "tasks",
]
__version__ = "0.1.0"
