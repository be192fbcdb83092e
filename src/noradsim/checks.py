"""Checks shared by the protocols: plausible magnitudes, recording settings, solver failures.

Each check raises :class:`noradsim.errors.InputError` (one line naming the field) before any
simulation starts; :func:`solver_guard` turns a failure of the ODE solver on a legal but
extreme input into a :class:`noradsim.errors.SolverError` that names the input.

The bounds below are not model parameters: they separate pharmacology from typing errors.

* ``MAX_DOSE_MG_KG`` = 2000 mg/kg: above the oral LD50 of most CNS drugs in rat and two orders
  of magnitude above the doses used in microdialysis (0.1-30 mg/kg); assumed.
* ``MAX_CONCENTRATION_NM`` = 1e9 nM (1 M): beyond the solubility of any drug or ion in aCSF.
* ``MAX_SPAN_S`` = 60 days: longer than any minipump protocol (14-28 days).
* ``MAX_RECORDING_DT_S`` = 0.1 ms: an LC spike lasts about 1-2 ms (half-width 0.5-1 ms), so
  sampling must be at least 10 kHz to resolve its waveform and the detection band.
"""

from __future__ import annotations

import contextlib
import sys

from .errors import InputError, SolverError, unknown

MAX_DOSE_MG_KG = 2000.0
MAX_INFUSION_MG_KG_DAY = 2000.0
MAX_CONCENTRATION_NM = 1e9
MAX_CURRENT_NA = 10000.0
MAX_SPAN_S = 60 * 86400.0
MAX_RECORDING_DT_S = 1e-4
MIN_RECORDING_DT_S = 1e-6


def check_table(table, keys, field: str, example: str) -> dict:
    """An experiment's sub-table: a TOML table holding only ``keys`` (one line naming the field otherwise).

    >>> check_table({"n": 10}, ("n", "spread"), "experiment uncertainty", "(n, spread)")
    {'n': 10}
    """
    if not isinstance(table, dict):
        raise InputError(f"{field}: must be a table {example}")
    for key in table:
        if key not in keys:
            raise unknown(f"{field}: field", key, keys)
    return table


def check_at_most(value: float, limit: float, field: str, unit: str, why: str) -> float:
    """``value`` if it is at most ``limit``, else an InputError naming ``field``."""
    if value > limit:
        raise InputError(f"{field}: {value:.3g} {unit} is above {limit:g} {unit}, {why}")
    return value


def check_dose(dose: float, field: str, *, infusion: bool = False) -> float:
    """A systemic dose in mg/kg (or mg/kg/day) within :data:`MAX_DOSE_MG_KG`."""
    unit = "mg/kg/day" if infusion else "mg/kg"
    return check_at_most(dose, MAX_INFUSION_MG_KG_DAY if infusion else MAX_DOSE_MG_KG, field, unit,
                         "beyond any pharmacological or toxicological dose")


def check_concentration(conc: float, field: str) -> float:
    """A concentration in nM within :data:`MAX_CONCENTRATION_NM` (1 M)."""
    return check_at_most(conc, MAX_CONCENTRATION_NM, field, "nM", "beyond the solubility of anything in aCSF")


def check_span(start: float, stop: float, field: str) -> None:
    """A time interval (s) no longer than :data:`MAX_SPAN_S`."""
    if stop - start > MAX_SPAN_S:
        raise InputError(f"{field}: spans {(stop - start) / 86400:.3g} days; at most {MAX_SPAN_S / 86400:g} days")


def check_sample(sample: float, window: tuple[float, float], field: str) -> None:
    """A collection interval (s) that fits in the window at least once."""
    if sample > window[1] - window[0] + 1e-9:
        raise InputError(f"{field}: {sample / 60:.4g} min is longer than the window "
                         f"({(window[1] - window[0]) / 60:.4g} min), so no sample would be collected")


def check_recording_dt(dt: float, duration: float, field: str = "recording.dt") -> float:
    """A recording time step (s) fine enough for spike waveforms and coarse enough to finish.

    Call in ``parse_experiment`` (protocols/recording) right after ``dt`` is parsed, before
    the filter bands are checked, so that a coarse ``dt`` is reported as a ``dt`` problem.
    """
    if dt > MAX_RECORDING_DT_S:
        raise InputError(f"{field}: {dt * 1e3:.4g} ms is too coarse for spikes (about 1 ms long); "
                         f"use at most {MAX_RECORDING_DT_S * 1e3:g} ms (10 kHz sampling or more)")
    if dt < MIN_RECORDING_DT_S:
        raise InputError(f"{field}: {dt * 1e3:.4g} ms is finer than {MIN_RECORDING_DT_S * 1e3:g} ms; "
                         f"{duration:g} s would need {duration / max(dt, 1e-300):.3g} steps")
    return dt


def check_events_within(events, duration: float, field: str = "interventions") -> None:
    """Every stimulus or drug (objects or tables with ``at``, in s) starts inside the recording.

    Call in ``parse_experiment`` (protocols/recording) once ``events`` and ``duration`` are
    known. ``at`` may be a number in s or a table entry already converted to s.
    """
    for i, ev in enumerate(events):
        at = ev.get("at") if isinstance(ev, dict) else getattr(ev, "at", None)
        if at is None:
            continue
        if not 0.0 <= float(at) < duration:
            raise InputError(f"{field}[{i}] at: {float(at):g} s is outside the recording "
                             f"(recording.duration = {duration:g} s)")


def _quiet_roadrunner():
    """Silence libroadrunner's own stderr log for the duration (the error is reported once, by us)."""
    rr = sys.modules.get("roadrunner")
    if rr is None:
        return None
    level = rr.Logger.getLevel()
    rr.Logger.setLevel(rr.Logger.LOG_FATAL)
    return lambda: rr.Logger.setLevel(level)


@contextlib.contextmanager
def solver_guard(what: str):
    """Re-raise a failure of the ODE solver (CVODE via libroadrunner, or scipy) as SolverError.

    ``what`` names the input, e.g. ``"atomoxetine 1000 mg/kg ip"``; the message says that
    the input is legal but the solver could not integrate the model with it.
    """
    import warnings

    import numpy as np

    restore = _quiet_roadrunner()
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)  # NaNs are reported below, once, as an error
            yield
    except RuntimeError as exc:
        text = str(exc)
        if "CVODE" not in text and "CV_" not in text and "integrat" not in text.lower():
            raise
        code = next((w.strip(":,;") for w in text.split() if w.startswith("CV_")), "solver failure")
        raise SolverError(f"the ODE solver failed ({code}) for {what}: the input is legal but too extreme for "
                          "the model to integrate; try a smaller value") from None
    finally:
        if restore:
            restore()


def check_finite(summary: dict, keys, what: str) -> None:
    """Refuse a result whose headline numbers are not finite (the model broke down silently)."""
    import math

    bad = [k for k in keys if isinstance(summary.get(k), float) and not math.isfinite(summary[k])]
    if bad:
        raise SolverError(f"the simulation of {what} gave no finite {bad[0]} ({summary[bad[0]]}): the inputs are "
                          "legal but push the model outside the range where it can be solved; try less extreme values")


AVOGADRO = 6.02214076e23  # 1/mol


def check_measurable(baseline_nM: float, sample_ul: float, what: str) -> None:
    """Refuse a percent-of-baseline result whose baseline sample holds less than one molecule.

    A legal but extreme input can drive dialysate NE to a few 1e-14 nM; the ratio of two such
    numbers is finite but meaningless (no molecule would be collected).

    Examples
    --------
    >>> check_measurable(0.7, 30.0, "x")   # 0.7 nM in 30 uL: about 1.3e10 molecules
    """
    molecules = baseline_nM * 1e-9 * sample_ul * 1e-6 * AVOGADRO
    if not molecules >= 1.0:
        raise SolverError(f"the simulation of {what} gave no finite percent of baseline: the baseline dialysate "
                          f"NE ({baseline_nM:.3g} nM) is {molecules:.2g} molecules per {sample_ul:g} uL sample; "
                          "the inputs are legal but push the model outside the range where it can be solved; "
                          "try less extreme values")


def describe(interventions) -> str:
    """The interventions in a few words, for solver messages."""
    parts = []
    for i, iv in enumerate(interventions):
        amount = (f"{iv.dose:g} mg/kg" if iv.dose is not None else
                  f"{iv.concentration:g} nM" if iv.concentration is not None else "")
        name = iv.drug or iv.perfusate or iv.stimulus
        parts.append(f"interventions[{i}] {name} {amount} {iv.route}".strip())
    return "; ".join(parts) or "the drug-free baseline"
