import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]  # the biornn source tree
SHARED = ROOT / ".." / "shared"
TORCHREF = ROOT / "testdata" / "torchref"  # the project's own PyTorch fixtures


@pytest.fixture(scope="session")
def shared():
    """../shared beside the project root: the full reference data. The
    cross-checks that use it skip, naming the folder, where it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"../shared (the full reference data) not found at {SHARED.resolve()}: cross-check skipped")
    return SHARED


@pytest.fixture(scope="session")
def shared_connectomes(shared):
    d = shared / "connectomes"
    if not d.is_dir():
        pytest.skip(f"the connectome folder {d.resolve()} not found: cross-check skipped")
    return str(d)
