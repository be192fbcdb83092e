"""Evaluate targets: each runs through the same protocol code a user's experiment takes.

Nothing here knows any target id. A time-course target is simulated by the rate model
(:func:`noradsim.protocols.timecourse.simulate_conditions`), sampled with the one
definition of "% of baseline" (:mod:`noradsim.protocols.microdialysis.sampling`) and
compared with its range; assays and the spiking LC have their own protocol hooks.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..drugs import DrugLibrary, load_library
from ..errors import InputError
from ..protocols.microdialysis.report import mechanism_summary
from ..protocols.microdialysis.sampling import collect
from .targets import _MEASURE_UNIT, _MICRODIALYSIS, Outcome, Target, _convert, read_targets


def evaluate(target: Target, library: DrugLibrary | None = None, *, explain_parameters: bool = False,
             parameters: dict[str, float] | None = None) -> Outcome:
    """Run one target through the simulator and apply its statistic.

    Parameters
    ----------
    target : Target
        One parsed target.
    library : DrugLibrary, optional
        Drug library (default: the shipped one).
    explain_parameters : bool
        Append the three parameters the prediction is most sensitive to.
    parameters : dict, optional
        Overrides of rate-model parameter values (``noradsim params`` names), used by
        ``noradsim calibrate`` and ``noradsim validate --uncertainty``. The spiking LC and
        the virtual assays do not take overrides: with ``parameters`` given, those targets
        are ``unsupported``.
    """
    library = library or load_library()
    rng = (target.low, target.high)

    def result(value: float | None, reason: str, curve: dict | None = None) -> Outcome:
        if value is None or not math.isfinite(value):
            return Outcome(target.id, None, target.expected, rng, target.unit, "outside", reason, curve or {})
        verdict = "within" if target.low <= value <= target.high else "outside"
        return Outcome(target.id, float(value), target.expected, rng, target.unit, verdict, reason, curve or {})

    def unsupported(reason: str) -> Outcome:
        return Outcome(target.id, None, target.expected, rng, target.unit, "unsupported", reason)

    m, s, c = target.measure, target.statistic, target.conditions
    if c.species != "rat" and m not in ("net_uptake", "net_inhibition"):
        return unsupported(f"species {c.species}: the in vivo model is parameterised for rat only")
    if parameters and (m in ("net_uptake", "net_inhibition", "lc_phasic_response", "lc_spike_width")):
        return unsupported(f"measure {m} is simulated outside the rate model; it takes no parameter overrides")
    try:
        if m in ("net_uptake", "net_inhibition"):
            try:
                from ..protocols.assays import assay_target
            except ImportError as exc:
                return unsupported(f"virtual NET assays not available: {exc}")
            value, why = assay_target(m, s, c.preparation, c.species, [dict(e) for e in target.raw_interventions], library)
            return result(_convert(value, "nM", target.unit), why)
        if m in ("lc_phasic_response", "lc_spike_width"):
            try:
                from ..protocols.recording.targets import lc_target
            except ImportError as exc:
                return unsupported(f"spiking LC model not available: {exc}")
            value, why = lc_target(m, s, c.state, [dict(e) for e in target.raw_interventions], c.species)
            return result(_convert(value, "ms", target.unit), why)
        if s in ("latency", "inhibition_duration", "width", "km", "ki"):
            return unsupported(f"statistic {s} does not apply to measure {m}")
        if c.preparation == "slice" and m != "lc_firing_rate":
            return unsupported(f"preparation slice: only lc_firing_rate is simulated in an LC slice, not {m}")
        if c.preparation not in ("in_vivo", "slice"):
            return unsupported(f"preparation {c.preparation}: measure {m} is simulated in vivo only")
        if s == "ed50":
            return _ed50(target, library, result, parameters)
        out = _time_course_statistic(target, library, result, parameters)
        if explain_parameters and out.predicted is not None:
            top = explain(target, library)
            if top:
                out = replace(out, reason=out.reason + "; most sensitive to "
                              + ", ".join(f"{n} ({e:+.2f})" for n, e in top))
        return out
    except InputError as exc:
        return unsupported(str(exc))


def _series(ds, target: Target):
    """Time (s) and values of the measure in its natural unit (:data:`_MEASURE_UNIT`)."""
    m = target.measure
    t = ds["time"].values * 60.0
    if m == "net_occupancy":  # as ex vivo binding measures it (protocols/ex_vivo.py)
        return t, 100.0 * ds["net_occupancy_ex_vivo"].values
    if m == "brain_drug":
        drug = next(iv.drug for iv in target.conditions.interventions if iv.kind == "drug")
        if f"{drug}_brain_total" not in ds:
            raise InputError(f"brain_drug: the library has no brain/plasma partition (pk.kp_brain) or systemic PK for {drug}")
        return t, ds[f"{drug}_brain_total"].values
    return t, ds[m].values


def _time_course_value(target: Target, library, parameters: dict | None = None):
    """Simulate a time-course target; returns (value or None, reason, dataset, curve)."""
    from ..protocols.timecourse import simulate_conditions

    c = target.conditions
    dt = min(60.0, c.sample / 10.0)
    ds = simulate_conditions(c, library=library, dt=dt, parameters=parameters)
    t, y = _series(ds, target)
    natural = _MEASURE_UNIT[target.measure]
    binned = target.measure in _MICRODIALYSIS
    starts = ends = means = None
    if binned:
        samples = collect(t, y, c.sample, c.baseline, c.window)
        starts, ends, means = samples.starts, samples.ends, samples.means
        w_vals, b_vals = means[samples.in_window], means[samples.in_baseline]
    else:
        win = (t >= c.window[0]) & (t <= c.window[1])
        base = (t >= c.baseline[0]) & (t <= c.baseline[1])
        w_vals, b_vals = y[win], y[base]
        if target.statistic in ("mean", "mean_percent_baseline"):
            w_vals = np.array([np.trapezoid(y[win], t[win]) / (t[win][-1] - t[win][0])]) if win.sum() > 1 else y[win]
            b_vals = np.array([np.trapezoid(y[base], t[base]) / (t[base][-1] - t[base][0])]) if base.sum() > 1 else y[base]
    curve = {"time_min": t / 60.0, "values": y, "unit": natural, "window": c.window, "baseline": c.baseline,
             "bins": (starts / 60.0, ends / 60.0, means) if binned else None,
             "statistic_in": "percent" if target.statistic != "mean" else natural}
    if len(w_vals) == 0:
        return None, "no complete sample bin inside the window", ds, curve
    s = target.statistic
    if s == "mean":
        return _convert(float(np.mean(w_vals)), natural, target.unit), "", ds, curve
    if len(b_vals) == 0 or np.mean(b_vals) <= 0:
        return None, "baseline is empty or zero", ds, curve
    ref = float(np.mean(b_vals))
    pick = {"peak_percent_baseline": np.max, "min_percent_baseline": np.min, "mean_percent_baseline": np.mean}[s]
    return 100.0 * float(pick(w_vals)) / ref, "", ds, curve


def _time_course_statistic(target: Target, library, result, parameters=None) -> Outcome:
    value, why, ds, curve = _time_course_value(target, library, parameters)
    if value is None:
        return result(None, why)
    return result(value, mechanism_summary(ds, target.conditions), curve)


EXPLAIN_PARAMETERS = ("net_vmax", "k_diffusion_loss", "release_per_spike", "k_mobilisation", "alpha2_max_inhibition",
                      "ne_alpha2_k", "ne_alpha2_tau", "terminal_alpha2_tau", "varicosity_density", "lc_alpha2_reserve",
                      "lc_autoreceptor_enrichment", "lc_alpha2_weight", "state_drive", "th_vmax", "k_vesicle_leak",
                      "k_mao", "k_net_efflux", "ca_k_release", "k_depol_half")


def explain(target: Target, library: DrugLibrary | None = None, *, step: float = 0.1, top: int = 3):
    """Which parameters produce the result: elasticities d ln(value) / d ln(parameter).

    Central differences at +/-``step`` (relative) for the mechanistic parameters and for the
    binding and PK parameters of the drugs in the target. Returns ``[(name, elasticity)]``
    sorted by magnitude (largest ``top``).
    """
    from ..model.terminal import build_terminal_model
    from ..protocols.timecourse import drug_uses

    library = library or load_library()
    c = target.conditions
    region = c.region if c.region not in ("locus_coeruleus", "in_vitro") else "prefrontal_cortex"
    model = build_terminal_model(region, state=c.state, drugs=drug_uses(c.interventions), library=library)
    values = model.parameters.values()
    names = [n for n in EXPLAIN_PARAMETERS if n in values]
    names += [n for n in values if n.startswith("d_") and any(k in n for k in ("_ki_", "_clearance", "_efficacy", "_kinact"))]
    base, *_ = _time_course_value(target, library)
    if base is None or base == 0:
        return []
    out = []
    for n in names:
        v = values[n]
        if v == 0:
            continue
        hi, *_ = _time_course_value(target, library, {n: v * (1 + step)})
        lo, *_ = _time_course_value(target, library, {n: v * (1 - step)})
        if hi is None or lo is None or hi <= 0 or lo <= 0:
            continue
        out.append((n, float((np.log(hi) - np.log(lo)) / (np.log(1 + step) - np.log(1 - step)))))
    out.sort(key=lambda kv: -abs(kv[1]))
    return out[:top]


def _ed50(target: Target, library, result, parameters=None) -> Outcome:
    from ..protocols.timecourse import simulate_conditions

    c = target.conditions
    if target.measure in _MICRODIALYSIS:
        return Outcome(target.id, None, target.expected, (target.low, target.high), target.unit, "unsupported",
                       "ed50 is implemented for lc_firing_rate, tissue_ne and net_occupancy")
    rising = target.measure == "net_occupancy"  # rises from zero: the dose giving 50 % occupancy
    natural = "nM" if any(iv.scan and iv.concentration is None and iv.dose is None and iv.route in ("bath", "reverse_dialysis")
                          for iv in c.interventions) else "mg/kg"
    cache: dict[float, float] = {}

    def fraction(dose: float) -> float:
        """Distance below the half-way point: > 0.5 means the dose is still too small."""
        if dose not in cache:
            ds = simulate_conditions(c, library=library, scan_dose=dose, dt=5.0, parameters=parameters,
                                     t_start=c.baseline[0], t_stop=max(c.window[1], c.baseline[1]))
            t, y = _series(ds, target)
            base = (t >= c.baseline[0]) & (t <= c.baseline[1])
            win = (t >= c.window[0]) & (t <= c.window[1])
            level = float(np.trapezoid(y[win], t[win]) / (t[win][-1] - t[win][0]))
            cache[dose] = 1.0 - level / 100.0 if rising else level / float(np.mean(y[base]))
        return cache[dose]

    what = "occupancy" if rising else "of baseline"
    lo, hi = target.scan
    f_lo, f_hi = fraction(lo), fraction(hi)
    if f_hi > 0.5:
        return result(None, f"{target.measure} {100 * (1 - f_hi) if rising else 100 * f_hi:.0f} % {what} at the top of the scan")
    if f_lo < 0.5:
        return result(_convert(lo, natural, target.unit), f"{target.measure} already past 50 % at the bottom of the scan")
    a, b = math.log(lo), math.log(hi)
    for _ in range(40):
        mid = 0.5 * (a + b)
        if fraction(math.exp(mid)) > 0.5:
            a = mid
        else:
            b = mid
        if b - a < 1e-3:
            break
    dose = math.exp(0.5 * (a + b))
    doses = sorted(cache)
    curve = {"doses": np.array(doses), "fractions": np.array([cache[d] for d in doses]), "unit": natural,
             "rising": rising}
    return result(_convert(dose, natural, target.unit),
                  f"log-{'concentration' if natural == 'nM' else 'dose'} bisection on {target.measure} averaged over the window; "
                  f"{len(cache)} simulations", curve)


def run_targets(path: str | Path, *, library: DrugLibrary | None = None, progress=None, explain_parameters: bool = False,
                parameters: dict[str, float] | None = None):
    """Parse and evaluate every target; returns outcomes (errors included, in file order)."""
    library = library or load_library()
    good, bad = read_targets(path, library)
    outcomes = [Outcome(i, None, None, None, "", "error", msg) for i, msg in bad]
    for tg in good:
        outcomes.append(evaluate(tg, library, explain_parameters=explain_parameters, parameters=parameters))
        if progress:
            progress(outcomes[-1])
    return outcomes, good, bad


