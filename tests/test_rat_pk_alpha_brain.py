"""Brain partition of the alpha2 agonists from rat data (issue 8, round 6).

Clonidine: Kp,uu = 10^logBB x fu_brain / fu_plasma with the rat steady-state brain/blood
ratio (Young et al. 1988, J Med Chem 31:656; logBB 0.10 in the B3DB regression set) and the
brain-homogenate and rat plasma unbound fractions of the binding set compiled for Ito et al.
(clinfo/ADME_MTFT). Guanfacine: no rat ratio, so its Kp,uu stays assumed, with the range
that the RABBIT brain/plasma ratios (Barber & Reid 1982) give through the same formula.
"""

from __future__ import annotations

import pytest

from noradsim.drugs import load_library

CLONIDINE_LOGBB = 0.10  # B3DB_regression.tsv, CID 2803 (rat, Young et al. 1988 set)
CLONIDINE_FU_BRAIN = 0.439848587  # fubrain.csv, Clc1cccc(Cl)c1NC1=NCCN1
CLONIDINE_FU_PLASMA_RAT = 0.623533234  # fup_rat.csv

GUANFACINE_FU_BRAIN = 0.035181443  # fubrain.csv, N=C(N)NC(=O)Cc1c(Cl)cccc1Cl
GUANFACINE_FU_PLASMA_RAT = 0.394302  # fup_rat.csv
RABBIT_BRAIN_PLASMA = (2.1, 5.3, 13.6)  # 15, 90, 180 min after 300 ug/kg i.v. (Barber & Reid 1982)


@pytest.fixture(scope="module")
def library():
    return load_library()


def test_clonidine_kpuu_follows_from_the_rat_logbb_and_binding(library):
    pk = library.get("clonidine").pk
    assert pk.fu_plasma.value == pytest.approx(CLONIDINE_FU_PLASMA_RAT, rel=1e-3)  # the input it names
    expected = 10**CLONIDINE_LOGBB * CLONIDINE_FU_BRAIN / CLONIDINE_FU_PLASMA_RAT
    assert expected == pytest.approx(0.888, abs=0.001)
    kpuu = pk.kpuu_brain
    assert kpuu.kind == "derived" and kpuu.species == "rat"
    assert kpuu.value == pytest.approx(expected, rel=0.002)
    assert "Young et al. 1988" in kpuu.provenance.derivation and "B3DB" in kpuu.provenance.derivation


def test_guanfacine_kpuu_range_is_the_rabbit_bracket(library):
    """Assumed (rabbit, not rat): the range is Kp x fu_brain / fu_plasma at the first and last rabbit time."""
    pk = library.get("guanfacine").pk
    assert pk.fu_plasma.value == pytest.approx(GUANFACINE_FU_PLASMA_RAT, rel=1e-3)
    kpuu = pk.kpuu_brain
    bracket = [kp * GUANFACINE_FU_BRAIN / GUANFACINE_FU_PLASMA_RAT for kp in RABBIT_BRAIN_PLASMA]
    assert kpuu.kind == "assumed"
    low, high = kpuu.provenance.range
    assert low == pytest.approx(bracket[0], abs=0.005) and high == pytest.approx(bracket[-1], abs=0.005)
    assert low <= kpuu.value <= high
    assert "RABBIT" in kpuu.provenance.reason
