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
    """Each intervention as a shaded span (or a line for a bolus) labelled once, above the axes."""
    for iv in interventions:
        t = iv["at"] / 60.0
        label = iv.get("drug") or iv.get("perfusate") or iv.get("stimulus")
        if iv.get("duration"):
            ax.axvspan(t, t + iv["duration"] / 60.0, color="orange", alpha=0.12, lw=0)
        ax.axvline(t, color="darkorange", lw=1)
        ax.annotate(f"{label}", (t, 1.0), xycoords=("data", "axes fraction"), xytext=(2, 2),
                    textcoords="offset points", fontsize=8, color="darkorange", va="bottom")
    if interventions:  # the labels sit just above the axes: lift the title over them
        ax.set_title(ax.get_title(), pad=16)


def microdialysis_figures(ds, samples, interventions, *, band=None, published=()) -> list[str]:
    """The run report's figures: NE % baseline with bins, occupancy, LC, drugs, metabolites.

    ``band`` is ``(starts_min, ends_min, p5, p50, p95)`` of the virtual population's samples;
    ``published`` are :class:`~.published.Published` values drawn beside the simulation.
    """
    t = ds["time"].values
    imgs = []
    fig, ax = plt.subplots(figsize=(8, 3.6))
    base = samples["baseline_mean"]
    ax.plot(t, 100 * ds["extracellular_ne"].values / base, color="0.6", lw=1, label="continuous (recovery-corrected)")
    if band is not None:
        mid = (np.asarray(band[0]) + np.asarray(band[1])) / 2
        ax.fill_between(mid, band[2], band[4], color="C0", alpha=0.18, lw=0,
                        label="virtual population, 5-95 %")
        ax.plot(mid, band[3], color="C0", lw=1, ls="--", label="virtual population, median")
    for s0, s1, pct in zip(samples["start_min"], samples["end_min"], samples["percent_baseline"]):
        ax.plot([s0, s1], [pct, pct], color="C0", lw=3)
    ax.plot([], [], color="C0", lw=3, label=f"{samples['sample_min']:g}-min dialysate samples (this run)")
    for k, pub in enumerate(published):
        x = float(samples["end_min"][-1]) + (k + 1) * 0.04 * (t[-1] - t[0])
        ax.errorbar([x], [pub.expected], yerr=[[pub.expected - pub.low], [pub.high - pub.expected]], fmt="D",
                    color="C3", capsize=4, label=f"published {pub.statistic.split('_')[0]}: {pub.source.split(',')[0]}")
    ax.axhline(100, color="k", lw=0.5, ls=":")
    ax.set(xlabel="time (min)", ylabel="NE (% of baseline)")
    ax.set_title("Extracellular NE, microdialysis", pad=16)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    _markers(ax, interventions)
    imgs.append(figure_to_img(fig, alt="NE as % of baseline over time"))

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


READOUTS_SHOWN = ("working_memory", "task_performance", "arousal", "low_tone_index", "anxiety_index",
                  "microglia_inflammation", "astrocyte_neurotrophic")


def functional_readouts(ds, library: DrugLibrary | None = None):
    """The read-out figure as an ``<img>`` and its table rows (see :func:`readout_figure`)."""
    fig, rows = readout_figure(ds, library)
    return figure_to_img(fig, alt="functional read-outs, grouped: cognition, arousal, mood, glia"), rows


def readout_figure(ds, library: DrugLibrary | None = None):
    """Receptor-level read-outs along the time course, grouped in panels (cognition, arousal, mood, glia).

    Each curve is named in words with its unit (``receptors.readouts.READOUT_LABELS``);
    a panel holds read-outs of one kind and one unit scale, each with its baseline dotted.
    Returns ``(figure, rows)`` with rows ``[name (unit), baseline, extreme in the window]``.
    """
    from ...receptors.readouts import READOUT_GROUPS, READOUT_LABELS, readout_label, readouts

    drugs = {v[: -len("_brain")]: ds[v].values for v in ds.data_vars if v.endswith("_brain")}
    t = ds["time"].values
    r = readouts(ds["ne_ecf"].values, drugs or None, lc_rate_hz=ds["lc_firing_rate"].values, time_s=t * 60.0,
                 library=library)
    keys = [k for k in READOUTS_SHOWN if k in r]
    groups: dict[str, list[str]] = {}
    for k in keys:
        groups.setdefault(READOUT_LABELS[k][2], []).append(k)
    ncol = 2 if len(groups) > 1 else 1
    nrow = -(-len(groups) // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(9.5, 3.0 * nrow), sharex=True, squeeze=False)
    base = t < 0
    rows = []
    for ax, (group, members) in zip(axes.flat, groups.items()):
        for i, k in enumerate(members):
            y = np.asarray(r[k], dtype=float)
            b = float(np.mean(y[base])) if base.any() else float(y[0])
            ext = float(y[np.argmax(np.abs(y - b))])
            line, = ax.plot(t, y, color=f"C{i}", label=readout_label(k))
            ax.axhline(b, color=line.get_color(), lw=0.6, ls=":")
            rows.append([readout_label(k), f"{b:.3g}", f"{ext:.3g}"])
        title, ylabel = READOUT_GROUPS[group]
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(ylabel, fontsize=8)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=7, loc="best", frameon=False)
    for ax in list(axes.flat)[len(groups):]:
        ax.axis("off")
    for ax in axes[-1]:
        ax.set_xlabel("time (min)", fontsize=8)
    fig.suptitle("Functional read-outs (dotted: baseline)", fontsize=10)
    fig.tight_layout()
    return fig, rows


def _band(result):
    """(starts, ends, p5, p50, p95) of the population's samples, min; None without a population."""
    pop, s = result.population, result.samples
    if pop is None or pop.percent_series is None or pop.percent_series.shape[1] != s.starts.size:
        return None
    q = np.nanpercentile(pop.percent_series, [5, 50, 95], axis=0)
    return s.starts / 60, s.ends / 60, q[0], q[1], q[2]


def _population_dataset(result):
    """The population as variables on a ``subject`` dimension (and ``sample``, ``parameter``)."""
    import xarray as xr

    pop, s = result.population, result.samples
    data = {"population_peak_percent_baseline": (("subject",), pop.peak_percent, {"units": "%"}),
            "population_min_percent_baseline": (("subject",), pop.trough_percent, {"units": "%"}),
            "population_parameter_factor": (("subject", "parameter"), pop.factors,
                                            {"units": "1", "long_name": "multiplier on the cited value"})}
    coords = {"subject": np.arange(1, len(pop.peak_percent) + 1), "parameter": list(pop.names)}
    if _band(result) is not None:
        data["population_percent_baseline"] = (("subject", "sample"), pop.percent_series, {"units": "%"})
        coords["sample_start_min"] = (("sample",), s.starts / 60, {"units": "min"})
    return xr.Dataset({k: xr.Variable(*v) for k, v in data.items()}, coords=coords)


def write_outputs(result, out_dir) -> None:
    """``results.nc`` (time course; population on a ``subject`` dimension), ``results.csv``
    (the samples), ``population.csv`` (one virtual rat per row, when there is a population), ``report.html``."""
    out_dir = Path(out_dir)
    ds = result.dataset
    if result.population is not None:
        ds = ds.merge(_population_dataset(result))
        pop = result.population
        with open(out_dir / "population.csv", "w") as fh:
            fh.write("subject," + ",".join(f"{n}_factor" for n in pop.names)
                     + ",peak_percent_baseline,min_percent_baseline\n")
            for i, (f, pk, tr) in enumerate(zip(pop.factors, pop.peak_percent, pop.trough_percent), start=1):
                fh.write(f"{i}," + ",".join(f"{v:.6g}" for v in f) + f",{pk:.6g},{tr:.6g}\n")
    ds.to_netcdf(out_dir / "results.nc", engine="h5netcdf")
    s = result.samples
    with open(out_dir / "results.csv", "w") as fh:
        fh.write("sample_start_min,sample_end_min,dialysate_nM,recovery_corrected_nM,percent_baseline,below_detection_limit\n")
        for row in zip(s.starts / 60, s.ends / 60, result.measured, s.means, s.percent(), result.below_detection):
            fh.write(f"{row[0]:g},{row[1]:g},{row[2]:.6g},{row[3]:.6g},{row[4]:.6g},{bool(row[5])}\n")
    (out_dir / "report.html").write_text(page(result.config.name, _body(result)))


def _body(result) -> str:
    from .published import find_published

    cfg, ds, s, library = result.config, result.dataset, result.samples, result.library
    cond = cfg.conditions
    samples = {"start_min": s.starts / 60, "end_min": s.ends / 60, "percent_baseline": s.percent(),
               "baseline_mean": s.baseline_mean, "sample_min": cond.sample / 60}
    published = find_published(cond)
    imgs = microdialysis_figures(ds, samples, [iv.__dict__ for iv in cond.interventions], band=_band(result),
                                 published=published)
    fx_img, fx_rows = functional_readouts(ds, library)
    rows = [[f"{a:g} to {b:g}", f"{m:.3g}", f"{c:.3g}", f"{p:.0f}", "below detection limit" if bl else ""]
            for a, b, m, c, p, bl in zip(s.starts / 60, s.ends / 60, result.measured, s.means, s.percent(),
                                         result.below_detection)]
    return (_header_html(result, published) + "".join(imgs) + "<h2>Functional read-outs</h2>" + fx_img
            + table(["read-out", "baseline", "extreme in window"], fx_rows)
            + "<p class='small'>Indices from noradsim.receptors.readouts (documented, cited models; see docs/receptors.md).</p>"
            + _population_html(result)
            + "<h2>Samples</h2>" + table(["sample (min)", "dialysate (nM)", "recovery-corrected (nM)", "% of baseline",
                                          "note"], rows)
            + "<h2>Parameters (value, unit, species, source)</h2>" + _parameter_table(ds, cond, library))


def _published_html(published, s) -> str:
    if not published:
        return ""
    items = []
    for pub in published:
        sim = s.peak_percent() if pub.statistic.startswith("peak") else s.min_percent()
        verdict = "within" if pub.low <= sim <= pub.high else "outside"
        items.append(f"{html.escape(pub.source)}: {pub.statistic.split('_')[0]} {pub.expected:g} % of baseline "
                     f"(accepted range {pub.low:g}-{pub.high:g} %); simulated {sim:.0f} %, {verdict} the range "
                     f"(calibration target {html.escape(pub.target_id)}).")
    return "<p><b>Published</b>: " + " ".join(items) + "</p>"


def _header_html(result, published=()) -> str:
    from .story import baselines_text, headline

    cfg, ds, s = result.config, result.dataset, result.samples
    cond = cfg.conditions
    place = ("probe in " + cond.region if cfg.placement_ok else "MISPLACED: aimed at " + cfg.intended_region
             + ", histology shows " + cond.region + "; the data describe " + cond.region
             + " and should be excluded from a " + cfg.intended_region + " analysis")
    t = ds["time"].values * 60.0
    base = (t >= cond.baseline[0]) & (t <= cond.baseline[1])
    ecf = float(np.mean(ds["ne_ecf"].values[base])) if base.any() else float(ds["ne_ecf"].values[0])
    dial = float(np.mean(ds["dialysate_ne"].values[base])) if base.any() else float(ds["dialysate_ne"].values[0])
    extraction = float(ds["extraction_fraction"].values[0])
    text = (
        f"<p class='headline'><b>{html.escape(headline(cond, s))}</b></p>"
        + _published_html(published, s)
        + f"<p>{html.escape(cfg.description)}</p>"
        f"<p><b>Subject</b>: {cond.species}, {cond.region.replace('_', ' ')}, state {cond.state}. "
        f"<b>Probe</b>: {ds.attrs['probe_length_cm'] * 10:g} mm membrane, aCSF at {cond.flow:g} uL/min, "
        f"{cfg.equilibration / 60:g} min equilibration, {cond.sample / 60:g}-min samples into antioxidant, HPLC-ECD "
        f"(detection limit {cfg.detection_limit:g} nM, CV {cfg.cv:.0%}, seed {result.seed}). "
        f"<b>Placement check</b>: {place}.</p>"
        f"<p>{baselines_text(ecf, dial, s.baseline_mean, result.recovery, extraction)}</p>"
        f"<p><b>Range over the window</b>: highest sample {s.peak_percent():.0f} %, lowest {s.min_percent():.0f} % "
        f"of baseline.<br><b>Mechanism</b>: {html.escape(result.mechanism)}</p>")
    if cfg.phenotype:
        text += (f"<p><b>Phenotype</b>: {html.escape(cfg.phenotype)} (parameter changes: "
                 f"{html.escape(json.dumps(phenotype_overrides(cfg.phenotype, cfg.conditions.region)))})</p>")
    return text


def _population_html(result) -> str:
    from .story import population_text

    pop, spec = result.population, result.config.population
    if pop is None:
        return ""
    q = pop.interval()["peak_percent_baseline"]
    text = ("<h2>Uncertainty: a virtual population</h2><p>"
            + population_text(spec.n, spec.spread, spec.parameters, q[1], q[0], q[2], result.samples.peak_percent(),
                              result.seed)
            + " Every rat's outcome is in <code>population.csv</code> and in <code>results.nc</code> "
              "(dimension <code>subject</code>).</p>")
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
