"""Mass balance, non-negativity, steady state and analytic limits of the terminal model."""

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from noradsim.engine import Segment, integrate
from noradsim.protocols.conditions import parse_conditions
from noradsim.model.terminal import REGIONS, DrugUse, build_terminal_model
from noradsim.protocols.timecourse import _rate, simulate_conditions, steady_state

CATECHOLS = {"dopa": 1, "da_cyt": 1, "da_ves": 1, "ne_ves": 1, "ne_rrp": 1, "ne_cyt": 1, "ne_ecf": "ecs_fraction"}
SOURCES = {"th": 1.0}
SINKS = {"mao_da", "mao_ne", "comt_ecf", "diffusion_loss"}


def _size(model, w):
    return model.parameters[w].value if isinstance(w, str) else float(w)


def test_catecholamine_chain_structure_conserves_mass():
    """Weighted by compartment size, every reaction moves catechol mass except TH (in) and the losses (out)."""
    model = build_terminal_model("prefrontal_cortex")
    for rx in model.reactions:
        net = sum(c * _size(model, CATECHOLS[s]) / _size(model, CATECHOLS[s]) for s, c in rx.products.items() if s in CATECHOLS)
        net -= sum(c for s, c in rx.reactants.items() if s in CATECHOLS)
        expected = 1.0 if rx.name in SOURCES else (-1.0 if rx.name in SINKS else 0.0)
        assert net == pytest.approx(expected), rx.name


def test_mass_balance_along_a_trajectory():
    """Change of total catechol amount equals the integral of synthesis minus losses."""
    model = build_terminal_model("hippocampus", drugs=(DrugUse("atomoxetine", ("ip",)),))
    y0 = steady_state(model)
    tr = integrate(model, [Segment(0, 7200, bumps={"d_atomoxetine_depot_ip": 20000.0})], y0=y0, dt=10.0, rtol=1e-10)
    alpha = model.parameters["ecs_fraction"].value
    total = sum(tr[s] * (alpha if s == "ne_ecf" else 1.0) for s in CATECHOLS)
    flux = _rate(tr.values, model, "th") - sum(_rate(tr.values, model, r) for r in SINKS)
    integral = np.concatenate([[0.0], np.cumsum(np.diff(tr.time) * 0.5 * (flux[1:] + flux[:-1]))])
    np.testing.assert_allclose(total - total[0], integral, atol=1e-5 * total[0], rtol=1e-3)


@pytest.mark.parametrize("region", REGIONS)
def test_baseline_is_a_steady_state_and_synthesis_equals_losses(region):
    model = build_terminal_model(region)
    y0 = steady_state(model)
    tr = integrate(model, [Segment(0, 86400)], y0=y0, dt=43200.0)
    for s in model.species_names:
        assert tr[s][-1] == pytest.approx(y0[s], rel=1e-5, abs=1e-9), s
    th = _rate(tr.values, model, "th")[-1]
    losses = sum(_rate(tr.values, model, r)[-1] for r in SINKS)
    assert th == pytest.approx(losses, rel=1e-5)


def test_net_uptake_is_michaelis_menten_with_competitive_inhibition():
    model = build_terminal_model("prefrontal_cortex", drugs=(DrugUse("desipramine", ("ip",)),))
    p = model.parameters.values()
    ne = np.array([1.0, 100.0, 420.0, 5000.0])
    values = {"ne_ecf": ne, "net_factor": 1 + 7.36 / p["d_desipramine_ki_net"] + 0 * ne,
              "net_expression": 1 + 0 * ne}  # acute: no NET down-regulation yet
    v = _rate(values, model, "net_uptake")
    km_app = p["net_km"] * (1 + 7.36 / p["d_desipramine_ki_net"])
    np.testing.assert_allclose(v, p["net_vmax"] * p["innervation"] * ne / (km_app + ne))
    # at Km and without inhibitor the rate is half maximal
    half = _rate({"ne_ecf": np.array([p["net_km"]]), "net_factor": np.array([1.0]), "net_expression": np.array([1.0])},
                 model, "net_uptake")
    assert half[0] == pytest.approx(0.5 * p["net_vmax"] * p["innervation"])


@settings(max_examples=6, deadline=None)
@given(dose=st.floats(0.01, 100.0), drug=st.sampled_from(["atomoxetine", "clonidine", "yohimbine", "pargyline", "reserpine"]))
def test_non_negative_under_any_dose(dose, drug):
    cond = parse_conditions({"interventions": [{"drug": drug, "dose": f"{dose} mg/kg", "route": "ip"}],
                             "window": ["0 min", "360 min"]}, "test")
    ds = simulate_conditions(cond, dt=300.0)
    for name, var in ds.data_vars.items():
        assert np.all(var.values >= -1e-9), name


def test_regions_differ_where_the_literature_says():
    tissue = {}
    for region in ("frontal_cortex", "occipital_cortex", "hypothalamus"):
        cond = parse_conditions({"region": region, "window": ["0 min", "20 min"]}, "test")
        tissue[region] = float(simulate_conditions(cond, dt=600.0)["tissue_ne"].values[-1])
    assert tissue["occipital_cortex"] < tissue["frontal_cortex"] < tissue["hypothalamus"]
    assert 3 <= tissue["hypothalamus"] / tissue["frontal_cortex"] <= 20  # Palkovits et al. 1974


def test_ttx_and_calcium_free_stop_impulse_release_and_potassium_evokes_it():
    def peak(iv, stat):
        cond = parse_conditions({"region": "frontal_cortex", "interventions": [iv], "window": ["0 min", "60 min"]}, "t")
        ds = simulate_conditions(cond, dt=60.0)
        base = float(ds["ne_ecf"].sel(time=-10))
        return stat(ds["ne_ecf"].sel(time=slice(0, 60)).values) / base

    assert peak({"perfusate": "tetrodotoxin", "concentration": "1 uM", "duration": "60 min"}, np.min) < 0.2
    assert peak({"perfusate": "calcium_free", "duration": "60 min"}, np.min) < 0.3
    assert peak({"perfusate": "potassium", "concentration": "60 mM", "duration": "20 min"}, np.max) > 1.3


def test_lc_rate_orders_states_and_stress_raises_it():
    rates = {}
    for state in ("rem", "sws", "quiet_wake", "awake", "active_wake"):
        cond = parse_conditions({"state": state, "window": ["0 min", "10 min"]}, "t")
        rates[state] = float(simulate_conditions(cond, dt=300.0)["lc_firing_rate"].values[-1])
    assert rates["rem"] < rates["sws"] < rates["quiet_wake"] < rates["awake"] < rates["active_wake"]
    cond = parse_conditions({"interventions": [{"stimulus": "restraint", "duration": "30 min"}]}, "t")
    ds = simulate_conditions(cond, dt=60.0)
    assert float(ds["lc_firing_rate"].sel(time=20)) > 1.3 * rates["awake"]


def test_reverse_dialysis_acts_locally_and_minipump_reaches_a_plateau():
    cond = parse_conditions({"region": "frontal_cortex", "window": ["0 min", "120 min"], "interventions": [
        {"drug": "desipramine", "concentration": "1 uM", "route": "reverse_dialysis", "duration": "120 min"}]}, "t")
    ds = simulate_conditions(cond, dt=60.0)
    assert float(ds["ne_ecf"].sel(time=100)) > 3 * float(ds["ne_ecf"].sel(time=-10))
    assert float(ds["lc_firing_rate"].sel(time=100)) == pytest.approx(float(ds["lc_firing_rate"].sel(time=-10)), rel=1e-3)
    cond = parse_conditions({"window": ["0 min", "7 d"], "interventions": [
        {"drug": "reboxetine", "dose": "10 mg/kg/day", "route": "sc_minipump", "duration": "14 d"}]}, "t")
    ds = simulate_conditions(cond, dt=3600.0)
    brain = ds["reboxetine_brain"]
    assert float(brain.sel(time=6 * 1440)) == pytest.approx(float(brain.sel(time=7 * 1440)), rel=1e-3)
    assert float(ds["net_occupancy"].sel(time=7 * 1440)) > 0.5
