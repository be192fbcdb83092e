"""Run an experiment file: the one verb behind ``noradsim run``.

An experiment file (``noradsim-experiment/1``, see ``docs/experiment_format.md``) names a
``protocol``; this module validates the shared fields and hands the experiment to the
protocol: ``microdialysis`` (rate model, here), ``recording`` (spiking LC,
:mod:`noradsim.lc`), ``inverted_u`` (receptor read-outs, :mod:`noradsim.receptors`).
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path

import numpy as np

from .drugs import DrugLibrary, load_library
from .errors import InputError, unknown
from .experiment import parse_conditions
from .parameters import read_toml
from .protocols.microdialysis import bin_samples
from .units import parse_quantity
from .vocabulary import PROTOCOLS

SCHEMA = "noradsim-experiment/1"
MICRODIALYSIS_REGIONS = ("prefrontal_cortex", "frontal_cortex", "cingulate_cortex", "occipital_cortex", "hippocampus",
                         "hypothalamus")
MICRODIALYSIS_KEYS = ("schema", "name", "protocol", "species", "region", "state", "preparation", "sample", "flow",
                      "probe_length", "equilibration", "baseline", "window", "interventions", "parameters", "seed",
                      "hplc", "description", "drugs", "placement", "uncertainty", "phenotype")


def load_experiment(path: str | Path) -> dict:
    """Read and minimally check an experiment file (schema, protocol)."""
    doc = read_toml(path)
    where = Path(path).name
    if doc.get("schema") != SCHEMA:
        raise InputError(f"{where}: schema must be {SCHEMA!r}, got {doc.get('schema')!r}")
    proto = doc.get("protocol")
    if proto not in PROTOCOLS:
        raise unknown(f"{where} protocol", proto, PROTOCOLS)
    return doc


def run_experiment(path: str | Path, out_dir: str | Path, *, seed: int | None = None,
                   library: DrugLibrary | None = None, progress: bool = False) -> dict:
    """Run the experiment in ``path`` and write its outputs into ``out_dir``."""
    doc = load_experiment(path)
    out_dir = Path(out_dir)
    where = Path(path).name
    extra = [Path(path).parent / f for f in doc.get("drugs", [])]
    library = library or load_library(extra)
    seed = int(doc.get("seed", 0) if seed is None else seed)
    proto = doc["protocol"]
    if proto == "microdialysis":
        return run_microdialysis(doc, out_dir, where=where, seed=seed, library=library, progress=progress)
    if proto == "recording":
        from .protocols.recording import run_recording

        return run_recording(doc, out_dir, seed=seed)
    from .receptors.readouts import run_inverted_u

    return run_inverted_u(doc, out_dir)


def phenotype_overrides(name: str) -> dict[str, float]:
    """Model parameter values for a disease phenotype (``data/phenotypes.toml`` factors)."""
    from .model.terminal import terminal_parameters
    from .receptors.phenotypes import phenotype_factors

    f = phenotype_factors(name)
    p = terminal_parameters()
    return {"lc_neuron_fraction": f["lc_neuron_fraction"], "net_vmax": p["net_vmax"].value * f["net_vmax_factor"],
            "th_vmax": p["th_vmax"].value * f["th_vmax_factor"],
            # drive units are about 1 Hz each near the awake rate (data/lc.toml: lc_rate_scale)
            "lc_drive_offset": f["lc_drive_offset"]}


def functional_readouts(ds, library: DrugLibrary | None = None):
    """Receptor-level read-outs (working memory, arousal, mood, glia) along the simulated time course."""
    import matplotlib.pyplot as plt

    from .receptors.readouts import readouts
    from .report import figure_to_img

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


def run_microdialysis(doc: dict, out_dir: Path, *, where: str = "experiment", seed: int = 0,
                      library: DrugLibrary | None = None, progress: bool = False) -> dict:
    """Virtual microdialysis: simulate, bin into samples, apply HPLC-ECD, write report/NetCDF/CSV."""
    from tqdm import tqdm

    from .report import microdialysis_figures, page, table
    from .simulate import simulate_conditions
    from .validate import mechanism_summary

    for k in doc:
        if k not in MICRODIALYSIS_KEYS:
            raise unknown(f"{where}: field", k, MICRODIALYSIS_KEYS)
    cond = parse_conditions(doc, where)
    equil = parse_quantity(doc.get("equilibration", "120 min"), "time", f"{where} equilibration")
    overrides = doc.get("parameters", {})
    if not isinstance(overrides, dict):
        raise InputError(f"{where} parameters: must be a table of name = value")
    for k, v in overrides.items():
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise InputError(f"{where} parameters.{k}: must be a finite number")
    overrides = dict(overrides)
    phenotype = doc.get("phenotype")
    if phenotype is not None:
        overrides = {**phenotype_overrides(str(phenotype)), **overrides}
    hplc = doc.get("hplc", {})
    lod = parse_quantity(hplc.get("detection_limit", "0.05 nM"), "concentration", f"{where} hplc.detection_limit")
    cv = float(hplc.get("cv", 0.05))
    if not 0 <= cv < 1:
        raise InputError(f"{where} hplc.cv: must be in [0, 1)")
    placement = doc.get("placement", {"region": cond.region})
    if not isinstance(placement, dict) or placement.get("region", cond.region) not in MICRODIALYSIS_REGIONS:
        raise unknown(f"{where} placement.region", placement.get("region") if isinstance(placement, dict) else placement,
                      MICRODIALYSIS_REGIONS)
    intended = cond.region
    if placement.get("region", cond.region) != cond.region:
        from dataclasses import replace as _replace

        cond = _replace(cond, region=placement["region"])  # the probe samples where histology puts it
    from .model.terminal import build_terminal_model
    from .simulate import drug_uses

    if cond.species != "rat":
        raise InputError(f"{where} species: the rate model is parameterised for rat; {cond.species!r} is not supported yet")
    if cond.region in ("locus_coeruleus", "in_vitro"):
        raise unknown(f"{where} region (microdialysis)", cond.region, ("prefrontal_cortex", "frontal_cortex", "cingulate_cortex",
                                                                      "occipital_cortex", "hippocampus", "hypothalamus"))
    model = build_terminal_model(cond.region, state=cond.state, drugs=drug_uses(cond.interventions), library=library)
    model.with_parameters({k: float(v) for k, v in overrides.items()})  # names and bounds checked before any work
    unc = doc.get("uncertainty")
    if unc is not None:
        if not isinstance(unc, dict):
            raise InputError(f"{where} uncertainty: must be a table (n, spread, workers, parameters)")
        for key in unc:
            if key not in ("n", "spread", "workers", "parameters", "sobol"):
                raise unknown(f"{where} uncertainty field", key, ("n", "spread", "workers", "parameters", "sobol"))
        n_rats = unc.get("n", 100)
        spread = unc.get("spread", 2.0)
        if isinstance(n_rats, bool) or not isinstance(n_rats, int) or not 1 <= n_rats <= 100000:
            raise InputError(f"{where} uncertainty.n: a whole number from 1 to 100000, got {n_rats!r}")
        if isinstance(spread, bool) or not isinstance(spread, (int, float)) or not 1 <= spread <= 100:
            raise InputError(f"{where} uncertainty.spread: a factor from 1 to 100, got {spread!r}")
        from .uncertainty import DEFAULT_PARAMETERS

        unc_params = tuple(unc.get("parameters", DEFAULT_PARAMETERS))
        for name in unc_params:
            model.parameters[name]  # unknown names raise with suggestions
    steps = ["model and probe", "simulate", "samples and HPLC", "report"]
    bar = tqdm(steps, disable=not progress, desc="microdialysis", leave=False)
    bar.update(1)
    ds = simulate_conditions(cond, library=library, parameters=overrides, dt=min(60.0, cond.sample / 10))
    bar.update(1)
    t = ds["time"].values * 60.0
    lo = min(cond.baseline[0], cond.window[0])
    hi = max(cond.window[1], cond.baseline[1])
    starts, ends, dial = bin_samples(t, ds["dialysate_ne"].values, cond.sample, lo, hi)
    rng = np.random.default_rng(seed)
    measured = dial * (1.0 + cv * rng.standard_normal(dial.shape))
    recovery = float(ds.attrs["in_vitro_recovery"])
    corrected = measured / recovery
    base = (starts >= cond.baseline[0] - 1e-6) & (ends <= cond.baseline[1] + 1e-6)
    base_mean = float(np.mean(corrected[base])) if base.any() else float(corrected[0])
    pct = 100.0 * corrected / base_mean
    below = measured < lod
    samples = {"start_min": starts / 60, "end_min": ends / 60, "percent_baseline": pct, "baseline_mean": base_mean,
               "sample_min": cond.sample / 60}
    placement_ok = intended == cond.region
    bar.update(1)
    ds.attrs["seed"] = seed
    ds.attrs["hplc_cv"] = cv
    ds.to_netcdf(out_dir / "results.nc", engine="h5netcdf")
    with open(out_dir / "results.csv", "w") as fh:
        fh.write("sample_start_min,sample_end_min,dialysate_nM,recovery_corrected_nM,percent_baseline,below_detection_limit\n")
        for row in zip(starts / 60, ends / 60, measured, corrected, pct, below):
            fh.write(f"{row[0]:g},{row[1]:g},{row[2]:.6g},{row[3]:.6g},{row[4]:.6g},{bool(row[5])}\n")
    ivs = [iv.__dict__ for iv in cond.interventions]
    imgs = microdialysis_figures(ds, samples, ivs)
    mech = mechanism_summary(ds, cond)
    fx_img, fx_rows = functional_readouts(ds, library)
    imgs.append(fx_img)
    win = (starts >= cond.window[0]) & (ends <= cond.window[1])
    peak = float(np.max(pct[win])) if win.any() else float("nan")
    trough = float(np.min(pct[win])) if win.any() else float("nan")
    rows = [[f"{a:g}–{b:g}", f"{m:.3g}", f"{c:.3g}", f"{p:.0f}", "&lt; LOD" if bl else ""]
            for a, b, m, c, p, bl in zip(starts / 60, ends / 60, measured, corrected, pct, below)]
    params = json.loads(ds.attrs["parameters"])
    prow = [[p.name, f"{params.get(p.name, p.value):.4g}", html.escape(p.unit), p.species, html.escape(p.source)]
            for p in model.parameters]
    unc_html = ""
    summary_extra = {}
    if unc is not None:
        from .uncertainty import sobol_indices, virtual_population

        workers = int(unc.get("workers", 1))
        pop = virtual_population(cond, n_rats, parameters=unc_params, spread=float(spread), seed=seed,
                                 workers=workers, library=library)
        q = pop.interval()
        summary_extra = {"peak_percent_p5": float(q["peak_percent_baseline"][0]),
                         "peak_percent_p95": float(q["peak_percent_baseline"][2])}
        unc_html = (f"<h2>Uncertainty</h2><p>{n_rats} virtual rats, parameters {', '.join(unc_params)} varied "
                    f"log-uniformly within x/{float(spread):g} of their cited values (seed {seed}): peak "
                    f"{q['peak_percent_baseline'][1]:.0f} % of baseline, 90 % interval "
                    f"{q['peak_percent_baseline'][0]:.0f}-{q['peak_percent_baseline'][2]:.0f} %.</p>")
        if unc.get("sobol", False):
            idx = sobol_indices(cond, parameters=unc_params, spread=float(spread), seed=seed, workers=workers,
                                library=library)
            unc_html += "<p>Sobol indices of the peak (SALib):</p>" + table(
                ["parameter", "first order", "total"], [[k, f"{v['S1']:.2f}", f"{v['ST']:.2f}"] for k, v in idx.items()])
    title = doc.get("name", where)
    body = (
        f"<p>{html.escape(str(doc.get('description', '')))}</p>"
        f"<p><b>Subject</b>: {cond.species}, {cond.region}, state {cond.state}. "
        f"<b>Probe</b>: {ds.attrs['probe_length_cm'] * 10:g} mm membrane, aCSF at {cond.flow:g} uL/min, "
        f"{equil / 60:g} min equilibration, {cond.sample / 60:g}-min samples into antioxidant, HPLC-ECD "
        f"(detection limit {lod:g} nM, CV {cv:.0%}, seed {seed}). In vitro recovery {recovery:.1%}; "
        f"in vivo extraction at baseline {float(ds['extraction_fraction'].values[0]):.1%} (Bungay et al. 1990). "
        f"<b>Placement check</b>: {'probe in ' + cond.region if placement_ok else 'MISPLACED: aimed at ' + intended + ', histology shows ' + cond.region + '; the data describe ' + cond.region + ' and should be excluded from a ' + intended + ' analysis'}.</p>"
        f"<p><b>Result</b>: peak {peak:.0f} %, trough {trough:.0f} % of baseline "
        f"(baseline {base_mean:.3g} nM recovery-corrected).<br><b>Mechanism</b>: {html.escape(mech)}</p>"
        + (f"<p><b>Phenotype</b>: {html.escape(str(phenotype))} (parameter changes: "
           f"{html.escape(json.dumps(phenotype_overrides(str(phenotype))))})</p>" if phenotype else "")
        + "".join(imgs) + "<h2>Functional read-outs</h2>" + table(["read-out", "baseline", "extreme in window"], fx_rows)
        + "<p class='small'>Indices from noradsim.receptors.readouts (documented, cited models; see docs/receptors.md).</p>"
        + unc_html
        + "<h2>Samples</h2>" + table(["sample (min)", "dialysate (nM)", "corrected (nM)", "% baseline", ""], rows)
        + "<h2>Parameters (value, unit, species, source)</h2>" + table(["name", "value", "unit", "species", "source"], prow)
    )
    (out_dir / "report.html").write_text(page(title, body))
    bar.update(1)
    bar.close()
    return {"peak_percent_baseline": peak, "min_percent_baseline": trough, "baseline_nM": base_mean,
            "mechanism": mech, "placement_ok": placement_ok, "n_samples": int(len(starts)), **summary_extra}
