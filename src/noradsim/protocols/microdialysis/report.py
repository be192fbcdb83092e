"""The microdialysis report: figures, the mechanism in one line, result files."""

from __future__ import annotations

import html
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ...drugs import DrugLibrary
from ...reporting.html import figure_to_img, page, table
from ..conditions import Conditions
from .config import phenotype_overrides


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


def functional_readouts(ds, library: DrugLibrary | None = None):
    """Receptor-level read-outs (working memory, arousal, mood, glia) along the simulated time course."""
    import matplotlib.pyplot as plt

    from ...receptors.readouts import readouts

    drugs = {v[: -len("_brain")]: ds[v].values for v in ds.data_vars if v.endswith("_brain")}
    t = ds["time"].values
    r = readouts(ds["ne_ecf"].values, drugs or None, lc_rate_hz=ds["lc_firing_rate"].values, time_s=t * 60.0,
                 library=library)
    keys = [k for k in ("working_memory", "arousal", "task_performance", "low_tone_index", "anxiety_index",
                        "microglia_inflammation", "astrocyte_neurotrophic") if k in r]
    fig, ax = plt.subplots(figsize=(8, 3.2))
    for k in keys:
        ax.plot(t, np.asarray(r[k]), label=k)
    ax.set(xlabel="time (min)", ylabel="index", title="Functional read-outs")
    ax.legend(fontsize=7, ncol=2)
    base = t < 0
    rows = []
    for k in keys:
        y = np.asarray(r[k], dtype=float)
        b = float(np.mean(y[base])) if base.any() else float(y[0])
        ext = float(y[np.argmax(np.abs(y - b))])
        rows.append([k, f"{b:.3g}", f"{ext:.3g}"])
    return figure_to_img(fig), rows


def write_outputs(result, out_dir) -> None:
    """``results.nc`` (the time course), ``results.csv`` (the samples), ``report.html``."""
    out_dir = Path(out_dir)
    result.dataset.to_netcdf(out_dir / "results.nc", engine="h5netcdf")
    s = result.samples
    with open(out_dir / "results.csv", "w") as fh:
        fh.write("sample_start_min,sample_end_min,dialysate_nM,recovery_corrected_nM,percent_baseline,below_detection_limit\n")
        for row in zip(s.starts / 60, s.ends / 60, result.measured, s.means, s.percent(), result.below_detection):
            fh.write(f"{row[0]:g},{row[1]:g},{row[2]:.6g},{row[3]:.6g},{row[4]:.6g},{bool(row[5])}\n")
    (out_dir / "report.html").write_text(page(result.config.name, _body(result)))


def _body(result) -> str:
    cfg, ds, s, library = result.config, result.dataset, result.samples, result.library
    cond = cfg.conditions
    samples = {"start_min": s.starts / 60, "end_min": s.ends / 60, "percent_baseline": s.percent(),
               "baseline_mean": s.baseline_mean, "sample_min": cond.sample / 60}
    imgs = microdialysis_figures(ds, samples, [iv.__dict__ for iv in cond.interventions])
    fx_img, fx_rows = functional_readouts(ds, library)
    imgs.append(fx_img)
    rows = [[f"{a:g}–{b:g}", f"{m:.3g}", f"{c:.3g}", f"{p:.0f}", "&lt; LOD" if bl else ""]
            for a, b, m, c, p, bl in zip(s.starts / 60, s.ends / 60, result.measured, s.means, s.percent(),
                                         result.below_detection)]
    return (_header_html(result) + "".join(imgs) + "<h2>Functional read-outs</h2>"
            + table(["read-out", "baseline", "extreme in window"], fx_rows)
            + "<p class='small'>Indices from noradsim.receptors.readouts (documented, cited models; see docs/receptors.md).</p>"
            + _population_html(result)
            + "<h2>Samples</h2>" + table(["sample (min)", "dialysate (nM)", "corrected (nM)", "% baseline", ""], rows)
            + "<h2>Parameters (value, unit, species, source)</h2>" + _parameter_table(ds, cond, library))


def _header_html(result) -> str:
    cfg, ds, s = result.config, result.dataset, result.samples
    cond = cfg.conditions
    place = ("probe in " + cond.region if cfg.placement_ok else "MISPLACED: aimed at " + cfg.intended_region
             + ", histology shows " + cond.region + "; the data describe " + cond.region
             + " and should be excluded from a " + cfg.intended_region + " analysis")
    text = (
        f"<p>{html.escape(cfg.description)}</p>"
        f"<p><b>Subject</b>: {cond.species}, {cond.region}, state {cond.state}. "
        f"<b>Probe</b>: {ds.attrs['probe_length_cm'] * 10:g} mm membrane, aCSF at {cond.flow:g} uL/min, "
        f"{cfg.equilibration / 60:g} min equilibration, {cond.sample / 60:g}-min samples into antioxidant, HPLC-ECD "
        f"(detection limit {cfg.detection_limit:g} nM, CV {cfg.cv:.0%}, seed {result.seed}). In vitro recovery "
        f"{result.recovery:.1%}; in vivo extraction at baseline {float(ds['extraction_fraction'].values[0]):.1%} "
        f"(Bungay et al. 1990). <b>Placement check</b>: {place}.</p>"
        f"<p><b>Result</b>: peak {s.peak_percent():.0f} %, trough {s.min_percent():.0f} % of baseline "
        f"(baseline {s.baseline_mean:.3g} nM recovery-corrected).<br><b>Mechanism</b>: {html.escape(result.mechanism)}</p>")
    if cfg.phenotype:
        text += (f"<p><b>Phenotype</b>: {html.escape(cfg.phenotype)} (parameter changes: "
                 f"{html.escape(json.dumps(phenotype_overrides(cfg.phenotype)))})</p>")
    return text


def _population_html(result) -> str:
    pop, spec = result.population, result.config.population
    if pop is None:
        return ""
    q = pop.interval()
    text = (f"<h2>Uncertainty</h2><p>{spec.n} virtual rats, parameters {', '.join(spec.parameters)} varied "
            f"log-uniformly within x/{spec.spread:g} of their cited values (seed {result.seed}): peak "
            f"{q['peak_percent_baseline'][1]:.0f} % of baseline, 90 % interval "
            f"{q['peak_percent_baseline'][0]:.0f}-{q['peak_percent_baseline'][2]:.0f} %.</p>")
    if result.sobol:
        text += "<p>Sobol indices of the peak (SALib):</p>" + table(
            ["parameter", "first order", "total"], [[k, f"{v['S1']:.2f}", f"{v['ST']:.2f}"] for k, v in result.sobol.items()])
    return text


def _parameter_table(ds, cond: Conditions, library: DrugLibrary | None) -> str:
    from ...model.terminal import build_terminal_model
    from ..timecourse import drug_uses

    model = build_terminal_model(cond.region, state=cond.state, drugs=drug_uses(cond.interventions),
                                 library=library)
    params = json.loads(ds.attrs["parameters"])
    prow = [[p.name, f"{params.get(p.name, p.value):.4g}", html.escape(p.unit), p.species, html.escape(p.source)]
            for p in model.parameters]
    return table(["name", "value", "unit", "species", "source"], prow)
