"""An alpha2 antagonist perfused into the LC, NE measured in the LC and in prefrontal cortex (round 8).

Pudovkina & Westerink 2005 (Brain Res 1061:50, awake rats, dual-probe microdialysis,
abstract): idazoxan 100 uM through a probe in the LC raised LC dialysate NA to about 400 %
and prefrontal NA to about 150 % (numbers seen in the abstract by the round-8 search; the
earlier study of the same group, Pudovkina et al. 2001, Brain Res 906:38, abstract read:
the alpha2A antagonist BRL44408 into the LC raised LC NA with "few effects" in the PFC).

The model's LC-site perfusion reaches every LC neuron (docs/mechanisms.md, dual-probe
designs), while a probe in one LC reaches part of one nucleus, so the model's cortical rise
is that of a full LC block: an upper bound of the measured one. The LC dialysate samples the
perfused tissue itself, so there the comparison is direct. These checks are independent of
the calibration set; they bear on the LC alpha2 tone (lc_autoreceptor_enrichment; round 8
tried to calibrate it, docs/calibration.md).
"""

from __future__ import annotations

from functools import lru_cache

import pytest

PERFUSION = {"drug": "idazoxan", "concentration": "100 uM", "route": "reverse_dialysis",
             "site": "locus_coeruleus", "at": "0 min", "duration": "60 min"}


@lru_cache(maxsize=None)
def _peak_percent(region: str) -> float:
    from noradsim.protocols.conditions import parse_conditions
    from noradsim.protocols.timecourse import simulate_conditions

    doc = {"region": region, "window": ["-30 min", "90 min"], "interventions": [PERFUSION]}
    ds = simulate_conditions(parse_conditions(doc, "test"), dt=300.0)
    t, v = ds["time"].values, ds["dialysate_ne"].values
    return float(100.0 * v[t >= 0.0].max() / v[t < 0.0].mean())


def test_lc_block_raises_lc_ne_more_than_cortical_ne():
    """The order measured (LC about 400 %, PFC about 150 %): the LC, where the drug acts and
    where somatodendritic release rises with firing, rises more than the cortex it projects
    to. (Model: PFC 151 %, LC 167 %; the PFC value is that of a whole-LC block, so it is
    compared with the measured one only in docs/calibration.md, not asserted.)"""
    pfc, lc = _peak_percent("prefrontal_cortex"), _peak_percent("locus_coeruleus")
    assert lc > pfc > 100.0


@pytest.mark.xfail(strict=True, reason=(
    "the model's somatodendritic release in the LC follows firing only: idazoxan 100 uM in the LC "
    "raises model LC dialysate NE to about 167 % (firing 2.0 -> 3.3 Hz), while Pudovkina & "
    "Westerink 2005 measured about 400 %; in rat LC slices the alpha2A antagonist BRL 44408 "
    "increases stimulated NA release itself (voltammetry, Eur J Pharmacol 1999 366:35), an "
    "alpha2A autoinhibition of somatodendritic release that the model lacks (docs/mechanisms.md)"))
def test_lc_dialysate_rise_reaches_the_measured_size():
    """Asked for 300 %, below the measured 400 %, to leave room for the probe and the state."""
    assert _peak_percent("locus_coeruleus") >= 300.0
