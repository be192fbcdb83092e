"""LC state drives derived from measured state firing rates.

A behavioural or anaesthetic state enters the model as one number, the LC drive ``d`` of
the rate law (``data/lc.toml``)

.. math:: r = R\\, s \\ln\\left(1 + e^{(d - w a_2 - \\theta)/s}\\right)

For a state whose mean LC firing rate has been measured, ``lc.toml`` gives that rate
(``[state.S] rate``, Hz, cited) and the drive is derived here, at load time, by inverting
the law at the rate's own steady-state somatodendritic alpha2A activation:

.. math:: d = \\theta + s \\ln\\left(e^{r/(R s)} - 1\\right) + w\\, a_2(r)

.. math:: a_2(r) = \\frac{\\tau x}{1 + x + \\tau x},\\quad
          x = \\frac{e_{LC}\\, g\\, r}{K (k_{NET} + k_{other})}

with ``g`` = ``lc_release_gain``, ``k_NET`` = ``k_lc_net``, ``k_other`` = ``k_lc_other``,
``e_LC`` = ``lc_autoreceptor_enrichment``, ``tau`` = alpha2A reference tau x
``lc_alpha2_reserve`` (terminal.toml, receptors.toml) and ``K`` the alpha2A NE Ki: the
steady state of ``ne_lc`` (release ``g r`` against NET and other clearance) and the
operational model of rule ``a2_lc`` (model/terminal.py) without drugs. The rate model
therefore rests, in every such state, at the measured rate, whatever the alpha2A
constants are. States without a published rate keep an assumed ``drive``.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..calibration.overlay import overlaid, section_records
from ..errors import InputError
from ..parameters import Parameter, Provenance

RATE, DRIVE = ".rate", ".drive"
ALPHA2_INPUTS = ("lc_release_gain", "k_lc_net", "k_lc_other", "lc_autoreceptor_enrichment", "lc_alpha2_reserve")
LAW = ("lc_rate_scale", "lc_threshold", "lc_softness", "lc_alpha2_weight")


def rate_law(drive, a2, *, lc_rate_scale: float, lc_threshold: float, lc_softness: float,
             lc_alpha2_weight: float, **_ignored) -> np.ndarray:
    """The rate model's LC firing law in Hz (numerically safe softplus); :func:`inverse_rate_law` inverts it.

    Examples
    --------
    >>> round(float(rate_law(0.0, 0.0, lc_rate_scale=1.0, lc_threshold=0.0, lc_softness=1.0, lc_alpha2_weight=3.0)), 4)
    0.6931
    """
    z = (np.asarray(drive, float) - lc_alpha2_weight * np.asarray(a2, float) - lc_threshold) / lc_softness
    return lc_rate_scale * lc_softness * np.logaddexp(0.0, z)


def steady_alpha2(rate: float, *, lc_release_gain: float, k_lc_net: float, k_lc_other: float,
                  lc_autoreceptor_enrichment: float, lc_alpha2_reserve: float, ne_k: float, ne_tau: float) -> float:
    """Steady-state LC alpha2A activation at a constant LC rate (Hz), no drugs.

    Examples
    --------
    >>> round(steady_alpha2(2.0, lc_release_gain=0.21, k_lc_net=0.237, k_lc_other=0.028,
    ...                     lc_autoreceptor_enrichment=2.09, lc_alpha2_reserve=18.6, ne_k=316.0, ne_tau=4.0), 3)
    0.436
    """
    x = lc_autoreceptor_enrichment * lc_release_gain * rate / ((k_lc_net + k_lc_other) * ne_k)
    tau = ne_tau * lc_alpha2_reserve
    return tau * x / (1.0 + x + tau * x)


def inverse_rate_law(rate: float, a2: float, *, lc_rate_scale: float, lc_threshold: float, lc_softness: float,
                     lc_alpha2_weight: float) -> float:
    """The drive at which the rate law gives ``rate`` (Hz, > 0) at alpha2A activation ``a2``.

    Examples
    --------
    >>> round(inverse_rate_law(math.log(2.0), 0.0, lc_rate_scale=1.0, lc_threshold=0.0, lc_softness=1.0,
    ...                        lc_alpha2_weight=3.0), 9)
    0.0
    """
    if rate <= 0:
        raise InputError(f"lc.toml: a state rate must be > 0 Hz to derive its drive, got {rate}")
    s = lc_softness
    return lc_threshold + s * math.log(math.expm1(rate / (lc_rate_scale * s))) + lc_alpha2_weight * a2


def drive_inputs(calibrated: bool = True) -> dict[str, float]:
    """The named inputs of the derivation (rate law, alpha2A and LC clearance constants)."""
    from ..receptors.occupancy import get_receptor

    lc = section_records("lc.toml", "parameters", calibrated=calibrated)
    term = section_records("terminal.toml", "parameters", calibrated=calibrated)
    a2 = get_receptor("alpha2A")
    out = {k: lc[k].value for k in LAW} | {k: term[k].value for k in ALPHA2_INPUTS}
    return out | {"ne_k": a2.ne_ki("rat").value, "ne_tau": a2.tau.value}


def drive_for_rate(rate: float, inputs: dict[str, float]) -> float:
    """The state drive that holds the rate model at ``rate`` (Hz) in steady state."""
    a2 = steady_alpha2(rate, **{k: inputs[k] for k in (*ALPHA2_INPUTS, "ne_k", "ne_tau")})
    return inverse_rate_law(rate, a2, **{k: inputs[k] for k in LAW})


def _derived_drive(state: str, rate: Parameter, inputs: dict[str, float]) -> Parameter:
    d = drive_for_rate(rate.value, inputs)
    rng = rate.provenance.range if rate.provenance is not None else None
    drange = (drive_for_rate(rng[0], inputs), drive_for_rate(rng[1], inputs)) if rng and rng[0] > 0 else None
    derivation = (f"drive = lc_threshold + lc_softness ln(exp(r/(lc_rate_scale lc_softness)) - 1) + lc_alpha2_weight "
                  f"a2(r), a2(r) the steady-state LC alpha2A activation at r (noradsim.model.lc_states), "
                  f"r = state.{state}.rate = {rate.value:g} Hz ({rate.kind}: {rate.source})")
    prov = Provenance("derived", derivation=derivation, range=drange, note=rate.note)
    return Parameter(f"drive_{state}", d, "1", "rat", prov.text(), "LC state drive (derived from the state rate)",
                     min=-math.inf, note=rate.note, provenance=prov)


def state_drive_records(*, calibrated: bool = True) -> dict[str, Parameter]:
    """``{state: drive Parameter}``: assumed drives as written, the others derived from the state rate.

    A calibration overlay entry ``state.S.drive`` replaces the derived value, as for any
    other parameter (the one loading path of :mod:`noradsim.calibration.overlay`).
    """
    table = section_records("lc.toml", "state", calibrated=calibrated)
    inputs = drive_inputs(calibrated)
    out: dict[str, Parameter] = {}
    for key, p in table.items():
        state = key.rsplit(".", 1)[0]
        if key.endswith(DRIVE):
            out[state] = dataclasses.replace(p, name=f"drive_{state}")
        elif key.endswith(RATE):
            if f"{state}{DRIVE}" in table:
                raise InputError(f"lc.toml [state.{state}]: give rate or drive, not both")
            derived = {f"state.{state}.drive": _derived_drive(state, p, inputs)}
            out[state] = (overlaid("lc.toml", derived) if calibrated else derived)[f"state.{state}.drive"]
    return out


def state_rates(*, calibrated: bool = True) -> dict[str, Parameter]:
    """``{state: rate Parameter}`` for the states whose LC rate is given in ``lc.toml``."""
    return {k[:-len(RATE)]: p for k, p in section_records("lc.toml", "state", calibrated=calibrated).items()
            if k.endswith(RATE)}


def state_alpha2(state: str) -> float:
    """The drug-free steady-state LC alpha2A activation of the rate model in ``state``.

    Solves the fixed point ``r = law(d, a2(r))`` for the state's drive ``d`` (written or
    derived) and returns ``a2(r)``: the background alpha2A tone a spiking simulation of
    that state should start from to agree with the rate model.
    """
    from scipy.optimize import brentq

    drives = state_drive_records()
    if state not in drives:
        from ..errors import unknown

        raise unknown("state", state, drives)
    inputs = drive_inputs()
    a2_of = {k: inputs[k] for k in (*ALPHA2_INPUTS, "ne_k", "ne_tau")}
    law = {k: inputs[k] for k in LAW}
    d = drives[state].value

    def gap(r: float) -> float:
        return float(rate_law(d, steady_alpha2(r, **a2_of), **law)) - r

    return steady_alpha2(brentq(gap, 0.0, 1e3, xtol=1e-12), **a2_of)

