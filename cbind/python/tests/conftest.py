import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]  # the biornn source tree
SHARED = ROOT / ".." / "shared"


@pytest.fixture(scope="session")
def shared():
    """../shared beside the project root; tests needing it fail without it."""
    if not SHARED.is_dir():
        pytest.fail(f"shared test data not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def data_dir(shared):
    return str(shared / "connectomes")
