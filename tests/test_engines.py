"""The two engines and the SBML export agree; analytic solutions are reproduced."""

import math

import numpy as np
import pytest
import roadrunner

from noradsim.engine import Segment, integrate
from noradsim.engine.sbml import check_sbml, to_sbml
from noradsim.model.core import ModelBuilder
from noradsim.model.terminal import DrugUse, build_terminal_model
from noradsim.protocols.timecourse import steady_state


def _decay_model():
    b = ModelBuilder("decay")
    b.parameter("V", 0.5, "L", "any", "assumed: test")
    b.parameter("k", 0.1, "1/s", "any", "assumed: test")
    b.compartment("cell", "V")
    b.species("A", "cell", 10.0)
    b.reaction("J", "k*A*V", {"A": 1})
    return b.build()


@pytest.mark.parametrize("engine", ["roadrunner", "scipy"])
def test_first_order_clearance_is_exponential(engine):
    tr = integrate(_decay_model(), [Segment(0, 30)], dt=1.0, engine=engine)
    np.testing.assert_allclose(tr["A"], 10 * np.exp(-0.1 * tr.time), rtol=1e-6)


def _protocol(model, y0):
    d = "d_atomoxetine"
    return [Segment(0, 600), Segment(600, 4000, bumps={f"{d}_depot_ip": 5000.0}),
            Segment(4000, 6000, parameters={"k_perfusate": 30.0}), Segment(6000, 20000)]


def test_engines_agree_on_a_drug_protocol():
    model = build_terminal_model("prefrontal_cortex", drugs=(DrugUse("atomoxetine", ("ip",)),))
    model = model.with_parameters({"probe_delivery": 0.6})
    y0 = steady_state(model)
    segs = _protocol(model, y0)
    a = integrate(model, segs, y0=y0, dt=100.0, engine="roadrunner", rtol=1e-10, atol=1e-12)
    b = integrate(model, segs, y0=y0, dt=100.0, engine="scipy", rtol=1e-10, atol=1e-12)
    for name in model.species_names + model.rule_names:
        scale = max(np.max(np.abs(a[name])), 1e-9)
        err = np.max(np.abs(a[name] - b[name])) / scale
        assert err < 1e-4, (name, err)


def test_exported_sbml_is_consistent_and_plain_roadrunner_reproduces_it():
    model = build_terminal_model("hippocampus", drugs=(DrugUse("clonidine", ("iv",)),))
    sbml = to_sbml(model)
    assert check_sbml(sbml) == []
    rr = roadrunner.RoadRunner(sbml)
    rr.integrator.relative_tolerance = 1e-10
    rr.integrator.absolute_tolerance = 1e-12
    rr.timeCourseSelections = ["time", "[ne_ecf]", "[lc_rate]", "[ne_ves]"]
    plain = rr.simulate(0, 3600, 13)
    ours = integrate(model, [Segment(0, 3600)], dt=300.0, rtol=1e-10)
    for i, name in enumerate(["ne_ecf", "lc_rate", "ne_ves"], start=1):
        np.testing.assert_allclose(plain[:, i], ours[name], rtol=1e-6)


def test_one_compartment_iv_pk_is_analytic():
    model = build_terminal_model("prefrontal_cortex", drugs=(DrugUse("desipramine", ("iv",)),))
    p = model.parameters.values()
    c0 = 100.0
    y0 = steady_state(model)
    tr = integrate(model, [Segment(0, 7200, bumps={"d_desipramine_p": c0})], y0=y0, dt=600.0)
    k = p["d_desipramine_clearance"] / p["d_desipramine_volume"]
    np.testing.assert_allclose(tr["d_desipramine_p"], c0 * np.exp(-k * tr.time), rtol=1e-6)


def test_ip_absorption_is_the_bateman_function():
    model = build_terminal_model("prefrontal_cortex", drugs=(DrugUse("atomoxetine", ("ip",)),))
    p = model.parameters.values()
    dose = 1000.0
    y0 = steady_state(model)
    tr = integrate(model, [Segment(0, 14400, bumps={"d_atomoxetine_depot_ip": dose})], y0=y0, dt=600.0)
    ka, k, v = p["d_atomoxetine_ka_ip"], p["d_atomoxetine_clearance"] / p["d_atomoxetine_volume"], p["d_atomoxetine_volume"]
    t = tr.time
    expected = dose * ka / (v * (ka - k)) * (np.exp(-k * t) - np.exp(-ka * t))
    np.testing.assert_allclose(tr["d_atomoxetine_p"], expected, rtol=1e-6, atol=1e-9)


def test_brain_concentration_matches_the_analytic_pk_solution():
    """The ODE PK (depot, plasma, brain ECF) equals the closed-form convolution in noradsim.pk."""
    from noradsim.protocols.conditions import parse_conditions
    from noradsim.pk import brain_concentration
    from noradsim.protocols.timecourse import simulate_conditions

    for drug, dose, route in (("guanfacine", 0.3, "ip"), ("desipramine", 10.0, "sc"), ("clonidine", 0.01, "iv")):
        cond = parse_conditions({"interventions": [{"drug": drug, "dose": f"{dose} mg/kg", "route": route}],
                                 "window": ["0 min", "300 min"]}, "t")
        ds = simulate_conditions(cond, dt=300.0)
        t = ds["time"].values * 60.0
        after = t > 0
        np.testing.assert_allclose(ds[f"{drug}_brain"].values[after], brain_concentration(drug, dose, route, t[after]),
                                   rtol=1e-5)
