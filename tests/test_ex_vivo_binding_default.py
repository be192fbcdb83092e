"""``ex_vivo.toml [tissue_binding] default`` (derived): recomputed from the inputs it names.

The default total / unbound brain ratio of a NET inhibitor without its own value is the
geometric mean of 1 / fu_brain over the library's NET inhibitors (finite NET Ki) whose
brain-homogenate fu_brain is in fubrain.csv of the Ito et al. binding set (clinfo/ADME_MTFT).
"""

from __future__ import annotations

import math

import pytest

from noradsim.drugs import load_library
from noradsim.protocols.ex_vivo import _table

FU_BRAIN = {  # fubrain.csv (clinfo/ADME_MTFT), matched by structure
    "desipramine": 0.012251504,
    "nortriptyline": 0.006250126,
    "imipramine": 0.024014785,
    "protriptyline": 0.006214604,
    "maprotiline": 0.005020978,
    "fluoxetine": 0.003864698,
    "reboxetine": 0.05,
    "bupropion": 0.176609322,
    "methylphenidate": 0.195,
    "venlafaxine": 0.205,
}


def test_inputs_are_the_library_net_inhibitors():
    lib = load_library()
    assert all(math.isfinite(lib.get(name).ki("NET")) for name in FU_BRAIN)


def test_default_is_the_geometric_mean_of_the_class():
    ratios = [1.0 / fu for fu in FU_BRAIN.values()]
    expected = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    default = _table()[1]["default"]
    assert default.provenance.kind == "derived"
    assert default.value == pytest.approx(expected, rel=2e-3)
    assert min(ratios) <= default.value <= max(ratios)


def test_nortriptyline_entry_uses_the_same_set():
    assert _table()[1]["nortriptyline"].value == pytest.approx(1.0 / FU_BRAIN["nortriptyline"], rel=1e-3)
