"""Validation against published measurements (the ``noradsim-targets/1`` format).

Each target is a small virtual experiment plus a range. :func:`run_targets` parses the
file (malformed targets become errors that name the target and field; the others still
run), simulates each target through the same public path a user's experiment takes,
reduces the time course with the target's statistic and compares with the range.
Nothing here knows any target id.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .drugs import DrugLibrary, load_library
from .errors import InputError, unknown
from .experiment import Conditions, parse_conditions
from .parameters import read_toml
from .protocols.microdialysis import bin_samples
from .units import parse_quantity, ureg
from .vocabulary import MEASURES, STATISTICS

SCHEMA = "noradsim-targets/1"
REQUIRED = ("id", "source", "measure", "statistic", "unit", "species", "region", "expected", "range")
OPTIONAL = ("state", "preparation", "sample", "flow", "interventions", "window", "baseline", "scan", "notes")
_MEASURE_UNIT = {"extracellular_ne": "nM", "dialysate_ne": "nM", "lc_firing_rate": "Hz", "tissue_ne": "ng/g",
                 "lc_phasic_response": "ms", "lc_spike_width": "ms", "net_uptake": "nM", "net_inhibition": "nM"}
_PERCENT = ("peak_percent_baseline", "min_percent_baseline", "mean_percent_baseline")
_MICRODIALYSIS = ("extracellular_ne", "dialysate_ne")


@dataclass
class Target:
    id: str
    source: str
    measure: str
    statistic: str
    unit: str
    expected: float
    low: float
    high: float
    conditions: Conditions
    scan: tuple[float, float] | None = None
    notes: str = ""
    sample_given: bool = False
    raw_interventions: tuple = ()


@dataclass
class Outcome:
    id: str
    predicted: float | None
    expected: float | None
    range: tuple[float, float] | None
    unit: str
    verdict: str  # within | outside | unsupported | error
    reason: str = ""
    curve: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"id": self.id, "predicted": self.predicted, "expected": self.expected,
                "range": list(self.range) if self.range else None, "unit": self.unit,
                "verdict": self.verdict, "reason": self.reason}


def _number(v, where: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or math.isnan(v):
        raise InputError(f"{where}: must be a number, got {v!r}")
    return float(v)


def parse_target(t: dict, index: int) -> Target:
    """One ``[[target]]`` table → :class:`Target` (errors name the id and the field)."""
    tid = t.get("id")
    where = f"target {tid}" if isinstance(tid, str) and tid else f"target #{index + 1}"
    for key in REQUIRED:
        if key not in t:
            raise InputError(f"{where}: missing required field {key!r}")
    for key in t:
        if key not in REQUIRED + OPTIONAL:
            raise unknown(f"{where}: field", key, REQUIRED + OPTIONAL)
    if t["measure"] not in MEASURES:
        raise unknown(f"{where} measure", t["measure"], MEASURES)
    if t["statistic"] not in STATISTICS:
        raise unknown(f"{where} statistic", t["statistic"], STATISTICS)
    unit = str(t["unit"])
    natural = _MEASURE_UNIT[t["measure"]]
    if t["statistic"] in _PERCENT:
        if unit != "%":
            raise InputError(f"{where} unit: statistic {t['statistic']} is a percentage; unit must be '%', got {unit!r}")
    elif t["statistic"] == "ed50":
        _check_unit(unit, "mg/kg", f"{where} unit")
    else:
        _check_unit(unit, natural, f"{where} unit")
    expected = _number(t["expected"], f"{where} expected")
    rng = t["range"]
    if not isinstance(rng, list) or len(rng) != 2:
        raise InputError(f"{where} range: must be [low, high]")
    low, high = _number(rng[0], f"{where} range"), _number(rng[1], f"{where} range")
    if low > high:
        raise InputError(f"{where} range: low {low} > high {high}")
    sample_default = "20 min" if t["measure"] in _MICRODIALYSIS else "1 min"
    cond = parse_conditions(t, where, sample_default=sample_default)
    scan = None
    if t["statistic"] == "ed50":
        if "scan" not in t or not isinstance(t["scan"], dict) or not {"low", "high"} <= set(t["scan"]):
            raise InputError(f"{where} scan: statistic ed50 needs scan = {{ low = '...', high = '...' }}")
        scan = (parse_quantity(t["scan"]["low"], "dose", f"{where} scan low"),
                parse_quantity(t["scan"]["high"], "dose", f"{where} scan high"))
        if not 0 < scan[0] < scan[1]:
            raise InputError(f"{where} scan: need 0 < low < high")
        if sum(iv.scan for iv in cond.interventions) != 1:
            raise InputError(f"{where} interventions: statistic ed50 needs exactly one intervention with dose = 'scan'")
    return Target(tid, str(t["source"]), t["measure"], t["statistic"], unit, expected, low, high, cond, scan,
                  str(t.get("notes", "")), "sample" in t, tuple(dict(e) for e in t.get("interventions", [])))


def _check_unit(unit: str, natural: str, where: str) -> None:
    try:
        ureg().Quantity(1.0, unit).to(natural)
    except Exception:
        raise InputError(f"{where}: {unit!r} is not convertible to {natural}") from None


def _convert(value: float, natural: str, unit: str) -> float:
    return float(ureg().Quantity(value, natural).to(unit).magnitude)


def read_targets(path: str | Path) -> tuple[list[Target], list[tuple[str, str]]]:
    """Parse a targets file. Returns the good targets and ``(id, message)`` for bad ones."""
    doc = read_toml(path)
    if doc.get("schema") != SCHEMA:
        raise InputError(f"{path}: schema must be {SCHEMA!r}, got {doc.get('schema')!r}")
    raw = doc.get("target", [])
    if not isinstance(raw, list):
        raise InputError(f"{path}: 'target' must be an array of tables ([[target]])")
    good, bad, seen = [], [], set()
    for i, t in enumerate(raw):
        try:
            tg = parse_target(t, i)
            if tg.id in seen:
                raise InputError(f"target {tg.id}: id is not unique in the file")
            seen.add(tg.id)
            good.append(tg)
        except InputError as exc:
            bad.append((str(t.get("id", f"#{i + 1}")), str(exc)))
    return good, bad


# ------------------------------------------------------------------ evaluation


def evaluate(target: Target, library: DrugLibrary | None = None, *, explain_parameters: bool = False) -> Outcome:
    """Run one target through the simulator and apply its statistic."""
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
    try:
        if m in ("net_uptake", "net_inhibition"):
            try:
                from .protocols.assays import assay_target
            except ImportError as exc:
                return unsupported(f"virtual NET assays not available: {exc}")
            value, why = assay_target(m, s, c.preparation, c.species, [dict(e) for e in target.raw_interventions], library)
            return result(_convert(value, "nM", target.unit), why)
        if m in ("lc_phasic_response", "lc_spike_width"):
            try:
                from .protocols.recording.targets import lc_target
            except ImportError as exc:
                return unsupported(f"spiking LC model not available: {exc}")
            value, why = lc_target(m, s, c.state, [dict(e) for e in target.raw_interventions], c.species)
            return result(_convert(value, "ms", target.unit), why)
        if s in ("latency", "inhibition_duration", "width", "km", "ki"):
            return unsupported(f"statistic {s} does not apply to measure {m}")
        if c.preparation != "in_vivo":
            return unsupported(f"preparation {c.preparation}: measure {m} is simulated in vivo only")
        if s == "ed50":
            return _ed50(target, library, result)
        out = _time_course_statistic(target, library, result)
        if explain_parameters and out.predicted is not None:
            top = explain(target, library)
            if top:
                out.reason += "; most sensitive to " + ", ".join(f"{n} ({e:+.2f})" for n, e in top)
        return out
    except InputError as exc:
        return unsupported(str(exc))


def _series(ds, target: Target):
    """Time (s) and values of the measure in its natural unit; binned for microdialysis."""
    m = target.measure
    t = ds["time"].values * 60.0
    y = ds[m].values
    return t, y


def _time_course_value(target: Target, library, parameters: dict | None = None):
    """Simulate a time-course target; returns (value or None, reason, dataset, curve)."""
    from .simulate import simulate_conditions

    c = target.conditions
    dt = min(60.0, c.sample / 10.0)
    ds = simulate_conditions(c, library=library, dt=dt, parameters=parameters)
    t, y = _series(ds, target)
    natural = _MEASURE_UNIT[target.measure]
    binned = target.measure in _MICRODIALYSIS
    starts = ends = means = None
    if binned:
        lo_t = min(c.baseline[0], c.window[0])
        hi_t = max(c.baseline[1], c.window[1])
        starts, ends, means = bin_samples(t, y, c.sample, lo_t, hi_t)
        win = (starts >= c.window[0] - 1e-6) & (ends <= c.window[1] + 1e-6)
        base = (starts >= c.baseline[0] - 1e-6) & (ends <= c.baseline[1] + 1e-6)
        w_vals, b_vals = means[win], means[base]
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


def _time_course_statistic(target: Target, library, result) -> Outcome:
    value, why, ds, curve = _time_course_value(target, library)
    if value is None:
        return result(None, why)
    return result(value, mechanism_summary(ds, target.conditions), curve)


EXPLAIN_PARAMETERS = ("net_vmax", "k_diffusion_loss", "release_per_spike", "k_mobilisation", "alpha2_max_inhibition",
                      "ne_alpha2_k", "ne_alpha2_tau", "autoreceptor_enrichment", "lc_alpha2_reserve",
                      "lc_autoreceptor_enrichment", "lc_alpha2_weight", "state_drive", "th_vmax", "k_vesicle_leak",
                      "k_mao", "k_net_efflux", "ca_k_release", "k_depol_half")


def explain(target: Target, library: DrugLibrary | None = None, *, step: float = 0.1, top: int = 3):
    """Which parameters produce the result: elasticities d ln(value) / d ln(parameter).

    Central differences at +/-``step`` (relative) for the mechanistic parameters and for the
    binding and PK parameters of the drugs in the target. Returns ``[(name, elasticity)]``
    sorted by magnitude (largest ``top``).
    """
    from .model.terminal import build_terminal_model
    from .simulate import drug_uses

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


def mechanism_summary(ds, c: Conditions) -> str:
    """One line: the mechanisms that moved, from baseline to their extreme in the window."""
    t = ds["time"].values * 60.0
    base = (t >= c.baseline[0]) & (t <= c.baseline[1])
    win = (t >= c.window[0]) & (t <= c.window[1])

    def change(name, fmt="{:.2g}"):
        v = ds[name].values
        b = float(np.mean(v[base])) if base.any() else float(v[0])
        w = v[win]
        ext = float(w[np.argmax(np.abs(w - b))]) if w.size else b
        return b, ext

    parts = []
    b, e = change("ne_ecf")
    parts.append(f"ECF NE {b:.2g}->{e:.2g} nM")
    b, e = change("lc_firing_rate")
    parts.append(f"LC {b:.2g}->{e:.2g} Hz")
    b, e = change("alpha2_terminal_activation")
    parts.append(f"terminal alpha2 {b:.2f}->{e:.2f}")
    b, e = change("net_occupancy")
    if e > 0.01:
        parts.append(f"NET occupancy {e:.0%}")
    b, e = change("extraction_fraction")
    if abs(e - b) > 0.01:
        parts.append(f"probe recovery {b:.2f}->{e:.2f}")
    if "tissue_ne" in ds:
        b, e = change("tissue_ne")
        if abs(e - b) / b > 0.02:
            parts.append(f"tissue NE {b:.0f}->{e:.0f} ng/g")
    return "; ".join(parts)


def _ed50(target: Target, library, result) -> Outcome:
    from .simulate import simulate_conditions

    c = target.conditions
    if target.measure in _MICRODIALYSIS:
        return Outcome(target.id, None, target.expected, (target.low, target.high), target.unit, "unsupported",
                       "ed50 is implemented for lc_firing_rate and tissue_ne")
    cache: dict[float, float] = {}

    def fraction(dose: float) -> float:
        if dose not in cache:
            ds = simulate_conditions(c, library=library, scan_dose=dose, dt=5.0,
                                     t_start=c.baseline[0], t_stop=max(c.window[1], c.baseline[1]))
            t = ds["time"].values * 60.0
            y = ds[target.measure].values
            base = (t >= c.baseline[0]) & (t <= c.baseline[1])
            win = (t >= c.window[0]) & (t <= c.window[1])
            cache[dose] = float(np.trapezoid(y[win], t[win]) / (t[win][-1] - t[win][0])) / float(np.mean(y[base]))
        return cache[dose]

    lo, hi = target.scan
    f_lo, f_hi = fraction(lo), fraction(hi)
    if f_hi > 0.5:
        return result(None, f"{target.measure} still {100 * f_hi:.0f} % of baseline at the top of the scan")
    if f_lo < 0.5:
        return result(_convert(lo, "mg/kg", target.unit), f"already {100 * f_lo:.0f} % of baseline at the bottom of the scan")
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
    curve = {"doses": np.array(doses), "fractions": np.array([cache[d] for d in doses]), "unit": target.unit}
    return result(_convert(dose, "mg/kg", target.unit),
                  f"log-dose bisection on {target.measure} averaged over the window; {len(cache)} simulations", curve)


def run_targets(path: str | Path, *, library: DrugLibrary | None = None, progress=None, explain_parameters: bool = False):
    """Parse and evaluate every target; returns outcomes (errors included, in file order)."""
    good, bad = read_targets(path)
    library = library or load_library()
    outcomes = [Outcome(i, None, None, None, "", "error", msg) for i, msg in bad]
    for tg in good:
        outcomes.append(evaluate(tg, library, explain_parameters=explain_parameters))
        if progress:
            progress(outcomes[-1])
    return outcomes, good, bad


def summary_line(outcomes) -> str:
    counted = [o for o in outcomes if o.verdict != "error"]
    n = len(counted)
    p = sum(o.verdict == "within" for o in counted)
    f = sum(o.verdict == "outside" for o in counted)
    u = sum(o.verdict == "unsupported" for o in counted)
    return f"validated {n} targets: {p} within range, {f} outside, {u} unsupported"


def format_row(o: Outcome) -> str:
    if o.verdict == "error":
        return f"{o.id}  error: {o.reason}"
    pred = "-" if o.predicted is None else f"{o.predicted:.4g}"
    rng = "-" if o.range is None else f"[{o.range[0]:g}, {o.range[1]:g}]"
    return f"{o.id}  predicted {pred} {o.unit}  range {rng}  {o.verdict}  ({o.reason})"
