"""Spiking-LC parameters derived from published numbers, recomputed from their inputs.

Each derived entry of ``lc_neuron.toml`` below is recomputed from the numbers its
derivation names, so that the data file cannot drift from its sources:

- ``release_per_population_spike``: rat LC slices, peak NA 310 nM after 30 pulses at
  100 Hz, cleared during the train at the rate derived from the same paper's half-life
  (Palij & Stamford 1994, Brain Res 634:275; ``k_lc_net + k_lc_other`` of terminal.toml).
- ``min_distance`` is recomputed in tests/test_settings.py (surface-equivalent sphere of the
  measured soma).
"""

from __future__ import annotations

import math

import pytest

from noradsim.calibration.overlay import section_records

PEAK_NM = 310.0  # Palij & Stamford 1994: 0.31 uM
PULSES, INTERVAL_S = 30, 0.01  # 30 pulses at 100 Hz


def _lc_neuron(section: str):
    return section_records("lc_neuron.toml", section)


def test_release_per_population_spike_inverts_the_slice_train():
    term = section_records("terminal.toml", "parameters")
    k = term["k_lc_net"].value + term["k_lc_other"].value
    assert math.log(2.0) / k == pytest.approx(2.93, rel=2e-3)  # the paper's half-life
    gain = sum(math.exp(-k * i * INTERVAL_S) for i in range(PULSES))
    assert gain == pytest.approx(28.99, abs=0.01)
    rec = _lc_neuron("local_ne")["release_per_population_spike"]
    assert rec.provenance.kind == "derived"
    assert rec.value == pytest.approx(PEAK_NM / gain, rel=1e-3)
    # forward: the train of the paper gives its peak
    assert rec.value * gain == pytest.approx(PEAK_NM, rel=1e-3)

