"""``DIR/report.html``: dose-response with the population band per panel, and the failures."""

from __future__ import annotations

import html
import itertools
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ..reporting.html import figure_to_img, page, table  # sets the Agg backend
from . import store

MAX_FAILURE_ROWS = 100


def write_report(out: Path) -> Path:
    """Write ``out/report.html`` from ``out/results.zarr`` (finished or not)."""
    ds = store.open_results(out)
    axes = [d for d in ds["status"].dims if d != "subject"]
    status = np.asarray(ds["status"].values)
    body = [f"<p>{html.escape(ds.attrs['population'])}</p>",
            f"<p>Simulations (sweep point x rat): {(status == 0).sum()} ok, {(status == 1).sum()} failed, "
            f"{(status == -1).sum()} not yet run. Provenance: {html.escape(ds.attrs['provenance'])}.</p>",
            "<h2>Peak NE, % of baseline: median and 5-95 % of the virtual rats</h2>",
            figure_to_img(_curves(ds, axes), alt="peak NE % of baseline against the swept field, population band"),
            *_sobol_section(ds, axes), "<h2>Failures</h2>", _failures(ds, axes, status)]
    path = Path(out) / "report.html"
    path.write_text(page(f"Sweep: {ds.attrs['title']}", "".join(body)))
    return path


def _curves(ds, axes: list[str]):
    x_dim = "dose" if "dose" in axes else axes[0]
    others = [a for a in axes if a != x_dim]
    combos = list(itertools.product(*(range(ds.sizes[a]) for a in others))) or [()]
    fig, panels = plt.subplots(1, len(combos), figsize=(4.2 * len(combos), 3.4), squeeze=False, sharey=True)
    peak = ds["peak_percent_baseline"]
    numeric = np.issubdtype(ds[x_dim].dtype, np.number)
    x = ds[x_dim].values if numeric else np.arange(ds.sizes[x_dim])
    for ax, combo in zip(panels[0], combos):
        sel = peak.isel({a: i for a, i in zip(others, combo)}).transpose(x_dim, "subject").values
        ok = np.isfinite(sel).any(axis=1)
        q = np.full((3, len(x)), np.nan)
        if ok.any():
            q[:, ok] = np.nanpercentile(sel[ok], [5, 50, 95], axis=1)
        ax.fill_between(x, q[0], q[2], color="C0", alpha=0.2, lw=0, label="5-95 % of rats")
        ax.plot(x, q[1], "o-", color="C0", label="median rat")
        ax.axhline(100, color="k", lw=0.5, ls=":")
        if numeric and x_dim == "dose" and np.all(x > 0):
            ax.set_xscale("log")
        if not numeric:
            ax.set_xticks(x, [str(v) for v in ds[x_dim].values], rotation=20)
        unit = ds[x_dim].attrs.get("units", "")
        ax.set(xlabel=f"{x_dim} ({unit})" if unit else x_dim, ylabel="peak NE (% of baseline)",
               title=", ".join(str(ds[a].values[i]) for a, i in zip(others, combo)) or x_dim)
    panels[0][0].legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def _sobol_section(ds, axes: list[str]) -> list[str]:
    """Bars of S1 and ST with their confidence intervals per sweep point, and the same as a table."""
    if "S1" not in ds:
        return []
    s1, st = (ds[k].transpose(*axes, "parameter").values for k in ("S1", "ST"))
    c1, ct = (ds[k].transpose(*axes, "parameter").values for k in ("S1_conf", "ST_conf"))
    names = [str(p) for p in ds["parameter"].values]
    points = list(np.ndindex(s1.shape[:-1]))
    label = [", ".join(f"{a} = {ds[a].values[i]:.3g} {ds[a].attrs.get('units', '')}".strip()
                       if np.issubdtype(ds[a].dtype, np.number) else f"{a} = {ds[a].values[i]}"
                       for a, i in zip(axes, idx)) for idx in points]
    cols = min(4, len(points))
    rows_n = -(-len(points) // cols)
    fig, panels = plt.subplots(rows_n, cols, figsize=(3.6 * cols, 0.35 * len(names) + 2.2 * rows_n), squeeze=False,
                               sharey=True)
    y = np.arange(len(names))
    for ax, idx, text in zip(panels.flat, points, label):
        ax.barh(y - 0.2, s1[idx], 0.4, xerr=c1[idx], color="C0", label="S1 (first order)")
        ax.barh(y + 0.2, st[idx], 0.4, xerr=ct[idx], color="C1", label="ST (total)")
        ax.set(title=text, xlabel="Sobol index of the peak")
        ax.set_yticks(y, names, fontsize=8)
    for ax in list(panels.flat)[len(points):]:
        ax.set_visible(False)
    panels[0][0].legend(fontsize=8, frameon=False)
    fig.tight_layout()
    rows = [[html.escape(text), html.escape(n), f"{s1[idx][j]:.3f} +- {c1[idx][j]:.3f}",
             f"{st[idx][j]:.3f} +- {ct[idx][j]:.3f}"] for idx, text in zip(points, label) for j, n in enumerate(names)]
    missing = [text for idx, text in zip(points, label) if np.isnan(s1[idx]).all()]
    note = (f"<p>No indices at {html.escape('; '.join(missing))}: a subject failed there, and the estimators "
            f"need every parameter set.</p>" if missing else "")
    return ["<h2>Sobol indices of the peak % of baseline (SALib; +- the 95 % bootstrap half-width)</h2>",
            f"<p>{html.escape(ds['S1'].attrs.get('method', ''))}.</p>", note,
            figure_to_img(fig, alt="first-order and total Sobol indices per parameter and sweep point"),
            table(["sweep point", "parameter", "S1", "ST"], rows)]


def _failures(ds, axes: list[str], status: np.ndarray) -> str:
    where = np.argwhere(status == 1)
    if not len(where):
        return "<p>No rat failed.</p>"
    reasons = np.asarray(ds["failure_reason"].values)
    rows = []
    for idx in where[:MAX_FAILURE_ROWS]:
        point = ", ".join(f"{a} = {ds[a].values[i]}" for a, i in zip(axes, idx[:-1]))
        rows.append([html.escape(point), str(int(idx[-1])), html.escape(str(reasons[tuple(idx)]))])
    more = f"<p>... and {len(where) - MAX_FAILURE_ROWS} more (see results.zarr failure_reason).</p>" \
        if len(where) > MAX_FAILURE_ROWS else ""
    return table(["sweep point", "rat", "reason"], rows) + more
