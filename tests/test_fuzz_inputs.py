"""Property-based tests (hypothesis): random experiment files and CSVs fed to the CLI in-process.

The property for every input: exit 0 with sane output, or exit 2 with exactly one stderr
line ``noradsim: error: ...``; never an exception, a traceback or a NaN result. Figures are
replaced by a placeholder (rendering PNGs is most of a run's time and is tested elsewhere),
so that the whole file finishes in well under a minute.
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from noradsim.cli import main

FUZZ = settings(max_examples=30, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

GOOD_AND_BAD = {
    "region": ["prefrontal_cortex", "hippocampus", "amygdala", 3, ""],
    "state": ["awake", "sws", "nap"],
    "sample": ["20 min", "30 min", "0 min", "-5 min", "1e9 min", "abc", "20", 20],
    "window": [["0 min", "60 min"], ["0 min", "40 min"], ["0 min"], ["60 min", "0 min"], "0-60 min",
               ["0 min", "1e12 min"]],
    "baseline": [["-40 min", "0 min"], ["-20 min", "0 min"], ["0 min", "-40 min"]],
    "flow": ["1 uL/min", "2 uL/min", "0 uL/min", "1 mL", "-1 uL/min"],
    "probe_length": ["2 mm", "4 mm", "4 kg", "-2 mm"],
    "equilibration": ["60 min", "nan min"],
    "seed": [0, 3, -1, 1.5, "x"],
    "colour": ["red"],
}
DRUG = {
    "drug": ["atomoxetine", "desipramine", "clonidine", "unobtainium", ""],
    "dose": ["1 mg/kg", "3 mg/kg", "1e300 mg/kg", "-1 mg/kg", "nan mg/kg", "3 mg", 3, "scan"],
    "route": ["ip", "iv", "sc", "nasal"],
    "at": ["0 min", "10 min", "-1e9 min", "soon"],
}


def _toml_value(v) -> str:
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return repr(v)


@st.composite
def experiment_text(draw) -> str:
    """An experiment file: the required header, random fields (good or bad), sometimes garbage."""
    lines = ['schema = "noradsim-experiment/1"', 'protocol = "microdialysis"']
    for key, values in GOOD_AND_BAD.items():
        if draw(st.booleans()):
            lines.append(f"{key} = {_toml_value(draw(st.sampled_from(values)))}")
    ivs = []
    for _ in range(draw(st.integers(0, 2))):
        fields = {k: draw(st.sampled_from(v)) for k, v in DRUG.items() if draw(st.integers(0, 5)) > 0}
        ivs.append("{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in fields.items()) + " }")
    lines.append(f"interventions = [{', '.join(ivs)}]")
    if draw(st.integers(0, 4)) == 0:
        lines.insert(draw(st.integers(0, len(lines))), draw(st.text(max_size=30)))
    if draw(st.integers(0, 5)) == 0:
        lines.insert(0, draw(st.sampled_from(['schema = "noradsim-experiment/9"', 'protocol = "x"'])))
    return "\n".join(lines) + "\n"


@pytest.fixture
def quick_figures(monkeypatch):
    import noradsim.protocols.microdialysis.report as report

    def placeholder(fig, **kw):
        import matplotlib.pyplot as plt

        plt.close(fig)
        return "<img alt='figure'/>"

    monkeypatch.setattr(report, "figure_to_img", placeholder)


def _one_line_or_sane(rc, out, err, sane) -> None:
    if rc == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("noradsim: error:"), err
        assert out == ""
    else:
        assert rc == 0, (rc, err)
        sane(out)


def _sane_run(out: str) -> None:
    values = dict(line.split(": ", 1) for line in out.strip().splitlines())
    for key in ("peak_percent_baseline", "min_percent_baseline", "baseline_nM"):
        v = float(values[key])
        assert math.isfinite(v) and v > 0, (key, v)
    assert float(values["min_percent_baseline"]) <= float(values["peak_percent_baseline"])
    assert values["report"].endswith("report.html")


@FUZZ
@given(text=experiment_text())
def test_random_experiment_files(text, capfd, quick_figures):
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "e.toml"
        f.write_text(text, encoding="utf-8", errors="surrogatepass")
        capfd.readouterr()
        rc = main(["run", str(f), "--out", str(Path(d) / "out")])
        out, err = capfd.readouterr()
        _one_line_or_sane(rc, out, err, _sane_run)
        assert (Path(d) / "out" / "report.html").is_file() == (rc == 0)


CELLS = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=32).map(repr),
                  st.integers(-10, 10**6).map(str),
                  st.sampled_from(["", "NA", "nan", "abc", "1e999", "-0", "1,5", '"7"', "1e-300"]))


@st.composite
def csv_text(draw) -> str:
    header = draw(st.sampled_from(["x,y", "x,y,extra", "y,x", "conc,v", "x", ""]))
    n_cols = max(1, header.count(",") + 1)
    rows = draw(st.lists(st.lists(CELLS, min_size=n_cols - 1, max_size=n_cols + 1), max_size=12))
    if draw(st.booleans()):  # a well-behaved uptake curve, possibly mixed with the garbage
        rows += [[repr(s), repr(5.0 * s / (300.0 + s) + 0.01 * (i % 3))] for i, s in
                 enumerate([30.0, 100.0, 300.0, 1000.0, 3000.0])]
    return header + "\n" + "\n".join(",".join(r) for r in rows) + "\n"


def _sane_fit(out: str) -> None:
    rows = {line.split()[0]: line.split() for line in out.splitlines()[2:] if line.split()}
    for name in ("Vmax", "Km"):
        value = float(rows[name][1])
        assert math.isfinite(value) and value > 0, rows[name]
    assert rows["Km"][2] == "nM"


@FUZZ
@given(text=csv_text())
def test_random_csv_files_for_fit(text, capfd):
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "d.csv"
        f.write_text(text)
        capfd.readouterr()
        rc = main(["fit", "uptake", str(f)])
        out, err = capfd.readouterr()
        if rc == 0:  # rows left out are a note on stderr, never an error
            assert all(line.startswith("noradsim: note:") for line in err.strip().splitlines()), err
            _sane_fit(out)
        else:
            _one_line_or_sane(rc, out, err, _sane_fit)


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=200))
def test_random_bytes_as_experiment_and_csv(data, capfd):
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "blob"
        f.write_bytes(data)
        for argv in (["run", str(f), "--out", str(Path(d) / "out")], ["fit", "uptake", str(f)]):
            capfd.readouterr()
            rc = main(argv)
            out, err = capfd.readouterr()
            assert rc == 2, (argv, rc, err)
            assert len(err.strip().splitlines()) == 1 and err.startswith("noradsim: error:"), err
