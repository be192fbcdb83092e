"""One physical quantity, one number: values that two data files share must agree.

The free diffusion coefficient of NE and the extracellular tortuosity enter both the
terminal model (volume transmission to the varicosity's own alpha2A autoreceptors,
``model/alpha2.py``) and the microdialysis probe (tissue resistance of Bungay et al. 1990,
``protocols/probe.py``). Each is measured once; the other file's entry is derived from it
(or cites the same measurement), and this file keeps the two from drifting apart.
"""

from __future__ import annotations

import pytest

from noradsim.calibration.overlay import section_records
from noradsim.model.terminal import NE_MOLAR_MASS, build_terminal_model

UM2_PER_CM2 = 1e8


def _terminal():
    return section_records("terminal.toml", "parameters")


def _probe():
    return section_records("microdialysis.toml", "parameters")


def test_terminal_diffusion_is_derived_from_the_probe_file_measurement():
    d_term, d_probe = _terminal()["ne_diffusion_free"], _probe()["ne_diffusivity"]
    assert (d_term.unit, d_probe.unit) == ("um^2/s", "cm^2/s")
    assert d_term.value == pytest.approx(d_probe.value * UM2_PER_CM2, rel=1e-12)
    assert d_probe.provenance.kind == d_term.provenance.kind == "derived"
    assert "ne_diffusivity" in d_term.provenance.derivation


def test_probe_diffusion_is_the_measured_value_scaled_to_body_temperature():
    """Stokes-Einstein: D ~ T / eta. Water 0.8900 mPa s at 25 C, 0.6913 mPa s at 37 C (CRC)."""
    measured, d37 = _probe()["ne_diffusivity_room_temperature"], _probe()["ne_diffusivity"]
    assert measured.provenance.kind == "measured" and measured.value == pytest.approx(6.0e-6)
    expected = measured.value * (310.15 / 298.15) * (0.8900 / 0.6913)
    assert d37.value == pytest.approx(expected, rel=1e-3)
    assert "ne_diffusivity_room_temperature" in d37.provenance.derivation


def test_tortuosity_is_one_measured_value():
    lam_term, lam_probe = _terminal()["ecs_tortuosity"], _probe()["tortuosity"]
    assert lam_term.value == lam_probe.value
    assert lam_term.provenance.kind == lam_probe.provenance.kind == "measured"
    # the published value (Sykova & Nicholson 2008: tortuosity about 1.6)
    assert lam_term.value == pytest.approx(1.6)


def test_tissue_content_uses_the_measured_brain_density():
    """1 nM (per litre of tissue) of NE = 169.18 ng/L / 1036 g/L = 0.1633 ng/g."""
    p = build_terminal_model().parameters["tissue_density"]
    assert (p.value, p.unit) == (1036.0, "g/L")
    assert NE_MOLAR_MASS / p.value == pytest.approx(0.1633, abs=1e-4)
