"""Virtual extracellular recording: targets, identification, placement, NWB, bad input."""

import copy

import numpy as np
import pytest

from noradsim.errors import InputError
from noradsim.protocols.recording import parse, record, run
from noradsim.protocols.recording.nwb import validate_nwb
from noradsim.protocols.recording.targets import lc_target

PINCH = [{"stimulus": "footpinch", "duration": "1 s"}]

BASE = {
    "protocol": "recording",
    "species": "rat",
    "region": "locus_coeruleus",
    "state": "anesthetized:chloral_hydrate",
    "interventions": [
        {"stimulus": "footpinch", "at": "4 s", "duration": "1 s"},
        {"stimulus": "footpinch", "at": "7 s", "duration": "1 s"},
    ],
    "recording": {"electrode": ["0 um", "0 um", "0 um"], "duration": "10 s", "n_neurons": 600, "noise": "8 uV"},
}


def experiment(**recording):
    e = copy.deepcopy(BASE)
    e["recording"].update(recording)
    return e


def test_burst_latency_within_foote_1980():
    value, why = lc_target("lc_phasic_response", "latency", "anesthetized:halothane", PINCH, "rat")
    assert 15 <= value <= 60
    assert "latency" in why


def test_post_activation_inhibition_duration():
    value, why = lc_target("lc_phasic_response", "inhibition_duration", "anesthetized:halothane", PINCH, "rat")
    assert 150 <= value <= 1000
    assert "alpha2A" in why


def test_spike_width_is_broad():
    value, _ = lc_target("lc_spike_width", "width", "", [], "rat")
    assert 1.5 <= value <= 3.5


def test_lc_target_bad_input():
    with pytest.raises(InputError, match="statistic"):
        lc_target("lc_phasic_response", "peak", "awake", PINCH, "rat")
    with pytest.raises(InputError, match="stimulus"):
        lc_target("lc_phasic_response", "latency", "awake", [], "rat")
    with pytest.raises(InputError, match="did you mean"):
        lc_target("lc_phasic_response", "latency", "awake", [{"stimulus": "footpinchh"}], "rat")


@pytest.fixture(scope="module")
def inside():
    return record(parse(experiment()), seed=3)


def test_units_inside_lc_are_identified(inside):
    singles = [u for u in inside.units if u.single_unit]
    multi = [u for u in inside.units if not u.single_unit]
    assert inside.inside_lc and 1 <= len(singles) <= 3 and len(multi) <= 1
    assert inside.placement_ok
    best = singles[0]
    assert best.identified
    assert best.precision >= 0.9  # an isolated unit is one simulated neuron
    assert best.quality["isi_violations"] <= 0.01 and best.quality["l_ratio"] <= 0.05
    assert best.criteria["broad_waveform"]["value"] > 1.5
    for u in multi:  # multi-unit activity is excluded from identification
        assert not u.identified and u.criteria == {}


def test_summary_reports_isolation_and_ground_truth(inside):
    s = inside.to_dict()
    u0 = s["units"][0]
    assert set(u0["isolation"]) >= {"snr", "isi_violations", "l_ratio", "isolation_distance", "amplitude_cutoff"}
    assert set(u0["ground_truth"]) == {"neuron", "precision", "recall"}
    assert sum(c["n_spikes"] for c in s["sorting"]["clusters"]) == sum(u["n_spikes"] for u in s["units"])


def test_electrode_outside_lc_fails_identification():
    r = record(parse(experiment(electrode=["0 um", "450 um", "0 um"])), seed=3)
    assert not r.inside_lc
    assert not r.placement_ok
    assert r.n_in_reach == 0


def test_same_seed_same_recording(inside):
    again = record(parse(experiment()), seed=3)
    assert np.array_equal(inside.trace_uv, again.trace_uv)


def test_run_recording_writes_valid_nwb(tmp_path):
    short = experiment(duration="6 s", n_neurons=300)
    short["interventions"] = short["interventions"][:1]  # the second pinch (7 s) would lie outside 6 s
    result = run(parse(short), seed=1)
    result.write(tmp_path)
    summary = result.to_dict()
    assert (tmp_path / "recording.nwb").is_file() and (tmp_path / "report.html").is_file()
    for name in ("raster.png", "psth.png", "isi.png", "waveforms.png", "rate.png"):
        assert (tmp_path / name).stat().st_size > 1000
    assert validate_nwb(tmp_path / "recording.nwb") == []
    assert summary["placement_check"] in ("pass", "fail")
    assert all((tmp_path / name).is_file() for name in summary["files"])


@pytest.mark.parametrize("change, match", [
    ({"electrode": ["0 um", "9 mm", "0 um"]}, "outside the tissue"),
    ({"electrode": ["0 um", "0 um"]}, "electrode"),
    ({"dt": "0.5 ms"}, "dt"),
    ({"filter": ["300 Hz", "15000 Hz"]}, "Nyquist"),
    ({"n_units": 5}, "n_units"),
    ({"n_neurons": -10}, "n_neurons"),
    ({"duration": "3 mg"}, "dimension"),
    ({"threshhold": 4}, "did you mean"),
])
def test_bad_recording_fields(change, match):
    with pytest.raises(InputError, match=match):
        e = experiment(**change)
        record(parse(e), seed=0)


def test_unknown_stimulus_and_state():
    e = experiment()
    e["interventions"] = [{"stimulus": "foot_pinch", "at": "1 s"}]
    with pytest.raises(InputError, match="did you mean 'footpinch'"):
        parse(e)
    e = experiment()
    e["state"] = "anesthetised:urethane"
    with pytest.raises(InputError, match="state"):
        parse(e)


def test_cli_bad_electrode_exits_2_and_writes_nothing(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    text = Path(__file__).resolve().parents[1].joinpath("examples", "lc_footpinch_recording.toml").read_text()
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('electrode = ["0 um", "20 um", "0 um"]', 'electrode = ["0 um", "20 mm", "0 um"]'))
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "noradsim.cli", "run", str(bad), "--out", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "outside the tissue" in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists()


def test_pinch_criterion_falls_back_to_multi_unit_activity_only_when_it_shows_the_response():
    """LC units burst together after a pinch; the field reads the multi-unit burst-pause at the electrode."""
    import numpy as np

    from noradsim.protocols.recording.identification import SortedUnit, identify

    unit_spikes = np.array([0.5, 1.0, 1.5, 2.0, 2.5, 3.4, 3.9])  # the unit's evoked spikes were lost to overlaps
    unit = SortedUnit(0, unit_spikes, np.zeros(40), np.zeros(40), None, None, single_unit=True)
    pinch = [3.0]
    mua_ok = np.sort(np.concatenate([unit_spikes, [3.021, 3.03, 3.04]]))  # burst at 21 ms, then 350 ms silence
    out = identify(unit, 20000.0, t_baseline=(0.0, 3.0), pinch_times=pinch, mua_times=mua_ok)
    assert out["pinch_excitation_inhibition"]["pass"]
    assert out["pinch_excitation_inhibition"]["evaluated_on"].startswith("multi-unit")
    mua_flat = np.arange(0.0, 5.0, 0.08)  # tonic multi-unit firing with no pause: not the LC response
    out = identify(unit, 20000.0, t_baseline=(0.0, 3.0), pinch_times=pinch, mua_times=mua_flat)
    assert not out["pinch_excitation_inhibition"]["pass"]
