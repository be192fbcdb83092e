"""Alpha2A activation at LC neurons: the operational model, iontophoresis and systemic PK.

The operational model (Black & Leff 1983) for several ligands competing for one receptor
gives the fractional activation

.. math:: a_2 = \\frac{\\sum_i \\tau_i x_i}{1 + \\sum_i x_i + \\sum_i \\tau_i x_i},
          \\qquad x_i = [A_i]/K_i,

with :math:`\\tau_i = \\varepsilon_i \\tau_{NE}` for a drug of intrinsic efficacy
:math:`\\varepsilon_i` relative to NE (antagonists: :math:`\\varepsilon = 0`). The foundation's
rate model supplies ``a2`` directly; :func:`terms_from_a2` converts it to the equivalent
background NE so that drugs and evoked NE can be added on top.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import signal

from ..errors import InputError

FARADAY = 96485.332  # C/mol


def terms_from_a2(a2, tau_ne: float) -> tuple[np.ndarray, np.ndarray]:
    """Operational-model terms (stimulus, occupancy) of NE alone that give activation ``a2``.

    Solves :math:`a = \\tau x / (1 + x + \\tau x)` for :math:`x`.

    Examples
    --------
    >>> s, x = terms_from_a2(0.5, 19.0)
    >>> round(float(s / (1 + x + s)), 6)
    0.5
    """
    a = np.asarray(a2, float)
    if np.any(~np.isfinite(a)) or np.any(a < 0) or np.any(a >= tau_ne / (1 + tau_ne)):
        raise InputError(f"a2: activation must be in [0, {tau_ne / (1 + tau_ne):.3f}) (the NE maximum), got {a2!r}")
    x = a / (tau_ne - a * (1.0 + tau_ne))
    return tau_ne * x, x


def activation(stimulus, occupancy) -> np.ndarray:
    """Operational-model activation from summed terms."""
    s = np.asarray(stimulus, float)
    return s / (1.0 + np.asarray(occupancy, float) + s)


def drug_terms(concentration_nm, ki_nm: float, efficacy: float, tau_ne: float):
    """Operational-model terms of one drug at ``concentration_nm`` (nM)."""
    c = np.asarray(concentration_nm, float)
    if not math.isfinite(ki_nm) or ki_nm <= 0:
        return np.zeros_like(c), np.zeros_like(c)
    x = c / ki_nm
    return efficacy * tau_ne * x, x


def iontophoresis_concentration(current_na: float, distance_um: float, t_s, *, transport_number: float = 0.2,
                                diffusion_um2_s: float = 500.0, tortuosity: float = 1.6,
                                volume_fraction: float = 0.2, t_on: float = 0.0, t_off: float = math.inf,
                                clearance_s: float = 5.0) -> np.ndarray:
    """Concentration (nM) at ``distance_um`` from an iontophoretic barrel.

    Point source in an isotropic porous medium (Nicholson & Phillips 1981, J Physiol
    321:225): source rate :math:`Q = n I / (zF)` (here z = 1), effective diffusion
    :math:`D^* = D/\\lambda^2`, volume fraction :math:`\\alpha`, first-order loss
    ``clearance_s``; the response to a current step is the superposition of the
    continuous-point-source solution, computed here by a discrete convolution on ``t_s``.

    Parameters
    ----------
    current_na : float
        Ejection current in nA (>= 0).
    distance_um : float or array
        Distance from the barrel tip to the neurons, um (> 0); an array gives one column
        per distance.
    t_s : array
        Times in s (uniform grid from the start of the run).

    Returns
    -------
    array
        Shape ``t_s.shape`` for a scalar distance, ``(t_s.size, distance_um.size)`` for an
        array.

    Examples
    --------
    >>> t = np.arange(0, 60, 0.01)
    >>> c = iontophoresis_concentration(20.0, 50.0, t)
    >>> bool(c[-1] > c[100] > 0)
    True
    """
    if not math.isfinite(current_na) or current_na < 0:
        raise InputError(f"iontophoresis current: must be >= 0 nA, got {current_na}")
    dist = np.asarray(distance_um, float)
    if dist.ndim > 1 or np.any(~np.isfinite(dist)) or np.any(dist <= 0):
        raise InputError(f"iontophoresis distance: must be > 0 um, got {distance_um}")
    t = np.asarray(t_s, float)
    dt = t[1] - t[0] if t.size > 1 else 1.0
    q_mol_s = transport_number * current_na * 1e-9 / FARADAY
    d_eff = diffusion_um2_s / tortuosity**2 * 1e-12  # m2/s
    lag = np.arange(1, t.size + 1) * dt
    on = ((t >= t_on) & (t < t_off)).astype(float) * q_mol_s * dt
    out = np.empty((t.size, dist.size))
    for k, r_um in enumerate(np.atleast_1d(dist)):
        r = r_um * 1e-6
        # impulse response of the point source (concentration per mol released), mol/m3 per mol
        g = np.exp(-r**2 / (4 * d_eff * lag) - lag / clearance_s) / (volume_fraction * (4 * math.pi * d_eff * lag) ** 1.5)
        out[:, k] = signal.fftconvolve(on, g)[: t.size] if t.size > 2000 else np.convolve(on, g)[: t.size]
    out = np.maximum(out, 0.0) * 1e6  # mol/m3 = mM = 1e6 nM; FFT round-off can dip below 0
    return out[:, 0] if dist.ndim == 0 else out


def pipette_tip(electrode_um, distance_um: float) -> np.ndarray:
    """Position (um, LC frame) of the iontophoretic barrels' tip for a recording tip at ``electrode_um``.

    Piggy-back / multibarrel assemblies: the recording tip protrudes ``distance_um`` beyond
    the barrels along the track (typically 10-50 um; Foote, Aston-Jones & Bloom 1980 used
    multibarrel pipettes for LC iontophoresis). The track is taken dorsoventral, so the
    barrels lie ``distance_um`` dorsal (+z) of the recording tip (assumed: vertical
    penetration, as in the stereotaxic LC approach).

    Examples
    --------
    >>> pipette_tip([0.0, 20.0, 0.0], 50.0).tolist()
    [0.0, 20.0, 50.0]
    """
    return np.asarray(electrode_um, float) + np.array([0.0, 0.0, float(distance_um)])


# Nearest distance (um) at which the point-source solution is evaluated: the barrels'
# tip radius (assumed: a multibarrel tip is 5-10 um across; the 1/r solution diverges at 0).
MIN_PIPETTE_DISTANCE_UM = 5.0


def systemic_brain_concentration(drug, dose_mg_kg: float, route: str, t_s, t_dose: float) -> np.ndarray:
    """Unbound brain concentration (nM) after one systemic dose at ``t_dose``.

    The closed-form solution (:func:`noradsim.pk.brain_concentration`) of the same PK that
    the rate model integrates (depot, plasma, brain ECF with Kp,uu), so the spiking and
    rate descriptions see the same drug exposure.
    """
    from ..pk import brain_concentration

    t = np.asarray(t_s, float) - t_dose
    out = np.zeros_like(t)
    after = t >= 0
    if after.any():
        out[after] = brain_concentration(drug.name, dose_mg_kg, route, t[after])
    return out


def full_block_ratio(state: str) -> tuple[float, float]:
    """``(rate, rate under full alpha2A block)`` in Hz of the rate model in ``state``, no drugs otherwise.

    The drug-free rate is the model's fixed point (:func:`noradsim.model.lc_states.state_alpha2`);
    a saturating alpha2A antagonist removes the endogenous tone (``a2_lc`` -> 0) at the same
    state drive, so the blocked rate is the rate law at ``a2 = 0``. Their ratio is the LC
    firing increase an alpha2 antagonist given alone can produce in that state: the
    observable that ``lc_autoreceptor_enrichment`` sets (docs/mechanisms.md).
    """
    from ..model.lc_states import LAW, drive_inputs, rate_law, state_alpha2, state_drive_records

    a2 = state_alpha2(state)  # raises the usual one-line error for an unknown state
    drive = state_drive_records()[state].value
    law = {k: drive_inputs()[k] for k in LAW}
    return float(rate_law(drive, a2, **law)), float(rate_law(drive, 0.0, **law))


def enrichment_for_block_ratio(rate_hz: float, block_rate_hz: float, inputs: dict[str, float]) -> float:
    """The ``lc_autoreceptor_enrichment`` at which full alpha2A block raises the LC rate ``rate_hz`` to ``block_rate_hz``.

    Both rates share one state drive ``d`` (the antagonist removes only the tone):
    ``d = inverse_rate_law(block_rate, 0)`` and ``d = inverse_rate_law(rate, a2)``, so the
    drug-free tone is ``a2 = (inverse_rate_law(block_rate, 0) - inverse_rate_law(rate, 0)) / w``
    (``w`` = ``lc_alpha2_weight``). Inverting the operational model (:func:`terms_from_a2`,
    ``tau`` = NE's reference tau x ``lc_alpha2_reserve``) gives ``x = [NE]_site / K``, and the
    steady LC NE at ``rate`` (release ``g r`` against NET and other clearance) gives the
    enrichment ``e = x K (k_NET + k_other) / (g r)``: the inverse of
    :func:`noradsim.model.lc_states.steady_alpha2`. ``inputs`` as from
    :func:`noradsim.model.lc_states.drive_inputs`.

    Examples
    --------
    >>> law = dict(lc_rate_scale=1.0, lc_threshold=0.0, lc_softness=1.0, lc_alpha2_weight=2.0)
    >>> inputs = law | dict(lc_release_gain=0.5, k_lc_net=0.4, k_lc_other=0.1, lc_alpha2_reserve=2.0,
    ...                     ne_k=10.0, ne_tau=2.0)
    >>> round(enrichment_for_block_ratio(1.0, 2.0, inputs), 6)
    9.160002
    """
    from ..model.lc_states import LAW, inverse_rate_law

    if not (math.isfinite(rate_hz) and math.isfinite(block_rate_hz)) or rate_hz <= 0 or block_rate_hz <= rate_hz:
        raise InputError(f"alpha2 block: the blocked LC rate must exceed the basal rate (> 0 Hz), "
                         f"got {block_rate_hz} and {rate_hz} Hz")
    law = {k: inputs[k] for k in LAW}
    a2 = (inverse_rate_law(block_rate_hz, 0.0, **law) - inverse_rate_law(rate_hz, 0.0, **law)) / law["lc_alpha2_weight"]
    tau = inputs["ne_tau"] * inputs["lc_alpha2_reserve"]
    _, x = terms_from_a2(a2, tau)
    return float(x) * inputs["ne_k"] * (inputs["k_lc_net"] + inputs["k_lc_other"]) / (inputs["lc_release_gain"] * rate_hz)
