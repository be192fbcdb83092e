"""Rat PK derived in round 7 (issue 8): recomputed from the inputs their derivations name.

- Simple allometry, a cross-species derivation used only where no rat value was found:
  per kilogram, CL_rat = CL_human x (70 / 0.25)^(1 - 0.75) and V_rat = V_human (exponent
  1.0), with the human intravenous values of Human_PK_data.csv of PKSmart (the Lombardo et
  al. 2018 compilation): clonidine, guanfacine (clearance; its volume is the measured human
  one), yohimbine, reboxetine (volume).
- Reboxetine clearance from the rat oral bioavailability (0.05, Musther et al. 2014 as
  tabulated in httk) by the well-stirred liver, as for venlafaxine: CL = (1 - F_po) Q_H, and
  the i.p. dose meets the same extraction: F_ip = 1 - CL / Q_H.
"""

from __future__ import annotations

import math

import pytest

from noradsim.drugs import load_library

BW_HUMAN, BW_RAT = 70.0, 0.25  # kg, the standard body weights of the derivations
ML_MIN_KG_TO_L_H_KG = 60.0 / 1000.0
RAT_LIVER_BLOOD_FLOW = 104.3 * ML_MIN_KG_TO_L_H_KG  # L/h/kg, Pharmacol Res Perspect 2021;9:e00731
REBOXETINE_RAT_F_PO = 0.05  # Musther et al. 2014 (httk chem.physical_and_invitro.data, Rat.Foral)
# Human_PK_data.csv of PKSmart, matched by structure: CL mL/min/kg, VDss L/kg
HUMAN_IV = {
    "clonidine": (4.0, 3.3),
    "guanfacine": (4.5, 5.6),
    "yohimbine": (14.6, 0.48),
    "reboxetine": (0.82, 0.65),
}
ALLOMETRIC_CLEARANCE = ("clonidine", "guanfacine", "yohimbine")
ALLOMETRIC_VOLUME = ("clonidine", "yohimbine", "reboxetine")


@pytest.fixture(scope="module")
def library():
    return load_library()


def allometric_clearance(cl_human_ml_min_kg: float) -> float:
    """Per-kg rat clearance (L/h/kg) from a per-kg human one, exponent 0.75 on body weight."""
    return cl_human_ml_min_kg * (BW_HUMAN / BW_RAT) ** (1 - 0.75) * ML_MIN_KG_TO_L_H_KG


def test_allometric_factor_is_the_one_written():
    assert (BW_HUMAN / BW_RAT) ** 0.25 == pytest.approx(4.09, abs=0.005)


@pytest.mark.parametrize("name", ALLOMETRIC_CLEARANCE)
def test_allometric_clearance_follows_from_the_human_value(library, name):
    cl = library.get(name).pk.clearance
    assert cl.value == pytest.approx(allometric_clearance(HUMAN_IV[name][0]), rel=0.005)
    assert cl.kind == "derived" and cl.species == "rat"
    assert "cross-species derivation (last resort)" in cl.provenance.note
    assert "last resort" in cl.provenance.derivation


@pytest.mark.parametrize("name", ALLOMETRIC_VOLUME)
def test_allometric_volume_is_the_human_volume_per_kg(library, name):
    v = library.get(name).pk.volume
    assert v.value == pytest.approx(HUMAN_IV[name][1], rel=1e-6)
    # a human volume per kg is the human measurement itself: stored as measured, species human
    assert v.kind == "measured" and v.species == "human" and "cross-species (last resort)" in v.provenance.note


def test_guanfacine_keeps_the_measured_human_volume(library):
    v = library.get("guanfacine").pk.volume
    assert v.kind == "measured" and v.species == "human" and v.value == pytest.approx(6.0)


def test_reboxetine_clearance_is_the_rat_first_pass(library):
    pk = library.get("reboxetine").pk
    po = pk.routes["po"].bioavailability
    assert po.value == pytest.approx(REBOXETINE_RAT_F_PO) and po.kind == "measured" and po.species == "rat"
    assert pk.clearance.value == pytest.approx((1 - REBOXETINE_RAT_F_PO) * RAT_LIVER_BLOOD_FLOW, rel=0.005)
    f_ip = pk.routes["ip"].bioavailability
    assert f_ip.kind == "derived"
    assert f_ip.value == pytest.approx(1 - pk.clearance.value / RAT_LIVER_BLOOD_FLOW, rel=0.02)


# human fu (reboxetine: Edwards et al. 1995; duloxetine: PKSmart Human_PK_data.csv) and the rat/human fu ratio of
# PKSmart Animal_PK_data.csv for compounds with human fu < 0.1: median 2.2, interquartile range 1.2-4.4
HUMAN_FU = {"reboxetine": 0.0295, "duloxetine": 0.04}
RAT_OVER_HUMAN_FU_IQR = (1.2, 4.4)


@pytest.mark.parametrize("name", sorted(HUMAN_FU))
def test_assumed_rat_fu_lies_in_the_cross_species_spread(library, name):
    """The human value is not taken for rat (rat fu is a median 2.2-fold higher); the assumption lies in the IQR."""
    v = library.get(name).pk.fu_plasma
    assert v.kind == "assumed"
    ratio = v.value / HUMAN_FU[name]
    assert RAT_OVER_HUMAN_FU_IQR[0] <= ratio <= RAT_OVER_HUMAN_FU_IQR[1]
    assert "median factor 2.2" in v.provenance.note and f"{ratio:.1f} times the human value" in v.provenance.note


def test_derived_half_lives(library):
    """The half-lives the derivations state: 2.33 h, 3.77 h, 5.6 min, 4.5 min."""
    stated = {"clonidine": 2.33, "guanfacine": 3.77, "yohimbine": 5.6 / 60, "reboxetine": 4.5 / 60}
    for name, t_half_h in stated.items():
        pk = library.get(name).pk
        assert math.log(2) * pk.volume.value / pk.clearance.value == pytest.approx(t_half_h, rel=0.02), name
