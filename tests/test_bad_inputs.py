"""A table of bad inputs across every command: each is one stderr line naming the field, exit 2.

Each case runs ``noradsim.cli.main`` in-process with no simulation allowed (the engine is
replaced by a function that fails the test), so every refusal is shown to come before any
long computation. The checks per case: exit status 2, exactly one stderr line (file
descriptor level, so a C library writing to stderr would be caught) that starts with
``noradsim: error:`` and contains the expected words, nothing on stdout, no traceback, and
no file or folder left behind.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from noradsim.cli import main

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = (REPO / "examples" / "atomoxetine_pfc_microdialysis.toml").read_text().split("[uncertainty]")[0]
LC_EXAMPLE = (REPO / "examples" / "lc_footpinch_recording.toml").read_text()
HAS_RECORDING = importlib.util.find_spec("noradsim.protocols.recording") is not None
UPTAKE = "x,y\n50,1.1\n100,2.0\n200,3.3\n400,4.9\n800,6.4\n1600,7.7\n"
DRUG = '''schema = "noradsim-drugs/1"
[[drug]]
name = "compound-x"
molar_mass = { value = 300.4, unit = "g/mol", source = "PubChem" }
[[drug.binding]]
target = "NET"
species = "rat"
ki = { value = 2.1, unit = "nM", source = "Author et al. 2001" }
'''
TARGETS = '''schema = "noradsim-targets/1"
[[target]]
id = "t"
source = "test"
measure = "lc_firing_rate"
statistic = "mean"
unit = "Hz"
'''


def exp(old: str, new: str) -> str:
    """The example experiment with one field changed (the change must apply)."""
    assert old in EXAMPLE, old
    return EXAMPLE.replace(old, new, 1)


def lc(old: str, new: str) -> str:
    assert old in LC_EXAMPLE, old
    return LC_EXAMPLE.replace(old, new, 1)


# id: (files {name: text or bytes or None for a folder}, argv with {d} for the folder, expected words)
RUN = ["run", "{d}/e.toml", "--out", "{d}/out"]
FIT = ["fit", "uptake", "{d}/d.csv"]
CASES = {
    # files
    "run missing file": ({}, RUN, "file not found"),
    "run folder as file": ({"e.toml": None}, RUN, "is a folder"),
    "run empty file": ({"e.toml": ""}, RUN, "is empty"),
    "run blank file": ({"e.toml": " \n\n  \n"}, RUN, "is empty"),
    "run binary file": ({"e.toml": bytes(range(256))}, RUN, "binary"),
    "run latin-1 file": ({"e.toml": exp("Atomoxetine", "Atomoxétine").encode("latin-1")}, RUN, "not UTF-8"),
    "run invalid TOML": ({"e.toml": exp('sample = "30 min"', 'sample = "30 min')}, RUN, "not valid TOML"),
    "run duplicate key": ({"e.toml": exp('state = "awake"', 'state = "awake"\nstate = "sws"')}, RUN, "not valid TOML"),
    "run wrong schema": ({"e.toml": exp('noradsim-experiment/1', 'noradsim-experiment/2')}, RUN, "schema"),
    "run unknown protocol": ({"e.toml": exp('protocol = "microdialysis"', 'protocol = "patch_clamp"')}, RUN,
                             "protocol"),
    "run unknown field": ({"e.toml": exp('state = "awake"', 'state = "awake"\ncolour = "red"')}, RUN, "colour"),
    # units
    "dose wrong dimension": ({"e.toml": exp('dose = "3 mg/kg"', 'dose = "3 mg"')}, RUN, "dose"),
    "dose bare number": ({"e.toml": exp('dose = "3 mg/kg"', 'dose = 3')}, RUN, "no unit"),
    "dose number string": ({"e.toml": exp('dose = "3 mg/kg"', 'dose = "3"')}, RUN, "no unit"),
    "sample unknown unit": ({"e.toml": exp('sample = "30 min"', 'sample = "30 furlongs"')}, RUN, "sample"),
    "flow wrong dimension": ({"e.toml": exp('flow = "1 uL/min"', 'flow = "1 mL"')}, RUN, "flow"),
    "probe length in kg": ({"e.toml": exp('probe_length = "4 mm"', 'probe_length = "4 kg"')}, RUN, "probe_length"),
    "equilibration negative": ({"e.toml": exp('equilibration = "120 min"', 'equilibration = "-5 min"')}, RUN,
                               "equilibration"),
    "window one value": ({"e.toml": exp('window = ["0 min", "240 min"]', 'window = ["0 min"]')}, RUN, "window"),
    "window reversed": ({"e.toml": exp('window = ["0 min", "240 min"]', 'window = ["240 min", "0 min"]')}, RUN,
                        "window"),
    "baseline reversed": ({"e.toml": exp('baseline = ["-90 min", "0 min"]', 'baseline = ["0 min", "-90 min"]')},
                          RUN, "baseline"),
    # numbers
    "dose 1e300 mg/kg": ({"e.toml": exp('dose = "3 mg/kg"', 'dose = "1e300 mg/kg"')}, RUN, "dose"),
    "dose negative": ({"e.toml": exp('dose = "3 mg/kg"', 'dose = "-3 mg/kg"')}, RUN, "negative"),
    "dose NaN": ({"e.toml": exp('dose = "3 mg/kg"', 'dose = "nan mg/kg"')}, RUN, "finite"),
    "dose infinite": ({"e.toml": exp('dose = "3 mg/kg"', 'dose = "inf mg/kg"')}, RUN, "finite"),
    "dose text": ({"e.toml": exp('dose = "3 mg/kg"', 'dose = "three mg/kg"')}, RUN, "dose"),
    "sample 1e9 min": ({"e.toml": exp('sample = "30 min"', 'sample = "1e9 min"')}, RUN, "sample"),
    "sample zero": ({"e.toml": exp('sample = "30 min"', 'sample = "0 min"')}, RUN, "sample"),
    "window 1e9 min": ({"e.toml": exp('window = ["0 min", "240 min"]', 'window = ["0 min", "1e9 min"]')}, RUN,
                       "window"),
    "dose at 1e9 min": ({"e.toml": exp('at = "0 min"', 'at = "1e9 min"')}, RUN, "at"),
    "flow too fast": ({"e.toml": exp('flow = "1 uL/min"', 'flow = "100 uL/min"')}, RUN, "flow"),
    "hplc cv above 1": ({"e.toml": exp("cv = 0.05", "cv = 1.5")}, RUN, "hplc.cv"),
    "population of 0": ({"e.toml": EXAMPLE + "[uncertainty]\nn = 0\n"}, RUN, "uncertainty.n"),
    "population spread below 1": ({"e.toml": EXAMPLE + "[uncertainty]\nspread = 0.5\n"}, RUN, "uncertainty.spread"),
    "parameter as text": ({"e.toml": EXAMPLE + '[parameters]\nnet_vmax = "abc"\n'}, RUN, "net_vmax"),
    "parameter NaN": ({"e.toml": EXAMPLE + "[parameters]\nnet_vmax = nan\n"}, RUN, "net_vmax"),
    "parameter unknown": ({"e.toml": EXAMPLE + "[parameters]\nnet_vmaxx = 1.0\n"}, RUN, "net_vmaxx"),
    "parameter out of bounds": ({"e.toml": EXAMPLE + "[parameters]\nnet_vmax = -1.0\n"}, RUN, "net_vmax"),
    "seed in file negative": ({"e.toml": exp("seed = 1", "seed = -1")}, RUN, "seed"),
    "seed in file fractional": ({"e.toml": exp("seed = 1", "seed = 1.5")}, RUN, "seed"),
    "reverse dialysis 1e12 M": ({"e.toml": exp('dose = "3 mg/kg", route = "ip"',
                                               'concentration = "1e12 M", route = "reverse_dialysis"')}, RUN,
                                "concentration"),
    # names
    "region amygdala": ({"e.toml": exp('region = "prefrontal_cortex"', 'region = "amygdala"')}, RUN,
                        "prefrontal_cortex"),
    "state misspelt": ({"e.toml": exp('state = "awake"', 'state = "awakee"')}, RUN, "did you mean 'awake'"),
    "route unknown": ({"e.toml": exp('route = "ip"', 'route = "intraperitoneal"')}, RUN, "route"),
    "drug misspelt": ({"e.toml": exp('drug = "atomoxetine"', 'drug = "atomoxetin"')}, RUN, "atomoxetine"),
    "intervention unknown key": ({"e.toml": exp('at = "0 min"', 'at = "0 min", colour = "red"')}, RUN, "colour"),
    "intervention without kind": ({"e.toml": exp('drug = "atomoxetine", ', '')}, RUN, "intervention"),
    "perfusate unknown": ({"e.toml": exp('drug = "atomoxetine", dose = "3 mg/kg", route = "ip"',
                                         'perfusate = "saline"')}, RUN, "perfusate"),
    "stimulus unknown": ({"e.toml": exp('drug = "atomoxetine", dose = "3 mg/kg", route = "ip"',
                                        'stimulus = "tickle"')}, RUN, "stimulus"),
    "species mouse": ({"e.toml": exp('species = "rat"', 'species = "mouse"')}, RUN, "species"),
    # command-line arguments and paths (--out first)
    "seed -1": ({"e.toml": EXAMPLE}, RUN + ["--seed", "-1"], "seed"),
    "seed text": ({"e.toml": EXAMPLE}, RUN + ["--seed", "abc"], "--seed"),
    "out is a file": ({"e.toml": EXAMPLE, "out": "x"}, RUN, "--out"),
    "out under /proc": ({"e.toml": EXAMPLE}, ["run", "{d}/e.toml", "--out", "/proc/noradsim-out"], "--out"),
    "out under a file": ({"e.toml": EXAMPLE, "f": "x"}, ["run", "{d}/e.toml", "--out", "{d}/f/out"], "--out"),
    "out checked before the file": ({"out": "x"}, RUN, "--out"),
    "user drug file missing": ({"e.toml": EXAMPLE}, RUN + ["--drugs", "{d}/none.toml"], "file not found"),
    "export sbml to a folder": ({"sub": None}, ["export", "sbml", "{d}/sub"], "folder"),
    "export sbml under /proc": ({}, ["export", "sbml", "/proc/noradsim.xml"], "file"),
    "export unknown drug": ({}, ["export", "sbml", "{d}/m.xml", "--drug", "nodrug"], "drug"),
    "export unknown route": ({}, ["export", "sbml", "{d}/m.xml", "--drug", "atomoxetine:nasal"], "route"),
    "export unknown region": ({}, ["export", "sbml", "{d}/m.xml", "--region", "amygdala"], "amygdala"),
    "diagram unknown": ({}, ["diagram", "krebs", "--out", "{d}/k.svg"], "diagram"),
    "diagram to pdf": ({}, ["diagram", "alpha2", "--out", "{d}/k.pdf"], ".svg"),
    "diagram to a folder": ({"sub": None}, ["diagram", "alpha2", "--out", "{d}/sub"], "folder"),
    "receptors martian": ({}, ["receptors", "--species", "martian", "--no-ec50"], "--species"),
    "receptors unknown drug": ({}, ["receptors", "--drug", "nodrug", "--no-ec50"], "drug"),
    "drugs unknown name": ({}, ["drugs", "nosuchdrug"], "drug"),
    "params unknown region": ({}, ["params", "--region", "amygdala"], "amygdala"),
    "params unknown state": ({}, ["params", "--state", "dreaming"], "dreaming"),
    "validate missing file": ({}, ["validate", "{d}/t.toml"], "file not found"),
    "validate binary file": ({"t.toml": b"\x00\x01\x02"}, ["validate", "{d}/t.toml"], "binary"),
    "validate json to folder": ({"t.toml": TARGETS, "sub": None}, ["validate", "{d}/t.toml", "--json", "{d}/sub"],
                                "--json"),
    "validate out is a file": ({"t.toml": TARGETS, "f": "x"}, ["validate", "{d}/t.toml", "--out", "{d}/f"], "--out"),
    # drug files
    "drug source empty": ({"u.toml": DRUG.replace('source = "PubChem"', 'source = ""')},
                          ["drugs", "--drugs", "{d}/u.toml"], "source"),
    "drug ki source blank": ({"u.toml": DRUG.replace('"Author et al. 2001"', '"   "')},
                             ["drugs", "--drugs", "{d}/u.toml"], "source"),
    "drug ki negative": ({"u.toml": DRUG.replace("value = 2.1", "value = -2.1")}, ["drugs", "--drugs", "{d}/u.toml"],
                         "ki"),
    "drug ki in mg/kg": ({"u.toml": DRUG.replace('unit = "nM"', 'unit = "mg/kg"')}, ["drugs", "--drugs", "{d}/u.toml"],
                         "ki"),
    "drug unknown target": ({"u.toml": DRUG.replace('target = "NET"', 'target = "NETT"')},
                            ["drugs", "--drugs", "{d}/u.toml"], "target"),
    "drug without molar mass": ({"u.toml": DRUG.replace('molar_mass = { value = 300.4, unit = "g/mol", '
                                                        'source = "PubChem" }\n', '')},
                                ["drugs", "--drugs", "{d}/u.toml"], "molar_mass"),
    "drug file wrong schema": ({"u.toml": DRUG.replace("noradsim-drugs/1", "drugs")}, ["drugs", "--drugs", "{d}/u.toml"],
                               "schema"),
    "drug file empty": ({"u.toml": ""}, ["drugs", "--drugs", "{d}/u.toml"], "empty"),
    # CSV shapes for fit
    "fit missing file": ({}, FIT, "file not found"),
    "fit folder": ({"d.csv": None}, FIT, "folder"),
    "fit empty": ({"d.csv": ""}, FIT, "empty"),
    "fit binary": ({"d.csv": bytes(range(256))}, FIT, "binary"),
    "fit latin-1": ({"d.csv": "x,y\n50,1\n# Kätzchen\n".encode("latin-1")}, FIT, "UTF-8"),
    "fit header only": ({"d.csv": "x,y\n"}, FIT, "0 usable points"),
    "fit one row": ({"d.csv": "x,y\n50,1\n"}, FIT, "2 parameters"),
    "fit non-numeric": ({"d.csv": "x,y\n50,abc\n100,2\n200,3\n"}, FIT, "'abc' is not a number"),
    "fit inf": ({"d.csv": "x,y\n50,inf\n100,2\n200,3\n"}, FIT, "finite"),
    "fit negative concentration": ({"d.csv": "x,y\n-50,1\n100,2\n200,3\n"}, FIT, "negative"),
    "fit absurd concentrations": ({"d.csv": UPTAKE.replace("1600,", "1e15,")}, FIT, "above 1 M"),
    "fit negative Km": ({"d.csv": "x,y\n1,100\n2,50\n3,10\n4,5\n5,1\n"}, FIT, "Km"),
    "fit constant": ({"d.csv": "x,y\n1,2\n2,2\n3,2\n4,2\n"}, FIT, "constant"),
    "fit missing column": ({"d.csv": "conc,v\n1,2\n"}, FIT, "column"),
    "fit duplicate column": ({"d.csv": "x,y,y\n1,2,3\n"}, FIT, "twice"),
    "fit x-unit mg": ({"d.csv": UPTAKE}, FIT + ["--x-unit", "mg"], "--x-unit"),
    "fit out is a file": ({"d.csv": UPTAKE, "f": "x"}, FIT + ["--out", "{d}/f"], "--out"),
    "fit sd not positive": ({"d.csv": "x,y,s\n50,1,0\n100,2,1\n200,3,1\n400,4,1\n"}, FIT + ["--sd", "s"], "SD"),
    # expressions
    "expression unbalanced": ({"d.csv": UPTAKE}, ["fit", "expression", "{d}/d.csv", "--model", "b1*(1-exp(-b2*x)",
                                                  "--start", "b1=1,b2=1"], "model"),
    "expression import": ({"d.csv": UPTAKE}, ["fit", "expression", "{d}/d.csv", "--model", "__import__('os')",
                                              "--start", "b1=1"], "model"),
    "expression attribute": ({"d.csv": UPTAKE}, ["fit", "expression", "{d}/d.csv", "--model", "x.real*b1",
                                                 "--start", "b1=1"], "model"),
    "expression unknown name": ({"d.csv": UPTAKE}, ["fit", "expression", "{d}/d.csv", "--model", "b1*z",
                                                    "--start", "b1=1"], "'z'"),
    "expression start no value": ({"d.csv": UPTAKE}, ["fit", "expression", "{d}/d.csv", "--model", "b1*x",
                                                      "--start", "b1"], "--start"),
    "expression start NaN": ({"d.csv": UPTAKE}, ["fit", "expression", "{d}/d.csv", "--model", "b1*x",
                                                 "--start", "b1=nan"], "--start"),
    "expression uses response": ({"d.csv": UPTAKE}, ["fit", "expression", "{d}/d.csv", "--model", "b1*y",
                                                     "--start", "b1=1"], "response"),
}

RECORDING_CASES = {
    "stimulus after the recording ends": lc('{ stimulus = "footpinch", at = "5 s"', '{ stimulus = "footpinch", at = "50 s"')
    .replace('duration = "30 s"', 'duration = "2 s"').replace('baseline = "20 s"', 'baseline = "1 s"'),
    "recording dt too coarse": lc('dt = "0.05 ms"', 'dt = "1 ms"'),
    "recording dt of a second": lc('dt = "0.05 ms"', 'dt = "1 s"'),
}
RECORDING_EXPECT = {"stimulus after the recording ends": "at", "recording dt too coarse": "recording.dt",
                    "recording dt of a second": "recording.dt"}


@pytest.fixture
def no_simulation(monkeypatch):
    """Fail the test if any simulation starts (bad input must be refused before)."""
    import noradsim.engine.roadrunner_engine as rr
    import noradsim.protocols.timecourse as tc

    def refuse(*args, **kwargs):
        raise AssertionError("a simulation started before the bad input was refused")

    for mod, name in ((tc, "integrate"), (tc, "steady_state"), (rr, "simulate"), (rr, "simulate_batch")):
        monkeypatch.setattr(mod, name, refuse)


def _materialise(tmp_path: Path, files: dict) -> None:
    for name, content in files.items():
        p = tmp_path / name
        if content is None:
            p.mkdir()
        elif isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content)


def check_refused(tmp_path, capfd, argv, expect):
    """Run the CLI and check the one-line refusal; return the message."""
    before = sorted(p.name for p in tmp_path.iterdir())
    rc = main([a.format(d=tmp_path) for a in argv])
    out, err = capfd.readouterr()
    lines = err.strip().splitlines()
    assert rc == 2, (rc, err)
    assert len(lines) == 1, err
    assert lines[0].startswith("noradsim: error:"), err
    assert "Traceback" not in err and "np.float64" not in err
    assert expect in lines[0], lines[0]
    assert out == "", out
    assert sorted(p.name for p in tmp_path.iterdir()) == before, "partial output left behind"
    return lines[0]


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_one_line_exit_2(case, tmp_path, capfd, no_simulation):
    files, argv, expect = CASES[case]
    _materialise(tmp_path, files)
    check_refused(tmp_path, capfd, argv, expect)


@pytest.mark.skipif(not HAS_RECORDING, reason="the recording protocol package is not in this tree yet")
@pytest.mark.parametrize("case", list(RECORDING_CASES))
def test_bad_recording_settings(case, tmp_path, capfd):
    (tmp_path / "e.toml").write_text(RECORDING_CASES[case])
    check_refused(tmp_path, capfd, RUN, RECORDING_EXPECT[case])


def test_there_are_at_least_60_cases():
    assert len(CASES) + len(RECORDING_CASES) >= 60


def test_argparse_errors_are_one_line(capfd):
    assert main(["run"]) == 2
    _, err = capfd.readouterr()
    assert len(err.strip().splitlines()) == 1 and err.startswith("noradsim: error:")


def test_dropped_rows_are_reported_with_line_numbers(tmp_path, capfd):
    (tmp_path / "d.csv").write_text(UPTAKE.replace("200,3.3", "200,NA").replace("800,6.4", "800,"))
    assert main(["fit", "uptake", str(tmp_path / "d.csv")]) == 0
    out, err = capfd.readouterr()
    assert "2 row(s)" in err and "line 4, 6" in err
    assert "Km" in out and "nM" in out


def test_recording_checks_name_the_field():
    """The checks the recording protocol calls (protocols/checks.py), tested on their own."""
    from noradsim.errors import InputError
    from noradsim.checks import check_events_within, check_recording_dt

    with pytest.raises(InputError, match=r"interventions\[1\] at: 50 s is outside the recording"):
        check_events_within([{"at": 0.5}, {"at": 50.0}], 2.0)
    with pytest.raises(InputError, match="recording.dt: 1 ms is too coarse"):
        check_recording_dt(1e-3, 30.0)
    with pytest.raises(InputError, match="recording.dt"):
        check_recording_dt(1e-9, 30.0)
    assert check_recording_dt(5e-5, 30.0) == 5e-5
    check_events_within([{"at": 0.0}, {"at": 1.9}], 2.0)


def test_solver_failure_names_the_input(tmp_path, capfd, monkeypatch):
    """A CVODE failure on a legal input is reported as a solver failure naming the input."""
    import importlib

    md_run = importlib.import_module("noradsim.protocols.microdialysis.run")  # the module, not the function

    def cvode_fails(*args, **kwargs):
        raise RuntimeError("CVODE Error: CV_CONV_FAILURE: Convergence test failures occurred too many times")

    monkeypatch.setattr(md_run, "simulate_conditions", cvode_fails)
    (tmp_path / "e.toml").write_text(exp('dose = "3 mg/kg"', 'dose = "1000 mg/kg"'))
    msg = check_refused(tmp_path, capfd, RUN, "solver failed (CV_CONV_FAILURE)")
    assert "atomoxetine 1000 mg/kg ip" in msg


def test_model_breakdown_is_reported_not_returned(tmp_path, capfd):
    """A legal but extreme parameter that makes the model produce NaN is an error, not a NaN result."""
    (tmp_path / "e.toml").write_text(EXAMPLE + "[parameters]\nnet_vmax = 1e15\n")
    msg = check_refused(tmp_path, capfd, RUN, "no finite")
    assert "net_vmax = 1e+15" in msg
