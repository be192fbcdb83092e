"""The microdialysis probe (Bungay, Morrison & Dedrick 1990): recovery, extraction, perfusate delivery.

The probe follows Bungay, Morrison & Dedrick (1990): the in vivo extraction fraction

.. math:: E_d = 1 - \\exp\\left(-\\frac{1}{Q_d (R_{dm} + R_e)}\\right),\\qquad
          R_e = \\frac{K_0(z)}{2\\pi L D_e \\alpha\\, z K_1(z)},\\quad z = r/\\sqrt{D_e/k_e}

depends on how fast the tissue clears the analyte (:math:`k_e`), so NET inhibitors,
which slow clearance, also lower recovery (Smith & Justice 1994 showed this for DA).
In vitro recovery (stirred medium) has no tissue term. The dialysate concentration is
:math:`E_d C_{ECF}`; "recovery-corrected" values divide by the in vitro recovery, as
most laboratories do. Perfusate changes (Ca2+-free, K+, TTX, reverse dialysis of drugs)
reach the sampled tissue at the fraction :math:`Q_d E_d R_e` of the perfusate-minus-tissue
difference at the probe surface.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.special import k0, k1

from ..calibration.overlay import section_records
from ..parameters import Parameter, _record, data_path, read_toml


@lru_cache(maxsize=1)
def probe_parameters() -> dict[str, Parameter]:
    return section_records("microdialysis.toml", "parameters")


@lru_cache(maxsize=1)
def design_defaults() -> dict[str, dict[str, Parameter]]:
    """Default experimental design (``data/design.toml``): ``probe`` and ``probe_length`` tables.

    Not model parameters: an experiment's own ``probe_length`` replaces the region default.
    """
    doc = read_toml(data_path("design.toml"))
    return {t: {k: _record(k, v, f"design.toml [{t}]") for k, v in doc[t].items()} for t in ("probe", "probe_length")}


def default_probe_length_mm(region: str) -> float:
    """Membrane length (mm) of a probe in ``region`` when the experiment does not state it."""
    return design_defaults()["probe_length"][region].value


@dataclass(frozen=True)
class Probe:
    """A microdialysis probe in tissue: geometry, flow and the analyte's diffusion."""

    length_cm: float
    flow_ul_min: float
    ecs_fraction: float

    @property
    def flow_cm3_s(self) -> float:
        return self.flow_ul_min * 1e-3 / 60.0

    def _p(self, name: str) -> float:
        if name == "probe_radius":
            return design_defaults()["probe"]["radius"].value
        return probe_parameters()[name].value

    def r_probe(self) -> float:
        """Dialysate + membrane resistance (s/cm^3)."""
        return 1.0 / (2 * math.pi * self._p("probe_radius") * self.length_cm * self._p("membrane_permeability"))

    def r_tissue(self, k_e):
        """Tissue resistance (s/cm^3) for clearance rate constant ``k_e`` (1/s); arrays allowed."""
        d_e = self._p("ne_diffusivity") / self._p("tortuosity") ** 2
        r = self._p("probe_radius")
        z = r / np.sqrt(d_e / np.maximum(np.asarray(k_e, dtype=float), 1e-12))
        return k0(z) / (2 * math.pi * self.length_cm * d_e * self.ecs_fraction * z * k1(z))

    def in_vivo_extraction(self, k_e):
        """Extraction fraction in tissue (Bungay et al. 1990)."""
        return 1.0 - np.exp(-1.0 / (self.flow_cm3_s * (self.r_probe() + self.r_tissue(k_e))))

    def in_vitro_recovery(self) -> float:
        """Relative recovery in a stirred beaker (no tissue resistance)."""
        return float(1.0 - math.exp(-1.0 / (self.flow_cm3_s * self.r_probe())))

    def delivery_fraction(self, k_e: float | None = None) -> float:
        """Fraction of a perfusate change felt by the tissue at the probe surface."""
        k_e = self._p("k_tissue_solute") if k_e is None else k_e
        e = float(self.in_vivo_extraction(k_e))
        return float(self.flow_cm3_s * e * self.r_tissue(k_e))
