"""Clearance and metabolite rate constants derived from published rat half-lives.

Each derived entry of ``terminal.toml`` is recomputed here from the numbers its
derivation names, so that the data file cannot drift from its sources:

- LC clearance, two routes (``k_lc_net``, ``k_lc_other``): electrically evoked NA in rat
  LC slices is removed with t1/2 2.93 s, and desipramine 50 nM lengthens the half-life by
  314 % (Palij & Stamford 1994, Brain Res 634:275). The model removes LC extracellular NE
  at ``k_lc_net / (1 + C / Ki) + k_lc_other`` (competitive NET inhibitor), with the
  desipramine rat NET Ki of the drug library.
- Normetanephrine deamination (``k_nmn_mao``): intracisternal [3H]NMN leaves rat brain
  with t1/2 12 min, 2.4 h after MAO inhibition (Schanberg, Schildkraut, Breese & Kopin
  1968, Biochem Pharmacol 17:247).
"""

from __future__ import annotations

import math

import pytest

from noradsim.calibration.overlay import section_records
from noradsim.drugs import load_library

LN2 = math.log(2.0)
T_HALF_CONTROL = 2.93  # s, Palij & Stamford 1994
DMI_PROLONGATION = 3.14  # "uptake half-life (by 314%)"
DMI_NM = 50.0  # desipramine 0.05 uM


def _terminal():
    return section_records("terminal.toml", "parameters")


def _lc_routes(ki: float) -> tuple[float, float]:
    k_total = LN2 / T_HALF_CONTROL
    k_dmi = LN2 / (T_HALF_CONTROL * (1.0 + DMI_PROLONGATION))
    blocked = 1.0 - 1.0 / (1.0 + DMI_NM / ki)
    k_net = (k_total - k_dmi) / blocked
    return k_net, k_total - k_net


def test_lc_clearance_routes_solve_the_two_slice_half_lives():
    ki = load_library().get("desipramine").ki("NET")
    assert ki == pytest.approx(7.36)  # rat, measured
    k_net, k_other = _lc_routes(ki)
    p = _terminal()
    assert p["k_lc_net"].value == pytest.approx(k_net, rel=2e-3)
    assert p["k_lc_other"].value == pytest.approx(k_other, rel=5e-3)
    assert p["k_lc_net"].provenance.kind == p["k_lc_other"].provenance.kind == "derived"


def test_model_lc_half_lives_are_the_published_ones():
    """Forward check with the stored values: 2.93 s without drug, 12.1 s with 50 nM DMI."""
    p, ki = _terminal(), load_library().get("desipramine").ki("NET")
    k_net, k_other = p["k_lc_net"].value, p["k_lc_other"].value
    assert LN2 / (k_net + k_other) == pytest.approx(T_HALF_CONTROL, rel=2e-3)
    with_dmi = LN2 / (k_net / (1.0 + DMI_NM / ki) + k_other)
    assert with_dmi == pytest.approx(T_HALF_CONTROL * (1.0 + DMI_PROLONGATION), rel=5e-3)


def test_normetanephrine_deamination_is_the_mao_dependent_part_of_its_loss():
    k = LN2 / (12 * 60.0) - LN2 / (2.4 * 3600.0)
    p = _terminal()["k_nmn_mao"]
    assert p.value == pytest.approx(k, rel=5e-3)
    assert p.provenance.kind == "derived" and "Schanberg" in p.provenance.derivation
