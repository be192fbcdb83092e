"""``noradsim fit``: JSON output, files, and bad input (exit 2, nothing written)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from noradsim.cli import main

NIST_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "nist_strd"


def _csv(path: Path, header: str, rows) -> Path:
    path.write_text(header + "\n" + "".join(",".join(str(v) for v in r) + "\n" for r in rows))
    return path


@pytest.fixture
def uptake_csv(tmp_path):
    s = np.repeat([0.05, 0.1, 0.3, 1, 3, 10], 2)  # uM
    v = 5.2 * s / (0.42 + s)
    return _csv(tmp_path / "uptake.csv", "ne_uM,rate", zip(s, v))


def test_uptake_json_and_units(uptake_csv, capsys, tmp_path):
    out = tmp_path / "res"
    rc = main(["fit", "uptake", str(uptake_csv), "--x", "ne_uM", "--y", "rate", "--x-unit", "uM", "--json",
               "--out", str(out)])
    assert rc == 0
    doc = json.loads(capsys.readouterr().out)
    km = doc["params"]["Km"]
    assert km["value"] == pytest.approx(420, rel=1e-8)
    assert set(km) == {"value", "stderr", "ci95"} and len(km["ci95"]) == 2
    assert {"r2", "aic", "n", "warnings"} <= set(doc) and doc["n"] == 12
    assert {"fit.json", "fit.png", "summary.txt", "residuals.csv", "uptake_transforms.png"} <= {
        p.name for p in out.iterdir()}


def test_inhibition_cheng_prusoff_cli(tmp_path, capsys):
    c = [0, 0.1, 1, 3, 10, 30, 100, 1000, 10000]
    y = [100 / (1 + ci / 12.0) for ci in c]
    path = _csv(tmp_path / "inh.csv", "x,y", zip(c, y))
    assert main(["fit", "inhibition", str(path), "--substrate", "20nM", "--km", "0.42 uM", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["derived"]["Ki"]["value"] == pytest.approx(12 / (1 + 20 / 420), rel=1e-7)


def test_competition_cli_reports_comparison(tmp_path, capsys):
    c = np.geomspace(1e-3, 1e5, 17)
    y = 100 * (0.3 / (1 + c / 1.0) + 0.7 / (1 + c / 3000.0))
    path = _csv(tmp_path / "comp.csv", "x,y", zip(c, y))
    assert main(["fit", "competition", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["comparison"]["preferred"] == "two sites"
    assert "IC50_high" in doc["params"]


def test_saturation_cli_total_nonspecific(tmp_path, capsys):
    L = np.geomspace(0.05, 20, 9)
    path = _csv(tmp_path / "sat.csv", "x,total,nonspecific", zip(L, 800 * L / (1.5 + L) + 12 * L, 12 * L))
    assert main(["fit", "saturation", str(path), "--json", "--out", str(tmp_path / "o")]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["params"]["Kd"]["value"] == pytest.approx(1.5, rel=1e-8)


def test_dose_response_operational_cli(tmp_path, capsys):
    a = np.geomspace(0.1, 1e4, 11)
    path = _csv(tmp_path / "dr.csv", "x,y", zip(a, 100 * 9 * a / (500 + 10 * a)))
    assert main(["fit", "dose-response", str(path), "--em", "100", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["params"]["tau"]["value"] == pytest.approx(9, rel=1e-7)


@pytest.mark.skipif(not NIST_DIR.is_dir(), reason="NIST StRD data not found")
def test_expression_cli_on_nist_misra1a(tmp_path, capsys):
    from noradsim.fitting.nist import read_nist

    p = read_nist(NIST_DIR / "Misra1a.dat")
    path = _csv(tmp_path / "m.csv", "x,y", zip(p.columns["x"], p.columns["y"]))
    assert main(["fit", "expression", str(path), "--model", p.model, "--start", "b1=500,b2=1e-4", "--json",
                 "--out", str(tmp_path / "o")]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["params"]["b1"]["value"] == pytest.approx(p.certified["b1"], rel=1e-8)
    assert doc["params"]["b2"]["stderr"] == pytest.approx(p.certified_sd["b2"], rel=1e-4)
    assert (tmp_path / "o" / "fit.png").exists()


@pytest.mark.parametrize(
    "rows, argv, message",
    [
        ("x,y\n1,2\n2,abc\n3,4\n", ["uptake"], "row 3 column 'y'"),
        ("x,y\n1,2\n-2,3\n3,4\n", ["uptake"], "row 3 column 'x'"),
        ("x,y\n1,2\n2,2\n3,2\n4,2\n", ["uptake"], "constant"),
        ("x,y\n1,2\n2,3\n", ["uptake"], "too few|at least"),
        ("conc,y\n1,2\n2,3\n3,4\n", ["uptake"], "column: unknown value 'x'; allowed: conc, y"),
        ("x,y\n1,2\n2,3\n3,4\n4,5\n", ["expression", "--model", "__import__('os').system('x')", "--start", "a=1"],
         "not allowed"),
        ("x,y\n1,2\n2,3\n3,4\n4,5\n", ["expression", "--model", "a*x.real", "--start", "a=1"], "attribute"),
        ("x,y\n1,2\n2,3\n3,4\n4,5\n", ["expression", "--model", "a*x", "--start", "a=one"], "not a number"),
        ("x,y\n1,2\n2,3\n3,4\n4,5\n", ["inhibition", "--substrate", "20", "--km", "420nM"], "unit"),
    ],
)
def test_bad_input_exit_2_nothing_written(tmp_path, capsys, rows, argv, message):
    import re

    path = tmp_path / "d.csv"
    path.write_text(rows)
    out = tmp_path / "out"
    rc = main(["fit", argv[0], str(path), *argv[1:], "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 2
    assert re.search(message, err), err
    assert err.startswith("noradsim: error:") and "Traceback" not in err
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["d.csv"]
