"""Bad input: one clear line naming the field, exit status 2, no traceback, nothing written."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = (REPO / "examples" / "atomoxetine_pfc_microdialysis.toml").read_text()


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "noradsim.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd)


def _bad(tmp_path, old, new):
    text = EXAMPLE.replace(old, new)
    assert text != EXAMPLE
    f = tmp_path / "exp.toml"
    f.write_text(text)
    return f


@pytest.mark.parametrize("old,new,expect", [
    ('drug = "atomoxetine"', 'drug = "atomoxetin"', "did you mean 'atomoxetine'"),
    ('dose = "3 mg/kg"', 'dose = "3 mg"', "wrong dimension"),
    ('dose = "3 mg/kg"', 'dose = "-3 mg/kg"', "negative"),
    ('dose = "3 mg/kg"', 'dose = "nan mg/kg"', "not a finite number"),
    ('region = "prefrontal_cortex"', 'region = "prefrontal"', "prefrontal_cortex"),
    ('state = "awake"', 'state = "awakee"', "did you mean 'awake'"),
    ('route = "ip"', 'route = "intraperitoneal"', "route"),
    ('sample = "30 min"', 'sample = "30 min', "line"),
])
def test_bad_experiment_files(tmp_path, capfd, old, new, expect):
    from noradsim.cli import main  # in-process: the same code path without a new interpreter per case

    f = _bad(tmp_path, old, new)
    out = tmp_path / "out"
    rc = main(["run", str(f), "--out", str(out)])
    err = capfd.readouterr().err
    assert rc == 2
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("noradsim: error:")
    assert expect in lines[0]
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_missing_file(tmp_path):
    r = cli("run", tmp_path / "nope.toml", "--out", tmp_path / "o")
    assert r.returncode == 2 and "file not found" in r.stderr and "Traceback" not in r.stderr


def test_run_writes_report_netcdf_csv_and_is_seeded(tmp_path):
    import xarray as xr

    # the example without its virtual population (the population is tested in test_microdialysis_report.py,
    # the whole example in test_layout.py): two runs of the same file and seed give the same samples
    exp = tmp_path / "exp.toml"
    exp.write_text(EXAMPLE.split("[uncertainty]")[0])
    r1 = cli("run", exp, "--out", tmp_path / "a")
    r2 = cli("run", exp, "--out", tmp_path / "b")
    assert r1.returncode == 0, r1.stderr
    for name in ("report.html", "results.nc", "results.csv"):
        assert (tmp_path / "a" / name).is_file()
    assert (tmp_path / "a" / "results.csv").read_text() == (tmp_path / "b" / "results.csv").read_text()
    ds = xr.open_dataset(tmp_path / "a" / "results.nc", engine="h5netcdf")
    assert ds["ne_ecf"].attrs["units"] == "nM" and ds["time"].attrs["units"] == "min"
    assert "parameters" in ds.attrs and ds.attrs["seed"] == 1
    html = (tmp_path / "a" / "report.html").read_text()
    for word in ("Placement check", "Mechanism", "NET occupancy", "atomoxetine"):
        assert word in html


def test_validate_reports_malformed_targets_and_runs_the_rest(tmp_path):
    f = tmp_path / "t.toml"
    f.write_text('''schema = "noradsim-targets/1"
[[target]]
id = "good"
source = "test"
measure = "lc_firing_rate"
statistic = "mean"
unit = "Hz"
species = "rat"
region = "locus_coeruleus"
state = "awake"
window = ["0 min", "10 min"]
expected = 2
range = [1, 3.5]

[[target]]
id = "bad_region"
source = "test"
measure = "extracellular_ne"
statistic = "mean"
unit = "nM"
species = "rat"
region = "hipocampus"
expected = 1
range = [0, 2]

[[target]]
id = "bad_unit"
source = "test"
measure = "lc_firing_rate"
statistic = "mean"
unit = "mg"
species = "rat"
region = "locus_coeruleus"
expected = 1
range = [0, 2]
''')
    js = tmp_path / "v.json"
    r = cli("validate", f, "--json", js)
    assert r.returncode == 2
    assert "target bad_region region: unknown value 'hipocampus'; did you mean 'hippocampus'" in r.stderr
    assert "target bad_unit unit" in r.stderr
    assert r.stdout.strip().splitlines()[-1] == "validated 1 targets: 1 within range, 0 outside, 0 unsupported"
    assert any(line.startswith("good ") for line in r.stdout.splitlines())
    rows = json.loads(js.read_text())
    assert rows[0]["id"] == "good" and set(rows[0]) == {"id", "predicted", "expected", "range", "unit", "verdict", "reason"}


def test_validate_names_the_line_of_bad_toml(tmp_path):
    f = tmp_path / "t.toml"
    f.write_text('schema = "noradsim-targets/1"\n[[target]]\nid = "x\n')
    r = cli("validate", f)
    assert r.returncode == 2 and "line 3" in r.stderr and "Traceback" not in r.stderr


def test_unsupported_is_never_a_pass(tmp_path):
    f = tmp_path / "t.toml"
    f.write_text('''schema = "noradsim-targets/1"
[[target]]
id = "mouse"
source = "test"
measure = "lc_firing_rate"
statistic = "mean"
unit = "Hz"
species = "mouse"
region = "locus_coeruleus"
expected = 2
range = [0, 100]
''')
    r = cli("validate", f, "--out", tmp_path / "rep")
    assert r.returncode == 0
    assert (tmp_path / "rep" / "report.html").is_file()
    assert "unsupported" in r.stdout.splitlines()[0]
    assert r.stdout.strip().endswith("validated 1 targets: 0 within range, 0 outside, 1 unsupported")


def test_export_sbml_and_params(tmp_path):
    r = cli("export", "sbml", tmp_path / "m.xml", "--drug", "atomoxetine:ip")
    assert r.returncode == 0, r.stderr
    assert "<sbml" in (tmp_path / "m.xml").read_text()[:500]
    r = cli("params")
    assert r.returncode == 0 and "net_km" in r.stdout and "seed table 2" in r.stdout
