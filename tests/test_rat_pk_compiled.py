"""Rat PK values read in compiled rat data sets (issue 8, round 5).

The numbers below were read in ``Animal_PK_data.csv`` of PKSmart (repository
srijitseal/PKSmart; rat i.v. CL in mL/min/kg, VDss in L/kg, plasma fraction unbound) and in
``fup_rat.csv`` of the binding set compiled for Ito et al. (repository clinfo/ADME_MTFT).
The library must carry them unchanged, and the values derived from them (half-life, i.p.
bioavailability through the liver) must follow their written formulas.
"""

from __future__ import annotations

import math

import pytest

from noradsim.drugs import load_library

RAT_LIVER_BLOOD_FLOW = 104.3 * 0.06  # L/h/kg, Pharmacol Res Perspect 2021;9:e00731
ML_MIN_KG = 0.06  # mL/min/kg -> L/h/kg

# PKSmart Animal_PK_data.csv: (rat CL mL/min/kg, rat VDss L/kg, rat fu_plasma or None)
PKSMART_RAT = {
    "cocaine": (None, None, 0.78),
    "imipramine": (92.52, 19.9, 0.106),
    "methylphenidate": (53.0, 3.0, None),
    "prazosin": (68.8, None, None),  # Vss derived from a 1987 rat study, kept
    "dexmedetomidine": (59.4, 3.24, None),
    "tolcapone": (8.8, 0.21, None),
    "atomoxetine": (36.0, 4.3, 0.11),
    "desipramine": (9.8, 19.8, None),
    "idazoxan": (None, 3.1, None),  # rat CL kept from Lewis et al. 1988 (primary)
}
# fup_rat.csv (clinfo/ADME_MTFT), read by structure
ADME_MTFT_FUP_RAT = {
    "bupropion": 0.20031844,
    "fluoxetine": 0.035393252,
    "guanfacine": 0.394302,
    "maprotiline": 0.058612532,
    "protriptyline": 0.106921398,
    "dexmedetomidine": 0.15004285,
    "clonidine": 0.623533234,
    "tolcapone": 0.004544872,
    "yohimbine": 0.278280393,  # C16 stereo unmarked in the set
}
# drugs whose i.p. F is derived as F_H = 1 - CL / Q_H
IP_THROUGH_LIVER = ["atomoxetine", "desipramine", "dexmedetomidine", "imipramine", "methylphenidate",
                    "prazosin", "tolcapone"]


@pytest.fixture(scope="module")
def library():
    return load_library()


@pytest.mark.parametrize("name", sorted(PKSMART_RAT))
def test_compiled_rat_clearance_volume_and_binding(library, name):
    cl, vss, fu = PKSMART_RAT[name]
    pk = library.get(name).pk
    if cl is not None:
        assert pk.clearance.kind == "measured" and pk.clearance.species == "rat"
        assert pk.clearance.value == pytest.approx(cl * ML_MIN_KG, rel=1e-6)
    if vss is not None:
        assert pk.volume.kind == "measured" and pk.volume.species == "rat"
        assert pk.volume.value == pytest.approx(vss, rel=1e-6)
    if fu is not None:
        assert pk.fu_plasma.kind == "measured" and pk.fu_plasma.species == "rat"
        assert pk.fu_plasma.value == pytest.approx(fu, rel=1e-3)


@pytest.mark.parametrize("name", sorted(ADME_MTFT_FUP_RAT))
def test_compiled_rat_plasma_binding(library, name):
    fu = library.get(name).pk.fu_plasma
    assert fu.kind == "measured" and fu.species == "rat"
    assert fu.value == pytest.approx(ADME_MTFT_FUP_RAT[name], rel=0.01)


@pytest.mark.parametrize("name", IP_THROUGH_LIVER)
def test_ip_bioavailability_is_the_hepatic_availability(library, name):
    """An i.p. dose passes the liver first: F_ip = 1 - E_H with E_H = CL / Q_H (blood/plasma 1)."""
    pk = library.get(name).pk
    f_ip = pk.routes["ip"].bioavailability
    assert f_ip.kind == "derived"
    assert pk.clearance.value < RAT_LIVER_BLOOD_FLOW  # hepatic clearance cannot exceed liver blood flow
    assert f_ip.value == pytest.approx(1 - pk.clearance.value / RAT_LIVER_BLOOD_FLOW, rel=0.01)


def test_atomoxetine_half_life_from_the_compiled_rat_row(library):
    """One compartment: t1/2 = ln 2 VDss / CL = 0.693 x 4.3 / 2.16 = 1.38 h."""
    pk = library.get("atomoxetine").pk
    assert math.log(2) * pk.volume.value / pk.clearance.value == pytest.approx(1.38, rel=0.01)


# Kp,uu = 10^logBB x fu_brain / fu_plasma: (B3DB logBB, ADME_MTFT fubrain.csv, rat fu_plasma)
KPUU_INPUTS = {
    "imipramine": (0.8, 0.024014785, 0.106),
    "maprotiline": (1.3, 0.005020978, 0.058612532),
    "fluoxetine": (0.72, 0.003864698, 0.035393252),
    "prazosin": (-0.66, 0.162649077, 0.238),
}


@pytest.mark.parametrize("name", sorted(KPUU_INPUTS))
def test_unbound_brain_partition_from_logbb_and_binding(library, name):
    logbb, fu_brain, fu_plasma = KPUU_INPUTS[name]
    pk = library.get(name).pk
    assert pk.fu_plasma.value == pytest.approx(fu_plasma, rel=1e-3)  # the same input the derivation names
    assert pk.kpuu_brain.kind == "derived"
    assert pk.kpuu_brain.value == pytest.approx(10**logbb * fu_brain / fu_plasma, rel=0.005)


def test_nortriptyline_tissue_binding_is_the_reciprocal_brain_unbound_fraction():
    from noradsim.parameters import data_path, read_toml

    entry = read_toml(data_path("ex_vivo.toml"))["tissue_binding"]["nortriptyline"]
    assert entry["kind"] == "derived"
    assert entry["value"] == pytest.approx(1 / 0.006250126, rel=0.005)
