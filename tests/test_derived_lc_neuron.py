"""The derivation of the release per LC population spike recorded in ``lc_neuron.toml``.

``local_ne.release_per_population_spike`` stays assumed (its note says why: the
electrode-search scenario), but the value derived for it in round 7 is recomputed here
from the numbers its note names, so that the note cannot drift from its sources: rat LC
slices, peak NA 310 nM after 30 pulses at 100 Hz, cleared during the train at the rate
derived from the same paper's half-life (Palij & Stamford 1994, Brain Res 634:275;
``k_lc_net + k_lc_other`` of terminal.toml).
"""

from __future__ import annotations

import math

import pytest

from noradsim.calibration.overlay import section_records

PEAK_NM = 310.0  # Palij & Stamford 1994: 0.31 uM
PULSES, INTERVAL_S = 30, 0.01  # 30 pulses at 100 Hz
DERIVED_NM = 10.69  # the value in the note


def test_release_per_population_spike_inverts_the_slice_train():
    term = section_records("terminal.toml", "parameters")
    k = term["k_lc_net"].value + term["k_lc_other"].value
    assert math.log(2.0) / k == pytest.approx(2.93, rel=2e-3)  # the paper's half-life
    gain = sum(math.exp(-k * i * INTERVAL_S) for i in range(PULSES))
    assert gain == pytest.approx(28.99, abs=0.01)
    assert PEAK_NM / gain == pytest.approx(DERIVED_NM, abs=0.005)
    rec = section_records("lc_neuron.toml", "local_ne")["release_per_population_spike"]
    assert f"{DERIVED_NM} nM" in rec.provenance.note
    assert rec.provenance.range[0] <= DERIVED_NM <= rec.provenance.range[1]
