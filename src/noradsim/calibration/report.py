"""What a calibration writes: ``calibration.json``, ``calibrated.toml`` and ``report.html``."""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np

from .fit import THRESHOLD_90, THRESHOLD_95, CalibrationResult
from .overlay import write_overlay
from .problem import Residuals

OBJECTIVE = ("f = 0.5 * sum_i r_i^2, r_i = ln(predicted_i / expected_i) / (0.5 * ln(high_i / low_i)); "
             "parameters on a natural-log scale within their search ranges")
SIGNIFICANT = 6  # digits of the calibrated values written to the overlay


def _sig(v: float, digits: int = SIGNIFICANT) -> float:
    return float(f"{v:.{digits}g}")


def summary(result: CalibrationResult, residuals: Residuals, *, excluded, before, meta: dict) -> dict:
    """Everything the calibration found, as plain JSON-ready data."""
    x_best = residuals.coordinates(result.best)
    after = residuals.predictions(x_best)
    r = residuals(x_best)
    params = []
    for i, f in enumerate(residuals.free):
        entry = {"name": f.name, "file": f.file, "unit": f.unit, "start_value": f.value,
                 "range": [f.low, f.high], "scale": "log" if f.log else "linear", "range_source": f.range_source,
                 "value": _sig(result.best[i])}
        if result.profiles:
            p = result.profiles[i]
            entry.update({"identifiability": p.verdict, "detail": p.detail,
                          "interval90": [_sig(v, 4) for v in p.interval90], "interval90_open": list(p.open90),
                          "profile": {"value": [float(v) for v in p.values],
                                      "delta_f": [float(v) for v in p.fval - np.min(p.fval)]}})
        params.append(entry)
    fits = [{"id": o.id, "expected": o.expected, "range": [o.low, o.high], "unit": o.unit,
             "before": before[k], "predicted": None if not np.isfinite(after[k]) else float(after[k]),
             "residual": float(r[k]), "within": bool(o.low <= after[k] <= o.high)}
            for k, o in enumerate(residuals.observations)]
    order = np.argsort(result.start_fvals)
    return {"objective": OBJECTIVE, "convention": "pyPESTO: f = 0.5 * SSR; 95 % profile threshold "
            f"chi2(0.95, 1)/2 = {THRESHOLD_95:.3f}, 90 % interval at {THRESHOLD_90:.3f}",
            "fit": _sig(result.fval, 5), "seed": result.seed, "starts": len(result.start_fvals),
            "evaluations": result.evaluations, "parameters": params, "targets": fits,
            "excluded": [{"id": i, "reason": why} for i, why in excluded],
            "waterfall": [float(result.start_fvals[k]) for k in order],
            "start_points": [[float(v) for v in residuals.values(result.starts[k])] for k in order],
            "end_points": [[float(v) for v in residuals.values(result.ends[k])] for k in order], **meta}


def merge_stages(stages: list[dict], meta: dict) -> dict:
    """One run's data from its stages' summaries (one stage: that summary plus ``meta``).

    Several stages: the parameters and targets of all stages (each tagged with its
    ``stage``), the summed objective, evaluations and timings; the first stage's waterfall
    and start points stay at the top level (as for a one-stage run) and every stage's full
    summary is kept under ``stages``.
    """
    if len(stages) == 1:
        return stages[0] | meta
    tag = [{**e, "stage": k} for k, st in enumerate(stages, start=1) for e in st["parameters"]]
    fits = [{**t, "stage": k} for k, st in enumerate(stages, start=1) for t in st["targets"]]
    timings = {key: round(sum(st["timings"].get(key, 0) for st in stages), 3)
               for key in ("per_evaluation_s", "starts_s", "profiles_s", "total_s")}
    timings["workers"] = stages[0]["timings"]["workers"]
    return stages[0] | meta | {"parameters": tag, "targets": fits, "timings": timings,
                               "fit": _sig(sum(st["fit"] for st in stages), 5),
                               "evaluations": sum(st["evaluations"] for st in stages),
                               "excluded": [e for st in stages for e in st["excluded"]],
                               "stages": [st | {"stage": k} for k, st in enumerate(stages, start=1)]}


def _stage_list(data: dict) -> list[dict]:
    return data.get("stages") or [data]


def write_outputs(out_dir: Path, data: dict) -> None:
    """``calibration.json``, ``calibrated.toml`` and ``report.html`` in ``out_dir``."""
    out_dir = Path(out_dir)
    (out_dir / "calibration.json").write_text(json.dumps(data, indent=1) + "\n")
    write_overlay(out_dir / "calibrated.toml", _calibration_table(data), _overlay_entries(data))
    (out_dir / "report.html").write_text(report_html(data))


def _calibration_table(data: dict) -> dict:
    keys = ("command", "targets_file", "spec_sha256", "objective", "convention", "fit", "seed", "starts", "sweeps",
            "converged")
    table = {k: data[k] for k in keys if k in data}
    table["targets"] = [t["id"] for t in data["targets"]]
    table["excluded"] = [f"{e['id']}: {e['reason']}" for e in data["excluded"]]
    return table


def _overlay_entries(data: dict) -> dict[str, dict]:
    out = {}
    for st in _stage_list(data):
        where = "" if "stages" not in data else f"stage {st['stage']} of {len(data['stages'])}, "
        if data.get("converged"):
            where += f"pass {data['sweeps']}, converged, "
        out.update(_stage_entries(st, data.get("targets_file", "targets"), where))
    return out


def _stage_entries(data: dict, targets_file: str, stage: str) -> dict[str, dict]:
    ids = [t["id"] for t in data["targets"]]
    held = "".join(f", {k} held at {v:g}" for k, v in data.get("fixed", {}).items())
    out = {}
    for p in data["parameters"]:
        source = (f"calibrated: noradsim calibrate on {targets_file} ({stage}{len(ids)} targets{held}), "
                  f"0.5*SSR = {data['fit']:g}, seed {data['seed']}, {data['starts']} starts")
        if "identifiability" in p:
            lo, hi = p["interval90"]
            source += f"; {p['identifiability']}, 90 % profile interval [{lo:g}, {hi:g}] {p['unit']}"
        entry = {"value": p["value"], "file": p["file"], "unit": p["unit"], "scale": p["scale"], "kind": "calibrated", "source": source, "targets": ids,
                 "fit": data["fit"], "seed": data["seed"], "starts": data["starts"], "range": p["range"],
                 "range_source": p["range_source"]}
        for k in ("identifiability", "interval90", "interval90_open"):
            if k in p:
                entry[k] = p[k]
        out[p["name"]] = entry
    return out


def _figures(data: dict, stage: str = "") -> str:
    import matplotlib.pyplot as plt

    from ..reporting.html import figure_to_img

    fig, ax = plt.subplots(figsize=(6, 3))
    w = np.asarray(data["waterfall"])
    ax.semilogy(np.arange(1, len(w) + 1), w - w[0] + 1e-6, "o-")
    ax.set(xlabel="start (sorted by objective)", ylabel="f - f_best (+1e-6)", title=f"{stage}start waterfall")
    parts = [figure_to_img(fig, alt="waterfall")]
    for p in data["parameters"]:
        if "profile" not in p:
            continue
        fig, ax = plt.subplots(figsize=(6, 3))
        ax.plot(p["profile"]["value"], p["profile"]["delta_f"], "o-", ms=3)
        if p.get("scale", "log") == "log":
            ax.set_xscale("log")
        ax.axhline(THRESHOLD_95, color="C3", ls="--", label="95 % threshold")
        ax.axhline(THRESHOLD_90, color="C1", ls=":", label="90 % interval")
        ax.axvspan(*p["range"], color="0.9", zorder=-1, label="search range")
        ax.axvline(p["value"], color="k", lw=0.8)
        ax.set(xlabel=f"{p['name']} ({p['unit']})", ylabel="profile f - f_min", title=f"{p['name']}: {p['identifiability']}")
        ax.legend(fontsize=7)
        parts.append(figure_to_img(fig, alt=f"profile {p['name']}"))
    return "".join(parts)


def report_html(data: dict) -> str:
    """The calibration report page: per stage, parameters, fit table, waterfall, profiles, exclusions."""
    from ..reporting.html import page

    stages = _stage_list(data)
    if len(stages) == 1:
        return page("noradsim calibration", _stage_html(data))
    e = html.escape
    passes = (f" Passes over the stages: {data['sweeps']} ("
              f"{'converged: no value changed by more than 1e-3 over the last' if data.get('converged') else 'not converged'})."
              if data.get("sweeps", 1) > 1 else "")
    head = (f"<p>{len(stages)} stages, run in order; each fits its own parameters to its own targets with the "
            f"other stages' values held (modular calibration). Total 0.5*SSR = {data['fit']:g}.{passes}</p>")
    return page("noradsim calibration", head + "".join(
        f"<h2>Stage {st['stage']}: {e(', '.join(p['name'] for p in st['parameters']))}</h2>"
        + _stage_html(st, f"stage {st['stage']}: ") for st in stages))


def _stage_html(data: dict, stage: str = "") -> str:
    from ..reporting.html import table

    e = html.escape
    prm = [[e(p["name"]), f"{p['value']:.4g}", e(p["unit"]), f"{p['range'][0]:.3g} – {p['range'][1]:.3g}",
            e(p["range_source"]), e(p.get("identifiability", "-")),
            "-" if "interval90" not in p else f"{p['interval90'][0]:.3g} – {p['interval90'][1]:.3g}"]
           for p in data["parameters"]]
    fit = [[e(t["id"]), "-" if t["before"] is None else f"{t['before']:.4g}",
            "-" if t["predicted"] is None else f"{t['predicted']:.4g}", f"{t['expected']:g}",
            f"{t['range'][0]:g} – {t['range'][1]:g}", e(t["unit"]), f"{t['residual']:+.2f}",
            "within" if t["within"] else "outside"] for t in data["targets"]]
    held = ", ".join(f"{k} = {v:g}" for k, v in data.get("fixed", {}).items())
    return (f"<p>Objective: <code>{e(data['objective'])}</code>.<br>{e(data['convention'])}.<br>"
            + (f"Held at the other stages' values: {e(held)}.<br>" if held else "") +
            f"Best f = {data['fit']:g} from {data['starts']} starts (seed {data['seed']}), "
            f"{data['evaluations']} parameter sets simulated.</p>"
            + table(["parameter", "calibrated", "unit", "search range", "range from", "identifiability",
                     "90 % interval"], prm)
            + "<h3>Fit: predicted vs published</h3>"
            + table(["target", "before", "calibrated", "published", "published range", "unit", "residual",
                     "verdict"], fit)
            + "<h3>Left out</h3>" + table(["target", "why"], [[e(x["id"]), e(x["reason"])] for x in data["excluded"]])
            + "<h3>Starts and profiles</h3>" + _figures(data, stage))
