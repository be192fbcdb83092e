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


def pytest_collection_modifyitems(config, items):
    """Tests that share an expensive module-scoped fixture run on one xdist worker.

    ``make test`` runs ``-n 2 --dist loadgroup``: without a group, the two workers would each
    build the same module fixture (a spiking-network recording takes minutes); with the
    module's name as the group, it is built once. Tests without such a fixture still spread.
    """
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None:
            continue
        shared = [d for defs in info.name2fixturedefs.values() for d in defs
                  if d.scope == "module" and d.baseid and d.baseid in item.nodeid]
        if shared:
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
