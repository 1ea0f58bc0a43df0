"""Networks: built from a connectome or from arrays, trained, queried."""
from __future__ import annotations

import collections
import collections.abc
import ctypes
import os
import signal
import threading

from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional, Union

import numpy as np

from . import _lib as L
from .errors import BiornnError, check
from ._settings import DOC as _SETTINGS_DOC
from ._settings import SETTINGS as _SETTINGS

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._settings import Settings

PathLike = Union[str, "os.PathLike[str]"]
Task = Union[str, "os.PathLike[str]", Mapping[str, Any]]
from .info import _list, _string, stat_names

PARAM_NAMES = ("w_in", "w_hh", "b", "w_out", "b_out")

# The statistics that count things (stats() returns them as ints).
_COUNT_STATS = frozenset({"neurons", "regions", "connections", "self_loops"})

Epoch = collections.namedtuple("Epoch", "epoch epochs train_loss val_loss val_accuracy seconds")
Epoch.__doc__ = "One epoch's metrics, given to the progress callback of Network.train."


def options_string(opts):
    """Turns keyword options into the C API's "key=value;..." string."""
    items = []
    for k, v in opts.items():
        if v is None:
            continue
        if isinstance(v, bool):
            v = "true" if v else "false"
        elif isinstance(v, (list, tuple)):
            v = ",".join(str(x) for x in v)
        elif isinstance(v, os.PathLike):
            v = os.fspath(v)
        v = str(v)
        if any(c in v for c in ";\n\0") or any(c in k for c in ";=\n\0"):
            raise ValueError(f"biornn: option {k}={v!r}: keys and values cannot contain ';', '=' (keys), "
                             "newlines or NUL characters")
        items.append(f"{k}={v}")
    return L.cstr(";".join(items), "options")


def _f32(a, name, shape=None):
    a = np.ascontiguousarray(a, dtype=np.float32)
    if shape is not None and a.shape != tuple(shape):
        raise ValueError(f"biornn: {name} has shape {a.shape}, expected {tuple(shape)}")
    return a


def _ptr(a, ctype):
    return a.ctypes.data_as(ctypes.POINTER(ctype)) if a.size else None


class Network:
    """A bio-instantiated RNN held by the library (an integer handle).

    Build one with Network.from_connectome or Network.from_arrays. Calls on
    one network are serialised by the library; different networks may be
    used from different threads at once. close() (or a with-block) frees it
    early; otherwise it is freed when garbage-collected.
    """

    def __init__(self, handle: int) -> None:
        self._h = handle

    # ---- construction -------------------------------------------------------

    @classmethod
    def from_connectome(cls, name: str, **options: Unpack[Settings]) -> Network:
        """Builds a network from a registered connectome ("macaque", "marmoset",
        "human", ...) or a matrix file, up-scaled to neurons as bio2art does.

        Options: any setting below but connectome; those that do not decide
        the network become the defaults of train.

        """
        h = L.c_handle(0)
        check(L.lib().biornn_network_from_connectome(L.cstr(name, "connectome name"), options_string(options),
                                                     ctypes.byref(h)))
        return cls(h.value)

    @classmethod
    def from_edges(cls, edges: Any, neurons: Any = None, **options: Unpack[Settings]) -> Network:
        """Builds a neuron-level network from pandas DataFrames: edges with
        columns pre, post and weight or syn_count (ids of any type), neurons
        (optional) with id and optionally sign, nt_type, type, region, role.
        No up-scaling: the edges are the network. Options: the settings
        (dale=True, input_neurons="role:sensory", ...). neuron_ids gives the
        neurons' ids in the network's order."""
        import shutil
        import tempfile
        tmp = tempfile.mkdtemp(prefix="biornn-edges-")

        def write(df: Any, name: str) -> str:
            # Parquet (read by column: millions of edges in seconds) where
            # pandas can write it, else CSV.
            try:
                path = os.path.join(tmp, name + ".parquet")
                df.to_parquet(path, index=False)
                return path
            except Exception:
                path = os.path.join(tmp, name + ".csv")
                df.to_csv(path, index=False)
                return path

        try:
            edges_path = write(edges, "edges")
            if neurons is not None:
                options["neuron_table"] = write(neurons, "neurons")
            options.setdefault("level", "neuron")
            net = cls.from_connectome(edges_path, **options)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        net._files = tmp  # training reads them again; removed by close()
        return net

    @property
    def neuron_ids(self) -> list[str]:
        """The neurons' ids of a neuron-level network, in the network's order
        (for a region-level network: its regions)."""
        return _list(self.info("regions"))

    @classmethod
    def from_arrays(cls, w_in: np.ndarray, w_hh: np.ndarray, b: np.ndarray, w_out: np.ndarray, b_out: np.ndarray,
                    mask: Optional[np.ndarray] = None, activation: str = "tanh",
                    **options: Unpack[Settings]) -> Network:
        """Builds a trainable network from parameters in PyTorch's layout:
        w_in (hidden, inputs), w_hh (hidden, hidden) with w_hh[i, j] the weight
        from neuron j to neuron i, b (hidden,), w_out (outputs, hidden), b_out
        (outputs,). mask (hidden, hidden), nonzero = kept, in w_hh's
        orientation; None keeps every weight. Options: kernels, path, threads,
        max_memory (the memory budget in bytes; see biornn.SETTINGS).
        """
        w_hh = _f32(w_hh, "w_hh")
        if w_hh.ndim != 2 or w_hh.shape[0] != w_hh.shape[1]:
            raise ValueError(f"biornn: w_hh has shape {w_hh.shape}, expected (hidden, hidden)")
        hidden = w_hh.shape[0]
        w_in = _f32(w_in, "w_in")
        w_out = _f32(w_out, "w_out")
        if w_in.ndim != 2 or w_out.ndim != 2:
            raise ValueError("biornn: w_in and w_out must be 2-d (hidden, inputs) and (outputs, hidden)")
        inputs, outputs = w_in.shape[1], w_out.shape[0]
        w_in = _f32(w_in, "w_in", (hidden, inputs))
        w_out = _f32(w_out, "w_out", (outputs, hidden))
        b = _f32(b, "b", (hidden,))
        b_out = _f32(b_out, "b_out", (outputs,))
        m = None
        if mask is not None:
            m = np.ascontiguousarray(np.asarray(mask) != 0, dtype=np.uint8)
            if m.shape != (hidden, hidden):
                raise ValueError(f"biornn: mask has shape {m.shape}, expected {(hidden, hidden)}")
        h = L.c_handle(0)
        check(L.lib().biornn_network_from_arrays(
            inputs, hidden, outputs,
            _ptr(w_in, ctypes.c_float), w_in.size, _ptr(w_hh, ctypes.c_float), w_hh.size,
            _ptr(b, ctypes.c_float), b.size, _ptr(w_out, ctypes.c_float), w_out.size,
            _ptr(b_out, ctypes.c_float), b_out.size,
            _ptr(m, ctypes.c_uint8) if m is not None else None, 0 if m is None else m.size,
            options_string(dict(activation=activation, **options)), ctypes.byref(h)))
        return cls(h.value)

    # ---- lifetime -------------------------------------------------------------

    @property
    def handle(self) -> int:
        if self._h is None:
            raise BiornnError("biornn: the network was closed")
        return self._h

    def close(self) -> None:
        """Frees the network in the library (idempotent)."""
        h, self._h = getattr(self, "_h", None), None
        if h is not None and L._lib is not None:
            L.lib().biornn_free(h)
        files, self._files = getattr(self, "_files", None), None
        if files:
            import shutil
            shutil.rmtree(files, ignore_errors=True)

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        if getattr(self, "_h", None) is None:
            return "<biornn.Network (closed)>"
        inputs, hidden, outputs = self.sizes()
        src = self.info("source")
        parts = [f"{hidden} neurons"]
        if src == "connectome":
            parts.insert(0, f"connectome {self.info('name')!r}, strategy {self.info('strategy')!r}")
        elif src == "saved":
            parts.insert(0, "loaded from a saved folder")
        else:
            parts.insert(0, f"from {src}")
        if inputs:
            parts.append(f"{inputs} inputs, {outputs} outputs, activation {self.info('activation')!r}")
        else:
            parts.append("not trained yet")
        return "<biornn.Network " + ", ".join(parts) + ">"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- information ----------------------------------------------------------

    def sizes(self) -> tuple[int, int, int]:
        """(inputs, hidden, outputs); inputs and outputs are 0 for a
        connectome network (the task sets them at training time)."""
        v = [ctypes.c_int64() for _ in range(3)]
        check(L.lib().biornn_network_sizes(self.handle, *(ctypes.byref(x) for x in v)))
        return tuple(x.value for x in v)

    @property
    def hidden(self) -> int:
        return self.sizes()[1]

    def info(self, key: str) -> str:
        """Text about the network: source, name, species, citation, sha256,
        strategy, orientation, activation, kernel_set, path."""
        return _string(L.lib().biornn_get_info, self.handle, L.cstr(key, "info key"))

    @property
    def regions(self) -> list[str]:
        """Region names of the connectome (row order of matrix("connectome"))."""
        return _list(self.info("regions"))

    def matrix(self, name: str) -> np.ndarray:
        """A matrix as float64: connectome, w (row = source neuron), mask
        (w_hh orientation), region, in_degree, out_degree, in_strength,
        out_strength. Column vectors come back 1-d."""
        r, c = ctypes.c_int64(), ctypes.c_int64()
        check(L.lib().biornn_matrix_size(self.handle, L.cstr(name, "name"), ctypes.byref(r), ctypes.byref(c)))
        out = np.empty((r.value, c.value), dtype=np.float64)
        check(L.lib().biornn_get_matrix(self.handle, L.cstr(name, "name"), _ptr(out, ctypes.c_double), out.size))
        return out[:, 0].copy() if c.value == 1 else out

    def stats(self) -> dict[str, Union[int, float]]:
        """Graph statistics of w as a dict (neurons, regions, connections,
        self_loops: ints; density, reciprocity, total_weight,
        spectral_radius: floats)."""
        names = stat_names()
        v = np.empty(len(names), dtype=np.float64)
        check(L.lib().biornn_get_stats(self.handle, _ptr(v, ctypes.c_double), v.size))
        return {n: int(x) if n in _COUNT_STATS else x for n, x in zip(names, v.tolist())}

    # ---- parameters -------------------------------------------------------------

    def parameter(self, name: str) -> np.ndarray:
        """One parameter (w_in, w_hh, b, w_out, b_out) as a float32 array."""
        r, c = ctypes.c_int64(), ctypes.c_int64()
        check(L.lib().biornn_param_size(self.handle, L.cstr(name, "name"), ctypes.byref(r), ctypes.byref(c)))
        shape = (r.value,) if name in ("b", "b_out") else (r.value, c.value)
        out = np.empty(shape, dtype=np.float32)
        check(L.lib().biornn_get_param(self.handle, L.cstr(name, "name"), _ptr(out, ctypes.c_float), out.size))
        return out

    def parameters(self) -> dict[str, np.ndarray]:
        """Every parameter: dict with w_in, w_hh, b, w_out, b_out (float32)."""
        return {n: self.parameter(n) for n in PARAM_NAMES}

    def set_parameters(self, **params: np.ndarray) -> None:
        """Replaces the given parameters (resets the optimizer state)."""
        for name, value in params.items():
            r, c = ctypes.c_int64(), ctypes.c_int64()
            check(L.lib().biornn_param_size(self.handle, L.cstr(name, "name"), ctypes.byref(r), ctypes.byref(c)))
            shape = (r.value,) if name in ("b", "b_out") else (r.value, c.value)
            a = _f32(value, name, shape)
            check(L.lib().biornn_set_param(self.handle, L.cstr(name, "name"), _ptr(a, ctypes.c_float), a.size))

    def set_dale(self, signs: Optional[np.ndarray]) -> None:
        """Dale's law: signs[j] = +1 or -1 for each neuron (None: off). The
        outgoing weights of neuron j (column j of w_hh) must have its sign;
        after every optimizer step a weight that crossed it is set to 0."""
        if signs is None:
            check(L.lib().biornn_set_dale(self.handle, None, 0))
            return
        s = _f32(signs, "signs")
        check(L.lib().biornn_set_dale(self.handle, _ptr(s, ctypes.c_float), s.size))

    # ---- arrays: training, evaluation, prediction --------------------------------

    def _data(self, x, y, loss, loss_steps):
        x = _f32(x, "x")
        if x.ndim != 3:
            raise ValueError(f"biornn: x has shape {x.shape}, expected (trials, steps, inputs)")
        trials, t = x.shape[0], x.shape[1]
        y = _f32(y, "y")
        if loss_steps is None:
            loss_steps = range(t)
        steps = np.ascontiguousarray(np.asarray(list(loss_steps), dtype=np.int64))
        return x, y, trials, t, steps

    def train_arrays(self, x: np.ndarray, y: np.ndarray, loss: str = "mse", loss_steps: Optional[Any] = None,
                     optimizer: str = "adam", lr: float = 1e-3, steps: int = 1, **options: Any) -> np.ndarray:
        """Takes `steps` full-batch optimizer steps on (x, y) and returns the
        loss before each step (float64 array of length steps).

        x: (trials, T, inputs). y: (trials, T, outputs) targets for
        loss="mse"; (trials, T) class labels for loss="nll". loss_steps: the
        time steps carrying a loss (default: all). optimizer: adam, rmsprop or
        sgd. Other options: momentum, dampening, nesterov, weight_decay,
        clip_norm, beta1, beta2, eps, alpha, threads, max_memory. The optimizer state
        carries over between calls with the same settings.
        """
        x, y, trials, t, ls = self._data(x, y, loss, loss_steps)
        losses = np.empty(int(steps), dtype=np.float64)
        opts = options_string(dict(loss=loss, optimizer=optimizer, lr=repr(float(lr)), steps=int(steps), **options))
        check(L.lib().biornn_train_arrays(
            self.handle, _ptr(x, ctypes.c_float), x.size, trials, t, _ptr(y, ctypes.c_float), y.size,
            _ptr(ls, ctypes.c_int64), ls.size, opts, _ptr(losses, ctypes.c_double), losses.size))
        return losses

    def evaluate(self, x: np.ndarray, y: np.ndarray, loss: str = "mse",
                 loss_steps: Optional[Any] = None) -> tuple[float, float]:
        """(loss, accuracy) on (x, y) without training; accuracy is NaN for mse."""
        x, y, trials, t, ls = self._data(x, y, loss, loss_steps)
        lo, acc = ctypes.c_double(), ctypes.c_double()
        check(L.lib().biornn_evaluate(
            self.handle, _ptr(x, ctypes.c_float), x.size, trials, t, _ptr(y, ctypes.c_float), y.size,
            _ptr(ls, ctypes.c_int64), ls.size, L.cstr(loss, "loss"), ctypes.byref(lo), ctypes.byref(acc)))
        return lo.value, acc.value

    def predict(self, x: np.ndarray,
                return_hidden: bool = False) -> Union[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """Outputs at every step: (trials, T, outputs) float32. With
        return_hidden=True, (outputs, hidden) where hidden holds the states
        h_t of every step, (trials, T, neurons) float32."""
        x = _f32(x, "x")
        if x.ndim != 3:
            raise ValueError(f"biornn: x has shape {x.shape}, expected (trials, steps, inputs)")
        _, hidden, outputs = self.sizes()
        out = np.empty((x.shape[0], x.shape[1], outputs), dtype=np.float32)
        if not return_hidden:
            check(L.lib().biornn_predict(self.handle, _ptr(x, ctypes.c_float), x.size, x.shape[0], x.shape[1],
                                         _ptr(out, ctypes.c_float), out.size))
            return out
        hid = np.empty((x.shape[0], x.shape[1], hidden), dtype=np.float32)
        check(L.lib().biornn_predict_hidden(self.handle, _ptr(x, ctypes.c_float), x.size, x.shape[0], x.shape[1],
                                            _ptr(out, ctypes.c_float), out.size, _ptr(hid, ctypes.c_float),
                                            hid.size))
        return out, hid

    # ---- saving and loading -------------------------------------------------------

    def save(self, path: PathLike) -> None:
        """Saves the network into the folder `path`: connections.parquet (pre,
        post, weight), neurons.parquet, w_in/b/w_out/b_out .npy, network.json
        and, once trained, its epochs, optimizer state and batch order.
        Network.load(path) continues training it exactly where it stopped."""
        check(L.lib().biornn_network_save(self.handle, L.cstr(os.fspath(path), "path")))

    @classmethod
    def load(cls, path: PathLike, **options: Any) -> Network:
        """Opens a saved network (options: kernels, threads, max_memory)."""
        h = L.c_handle()
        check(L.lib().biornn_network_load(L.cstr(os.fspath(path), "path"), options_string(options),
                                          ctypes.byref(h)))
        return cls(h.value)

    # ---- training runs --------------------------------------------------------------

    def train(self, out: Optional[PathLike] = None, task: Task = "seq_mem", epochs: Optional[int] = None,
              progress: Optional[Callable[[Epoch], Optional[bool]]] = None, **options: Unpack[Settings]) -> str:
        """Trains the network on a task and writes the run to the results
        folder `out` (Parquet; read it with biornn.read_results; None: a new
        temporary folder, kept in self.last_results). Returns the run id.

        task: a built-in task name (seq_mem, nback_mem, pic_latent_mem), the
        path of an .npz file, or a mapping with x (trials, steps, inputs), y
        (targets: (trials, steps, outputs) for mse, integer class labels
        (trials, steps) for nll) and optional loss_mask, split and n_classes,
        as biornn.tasks.from_neurogym returns. Mini-batches, the validation
        split, patience and the metrics work as for the built-in tasks.

        The first call on a connectome network builds and initialises it;
        later calls (and calls on networks from arrays or Network.load)
        continue training it as it is: two calls of 5 epochs equal one of 10.
        Afterwards parameters(), predict() and save() give the trained network.

        progress(epoch) is called after every epoch with an Epoch tuple (epoch
        0 is the evaluation before training), on this thread; return False to
        stop (biornn.Cancelled is raised, nothing is written). An exception in
        progress also stops the run and is re-raised; Ctrl-C stops it with
        KeyboardInterrupt. Options: the settings below, except those that
        decide the network (fixed when it was built); seed replaces its
        master seed for the task data and the initialisation.

        """
        import tempfile
        if out is None:
            out = tempfile.mkdtemp(prefix="biornn-results-")
        self.last_results = out
        task_file = None
        if isinstance(task, collections.abc.Mapping):
            from .tasks import save_task
            fd, task_file = tempfile.mkstemp(prefix="biornn-task-", suffix=".npz")
            os.close(fd)
            save_task(task_file, task)
            task = "arrays:" + task_file
        elif isinstance(task, os.PathLike) or (isinstance(task, str) and task.endswith(".npz")
                                               and not task.startswith("arrays:")):
            task = "arrays:" + os.fspath(task)
        try:
            return self._train(out, task, epochs, progress, options)
        finally:
            if task_file is not None:
                os.remove(task_file)

    def _train(self, out, task, epochs, progress, options):
        raised = []
        interrupted = []

        def on_epoch(_user, epoch, total, train_loss, val_loss, val_acc, seconds):
            if interrupted:
                return 1
            if progress is None:
                return 0
            try:
                keep = progress(Epoch(epoch, total, train_loss, val_loss, val_acc, seconds))
                return 1 if keep is False else 0
            except BaseException as e:  # stop the run, re-raise below
                raised.append(e)
                return 1

        # Ctrl-C: Python would raise KeyboardInterrupt at an arbitrary point
        # of the callback, where ctypes can only print and drop it; instead a
        # temporary SIGINT handler records it, the next epoch's callback
        # cancels the run and KeyboardInterrupt is raised once the library
        # returned. (Signal handlers can only be set from the main thread.)
        old_handler = None
        if threading.current_thread() is threading.main_thread():
            old_handler = signal.signal(signal.SIGINT, lambda *_: interrupted.append(True))
        try:
            cb = L.PROGRESS(on_epoch)
            run_id = ctypes.create_string_buffer(64)
            opts = options_string(dict(out=out, task=task, epochs=epochs, **options))
            rc = L.lib().biornn_train(self.handle, opts, cb, None, run_id, len(run_id))
        finally:
            if old_handler is not None:
                signal.signal(signal.SIGINT, old_handler)
        if interrupted:
            raise KeyboardInterrupt("biornn: training interrupted; no results written")
        if raised:
            raise raised[0]
        check(rc)
        return run_id.value.decode()


def _with_settings(fn, skip=()):
    """Gives fn a signature listing every setting as a keyword argument
    (help(), IDEs, inspect.signature), from the generated settings table."""
    import inspect
    sig = inspect.signature(fn)
    params = [p for p in sig.parameters.values() if p.kind is not p.VAR_KEYWORD]
    have = {p.name for p in params}
    types = {"string": str, "int": int, "float": float, "bool": bool, "uint64": int}
    for key, (_group, kind, _default, _allowed, _help) in _SETTINGS.items():
        if key in have or key in skip:
            continue
        params.append(inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY, default=None,
                                        annotation=Optional[types[kind]]))
    fn.__signature__ = sig.replace(parameters=params)


_with_settings(Network.from_connectome.__func__, skip=("connectome",))
_with_settings(Network.train)

# The settings' list, generated from the library's settings table.
Network.from_connectome.__func__.__doc__ += _SETTINGS_DOC
Network.train.__doc__ += _SETTINGS_DOC
