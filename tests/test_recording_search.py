"""Electrode search: advancing along the track until a unit is isolated, then recording the protocol there."""

import copy

import numpy as np
import pytest

from noradsim.errors import InputError
from noradsim.lc.analysis import mean_firing_rate
from noradsim.protocols.recording import parse, record
from noradsim.protocols.recording.report import report_html

BASE = {
    "protocol": "recording",
    "state": "anesthetized:chloral_hydrate",
    "interventions": [
        {"stimulus": "footpinch", "at": "4 s", "duration": "1 s"},
        {"stimulus": "footpinch", "at": "7 s", "duration": "1 s"},
    ],
    "recording": {"electrode": ["0 um", "60 um", "30 um"], "duration": "10 s", "n_neurons": 600, "noise": "8 uV",
                  "search": {"step": "5 um", "max_travel": "60 um"}},
}


def experiment(**recording):
    e = copy.deepcopy(BASE)
    e["recording"].update(recording)
    return e


SEED = 0


@pytest.fixture(scope="module")
def searched():
    return record(parse(experiment()), seed=SEED)


def test_search_advances_until_a_single_unit(searched):
    s = searched.electrode_search
    steps = s["positions"]
    # this start lies between neurons: nothing isolates until the tip has advanced (with the
    # Carter-constant neuron of round 3 its larger AIS spikes isolate a unit at the old start,
    # 0/40/30 um, so the track starts at 0/60/30 um)
    assert steps[0]["n_single_units"] == 0 and s["found_single_unit"]
    assert all(p["n_single_units"] == 0 for p in steps[:-1]) and steps[-1]["n_single_units"] >= 1
    assert np.allclose(np.diff([p["travel_um"] for p in steps]), 5.0)
    assert s["travel_um"] == pytest.approx(5.0 * (len(steps) - 1)) and 0 < s["travel_um"] <= 60
    # ventral advance along z only
    assert np.allclose(searched.electrode, np.array([0.0, 60.0, 30.0 - s["travel_um"]]))
    assert any(u.single_unit for u in searched.units)


def test_search_signal_equals_a_fresh_recording_at_the_final_position(searched):
    # the search reuses the stored currents of one simulation: at the final position it must give
    # exactly what a recording made there from the start gives (no re-simulation, no drift)
    final = [f"{v} um" for v in searched.electrode]
    e = experiment(electrode=final)
    del e["recording"]["search"]
    fresh = record(parse(e), seed=SEED)
    np.testing.assert_array_equal(fresh.trace_uv, searched.trace_uv)
    assert [u.spike_times.size for u in fresh.units] == [u.spike_times.size for u in searched.units]
    np.testing.assert_array_equal(fresh.simulation.spike_time, searched.simulation.spike_time)


def test_summary_and_report_give_travel_and_position(searched):
    s = searched.to_dict()
    assert s["electrode_search"]["travel_um"] == searched.electrode_search["travel_um"]
    assert s["electrode_um"] == searched.electrode_search["final_um"]
    text = report_html(s, [])
    assert "Electrode search" in text and f"after {s['electrode_search']['travel_um']:g} um of travel" in text


def test_search_outside_lc_finds_nothing_and_fails_placement():
    r = record(parse(experiment(electrode=["0 um", "450 um", "0 um"],
                                search={"step": "10 um", "max_travel": "100 um"})), seed=3)
    s = r.electrode_search
    assert not s["found_single_unit"] and s["travel_um"] == pytest.approx(100.0) and len(s["positions"]) == 11
    assert not r.inside_lc and not r.placement_ok and r.n_in_reach == 0
    assert "NO single unit isolated within 100 um" in report_html(r.to_dict(), [])


@pytest.mark.parametrize("search, match", [
    ({"step": "0 um"}, "step"),
    ({"stepp": "5 um"}, "did you mean"),
    ({"step": "5 um", "max_travel": "5 s"}, "dimension"),
    ({"step": "1 um", "max_travel": "900 um"}, "at most 200 steps"),
    ("5 um", "must be a table"),
])
def test_bad_search_fields(search, match):
    with pytest.raises(InputError, match=match):
        parse(experiment(search=search))


# the BASE protocol, then iontophoretic clonidine reversed by idazoxan from barrels 50 um above the recording tip
DRUGS = [
    {"drug": "clonidine", "route": "iontophoresis", "current": "1 nA", "distance": "50 um", "at": "10 s", "duration": "14 s"},
    {"drug": "idazoxan", "route": "iontophoresis", "current": "20 nA", "distance": "50 um", "at": "17 s", "duration": "7 s"},
]


@pytest.fixture(scope="module")
def with_drugs():
    e = experiment(duration="24 s")
    e["interventions"] = e["interventions"] + DRUGS
    return record(parse(e), seed=SEED)


def test_search_runs_on_the_drug_free_baseline(with_drugs, searched):
    # the pre-drug baseline (0-10 s with both pinches) is exactly the BASE protocol: same search, same position
    s = with_drugs.electrode_search
    assert s["separate_baseline"] and s["baseline_s"] == pytest.approx(10.0)
    assert s["positions"] == searched.electrode_search["positions"]
    np.testing.assert_array_equal(with_drugs.electrode, searched.electrode)
    # no drug before 10 s: the recorded protocol's first 10 s are the search baseline's spikes
    pre = with_drugs.simulation.spike_time < 10.0 - 1e-9
    np.testing.assert_array_equal(with_drugs.simulation.spike_time[pre], searched.simulation.spike_time)
    np.testing.assert_array_equal(with_drugs.simulation.spike_neuron[pre], searched.simulation.spike_neuron)


def test_barrels_move_with_the_electrode_and_clonidine_inhibits_the_unit(with_drugs):
    final = np.asarray(with_drugs.electrode)
    start = np.array([0.0, 60.0, 30.0])
    assert with_drugs.electrode_search["travel_um"] > 0 and with_drugs.electrode_search["found_single_unit"]
    for entry in with_drugs.iontophoresis:
        tip = np.asarray(entry["tip_um"])
        assert np.linalg.norm(tip - final) == pytest.approx(50.0)  # barrels on the electrode at its FINAL position
        # not the barrels' place at the start of the track: they moved with the electrode
        assert np.linalg.norm(tip - (start + [0.0, 0.0, 50.0])) == pytest.approx(with_drugs.electrode_search["travel_um"])
    unit = next(u for u in with_drugs.units if u.single_unit)
    assert unit.precision >= 0.8  # the isolated unit is one neuron
    d = next(e["distance_um"] for e in with_drugs.iontophoresis[0]["units"] if e["unit"] == unit.unit_id)
    assert d < 50.0 + with_drugs.config.search_step + 20.0  # the unit lies near the tip, well inside the drug field
    base = mean_firing_rate(unit.spike_times, 0.0, 10.0)
    clonidine = mean_firing_rate(unit.spike_times, 13.0, 17.0)
    idazoxan = mean_firing_rate(unit.spike_times, 20.0, 24.0)
    assert base > 0.8
    assert clonidine < 0.25 * base  # alpha2A/GIRK inhibition by iontophoretic clonidine
    assert idazoxan > 0.5 * base and idazoxan > clonidine + 0.5  # reversed by idazoxan
    s = with_drugs.to_dict()
    rates = [e["rate_hz"] for e in s["units"][unit.unit_id]["rate_by_epoch"]]
    assert rates[1] < rates[0] and rates[2] > rates[1]
    assert "drug-free baseline" in report_html(s, [])


def test_isolated_unit_is_kept_by_template_matching_through_the_drugs(with_drugs):
    # the unit isolated on the drug-free baseline is followed through the protocol by template matching
    tm = with_drugs.template_match
    unit = with_drugs.units[0]
    assert tm["unit"] == 0 and unit.single_unit and unit.quality["method"] == "template match"
    assert unit.source_neuron == tm["search"]["neuron"]  # the same neuron as on the baseline
    assert unit.precision >= 0.9 and unit.recall >= 0.7  # misses: spikes distorted by near-synchronous ones
    assert tm["criteria"]["max_mahalanobis_d2"] == pytest.approx(11.3449, abs=1e-3)  # chi2(3) 0.99 quantile
    lo, hi = tm["criteria"]["amplitude_range_uv"]
    assert 0 < lo < tm["criteria"]["amplitude_mean_uv"] < hi
    # isolation metrics recomputed on the full recording
    q = unit.quality
    assert q["n_spikes"] == tm["n_matched"] == unit.spike_times.size
    assert q["isi_violations"] <= 0.01 and q["contamination"] <= 0.1 and q["l_ratio"] <= 0.05 and q["snr"] >= 5
    # the unit's rate by epoch: baseline, inhibited by iontophoretic clonidine, recovering with idazoxan
    s = with_drugs.to_dict()
    assert s["template_match"]["search"]["neuron"] == unit.source_neuron
    rates = [e["rate_hz"] for e in s["units"][0]["rate_by_epoch"]]
    assert [e["drugs"] for e in s["units"][0]["rate_by_epoch"]] == [[], ["clonidine"], ["clonidine", "idazoxan"]]
    assert rates[0] > 0.8 and rates[1] < 0.25 * rates[0] and rates[2] > rates[1] + 0.5
    # idazoxan reverses it: the last 4 s of the epoch (after the antagonist has built up) are back near baseline
    assert mean_firing_rate(unit.spike_times, 20.0, 24.0) > 0.5 * rates[0]
    text = report_html(s, [])
    assert "Template matching" in text and f"neuron {unit.source_neuron}" in text
    # the field's identification criteria apply to the kept unit
    assert set(unit.criteria) >= {"slow_rate", "regular", "broad_waveform", "pinch_excitation_inhibition"}
    assert all(unit.criteria[k]["pass"] for k in ("slow_rate", "regular", "broad_waveform"))
    assert with_drugs.placement_ok == any(u.identified for u in with_drugs.units)

