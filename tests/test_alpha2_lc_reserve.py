"""LC alpha2A receptor reserve (assumed 18.6, anchored on clonidine): checks against results of its own.

* Full and partial agonists agree: with the LC tau, clonidine (operational efficacy from its
  recombinant GTPgammaS intrinsic activity 0.32) reaches nearly the NE maximum in LC neurones,
  as measured (NE and clonidine give the same maximal K+ conductance as opioids in the same
  LC neurones: North & Williams 1985, J Physiol 364:265, abstract), while in the reference
  system the same efficacy gives 0.32.
* Ordering: LC alpha2 receptors have a larger reserve than those controlling NE utilisation at
  terminals (EEDQ, PMID 1652697): tau_LC > terminal_alpha2_tau (26.3).
* The model's LC tau rule is reserve x reference tau, and a drug's LC tau is its operational
  efficacy times it.

A derivation of the reserve from NE's uncoupled KA (15.6 uM) and its EC50 in dissociated LC
neurones (220 nM) was evaluated in round 5 and not adopted (docs/mechanisms.md).
"""

from __future__ import annotations

import pytest

from noradsim.drugs import load_library
from noradsim.engine.scipy_engine import compile_rhs
from noradsim.model.alpha2 import relative_maximum
from noradsim.model.terminal import DrugUse, build_terminal_model, terminal_parameters
from noradsim.receptors.occupancy import get_receptor, operational_efficacy


def _tau_lc() -> float:
    return terminal_parameters()["lc_alpha2_reserve"].value * get_receptor("alpha2A").tau.value


def test_model_lc_tau_rule_is_reserve_times_reference_tau():
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
