"""The validation report: one line per target, one figure per target, one HTML page."""

from __future__ import annotations

import html
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ..reporting.html import figure_to_img, page, table


def validation_report(outcomes, out_dir: Path) -> Path:
    """One figure per target: simulated course, window and published range."""
    rows, figs = [], []
    with_interval = any(o.interval is not None for o in outcomes)
    for o in outcomes:
        pred = "-" if o.predicted is None else f"{o.predicted:.4g}"
        rng = "-" if o.range is None else f"{o.range[0]:g} – {o.range[1]:g}"
        ivl = [] if not with_interval else ["-" if o.interval is None else f"{o.interval[0]:.4g} – {o.interval[1]:.4g}"]
        rows.append([html.escape(o.id), pred, *ivl, rng, html.escape(o.unit),
                     f"<span class='{o.verdict}'>{o.verdict}</span>", html.escape(o.reason)])
        c = o.curve
        if not c:
            continue
        fig, ax = plt.subplots(figsize=(7, 3))
        if "doses" in c:
            rising = c.get("rising", False)
            ax.semilogx(c["doses"], 100 * (1 - c["fractions"]) if rising else 100 * c["fractions"], "o-")
            ax.axhline(50, color="k", ls=":")
            what = "concentration" if c["unit"] == "nM" else "dose"
            ax.set(xlabel=f"{what} ({c['unit']})", ylabel="occupancy (%)" if rising else "% of baseline")
            if o.predicted is not None:
                ax.axvline(o.predicted * _unit_factor(o.unit, c["unit"]), color="C3")
        else:
            tm, y = c["time_min"], c["values"]
            b = c["baseline"]
            bm = (tm >= b[0] / 60) & (tm <= b[1] / 60)
            ref = np.mean(y[bm]) if bm.any() else y[0]
            if c["statistic_in"] == "percent":
                ax.plot(tm, 100 * y / ref, color="0.5", lw=1)
                if c["bins"] is not None:
                    s0, s1, m = c["bins"]
                    for a, bb, v in zip(s0, s1, m):
                        ax.plot([a, bb], [100 * v / ref] * 2, color="C0", lw=3)
                ax.set_ylabel("% of baseline")
            else:
                ax.plot(tm, y, color="0.5", lw=1)
                ax.set_ylabel(c["unit"])
            for k, edge in enumerate(c["window"]):
                ax.axvline(edge / 60, color="C2", ls="--", lw=1, label="window" if k == 0 else None)
            if o.range:
                ax.axhspan(o.range[0], o.range[1], color="C1", alpha=0.15, label="published range")
            if o.expected is not None:
                ax.axhline(o.expected, color="C1", lw=1.5, label=f"published value ({o.expected:g})")
            ax.set_xlabel("time (min)")
            ax.legend(fontsize=7)
        ax.set_title(f"{o.id}: {o.verdict}", fontsize=9)
        figs.append(f"<h2>{html.escape(o.id)}</h2><p class='small'>{html.escape(o.reason)}</p>{figure_to_img(fig)}")
    head = ["target", "predicted"] + (["90 % interval"] if with_interval else []) + ["range", "unit", "verdict",
                                                                                   "mechanism / reason"]
    cover = f"<p class='headline'><b>{html.escape(_headline(outcomes))}</b></p>"
    cover += f"<p>{html.escape(coverage_line(outcomes))}</p>" if with_interval else ""
    body = cover + table(head, rows) + "".join(figs)
    path = Path(out_dir) / "report.html"
    path.write_text(page("Validation against published measurements", body))
    return path


def _unit_factor(unit: str, to: str) -> float:
    """How many ``to`` one ``unit`` is (the scan's natural unit for the predicted ED50/EC50)."""
    from ..units import ureg

    return float(ureg().Quantity(1.0, unit).to(to).magnitude)


def summary_line(outcomes) -> str:
    """``validated N targets: W within range, O outside, U unsupported`` (errors not counted)."""
    counted = [o for o in outcomes if o.verdict != "error"]
    n = len(counted)
    p = sum(o.verdict == "within" for o in counted)
    f = sum(o.verdict == "outside" for o in counted)
    u = sum(o.verdict == "unsupported" for o in counted)
    return f"validated {n} targets: {p} within range, {f} outside, {u} unsupported"


def coverage_line(outcomes) -> str:
    """``coverage: K of N published values inside their 90 % interval`` (targets with an interval)."""
    have = [o for o in outcomes if o.interval is not None and o.expected is not None]
    k = sum(o.interval[0] <= o.expected <= o.interval[1] for o in have)
    return f"coverage: {k} of {len(have)} published values inside their 90 % interval"


def format_row(o) -> str:
    """One line per target: id, prediction, range, verdict and reason."""
    if o.verdict == "error":
        return f"{o.id}  error: {o.reason}"
    pred = "-" if o.predicted is None else f"{o.predicted:.4g}"
    rng = "-" if o.range is None else f"[{o.range[0]:g}, {o.range[1]:g}]"
    ivl = "" if o.interval is None else f"  90 % interval [{o.interval[0]:.4g}, {o.interval[1]:.4g}]"
    return f"{o.id}  predicted {pred} {o.unit}{ivl}  range {rng}  {o.verdict}  ({o.reason})"


def _headline(outcomes) -> str:
    """The first sentence: how many targets the simulation reproduced."""
    n = len(outcomes)
    within = sum(o.verdict == "within" for o in outcomes)
    other = {v: sum(o.verdict == v for o in outcomes) for v in ("outside", "unsupported", "error")}
    rest = ", ".join(f"{k} {v}" for k, v in other.items() if v)
    return f"{within} of {n} published measurements reproduced within their accepted range" + (f" ({rest})." if rest else ".")
