from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def targets_file():
    path = SHARED / "validation" / "targets.toml"
    if not path.is_file():
        pytest.skip(f"shared targets not found at {path}")
    return path
