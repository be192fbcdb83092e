"""HTML reports with figures (matplotlib, embedded as PNG) for runs and validations."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

_CSS = """body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}
table{border-collapse:collapse;font-size:0.9em}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}
.within{color:#070}.outside{color:#a00}.unsupported{color:#a60}.error{color:#a00}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.5em}.small{font-size:0.85em;color:#555}"""


def figure_to_img(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return f'<img alt="figure" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}"/>'


def page(title: str, body: str) -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>{body}</body></html>")


def table(header, rows) -> str:
    h = "".join(f"<th>{html.escape(str(x))}</th>" for x in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{h}</tr>{body}</table>"


def _markers(ax, interventions):
    for iv in interventions:
        t = iv["at"] / 60.0
        label = iv.get("drug") or iv.get("perfusate") or iv.get("stimulus")
        if iv.get("duration"):
            ax.axvspan(t, t + iv["duration"] / 60.0, color="orange", alpha=0.12)
        ax.axvline(t, color="orange", lw=1)
        ax.text(t, ax.get_ylim()[1], f" {label}", va="top", fontsize=7, color="darkorange")


def microdialysis_figures(ds, samples, interventions) -> list[str]:
    """The run report's figures: NE % baseline with bins, occupancy, LC, drugs, metabolites."""
    t = ds["time"].values
    imgs = []
    fig, ax = plt.subplots(figsize=(8, 3.4))
    base = samples["baseline_mean"]
    ax.plot(t, 100 * ds["extracellular_ne"].values / base, color="0.6", lw=1, label="continuous (recovery-corrected)")
    for s0, s1, pct in zip(samples["start_min"], samples["end_min"], samples["percent_baseline"]):
        ax.plot([s0, s1], [pct, pct], color="C0", lw=3)
    ax.plot([], [], color="C0", lw=3, label=f"{samples['sample_min']:g}-min dialysate samples")
    ax.axhline(100, color="k", lw=0.5, ls=":")
    ax.set(xlabel="time (min)", ylabel="NE (% of baseline)", title="Extracellular NE, microdialysis")
    ax.legend(fontsize=8)
    _markers(ax, interventions)
    imgs.append(figure_to_img(fig))

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
    axes[0].plot(t, ds["net_occupancy"].values, label="NET occupancy")
    axes[0].plot(t, ds["alpha2_terminal_activation"].values, label="presynaptic alpha2A activation")
    axes[0].plot(t, ds["alpha2_lc_activation"].values, label="LC alpha2A activation")
    axes[0].set(xlabel="time (min)", ylabel="fraction", ylim=(-0.02, 1.02), title="Targets")
    axes[0].legend(fontsize=7)
    axes[1].plot(t, ds["lc_firing_rate"].values, color="C3")
    axes[1].set(xlabel="time (min)", ylabel="Hz", title="LC firing rate")
    for a in axes:
        _markers(a, interventions)
    imgs.append(figure_to_img(fig))

    drugs = [v[: -len("_plasma")] for v in ds.data_vars if v.endswith("_plasma")]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
    for name in drugs:
        axes[0].plot(t, ds[f"{name}_plasma"].values, label=f"{name} plasma (total)")
        axes[0].plot(t, ds[f"{name}_brain"].values, ls="--", label=f"{name} brain ECF (unbound)")
    axes[0].set(xlabel="time (min)", ylabel="nM", title="Drug concentrations")
    if drugs:
        axes[0].set_yscale("symlog", linthresh=0.1)
        axes[0].legend(fontsize=7)
    for name, label in (("mhpg", "MHPG"), ("dhpg", "DHPG"), ("normetanephrine", "normetanephrine")):
        y = ds[name].values
        axes[1].plot(t, 100 * y / y[0], label=label)
    axes[1].set(xlabel="time (min)", ylabel="% of start", title="Metabolites (tissue)")
    axes[1].legend(fontsize=7)
    imgs.append(figure_to_img(fig))
    return imgs


def validation_report(outcomes, out_dir: Path) -> Path:
    """One figure per target: simulated course, window and published range."""
    rows, figs = [], []
    for o in outcomes:
        pred = "-" if o.predicted is None else f"{o.predicted:.4g}"
        rng = "-" if o.range is None else f"{o.range[0]:g} – {o.range[1]:g}"
        rows.append([html.escape(o.id), pred, rng, html.escape(o.unit),
                     f"<span class='{o.verdict}'>{o.verdict}</span>", html.escape(o.reason)])
        c = o.curve
        if not c:
            continue
        fig, ax = plt.subplots(figsize=(7, 3))
        if "doses" in c:
            ax.semilogx(c["doses"], 100 * c["fractions"], "o-")
            ax.axhline(50, color="k", ls=":")
            ax.set(xlabel="dose (mg/kg)", ylabel="% of baseline")
            if o.predicted is not None:
                ax.axvline(o.predicted * _to_mgkg(o.unit), color="C3")
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
            ax.axvspan(c["window"][0] / 60, c["window"][1] / 60, color="C2", alpha=0.08, label="window")
            if o.range:
                ax.axhspan(o.range[0], o.range[1], color="C1", alpha=0.15, label="published range")
            ax.set_xlabel("time (min)")
            ax.legend(fontsize=7)
        ax.set_title(f"{o.id}: {o.verdict}", fontsize=9)
        figs.append(f"<h2>{html.escape(o.id)}</h2><p class='small'>{html.escape(o.reason)}</p>{figure_to_img(fig)}")
    body = table(["target", "predicted", "range", "unit", "verdict", "mechanism / reason"], rows) + "".join(figs)
    path = Path(out_dir) / "report.html"
    path.write_text(page("noradsim validation", body))
    return path


def _to_mgkg(unit: str) -> float:
    from .units import ureg

    return float(ureg().Quantity(1.0, unit).to("mg/kg").magnitude)
