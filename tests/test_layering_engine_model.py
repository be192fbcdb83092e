"""Layering (issue #10): the engines know no biology; the model knows no protocol."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "noradsim"


def _imports(path: Path) -> set[str]:
    """Absolute ``noradsim.*`` module names imported by ``path`` (relative imports resolved)."""
    package = ["noradsim"] + list(path.parent.relative_to(SRC).parts)
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            mod = ".".join(base + ([node.module] if node.module else []))
            out.add(mod)
            out |= {f"{mod}.{a.name}" for a in node.names}
    return {m for m in out if m.startswith("noradsim")}


FORBIDDEN = {
    "engine": ("noradsim.model", "noradsim.protocols", "noradsim.lc", "noradsim.receptors"),
    "model": ("noradsim.protocols", "noradsim.validation", "noradsim.cli", "noradsim.commands"),
}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_forbidden_imports(package):
    bad = []
    for path in sorted((SRC / package).glob("*.py")):
        for mod in _imports(path):
            if mod.startswith(FORBIDDEN[package]):
                bad.append(f"{path.name} imports {mod}")
    assert bad == []
