"""Rat PK of yohimbine, idazoxan, RX821002, pargyline and tolcapone (issue 8, round 6).

No rat clearance, volume, plasma binding or brain partition of these drugs was found beyond
the values already measured (docs/pharmacokinetics_alpha2_mao_comt.md). The brain-homogenate
binding read in ``fubrain.csv`` of the ADME_MTFT set is checked against the Kp the assumed
Kp,uu implies (Kp = Kp,uu x fu_plasma / fu_brain, as the notes state), and every value that
stays assumed must point to the page that lists the searches.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from noradsim.drugs import load_library

ROOT = Path(__file__).resolve().parents[1]
SEARCH_PAGE = "docs/pharmacokinetics_alpha2_mao_comt.md"
# fubrain.csv (clinfo/ADME_MTFT), brain-homogenate fraction unbound, read by structure
ADME_MTFT_FU_BRAIN = {"yohimbine": 0.128615971, "tolcapone": 0.007355959}
# Kp the notes state for the assumed Kp,uu: Kp = Kp,uu x fu_plasma / fu_brain
IMPLIED_KP = {"yohimbine": 2.2, "tolcapone": 0.19}
FU_BRAIN_AS_WRITTEN = {"yohimbine": "0.1286", "tolcapone": "0.00736"}  # in the kpuu_brain notes
DRUGS = ("yohimbine", "idazoxan", "rx821002", "pargyline", "tolcapone")
FIELDS = ("clearance", "volume", "fu_plasma", "kpuu_brain", "kp_brain")


@pytest.fixture(scope="module")
def library():
    return load_library()


@pytest.mark.parametrize("name", sorted(IMPLIED_KP))
def test_implied_kp_follows_from_the_binding_read(library, name):
    pk = library.get(name).pk
    kp = pk.kpuu_brain.value * pk.fu_plasma.value / ADME_MTFT_FU_BRAIN[name]
    assert kp == pytest.approx(IMPLIED_KP[name], rel=0.03)
    written = FU_BRAIN_AS_WRITTEN[name]
    assert float(written) == pytest.approx(ADME_MTFT_FU_BRAIN[name], rel=1e-3)
    assert f"brain-homogenate fu {written}" in pk.kpuu_brain.provenance.note


@pytest.mark.parametrize("name", DRUGS)
def test_still_assumed_rat_pk_points_to_the_searches(library, name):
    pk = library.get(name).pk
    for field in FIELDS:
        v = getattr(pk, field)
        if v is not None and v.provenance.kind == "assumed":
            assert SEARCH_PAGE in v.provenance.note, (name, field)
    assert (ROOT / SEARCH_PAGE).is_file()
