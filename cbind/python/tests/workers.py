"""Functions run in spawned worker processes (importable by the children)."""
import numpy as np


def small_problem(seed):
    rng = np.random.default_rng(seed)
    h, i, o, n, t = 12, 2, 1, 10, 6
    params = dict(w_in=rng.uniform(-0.3, 0.3, (h, i)), w_hh=rng.uniform(-0.3, 0.3, (h, h)),
                  b=rng.uniform(-0.1, 0.1, h), w_out=rng.uniform(-0.3, 0.3, (o, h)), b_out=np.zeros(o))
    mask = rng.random((h, h)) < 0.5
    x = rng.random((n, t, i))
    y = rng.random((n, t, o))
    return params, mask, x, y


def train_small(seed):
    import biornn

    params, mask, x, y = small_problem(seed)
    with biornn.Network.from_arrays(**params, mask=mask) as net:
        return net.train_arrays(x, y, loss="mse", loss_steps=[3, 4, 5], optimizer="adam", lr=0.01, steps=5)
