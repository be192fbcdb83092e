"""Staged (modular) calibration and overrides of derived-drive inputs (round 8, issue #9).

A spec's ``[[stage]]`` tables fit their own parameters to their own targets with every
earlier stage's values held; an override of an input of a derived LC state drive re-derives
the drive, so a calibration step sees exactly what loading the data files with that value
gives (the LC rests at its measured state rate).
"""

import json
import subprocess
import sys

import pytest

from noradsim.validation.evaluate import evaluate
from noradsim.validation.targets import read_targets


def cli(*args):
    return subprocess.run([sys.executable, "-m", "noradsim.cli", *map(str, args)], capture_output=True, text=True)


def _target(targets_file, tid):
    return {t.id: t for t in read_targets(targets_file)[0]}[tid]


@pytest.mark.parametrize("override", [{"lc_autoreceptor_enrichment": 4.0}, {"lc_alpha2_weight": 3.5},
                                      {"ne_alpha2_k": 150.0}, {"lc_release_gain": 0.4}])
def test_an_override_of_a_drive_input_keeps_the_measured_state_rate(targets_file, override):
    """The awake drive is derived from the measured 2 Hz (lc.toml); before round 8 an override
    of one of its inputs left the drive stale, so the LC moved off 2 Hz in a calibration step
    while the same value written in the data file kept it there."""
    o = evaluate(_target(targets_file, "lc_rate_awake"), parameters=override)
    assert o.predicted == pytest.approx(2.0, rel=1e-6)


def test_rederived_drive_is_the_load_time_derivation_and_leaves_written_drives_alone():
    from noradsim.model.lc_states import drive_for_rate, drive_inputs, state_drive_records
    from noradsim.protocols.timecourse import rederived_state_drive, split_overrides

    inputs = drive_inputs() | {"lc_autoreceptor_enrichment": 5.0, "ne_k": 200.0}
    got = rederived_state_drive({"lc_autoreceptor_enrichment": 5.0, "ne_alpha2_k": 200.0}, "awake")
    assert got == pytest.approx(drive_for_rate(2.0, inputs), rel=1e-12)
    assert got != pytest.approx(state_drive_records()["awake"].value, rel=1e-3)
    assert rederived_state_drive({"release_per_spike": 0.01}, "awake") is None  # not an input
    assert rederived_state_drive({"lc_autoreceptor_enrichment": 5.0}, "rem") is None  # written drive
    model, _ = split_overrides({"lc_autoreceptor_enrichment": 5.0, "state.awake.drive": 4.2}, "awake")
    assert model["state_drive"] == 4.2  # an explicit drive wins


def _data_file_predictions(targets_file, tid: str, overrides: list[dict]) -> list[float]:
    """Predictions as the calibrate command makes them: a fresh process, shipped overlay off."""
    code = ("import json, sys; from noradsim.calibration.overlay import use_shipped_overlay; use_shipped_overlay(False)\n"
            "from noradsim.validation.evaluate import evaluate; from noradsim.validation.targets import read_targets\n"
            "t = {t.id: t for t in read_targets(sys.argv[1])[0]}[sys.argv[2]]\n"
            "print(json.dumps([evaluate(t, parameters=o).predicted for o in json.loads(sys.argv[3])]))")
    r = subprocess.run([sys.executable, "-c", code, str(targets_file), tid, json.dumps(overrides)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


STAGED = """schema = "noradsim-calibration-spec/1"
targets = "{targets}"
parameters = ["release_per_spike"]
targets_only = ["abercrombie1988_basal_hippocampus"]
starts = 2
seed = 4
max_nfev = 3
profiles = false

[[stage]]
parameters = ["lc_autoreceptor_enrichment"]
targets_only = ["abercrombie1988_yohimbine_hippocampus"]
search_ranges = {{ lc_autoreceptor_enrichment = [1.0, 15.0] }}
"""


def test_a_later_stage_holds_the_earlier_stage_values(targets_file, tmp_path):
    from noradsim.calibration.overlay import read_overlay
    from noradsim.calibration.spec import read_spec

    spec = tmp_path / "spec.toml"
    spec.write_text(STAGED.format(targets=targets_file))
    r = cli("calibrate", "--spec", spec, "--out", tmp_path / "c")
    assert r.returncode == 0, r.stderr
    assert "stage 2: held at the other stages' values: release_per_spike = " in r.stdout
    data = json.loads((tmp_path / "c" / "calibration.json").read_text())
    one, two = data["stages"]
    rps = one["parameters"][0]["value"]
    enr = two["parameters"][0]["value"]
    assert two["fixed"] == {"release_per_spike": rps} and one["fixed"] == {}
    assert [p["stage"] for p in data["parameters"]] == [1, 2]
    assert data["fit"] == pytest.approx(one["fit"] + two["fit"], rel=1e-4)
    # stage 2's recorded prediction is the model at BOTH values, not at the data-file release_per_spike
    both, alone = _data_file_predictions(targets_file, "abercrombie1988_yohimbine_hippocampus",
                                         [{"release_per_spike": rps, "lc_autoreceptor_enrichment": enr},
                                          {"lc_autoreceptor_enrichment": enr}])
    assert two["targets"][0]["predicted"] == pytest.approx(both, rel=1e-6)
    assert alone != pytest.approx(both, rel=1e-3)
    entries = read_overlay(tmp_path / "c" / "calibrated.toml")
    assert list(entries) == ["release_per_spike", "lc_autoreceptor_enrichment"]
    assert entries["release_per_spike"]["targets"] == ["abercrombie1988_basal_hippocampus"]
    assert entries["lc_autoreceptor_enrichment"]["targets"] == ["abercrombie1988_yohimbine_hippocampus"]
    assert "stage 2 of 2" in entries["lc_autoreceptor_enrichment"]["source"]
    assert f"release_per_spike held at {rps:g}" in entries["lc_autoreceptor_enrichment"]["source"]
    written = read_spec(tmp_path / "c" / "calibration_spec.toml")
    assert written.all_parameters() == ["release_per_spike", "lc_autoreceptor_enrichment"]
    assert written.sha256() == read_spec(spec).sha256()
    assert "Stage 2: lc_autoreceptor_enrichment" in (tmp_path / "c" / "report.html").read_text()


def test_passes_run_the_stages_to_a_fixed_point(targets_file, tmp_path):
    """A stage-1 target (the restraint response) depends on the stage-2 parameter through the
    LC's alpha2 tone, so the first pass fits stage 1 at the data-file enrichment; later passes
    hold the other stage's latest value until nothing moves by more than 1e-3 over a pass."""
    spec = tmp_path / "spec.toml"
    text = STAGED.format(targets=targets_file).replace("profiles = false", "profiles = false\nsweeps = 4")
    spec.write_text(text.replace('targets_only = ["abercrombie1988_basal_hippocampus"]',
                                 'targets_only = ["abercrombie1988_basal_hippocampus", "restraint_mpfc_1994"]'))
    r = cli("calibrate", "--spec", spec, "--out", tmp_path / "c")
    assert r.returncode == 0, r.stderr
    data = json.loads((tmp_path / "c" / "calibration.json").read_text())
    one, two = data["stages"]
    assert data["converged"] is True and 2 <= data["sweeps"] <= 4
    assert f"pass {data['sweeps']}, stage 1: held at the other stages' values: lc_autoreceptor_enrichment" in r.stdout
    # the fixed point: each stage held the other's final value (to the tolerance)
    assert one["fixed"]["lc_autoreceptor_enrichment"] == pytest.approx(two["parameters"][0]["value"], rel=1e-3)
    assert two["fixed"]["release_per_spike"] == pytest.approx(one["parameters"][0]["value"], rel=1e-3)


def test_convergence_measure_handles_new_and_zero_values():
    """A parameter calibrated to 0 (a linear box reaching 0) must be able to converge."""
    from noradsim.commands.calibrate import _largest_change

    assert _largest_change({}, {"a": 1.0}) == float("inf")
    assert _largest_change({"a": 0.0, "b": 2.0}, {"a": 0.0, "b": 2.002}) == pytest.approx(1e-3)
    assert _largest_change({"a": 0.0}, {"a": 0.5}) == 0.5


@pytest.mark.parametrize("stage, field", [
    ('parameters = ["th_vmax"]\n', "th_vmax is calibrated by an earlier stage"),
    ('parameters = ["k_mao"]\nstarts = 3\n', "stage 2: field"),
    ('targets_only = ["kehr1976_tissue_ne_cortex"]\n', "stage 2: parameters"),
    ('parameters = ["k_mao"]\nsearch_ranges = { th_vmax = [1, 2] }\n', "stage 2: search_ranges"),
])
def test_a_bad_stage_is_one_line_naming_it(tmp_path, stage, field):
    f = tmp_path / "spec.toml"
    f.write_text('schema = "noradsim-calibration-spec/1"\nparameters = ["th_vmax"]\n\n[[stage]]\n' + stage)
    r = cli("calibrate", "--spec", f, "--out", tmp_path / "c")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and field in r.stderr, r.stderr
    assert not (tmp_path / "c").exists()


def test_command_line_parameters_make_a_one_stage_run(targets_file, tmp_path):
    from argparse import Namespace

    from noradsim.commands.calibrate import build_spec

    f = tmp_path / "spec.toml"
    f.write_text(STAGED.format(targets=targets_file))
    args = Namespace(spec=str(f), parameters=None, targets_only=None, targets=None, starts=None, seed=None,
                     max_nfev=None, workers=None, no_profiles=False, drugs=[])
    assert build_spec(args)[0].all_parameters() == ["release_per_spike", "lc_autoreceptor_enrichment"]
    for option in ({"parameters": "th_vmax"}, {"targets_only": "kehr1976_tissue_ne_cortex"}):
        spec, _ = build_spec(Namespace(**{**vars(args), **option}))
        assert spec.stages == [] and len(spec.all_stages()) == 1
