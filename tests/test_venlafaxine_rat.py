"""Venlafaxine in the rat: the library's acute PK against the chronic rat serum and brain data.

Wikell et al. 2002 (Chirality 14:347) measured S- plus R-venlafaxine in serum and cortex of
control rats after 14 days at 10 mg/kg/day; the same group's chronic design gives that dose by
implanted s.c. osmotic minipumps (Eur Neuropsychopharmacol 2002;12:327). At steady state of a
constant infusion C_ss = F R0 / CL, so the serum median fixes the chronic clearance CL_ss / F_sc.
Howell et al. 1994 (Xenobiotica 24:315) report that rat exposure falls on repeated dosing, so the
acute clearance of the library (derived from the oral F) must not exceed it.
"""

from __future__ import annotations

import numpy as np
import pytest

from noradsim.drugs import load_library
from noradsim.protocols.conditions import parse_conditions
from noradsim.protocols.timecourse import simulate_conditions

WIKELL_2002_SERUM_NM = 97 + 66  # median S + R venlafaxine, control rats, 14 days 10 mg/kg/day
WIKELL_2002_CORTEX_NM = 357 + 318
DOSE_RATE_MG_KG_DAY = 10.0
VENLAFAXINE_BASE_G_MOL = 277.4  # C17H27NO2
VENLAFAXINE_HCL_G_MOL = 313.9  # hydrochloride: the abstracts do not say whether the dose is salt or base


def chronic_clearance(molar_mass: float) -> float:
    """CL_ss / F_sc = R0 / C_ss (L/h/kg) from the minipump dose rate and the serum median."""
    rate_nmol_h = DOSE_RATE_MG_KG_DAY / molar_mass * 1e6 / 24.0
    return rate_nmol_h / WIKELL_2002_SERUM_NM


@pytest.fixture(scope="module")
def minipump():
    cond = parse_conditions({"region": "frontal_cortex", "window": ["0 min", "2 day"],
                             "interventions": [{"drug": "venlafaxine", "dose": "10 mg/kg/day", "route": "sc_minipump",
                                                "at": "0 min", "duration": "14 day"}]}, "test")
    return simulate_conditions(cond, dt=600.0)


def test_chronic_rat_clearance_exceeds_the_acute_library_value():
    """R0 / C_ss = 8.1 (salt) to 9.2 (base) L/h/kg after 14 days; the acute CL (5.47) is below both."""
    pk = load_library().get("venlafaxine").pk
    low, high = chronic_clearance(VENLAFAXINE_HCL_G_MOL), chronic_clearance(VENLAFAXINE_BASE_G_MOL)
    assert low == pytest.approx(8.14, abs=0.01) and high == pytest.approx(9.21, abs=0.01)
    assert pk.clearance.value < low  # exposure falls on repeated dosing in the rat (Howell et al. 1994)
    assert pk.clearance.value > pk.volume.value * np.log(2) / 2.0  # t1/2 under 2 h ("around 1 h" in rodents)


def test_minipump_steady_state_is_the_infusion_balance(minipump):
    """The engine's plasma plateau of a constant s.c. infusion is F R0 / CL (mg dose taken as base)."""
    pk = load_library().get("venlafaxine").pk
    f_sc = pk.routes["sc"].bioavailability.value  # a minipump uses the s.c. route's F (noradsim.pk)
    expected = f_sc * DOSE_RATE_MG_KG_DAY / VENLAFAXINE_BASE_G_MOL * 1e6 / 24.0 / pk.clearance.value
    plateau = float(minipump["venlafaxine_plasma"].values[-1])
    assert plateau == pytest.approx(expected, rel=0.01)


def test_acute_pk_overpredicts_the_chronic_rat_levels_by_less_than_threefold(minipump):
    """Serum and cortex after 14 days lie below the acute-CL plateau (auto-induction), within a factor 3."""
    plasma = float(minipump["venlafaxine_plasma"].values[-1])
    brain_total_nm = float(minipump["venlafaxine_brain_total"].values[-1]) / VENLAFAXINE_BASE_G_MOL * 1e3  # ng/g -> nM
    for measured, simulated in ((WIKELL_2002_SERUM_NM, plasma), (WIKELL_2002_CORTEX_NM, brain_total_nm)):
        assert measured < simulated < 3 * measured
    # consistency only: kp_brain is derived from this same Wikell ratio, so this line cannot test the PK
    assert brain_total_nm / plasma == pytest.approx(WIKELL_2002_CORTEX_NM / WIKELL_2002_SERUM_NM, rel=0.02)
