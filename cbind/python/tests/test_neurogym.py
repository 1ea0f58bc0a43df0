"""A neurogym task trains through biornn.tasks.from_neurogym (neurogym 2.2.0
from PyPI; CI installs it and sets BIORNN_REQUIRE_NEUROGYM=1)."""
import os
import warnings

import numpy as np
import pytest

import biornn

if os.environ.get("BIORNN_REQUIRE_NEUROGYM") == "1":
    import neurogym as ngym
else:
    ngym = pytest.importorskip("neurogym", reason="neurogym is not installed (pip install neurogym==2.2.0)")


def test_perceptual_decision_making():
    """The README's figure: the macaque network (seed 1) learns
    PerceptualDecisionMaking (dt 100 ms, 2,000 trials) to a decision
    accuracy of about 0.89 on the validation trials in 60 epochs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        env = ngym.make("PerceptualDecisionMaking-v0", dt=100)
        task = biornn.tasks.from_neurogym(env, trials=2000, seed=0)
    assert task["x"].shape == (2000, 22, 3) and task["y"].shape == (2000, 22) and int(task["n_classes"]) == 3
    assert task["split"].sum() == 400
    net = biornn.Network.from_connectome("macaque", seed=1)
    net.train(task=task, epochs=60, lr=3e-3, batch_size=64)
    val = task["split"] == 1
    y, h = net.predict(task["x"][val], return_hidden=True)
    assert h.shape == (400, 22, 116)
    decision = y[:, -1].argmax(-1)
    accuracy = (decision == task["y"][val][:, -1]).mean()
    assert accuracy > 0.8, accuracy  # chance: 0.5 (zero coherence trials cap it below 1)


def test_dataset_is_transposed():
    """A neurogym Dataset's time-major arrays come back batch-major."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        env = ngym.make("PerceptualDecisionMaking-v0", dt=100)
        ds = ngym.Dataset(env, batch_size=16, seq_len=50)
        seen = []

        class Recorded:  # the dataset, keeping what it gave
            env = ds.env

            def __call__(self):
                seen.append(ds())
                return seen[-1]

        task = biornn.tasks.from_neurogym(Recorded())
    inputs = seen[0][0]
    assert task["x"].shape == (16, 50, 3) and task["y"].shape == (16, 50)
    # the first trial's inputs over time are the dataset's first batch column
    assert np.array_equal(task["x"][0], inputs[:, 0])
