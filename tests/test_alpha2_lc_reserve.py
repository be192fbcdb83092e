"""LC alpha2A receptor reserve from a full agonist (round 5), each check against a result of its own.

* Derivation: NE activates the alpha2 K+ current of acutely dissociated rat LC neurones with
  EC50 220 nM (Arima, Kubo, Ishibashi & Akaike 1998, J Physiol); NE's uncoupled (antagonist-
  radioligand) constant at alpha2A is 15.6 uM (Mol Pharmacol alpha2A mutant study, Table 1,
  wild type). Operational model: tau_LC = KA/EC50 - 1 = 69.9, and the reserve relative to the
  reference system of receptors.toml (tau 4) is 17.48. The model's LC tau is that number.
* Full and partial agonists agree: with that tau, clonidine (operational efficacy from its
  recombinant GTPgammaS intrinsic activity 0.32) reaches nearly the NE maximum in LC neurones,
  as measured (NE and clonidine give the same maximal K+ conductance as opioids in the same
  LC neurones: North & Williams 1985, J Physiol 364:265), while in the reference system the
  same efficacy gives 0.32.
* Ordering: LC alpha2 receptors have a larger reserve than those controlling NE utilisation at
  terminals (EEDQ, PMID 1652697): tau_LC > terminal_alpha2_tau (26.3, Trendelenburg et al. 1993).
"""

from __future__ import annotations

import pytest

from noradsim.drugs import load_library
from noradsim.engine.scipy_engine import compile_rhs
from noradsim.model.alpha2 import full_agonist_tau, relative_maximum
from noradsim.model.terminal import DrugUse, build_terminal_model, terminal_parameters
from noradsim.receptors.occupancy import get_receptor, operational_efficacy

NE_EC50_LC_NEURONES_NM = 220.0  # Arima et al. 1998: 2.2 x 10^-7 M
NE_KA_UNCOUPLED_NM = 15600.0  # [3H]RX821002 competition, wild-type alpha2A: 15.6 uM


def _tau_lc() -> float:
    return terminal_parameters()["lc_alpha2_reserve"].value * get_receptor("alpha2A").tau.value


def test_lc_reserve_is_the_full_agonist_derivation():
    tau_lc = full_agonist_tau(NE_KA_UNCOUPLED_NM, NE_EC50_LC_NEURONES_NM)
    assert tau_lc == pytest.approx(69.9, abs=0.05)
    assert _tau_lc() == pytest.approx(tau_lc, rel=2e-3)
    # the operational model gives back the published EC50 with these constants
    ec50 = NE_KA_UNCOUPLED_NM / (1.0 + _tau_lc())
    assert ec50 == pytest.approx(NE_EC50_LC_NEURONES_NM, rel=2e-3)


def test_model_lc_tau_rule_is_the_derived_tau():
    model = build_terminal_model(drugs=(DrugUse("clonidine", ("iv",)),))
    _, observe, names = compile_rhs(model)
    y = model.initial_state()
    out = dict(zip(model.rule_names, observe([y[s] for s in model.species_names],
                                             [model.parameters[n].value for n in names])))
    assert out["ne_alpha2_tau_lc"] == pytest.approx(_tau_lc(), rel=1e-12)
    eps = operational_efficacy(load_library().get("clonidine").efficacy("alpha2A"), get_receptor("alpha2A").tau.value)
    assert out["d_clonidine_tau_a2_lc"] == pytest.approx(eps * _tau_lc(), rel=1e-12)


def test_clonidine_is_nearly_full_in_lc_and_partial_in_the_reference_system():
    tau_ref = get_receptor("alpha2A").tau.value
    eps = operational_efficacy(load_library().get("clonidine").efficacy("alpha2A"), tau_ref)
    assert relative_maximum(eps, tau_ref) == pytest.approx(0.32, rel=1e-9)
    # North & Williams 1985: the same maximum as NE/opioids in LC neurones (within 15 %)
    assert relative_maximum(eps, _tau_lc()) > 0.85


def test_lc_reserve_exceeds_the_terminal_reserve():
    assert _tau_lc() > terminal_parameters()["terminal_alpha2_tau"].value


def test_full_agonist_tau_refuses_non_positive_constants():
    with pytest.raises(ValueError):
        full_agonist_tau(0.0, 1.0)
