"""The layout's properties: layering contracts, sizes, one shape per protocol, every example runs."""

from __future__ import annotations

import ast
import hashlib
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "noradsim"
SOURCES = sorted(SRC.rglob("*.py"))


def test_import_contracts_hold():
    """pyproject.toml's import-linter contracts: engines know no biology, no cycles, ..."""
    exe = Path(sys.executable).with_name("lint-imports")
    if not exe.exists():
        pytest.skip("lint-imports is not installed (pip install -e '.[test]')")
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": str(exe.parent)}
    out = subprocess.run([str(exe), "--config", str(ROOT / "pyproject.toml")], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "BROKEN" not in out.stdout


def test_no_source_file_over_500_lines():
    long = [f"{p.relative_to(ROOT)}: {n}" for p in SOURCES if (n := p.read_text().count("\n")) > 500]
    assert not long, long


def test_no_function_over_80_lines():
    long = []
    for p in SOURCES:
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > 80:
                    long.append(f"{p.relative_to(ROOT)}:{node.lineno} {node.name} ({n} lines)")
    assert not long, long


_TRIVIAL = re.compile(r"^(\W*|#.*|(from|import) .*|(\"\"\"|''').*|(return|pass|else:|try:|finally:)\W*)$")


def _code_lines(path: Path):
    """Meaningful lines: not blank, comments, punctuation, imports (also multi-line) or docstrings."""
    text = path.read_text()
    skip = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.Import, ast.ImportFrom)) or (
                isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            skip.update(range(node.lineno, node.end_lineno + 1))
    for i, line in enumerate(text.splitlines(), 1):
        s = " ".join(line.split())
        if s and i not in skip and not _TRIVIAL.match(s):
            yield i, s


def test_no_block_of_code_repeated():
    """No run of 6 meaningful lines appears twice in src/ (the same logic lives in one place)."""
    window, seen, repeats = 6, {}, []
    for p in SOURCES:
        lines = list(_code_lines(p))
        for k in range(len(lines) - window + 1):
            block = "\n".join(s for _, s in lines[k:k + window])
            h = hashlib.sha1(block.encode()).hexdigest()
            where = f"{p.relative_to(ROOT)}:{lines[k][0]}"
            if h in seen and not seen[h].startswith(f"{p.relative_to(ROOT)}:"):
                repeats.append(f"{where} repeats {seen[h]}")
            seen.setdefault(h, where)
    assert not repeats, repeats[:10]


def test_every_protocol_has_the_same_verbs():
    from noradsim import protocols
    from noradsim.vocabulary import PROTOCOLS

    assert tuple(protocols.PROTOCOLS) == PROTOCOLS
    for name in PROTOCOLS:
        mod = protocols.get(name)
        assert callable(mod.parse) and callable(mod.run), name
        for cls in (mod.Config, mod.Result):
            assert cls.__dataclass_params__.frozen, f"{name}: {cls.__name__} must be frozen"
        assert callable(mod.Result.to_dict) and callable(mod.Result.write), name


def test_runtime_dependencies_are_used_at_runtime():
    """Every [project].dependencies entry is imported somewhere in src/ (test-only tools are extras)."""
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    import_names = {"libroadrunner": "roadrunner", "python-libsbml": "libsbml", "h5netcdf": "h5netcdf",
                    "SALib": "SALib", "pyyaml": "yaml"}
    text = "\n".join(p.read_text() for p in SOURCES)
    unused = []
    for d in deps:
        name = re.split(r"[<>=!~\[ ;]", d, maxsplit=1)[0]
        mod = import_names.get(name, name.replace("-", "_"))
        if name == "h5netcdf":
            used = 'engine="h5netcdf"' in text
        elif name == "zarr":  # xarray's zarr backend
            used = ".to_zarr(" in text
        elif name == "graphviz-pure":  # a program, not a module: run by noradsim.diagrams.dot
            used = '"graphviz-pure"' in text
        else:
            used = re.search(rf"^\s*(import|from) {re.escape(mod)}\b", text, re.M) is not None
        if not used:
            unused.append(name)
    assert not unused, f"runtime dependencies not used by src/: {unused}"


EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))


@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_runs(path, tmp_path):
    """Each file in examples/ runs through the one public path and writes its report.

    A sweep file (``[sweep]``: thousands of simulations, ``noradsim sweep``) is checked in
    full, every sweep point parsed; tests/test_sweep.py runs small sweeps.
    """
    from noradsim.api import run

    if "\n[sweep]" in path.read_text():
        from noradsim.sweep import read_plan

        assert len(read_plan(path).configs) >= 1
        return

    result = run(path)
    result.write(tmp_path)
    assert (tmp_path / "report.html").stat().st_size > 1000
    summary = result.to_dict()
    assert summary and all(v is not None for v in summary.values())
