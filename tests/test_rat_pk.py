"""Rat pharmacokinetics derived from rat studies (issue 8, part 2).

The derived values in ``noradsim/data/drugs.toml`` must reproduce their written
derivations from the published inputs, and every systemic route that a targets file or
an example uses must have its own rat entry (F and absorption half-life).
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest

from noradsim.drugs import load_library

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "validation"
LOCAL_ROUTES = {"reverse_dialysis", "iontophoresis", "bath"}

# Published inputs (numbers read in the sources named in drugs.toml)
HOWELL_1994_RAT_F_PO = 0.126  # venlafaxine, Xenobiotica 24:315
HOWELL_1994_RAT_T_HALF_H = 1.0  # "around 1 h" in rodents
RAT_LIVER_BLOOD_FLOW = 104.3 * 0.06  # mL/min/kg -> L/h/kg, Pharmacol Res Perspect 2021;9:e00731
WIKELL_2002_CORTEX_NM = 357 + 318  # S + R venlafaxine, control rats, 14 days 10 mg/kg
WIKELL_2002_SERUM_NM = 97 + 66
# Binding set compiled for Ito et al. (repository clinfo/ADME_MTFT, fup_rat.csv / fubrain.csv)
DESIPRAMINE_FU_PLASMA_RAT = 0.128631601
DESIPRAMINE_FU_BRAIN = 0.012251504
NORTRIPTYLINE_FU_PLASMA_RAT = 0.077829945
NORTRIPTYLINE_FU_BRAIN = 0.006250126  # fubrain.csv, clinfo/ADME_MTFT
NORTRIPTYLINE_LOGBB = 1.04  # B3DB_regression.tsv, theochem/B3DB (brain/blood)
VENLAFAXINE_FU_BRAIN = 0.205
VENLAFAXINE_FU_PLASMA_HUMAN = 0.73  # 27 % bound, Goodman & Gilman 12th ed.
IMIPRAMINE_CHRONIC_KP = 10  # brain / plasma of imipramine + metabolites, J Pharmacol Exp Ther 1984;230:330
NIU_2018_DULOXETINE_PO_DOSE = 40.0  # mg/kg by gavage, normal rats (Niu 2018 thesis, abstract)
NIU_2018_DULOXETINE_AUC = 4.145  # mg.h/L (4145 ng.h/mL, AUC0-inf)
NIU_2018_DULOXETINE_T_HALF_H = 4.1  # terminal half-life


@pytest.fixture(scope="module")
def library():
    return load_library()


def test_venlafaxine_clearance_is_hepatic_extraction_times_liver_flow(library):
    """Well-stirred liver: CL = (1 - F_po) Q_H; V = CL t1/2 / ln 2."""
    pk = library.get("venlafaxine").pk
    assert pk.routes["po"].bioavailability.value == pytest.approx(HOWELL_1994_RAT_F_PO)
    cl = (1 - HOWELL_1994_RAT_F_PO) * RAT_LIVER_BLOOD_FLOW
    assert pk.clearance.value == pytest.approx(cl, rel=0.005)
    assert pk.volume.value == pytest.approx(cl * HOWELL_1994_RAT_T_HALF_H / math.log(2), rel=0.005)
    assert pk.clearance.kind == pk.volume.kind == "derived"


def test_venlafaxine_ip_dose_meets_the_liver_first(library):
    """Portal absorption of an i.p. dose: F_ip = 1 - E_H = 1 - CL / Q_H."""
    pk = library.get("venlafaxine").pk
    f_ip = pk.routes["ip"].bioavailability
    assert f_ip.kind == "derived"
    assert f_ip.value == pytest.approx(1 - pk.clearance.value / RAT_LIVER_BLOOD_FLOW, rel=0.01)
    assert f_ip.value >= pk.routes["po"].bioavailability.value  # F_po = Fa Fg F_H <= F_H


def test_brain_plasma_ratios_from_rat_studies(library):
    ven = library.get("venlafaxine").pk.kp_brain
    assert ven.value == pytest.approx(WIKELL_2002_CORTEX_NM / WIKELL_2002_SERUM_NM, rel=0.01)
    ida = library.get("idazoxan").pk.kp_brain
    assert ida.value == 10 and ida.kind == "measured" and "Lewis" in ida.source


def test_unbound_partition_from_total_partition_and_binding(library):
    """Kp,uu = C_u,brain / C_u,plasma = Kp x fu_brain / fu_plasma (not Kp x fu_plasma / fu_brain)."""
    dmi = library.get("desipramine").pk
    assert dmi.fu_plasma.value == pytest.approx(DESIPRAMINE_FU_PLASMA_RAT, rel=0.01)
    assert dmi.kp_brain.value == IMIPRAMINE_CHRONIC_KP and dmi.kp_brain.kind == "measured"
    assert dmi.kpuu_brain.value == pytest.approx(
        IMIPRAMINE_CHRONIC_KP * DESIPRAMINE_FU_BRAIN / DESIPRAMINE_FU_PLASMA_RAT, rel=0.005)
    ven = library.get("venlafaxine").pk
    assert ven.fu_plasma.value == VENLAFAXINE_FU_PLASMA_HUMAN and ven.fu_plasma.species == "human"
    assert ven.kpuu_brain.value == pytest.approx(
        ven.kp_brain.value * VENLAFAXINE_FU_BRAIN / VENLAFAXINE_FU_PLASMA_HUMAN, rel=0.005)
    assert dmi.kpuu_brain.kind == ven.kpuu_brain.kind == "derived"
    nor = library.get("nortriptyline").pk
    assert nor.fu_plasma.value == pytest.approx(NORTRIPTYLINE_FU_PLASMA_RAT, rel=0.01)
    assert nor.kpuu_brain.kind == "derived"
    assert nor.kpuu_brain.value == pytest.approx(
        10**NORTRIPTYLINE_LOGBB * NORTRIPTYLINE_FU_BRAIN / NORTRIPTYLINE_FU_PLASMA_RAT, rel=0.005)


def test_total_and_unbound_partitions_imply_a_brain_binding_below_one(library):
    """Every drug with both Kp and Kp,uu implies fu_brain = Kp,uu fu_plasma / Kp in (0, 1]."""
    for name in library.names():
        pk = library.get(name).pk
        if pk is None or pk.kp_brain is None:
            continue
        fu_brain = pk.kpuu_brain.value * pk.fu_plasma.value / pk.kp_brain.value
        assert 0 < fu_brain <= 1, (name, fu_brain)


def test_duloxetine_oral_absorption_puts_the_bateman_peak_at_the_rat_tmax(library):
    """Bateman peak time ln(ka/ke)/(ka - ke) with the rat ke (t1/2 12 h) equals the measured Tmax 2 h."""
    rp = library.get("duloxetine").pk.routes["po"].absorption_halflife
    ka, ke = math.log(2) / (rp.value / 3600.0), math.log(2) / 12.0  # 1/h (Abd-Elal et al. 2023, table 5)
    assert rp.kind == "derived"
    assert math.log(ka / ke) / (ka - ke) == pytest.approx(2.0, rel=0.01)


def test_duloxetine_clearance_from_oral_auc_and_bioavailability(library):
    """CL = F_po dose / AUC_po; V = CL t1/2 / ln 2 (one compartment)."""
    pk = library.get("duloxetine").pk
    f_po = pk.routes["po"].bioavailability
    assert f_po.kind == "derived"
    cl = f_po.value * NIU_2018_DULOXETINE_PO_DOSE / NIU_2018_DULOXETINE_AUC
    assert pk.clearance.value == pytest.approx(cl, rel=0.005)
    assert pk.volume.value == pytest.approx(cl * NIU_2018_DULOXETINE_T_HALF_H / math.log(2), rel=0.005)
    assert pk.clearance.kind == pk.volume.kind == "derived"
    assert pk.clearance.value < RAT_LIVER_BLOOD_FLOW  # hepatic clearance cannot exceed liver blood flow


def _interventions(node):
    """Every table with a ``drug`` key, anywhere in a parsed TOML document."""
    if isinstance(node, dict):
        if "drug" in node:
            yield node
        for v in node.values():
            yield from _interventions(v)
    elif isinstance(node, list):
        for v in node:
            yield from _interventions(v)


def _used_routes():
    files = [SHARED / "targets.toml", SHARED / "predictions.toml", *sorted((REPO / "examples").glob("*.toml"))]
    used = {}
    for path in files:
        if not path.is_file():
            continue
        for iv in _interventions(tomllib.loads(path.read_text())):
            used.setdefault(iv["drug"], set()).add(iv.get("route", "brain_concentration"))
    return used


def test_every_route_a_target_or_example_uses_has_a_rat_entry(library):
    used = _used_routes()
    assert {"atomoxetine", "desipramine", "reboxetine", "venlafaxine", "duloxetine"} <= set(used)
    for name, routes in used.items():
        pk = library.get(name).pk
        assert pk is not None and pk.species == "rat", name
        for route in routes - LOCAL_ROUTES - {"iv", "brain_concentration"}:
            entry = pk.routes.get("sc" if route == "sc_minipump" else route)
            assert entry is not None, f"{name}: no rat entry for route {route}"
            assert 0 < entry.bioavailability.value <= 1 and entry.absorption_halflife.value > 0, (name, route)
