"""Electrode search: advancing along the track until a unit is isolated, from one simulated population."""

import copy

import numpy as np
import pytest

from noradsim.errors import InputError
from noradsim.lc.protocol import _report_html, parse_experiment, record, summarize

BASE = {
    "protocol": "recording",
    "state": "anesthetized:chloral_hydrate",
    "interventions": [
        {"stimulus": "footpinch", "at": "4 s", "duration": "1 s"},
        {"stimulus": "footpinch", "at": "7 s", "duration": "1 s"},
    ],
    "recording": {"electrode": ["0 um", "40 um", "30 um"], "duration": "10 s", "n_neurons": 600, "noise": "8 uV",
                  "search": {"step": "5 um", "max_travel": "60 um"}},
}


def experiment(**recording):
    e = copy.deepcopy(BASE)
    e["recording"].update(recording)
    return e


@pytest.fixture(scope="module")
def searched():
    return record(parse_experiment(experiment()), seed=3)


def test_search_advances_until_a_single_unit(searched):
    s = searched.extra["search"]
    steps = s["positions"]
    # this start lies between neurons: nothing isolates until the tip has advanced
    assert steps[0]["n_single_units"] == 0 and s["found_single_unit"]
    assert all(p["n_single_units"] == 0 for p in steps[:-1]) and steps[-1]["n_single_units"] >= 1
    assert np.allclose(np.diff([p["travel_um"] for p in steps]), 5.0)
    assert s["travel_um"] == pytest.approx(5.0 * (len(steps) - 1)) and 0 < s["travel_um"] <= 60
    # ventral advance along z only
    assert np.allclose(searched.extra["electrode"], np.array([0.0, 40.0, 30.0 - s["travel_um"]]))
    assert any(u.single_unit for u in searched.units)


def test_search_signal_equals_a_fresh_recording_at_the_final_position(searched):
    # the search reuses the stored currents of one simulation: at the final position it must give
    # exactly what a recording made there from the start gives (no re-simulation, no drift)
    final = [f"{v} um" for v in searched.extra["electrode"]]
    e = experiment(electrode=final)
    del e["recording"]["search"]
    fresh = record(parse_experiment(e), seed=3)
    np.testing.assert_array_equal(fresh.trace_uv, searched.trace_uv)
    assert [u.spike_times.size for u in fresh.units] == [u.spike_times.size for u in searched.units]
    np.testing.assert_array_equal(fresh.simulation.spike_time, searched.simulation.spike_time)


def test_summary_and_report_give_travel_and_position(searched):
    s = summarize(searched)
    assert s["electrode_search"]["travel_um"] == searched.extra["search"]["travel_um"]
    assert s["electrode_um"] == searched.extra["search"]["final_um"]
    text = _report_html(s, [])
    assert "Electrode search" in text and f"after {s['electrode_search']['travel_um']:g} um of travel" in text


def test_search_outside_lc_finds_nothing_and_fails_placement():
    r = record(parse_experiment(experiment(electrode=["0 um", "450 um", "0 um"],
                                           search={"step": "10 um", "max_travel": "100 um"})), seed=3)
    s = r.extra["search"]
    assert not s["found_single_unit"] and s["travel_um"] == pytest.approx(100.0) and len(s["positions"]) == 11
    assert not r.inside_lc and not r.placement_ok and r.n_in_reach == 0
    assert "NO single unit isolated within 100 um" in _report_html(summarize(r), [])


@pytest.mark.parametrize("search, match", [
    ({"step": "0 um"}, "step"),
    ({"stepp": "5 um"}, "did you mean"),
    ({"step": "5 um", "max_travel": "5 s"}, "dimension"),
    ({"step": "1 um", "max_travel": "900 um"}, "at most 200 steps"),
    ("5 um", "must be a table"),
])
def test_bad_search_fields(search, match):
    with pytest.raises(InputError, match=match):
        parse_experiment(experiment(search=search))
