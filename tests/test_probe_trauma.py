"""Probe implantation trauma (Bungay et al. 2003): two-region tissue model of the microdialysis probe.

Checks: the delta = 0 limit is the one-region Bungay, Morrison & Dedrick (1990) formula; the
analytic two-region solution agrees with a numerical solution of the boundary-value problem;
full NET block lowers the NE extraction fraction by 15-40 % (Cosford, Vinson, Kukoyi & Justice
1996, J Neurosci Methods 68:39: local desipramine, 35 -> 26 %, i.e. -26 %).
"""

import math

import numpy as np
import pytest
from scipy.integrate import solve_bvp
from scipy.special import k0, k1

from noradsim.protocols.probe import Probe

PROBE = Probe(0.4, 1.0, 0.2)


def _bungay_one_region(k_e: float) -> tuple[float, float]:
    """Bungay, Morrison & Dedrick (1990), written out: tissue resistance and extraction fraction."""
    d_e = PROBE._p("ne_diffusivity") / PROBE._p("tortuosity") ** 2
    r = PROBE._p("probe_radius")
    z = r / math.sqrt(d_e / k_e)
    r_e = k0(z) / (2 * math.pi * PROBE.length_cm * d_e * PROBE.ecs_fraction * z * k1(z))
    r_dm = 1.0 / (2 * math.pi * r * PROBE.length_cm * PROBE._p("membrane_permeability"))
    return r_e, 1.0 - math.exp(-1.0 / (PROBE.flow_cm3_s * (r_dm + r_e)))


@pytest.mark.parametrize("k_e", [0.005, 0.05, 0.25, 1.0, 10.0, 100.0])
def test_no_layer_is_the_one_region_formula(k_e):
    theta, r_t = PROBE.two_region(k_e, 0.3 * k_e, delta=0.0)
    r_e, e_d = _bungay_one_region(k_e)
    assert theta == pytest.approx(1.0, abs=1e-10)
    assert r_t == pytest.approx(r_e, rel=1e-10)
    assert float(PROBE.extraction(k_e, 0.3 * k_e, delta=0.0)) == pytest.approx(e_d, abs=1e-10)
    assert float(PROBE.sampled_fraction(k_e, 0.3 * k_e, delta=0.0)) == pytest.approx(e_d, abs=1e-10)


def _numerical(k_e: float, k_t: float, delta: float, c_bulk: float, wall: float | None):
    """D_e (1/r)(r C')' = k (C - source): layer (k_t, no release) then intact tissue (k_e, source C_bulk).

    Each region is mapped onto s in [0, 1] (four first-order equations); the boundary conditions
    join them: C and C' continuous at r_b, the probe condition at r_p, C = C_bulk far away.
    """
    d, r_p = PROBE.d_eff(), PROBE._p("probe_radius")
    r_b = r_p + delta
    span = 40 * math.sqrt(d / k_e) + 0.05

    def rhs(s, y):
        r1, r2 = r_p + s * delta, r_b + s * span
        return np.vstack([delta * y[1], delta * (-y[1] / r1 + k_t * y[0] / d),
                          span * y[3], span * (-y[3] / r2 + k_e * (y[2] - c_bulk) / d)])

    def bc(ya, yb):
        inner = ya[1] if wall is None else ya[0] - wall
        return np.array([inner, yb[0] - ya[2], yb[1] - ya[3], yb[2] - c_bulk])

    mesh = (np.geomspace(1e-5, 1.0, 600) - 1e-5) / (1.0 - 1e-5)
    guess = np.vstack([np.full_like(mesh, c_bulk), np.zeros_like(mesh), np.full_like(mesh, c_bulk), np.zeros_like(mesh)])
    sol = solve_bvp(rhs, bc, mesh, guess, tol=1e-9, max_nodes=500000)
    assert sol.status == 0
    return sol.y[0][0], sol.y[1][0]


@pytest.mark.parametrize("k_e, k_t, delta", [(0.25, 0.03, 0.02), (1.0, 0.1, 0.02), (5.0, 0.5, 0.01), (0.5, 0.01, 0.04)])
def test_two_region_matches_numerical_solution(k_e, k_t, delta):
    theta, r_t = PROBE.two_region(k_e, k_t, delta)
    wall, _ = _numerical(k_e, k_t, delta, 1.0, None)        # no flux into the probe: open-circuit wall concentration
    assert float(theta) == pytest.approx(wall, rel=1e-4, abs=1e-8)
    _, slope = _numerical(k_e, k_t, delta, 0.0, 1.0)        # empty tissue, unit wall concentration: resistance
    flux = -slope * 2 * math.pi * PROBE._p("probe_radius") * PROBE.length_cm * PROBE.d_eff() * PROBE.ecs_fraction
    assert float(r_t) == pytest.approx(1.0 / flux, rel=1e-4)


def test_release_free_layer_samples_less_than_it_extracts():
    e_d = float(PROBE.extraction(0.25, 0.035))
    sampled = float(PROBE.sampled_fraction(0.25, 0.035))
    assert 0 < sampled < e_d


def test_net_block_lowers_extraction_as_cosford_1996():
    """Cosford et al. 1996: desipramine lowered the NE extraction fraction by 26 % (35 -> 26 %)."""
    from noradsim.protocols.conditions import parse_conditions
    from noradsim.protocols.timecourse import simulate_conditions, probe_readouts
    import json

    ds = simulate_conditions(parse_conditions({"region": "prefrontal_cortex", "baseline": ["0 min", "20 min"], "window": ["0 min", "20 min"]}, "test"))
    p = json.loads(ds.attrs["parameters"])
    ne = ds["ne_ecf"].values[:1]  # basal: no drug, full NET expression (the k_ecs_net rule written out)
    uptake = p["net_vmax"] * p["innervation"] / (p["ecs_fraction"] * (p["net_km"] + ne))
    other = p["k_comt_ecf"] + p["k_diffusion_loss"]
    probe = Probe(ds.attrs["probe_length_cm"], ds.attrs["flow_ul_min"], p["ecs_fraction"])
    before = float(probe_readouts(probe, uptake, other)[0][0])
    after = float(probe_readouts(probe, 0.0 * uptake, other)[0][0])
    change = after / before - 1.0
    print(f"E_d {before:.3f} -> {after:.3f} ({100 * change:.0f} %) with full NET block")
    assert -0.40 <= change <= -0.15


def test_trauma_thickness_is_derived_from_the_cosford_ratio():
    """microdialysis.toml trauma_thickness (derived): the delta at which removing NET uptake lowers
    E_d by 26/35 (Cosford et al. 1996) with no uptake in the layer, the model's basal PFC NET rate
    constant and the default 4 mm, 1 uL/min probe; re-solved here from the named inputs."""
    import json

    from scipy.optimize import brentq

    from noradsim.protocols.conditions import parse_conditions
    from noradsim.protocols.probe import probe_parameters
    from noradsim.protocols.timecourse import simulate_conditions

    assert probe_parameters()["trauma_uptake_fraction"].value == 0.0
    ds = simulate_conditions(parse_conditions({"region": "prefrontal_cortex", "baseline": ["0 min", "20 min"], "window": ["0 min", "20 min"]}, "test"))
    p = json.loads(ds.attrs["parameters"])
    ne = float(ds["ne_ecf"].values[0])
    uptake = p["net_vmax"] * p["innervation"] / (p["ecs_fraction"] * (p["net_km"] + ne))
    other = p["k_comt_ecf"] + p["k_diffusion_loss"]
    probe = Probe(0.4, 1.0, p["ecs_fraction"])

    def ratio(delta):
        return float(probe.extraction(other, other, delta=delta) / probe.extraction(uptake + other, other, delta=delta))

    delta = brentq(lambda d: ratio(d) - 26.0 / 35.0, 1e-5, 0.05)
    assert probe_parameters()["trauma_thickness"].value == pytest.approx(delta, abs=1e-4)  # 1 um
