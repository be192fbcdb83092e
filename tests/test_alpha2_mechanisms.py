"""Round-3 alpha2 mechanisms at terminals, each against a result of its own.

* Volume-transmission enrichment: the closed form ``1 + k/(4 pi D* r n)`` against a direct
  superposition of screened point sources on a lattice of varicosities.
* Intrinsic activity to operational efficacy: in the reference system (recombinant assay,
  the receptor's tau) a partial agonist's maximum relative to NE is its measured intrinsic
  activity (clonidine 0.32 in GTPgammaS binding, Jasper et al. 1998).
* Terminal receptor reserve: the model's presynaptic alpha2A concentration-response of
  bromoxidine (UK 14,304) in a drug-free cortex has the EC50 measured in rat cortex slices,
  4.5 nM (Trendelenburg, Limberger & Starke 1993), with the KA measured there (123 nM).
* Terminal ceiling (round 7): ``alpha2_max_inhibition`` is derived from the maximal
  inhibition of evoked [3H]NA release by a saturating alpha2 agonist in cortex slices, 96 %
  (wild-type mice, Buecheler, Hadamek & Hein 2002): the model's slice maximum must be it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import brentq

from noradsim.engine.scipy_engine import compile_rhs
from noradsim.model.alpha2 import enrichment
from noradsim.model.terminal import DrugUse, build_terminal_model, terminal_parameters
from noradsim.receptors.occupancy import get_receptor, operational_efficacy


def _lattice_enrichment(k: float, d_eff: float, r: float, n: float, shells: int = 40) -> float:
    """Time-averaged NE at distance r from one source / mean NE, by summing lattice sources.

    Sources of equal rate q on a cubic lattice of spacing a = n^(-1/3) in a medium with
    effective diffusion d_eff and first-order loss k: each contributes
    q exp(-d/L)/(4 pi d_eff d) (alpha cancels in the ratio), L = sqrt(d_eff/k).
    """
    a = n ** (-1.0 / 3.0)
    length = math.sqrt(d_eff / k)
    idx = np.arange(-shells, shells + 1)
    x, y, z = np.meshgrid(idx, idx, idx, indexing="ij")
    pos = a * np.stack([x.ravel(), y.ravel(), z.ravel()], axis=1)
    point = np.array([r, 0.0, 0.0])  # receptor on the surface of the source at the origin
    d = np.linalg.norm(pos - point, axis=1)
    field = np.sum(np.exp(-d / length) / (4 * math.pi * d_eff * d))
    mean = n / k
    return field / mean


def test_enrichment_closed_form_matches_lattice_superposition():
    k, d_eff, r, n = 0.247, 600.0 / 1.6 ** 2, 0.5, 0.001
    numeric = _lattice_enrichment(k, d_eff, r, n)
    closed = enrichment(k, 600.0, 1.6, r, n)
    assert closed == pytest.approx(1.168, abs=0.002)
    assert numeric == pytest.approx(closed, rel=0.03)


def test_enrichment_vanishes_without_clearance_gradient():
    assert enrichment(1e-9, 600.0, 1.6, 0.5, 0.001) == pytest.approx(1.0, abs=1e-9)


def _observer(model):
    _, observe, names = compile_rhs(model)
    p = [model.parameters[n].value for n in names]
    return lambda y: dict(zip(model.rule_names, observe([y[s] for s in model.species_names], p)))


def test_model_enrichment_rule_is_the_closed_form():
    model = build_terminal_model("prefrontal_cortex")
    obs = _observer(model)
    y = model.initial_state()
    v = obs(y)
    t = terminal_parameters()
    assert v["autoreceptor_enrichment"] == pytest.approx(
        enrichment(v["k_ecs_clearance"], t["ne_diffusion_free"].value, t["ecs_tortuosity"].value,
                   t["varicosity_radius"].value, t["varicosity_density"].value), rel=1e-12)
    assert 1.0 < v["autoreceptor_enrichment"] < 1.6


def _slice_bromoxidine_activation():
    """Terminal alpha2A activation by bath bromoxidine in a drug-free cortex slice (no endogenous NA)."""
    model = build_terminal_model("frontal_cortex", drugs=(DrugUse("brimonidine", ("reverse_dialysis",)),))
    _, observe, names = compile_rhs(model)
    base = {p.name: p.value for p in model.parameters}
    rules = model.rule_names

    def a2(conc: float) -> float:
        p = dict(base, probe_delivery=1.0, d_brimonidine_perfusate=conc)
        y = model.initial_state()
        y["ne_ecf"] = 0.0  # slices at 3 pulses / 100 Hz: no autoinhibition by endogenous NA
        out = observe([y[s] for s in model.species_names], [p[n] for n in names])
        return out[rules.index("a2_terminal")]

    return a2


def test_bromoxidine_ec50_at_cortical_terminals_is_the_slice_value():
    a2 = _slice_bromoxidine_activation()
    top = a2(1e7)
    ec50 = brentq(lambda c: a2(c) - top / 2, 1e-3, 1e5)
    assert ec50 == pytest.approx(4.5, rel=0.02)  # Trendelenburg et al. 1993: 4.5 nM


def test_alpha2_max_inhibition_is_derived_from_the_slice_maximum():
    """m = I_max (1 + tau_T)/tau_T from the 96 % maximum in mouse cortex slices (Buecheler et al. 2002)."""
    t = terminal_parameters()
    tau_t = t["terminal_alpha2_tau"].value
    assert t["alpha2_max_inhibition"].value == pytest.approx(0.96 * (1.0 + tau_t) / tau_t, abs=5e-5)
    assert t["alpha2_max_inhibition"].provenance.kind == "derived"
    # forward: a saturating full agonist in the slice model inhibits release (x (1 - m a2)) by 96 %
    inhibition = t["alpha2_max_inhibition"].value * _slice_bromoxidine_activation()(1e7)
    assert inhibition == pytest.approx(0.96, abs=2e-3)


@pytest.mark.parametrize("drug", ["clonidine", "guanfacine", "dexmedetomidine"])
def test_partial_agonist_maximum_in_reference_system_is_its_intrinsic_activity(drug):
    from noradsim.drugs import load_library

    tau_ref = get_receptor("alpha2A").tau.value
    ia = load_library().get(drug).efficacy("alpha2A")
    tau_drug = operational_efficacy(ia, tau_ref) * tau_ref
    relative_max = (tau_drug / (1 + tau_drug)) / (tau_ref / (1 + tau_ref))
    assert relative_max == pytest.approx(ia, rel=1e-12)
    # the terminal model's rule is the same conversion
    model = build_terminal_model(drugs=(DrugUse(drug, ("reverse_dialysis",)),))
    obs = _observer(model)
    d = "d_" + drug
    assert obs(model.initial_state())[f"{d}_epsilon_a2"] == pytest.approx(operational_efficacy(ia, tau_ref), rel=1e-12)


def test_operational_efficacy_refuses_impossible_intrinsic_activity():
    from noradsim.errors import InputError

    assert operational_efficacy(0.32, 4.0) == pytest.approx(0.32 / 3.72)
    with pytest.raises(InputError):
        operational_efficacy(1.3, 4.0)


def _slice_rate(interventions):
    from noradsim.protocols.conditions import parse_conditions
    from noradsim.protocols.timecourse import simulate_conditions

    doc = {"region": "locus_coeruleus", "preparation": "slice", "window": ["0 min", "10 min"],
           "interventions": interventions}
    ds = simulate_conditions(parse_conditions(doc, "test"), dt=60.0)
    return float(ds["lc_firing_rate"].values[-1])


def test_lc_slice_net_block_inhibits_firing_through_somatodendritic_ne():
    """Rat LC slices: bath reboxetine (0.1-10 uM) lowers the firing rate concentration-
    dependently and RX 821002 (10 uM) reverses it (Grandoso, Pineda & Ugedo 2004,
    Neuropharmacology 46:815): the NE that LC neurons release themselves reaches their
    alpha2A receptors once NET no longer clears it."""
    base = _slice_rate([])
    rates = [_slice_rate([{"drug": "reboxetine", "concentration": c, "route": "bath"}])
             for c in ("0.1 uM", "1 uM", "10 uM")]
    assert base > rates[0] > rates[1] >= rates[2]
    assert rates[2] < 0.5 * base
    reversed_ = _slice_rate([{"drug": "reboxetine", "concentration": "10 uM", "route": "bath"},
                             {"drug": "rx821002", "concentration": "10 uM", "route": "bath"}])
    assert reversed_ > 0.9 * base
