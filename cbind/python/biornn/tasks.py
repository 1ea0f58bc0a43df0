"""Tasks in biornn's layout: batch-major arrays for Network.train(task=...).

A task is a mapping with
  x          (trials, steps, inputs) float inputs,
  y          (trials, steps, outputs) float targets (loss "mse") or
             (trials, steps) integer class labels (loss "nll"),
  loss_mask  optional (steps,) nonzero where the loss is taken (default: all),
  split      optional (trials,) 0 = training, 1 = validation trial
             (default: the first 80% train),
  n_classes  optional, the classes of "nll" (default: largest label + 1).
save_task writes one as the .npz file that `biornn train --task arrays:FILE`
reads.
"""
import numpy as np

_KEYS = ("x", "y", "loss_mask", "split", "n_classes")


def save_task(path, task):
    """Writes a task mapping to an .npz file (checked: x 3-d, y matching)."""
    unknown = set(task) - set(_KEYS)
    if unknown:
        raise ValueError(f"biornn: task: unknown arrays {sorted(unknown)}; known: {', '.join(_KEYS)}")
    if "x" not in task or "y" not in task:
        raise ValueError("biornn: task: needs x (trials, steps, inputs) and y")
    arrays = {}
    x = np.asarray(task["x"])
    if x.ndim != 3:
        raise ValueError(f"biornn: task: x has shape {x.shape}, expected (trials, steps, inputs)")
    arrays["x"] = x.astype(np.float32)
    y = np.asarray(task["y"])
    if np.issubdtype(y.dtype, np.integer) or y.dtype == np.bool_:
        arrays["y"] = y.astype(np.int64)
    else:
        arrays["y"] = y.astype(np.float32)
    for k in ("loss_mask", "split", "n_classes"):
        if task.get(k) is not None:
            arrays[k] = np.asarray(task[k])
    np.savez(path, **arrays)


def from_neurogym(env_or_dataset, trials=1000, seed=None, validation=0.2):
    """Trials of a neurogym environment (neurogym 2.x) or Dataset in biornn's
    layout: a task mapping for Network.train(task=...).

    An environment gives `trials` trials (env.new_trial(); env.ob, env.gt),
    padded at the end with zero inputs and label 0 (fixation) to the longest
    trial. A neurogym Dataset is called once and its time-major (steps,
    batch, ...) arrays are transposed to (batch, steps, ...). y holds the
    ground-truth actions as class labels (loss nll) and n_classes the size
    of the action space. The last `validation` share of trials validate.
    seed seeds the environment (env.seed / reset) for reproducible trials.
    """
    if hasattr(env_or_dataset, "env") and callable(env_or_dataset):
        inputs, target = env_or_dataset()
        x = np.transpose(np.asarray(inputs, dtype=np.float32), (1, 0, 2))
        y = np.transpose(np.asarray(target), (1, 0))
        n_classes = _actions(env_or_dataset.env)
    else:
        env = env_or_dataset
        if seed is not None:
            _seed(env, seed)
        obs, gts = [], []
        base = getattr(env, "unwrapped", env)
        for _ in range(int(trials)):
            env.new_trial()
            obs.append(np.asarray(base.ob, dtype=np.float32))
            gts.append(np.asarray(base.gt))
        steps = max(o.shape[0] for o in obs)
        x = np.zeros((len(obs), steps, obs[0].shape[1]), dtype=np.float32)
        y = np.zeros((len(obs), steps), dtype=np.int64)
        for i, (o, g) in enumerate(zip(obs, gts)):
            x[i, :o.shape[0]] = o
            y[i, :g.shape[0]] = g
        n_classes = _actions(env)
    n = x.shape[0]
    split = np.zeros(n, dtype=np.int64)
    split[n - max(1, int(round(n * validation))):] = 1
    task = {"x": x, "y": y.astype(np.int64), "split": split}
    if n_classes is not None:
        task["n_classes"] = np.int64(n_classes)
    return task


def _actions(env):
    space = getattr(getattr(env, "unwrapped", env), "action_space", None)
    return getattr(space, "n", None)


def _seed(env, seed):
    base = getattr(env, "unwrapped", env)
    if hasattr(base, "seed"):  # neurogym's TrialEnv.seed seeds its trial generator
        base.seed(seed)
    elif hasattr(env, "reset"):
        env.reset(seed=seed)
