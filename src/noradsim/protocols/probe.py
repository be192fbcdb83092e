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

Implantation trauma (Bungay, Newton-Vinson, Isele, Garris & Justice 2003): a layer
:math:`r_p < r < r_b = r_p + \\delta` next to the probe has reduced uptake
:math:`k_t = f k_{uptake} + k_{other}` and no release; intact tissue beyond it clears with
:math:`k_e` and holds the bulk concentration :math:`C` far away. Each region obeys
:math:`D_e \\nabla^2 C = k (C - C_{source})` (modified Bessel solutions, flux continuity at
:math:`r_b`); the linear tissue gives the probe wall an open-circuit concentration
:math:`C_{eq} = \\theta C` and a resistance :math:`R_t`, so the extraction fraction of
perfusate calibration is :math:`E_d = 1 - \\exp(-1/(Q(R_{dm} + R_t)))` and the dialysate is
:math:`E_d \\theta C` (the sampled fraction, below :math:`E_d`). :math:`\\delta = 0` is the
one-region formula above. See docs/mechanisms.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.special import i0e, i1e, k0, k0e, k1, k1e

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

    def _extraction_with(self, r_tissue):
        """Bungay et al. (1990): E = 1 - exp(-1/(Q (R_dm + R_tissue))) for a tissue resistance (s/cm^3)."""
        return 1.0 - np.exp(-1.0 / (self.flow_cm3_s * (self.r_probe() + r_tissue)))

    def in_vivo_extraction(self, k_e):
        """Extraction fraction in tissue (Bungay et al. 1990)."""
        return self._extraction_with(self.r_tissue(k_e))

    def d_eff(self) -> float:
        """Effective diffusion coefficient in the extracellular space (cm^2/s)."""
        return self._p("ne_diffusivity") / self._p("tortuosity") ** 2

    def trauma_rate(self, k_uptake, k_other):
        """First-order clearance in the trauma layer: transporter uptake reduced to a fraction, other loss kept."""
        return self._p("trauma_uptake_fraction") * np.asarray(k_uptake, dtype=float) + np.asarray(k_other, dtype=float)

    def two_region(self, k_e, k_t, delta: float | None = None):
        """Open-circuit wall concentration per bulk ECF concentration and tissue resistance (s/cm^3).

        Intact tissue (r > r_b): C = C_bulk + c K0(r/G_e); layer (r_p < r < r_b, no release):
        C = a I0(r/G_t)/I0(x_b) + b K0(r/G_t)/K0(x_p) (scaled so the 2x2 system stays well
        conditioned); C and dC/dr continuous at r_b. Returns ``(theta, r_t)``: theta = C(r_p)/C_bulk
        when no flux enters the probe, r_t = C(r_p)/J for C_bulk = 0.
        """
        delta = self._p("trauma_thickness") if delta is None else delta
        k_e, k_t = np.broadcast_arrays(np.maximum(np.asarray(k_e, dtype=float), 1e-12),
                                       np.maximum(np.asarray(k_t, dtype=float), 1e-12))
        d_e, r_p = self.d_eff(), self._p("probe_radius")
        r_b = r_p + delta
        g_e, g_t = np.sqrt(d_e / k_e), np.sqrt(d_e / k_t)
        h = k1e(r_b / g_e) / (g_e * k0e(r_b / g_e))  # intact tissue: C'(r_b) = -h (C(r_b) - C_bulk)
        x_p, x_b = r_p / g_t, r_b / g_t
        w = np.exp(x_p - x_b)  # the exponential parts of I0(x_p)/I0(x_b) and K0(x_b)/K0(x_p)
        p_p = i0e(x_p) / i0e(x_b) * w            # I0(x_p)/I0(x_b)
        dp_p = i1e(x_p) / i0e(x_b) * w / g_t      # d/dr [I0(r/G)/I0(x_b)] at r_p
        dm_p = -k1e(x_p) / k0e(x_p) / g_t         # d/dr [K0(r/G)/K0(x_p)] at r_p
        m_b = k0e(x_b) / k0e(x_p) * w            # K0(x_b)/K0(x_p)
        dp_b = i1e(x_b) / i0e(x_b) / g_t
        dm_b = -k1e(x_b) / k0e(x_p) * w / g_t
        # flux continuity at r_b: a (dp_b + h) + b (dm_b + h m_b) = h C_bulk
        a11, a12 = dp_b + h, dm_b + h * m_b
        # open circuit (C_bulk = 1, C'(r_p) = 0): a dp_p + b dm_p = 0
        det = a11 * dm_p - a12 * dp_p
        a, b = h * dm_p / det, -h * dp_p / det
        theta = a * p_p + b
        # resistance (C_bulk = 0, C(r_p) = 1): a p_p + b = 1
        det2 = a11 - a12 * p_p
        a2, b2 = -a12 / det2, a11 / det2
        flux = -(a2 * dp_p + b2 * dm_p) * 2 * math.pi * r_p * self.length_cm * d_e * self.ecs_fraction
        return theta, 1.0 / flux

    def readouts(self, k_e, k_t, delta: float | None = None):
        """``(E_d, E_d x theta)``: the extraction fraction of perfusate calibration (no-net-flux)
        and the sampled fraction (dialysate per bulk ECF concentration, blank perfusate), from
        one two-region solution."""
        theta, r_t = self.two_region(k_e, k_t, delta)
        e_d = self._extraction_with(r_t)
        return e_d, theta * e_d

    def extraction(self, k_e, k_t, delta: float | None = None):
        """Extraction fraction E_d of perfusate calibration (no-net-flux) with the trauma layer."""
        return self.readouts(k_e, k_t, delta)[0]

    def sampled_fraction(self, k_e, k_t, delta: float | None = None):
        """Dialysate concentration per bulk ECF concentration (blank perfusate): E_d x theta."""
        return self.readouts(k_e, k_t, delta)[1]

    def in_vitro_recovery(self) -> float:
        """Relative recovery in a stirred beaker (no tissue resistance)."""
        return float(self._extraction_with(0.0))

    def delivery_fraction(self, k_e: float | None = None) -> float:
        """Fraction of a perfusate change felt by the intact tissue, across the trauma layer.

        A perfused solute is cleared non-specifically (``k_e``) alike in the layer and beyond, so
        the one-region profile holds: C(r) = C(r_p) K0(r/G)/K0(r_p/G) with C(r_p) = Q E_d R_e C_in;
        the intact tissue starts at r_b = r_p + trauma_thickness.
        """
        k_e = self._p("k_tissue_solute") if k_e is None else k_e
        e = float(self.in_vivo_extraction(k_e))
        g = math.sqrt(self.d_eff() / k_e)
        r_p = self._p("probe_radius")
        r_b = r_p + self._p("trauma_thickness")
        across = float(k0e(r_b / g) / k0e(r_p / g) * math.exp(-(r_b - r_p) / g))
        return float(self.flow_cm3_s * e * self.r_tissue(k_e)) * across
