"""Regional NE sources: the hypothalamus gets most NE from medullary A1/A2 (model/sources.py)."""

import math

import numpy as np
import pytest

from noradsim.engine import Segment, integrate
from noradsim.model.terminal import build_terminal_model, region_table
from noradsim.protocols.timecourse import medullary_drives, steady_state


def test_lc_shares_follow_the_bundle_lesions():
    """Dorsal-bundle lesions deplete > 90 % of cortical and hippocampal NE; ventral-bundle
    lesions about 70 % of hypothalamic NE (Robbins & Everitt, ACNP 4th Generation, fig. 1)."""
    t = region_table()
    assert t["hypothalamus"]["lc_share"].value == pytest.approx(1 - 0.7)
    for r in ("prefrontal_cortex", "frontal_cortex", "hippocampus", "occipital_cortex"):
        assert t[r]["lc_share"].value >= 0.9


def test_medullary_drive_relaxes_exponentially_and_mixes_into_the_terminal_rate():
    """stress_medullary(t) = m (1 - exp(-t / tau)) and terminal rate = s LC + (1 - s) A1/A2."""
    model = build_terminal_model("hypothalamus")
    p = model.parameters.values()
    y0 = steady_state(model)
    m = medullary_drives()["restraint"].value
    tau = p["tau_stress_on"]
    tr = integrate(model, [Segment(0.0, 3 * tau, {"medullary_drive": m})], y0=y0, dt=tau / 4, engine="scipy")
    t = tr.time
    expected = m * (1 - np.exp(-t / tau))
    assert np.allclose(tr.values["stress_medullary"], expected, rtol=1e-4, atol=1e-7)
    s = p["lc_share"]
    mixed = s * tr.values["lc_rate"] + (1 - s) * p["medullary_rate_basal"] * (1 + expected)
    assert np.allclose(tr.values["terminal_rate"], mixed, rtol=1e-4)


def test_cortex_terminals_follow_the_lc_only():
    model = build_terminal_model("prefrontal_cortex")
    y0 = steady_state(model)
    tr = integrate(model, [Segment(0.0, 600.0, {"medullary_drive": 1.0})], y0=y0, dt=60.0, engine="scipy")
    assert np.allclose(tr.values["terminal_rate"], tr.values["lc_rate"], rtol=1e-9)
    assert not math.isnan(float(tr.values["stress_medullary"][-1]))


def _peak_hypothalamic_ne(stimulus: str) -> float:
    from noradsim.protocols.conditions import parse_conditions
    from noradsim.protocols.timecourse import simulate_conditions

    cond = parse_conditions({"region": "hypothalamus", "window": ["0 min", "60 min"],
                             "interventions": [{"stimulus": stimulus, "duration": "20 min"}]}, "t")
    ne = simulate_conditions(cond, dt=60.0)["ne_ecf"]
    return float(ne.sel(time=slice(0, 60)).max() / ne.sel(time=-10))


def test_tail_pinch_raises_hypothalamic_ne_more_than_restraint():
    """PVN microdialysis: tail pinch raises NA release more than manual restraint (abstract of 'The
    response pattern of noradrenaline release to repeated stress in the hypothalamic paraventricular
    nucleus differs according to the form of stress in rats'), although the LC responds less to it."""
    assert _peak_hypothalamic_ne("tail_pinch") > _peak_hypothalamic_ne("restraint") > 1.0
