"""The ``protocol = "inverted_u"`` experiment: working memory against prefrontal NE.

Experiment file (TOML)::

    schema = "noradsim-experiment/1"
    protocol = "inverted_u"
    species = "rat"
    region = "prefrontal_cortex"

    [inverted_u]
    ne_range = ["0.05 nM", "50 nM"]   # prefrontal ECF NE swept on a log scale
    n_points = 80
    basal_ne = "1.5 nM"               # optional markers
    stress_ne = "4.5 nM"

    [[inverted_u.condition]]
    label = "vehicle"

    [[inverted_u.condition]]
    label = "guanfacine 0.3 mg/kg i.p."
    drug = "guanfacine"
    dose = "0.3 mg/kg"                # or brain_concentration = "30 nM"
    route = "ip"
    at = "60 min"                     # time after the dose

:func:`run_inverted_u` writes ``inverted_u.png``, ``inverted_u.csv`` and ``report.html``
into ``out_dir`` (the CLI wraps it in :func:`noradsim.outputs.atomic_dir`).
"""

from __future__ import annotations

import html
import math
from pathlib import Path

import numpy as np

from ..drugs import load_library
from ..errors import InputError, unknown
from ..units import parse_quantity
from .readouts import readout_parameters, working_memory

_TOP = ("schema", "protocol", "species", "region", "title", "inverted_u", "notes", "seed", "drugs")
_SECTION = ("ne_range", "n_points", "basal_ne", "stress_ne", "condition")
_COND = ("label", "drug", "dose", "route", "at", "brain_concentration")


def _conditions(section: dict, species: str, library) -> list[dict]:
    from .dosing import brain_concentration

    conds = section.get("condition") or [{"label": "vehicle"}]
    out = []
    for i, c in enumerate(conds):
        w = f"inverted_u.condition[{i}]"
        for k in c:
            if k not in _COND:
                raise unknown(f"{w} field", k, _COND)
        label = str(c.get("label", c.get("drug", "vehicle")))
        if "drug" not in c:
            out.append({"label": label, "drug": None, "drug_nM": 0.0})
            continue
        drug = library.get(c["drug"]).name
        if "brain_concentration" in c and "dose" in c:
            raise InputError(f"{w}: give either dose or brain_concentration, not both")
        if "brain_concentration" in c:
            conc = parse_quantity(c["brain_concentration"], "concentration", f"{w}.brain_concentration")
        elif "dose" in c:
            dose = parse_quantity(c["dose"], "dose", f"{w}.dose")
            at = parse_quantity(c.get("at", "60 min"), "time", f"{w}.at")
            conc = brain_concentration(drug, dose, str(c.get("route", "ip")), at, library=library)
        else:
            raise InputError(f"{w}: drug {drug!r} needs dose or brain_concentration")
        out.append({"label": label, "drug": drug, "drug_nM": float(conc)})
    return out


def inverted_u_curves(experiment: dict, *, library=None) -> dict:
    """Compute the curves (no files): ``{"ne_nM", "conditions": [...], "basal_ne", "stress_ne"}``."""
    for k in experiment:
        if k not in _TOP:
            raise unknown("experiment field", k, _TOP)
    if experiment.get("protocol") != "inverted_u":
        raise unknown("protocol", experiment.get("protocol"), ["inverted_u"])
    species = str(experiment.get("species", "rat"))
    sec = experiment.get("inverted_u", {})
    for k in sec:
        if k not in _SECTION:
            raise unknown("inverted_u field", k, _SECTION)
    lo, hi = (parse_quantity(x, "concentration", "inverted_u.ne_range") for x in sec.get("ne_range", ["0.05 nM", "50 nM"]))
    if not 0 < lo < hi:
        raise InputError(f"inverted_u.ne_range: need 0 < low < high, got [{lo}, {hi}] nM")
    n = sec.get("n_points", 80)
    if isinstance(n, bool) or not isinstance(n, int) or not 5 <= n <= 10000:
        raise InputError(f"inverted_u.n_points: an integer in [5, 10000], got {n!r}")
    p = readout_parameters()
    basal = parse_quantity(sec.get("basal_ne", f"{p['ne_basal']} nM"), "concentration", "inverted_u.basal_ne")
    stress = parse_quantity(sec.get("stress_ne", f"{3 * p['ne_basal']} nM"), "concentration", "inverted_u.stress_ne")
    lib = library or load_library()
    ne = np.logspace(math.log10(lo), math.log10(hi), n)
    rows = []
    for c in _conditions(sec, species, lib):
        drugs = {c["drug"]: c["drug_nM"]} if c["drug"] else None
        wm = working_memory(ne, drugs, species=species, library=lib)["working_memory"]
        at = {k: float(working_memory(v, drugs, species=species, library=lib)["working_memory"])
              for k, v in (("basal", basal), ("stress", stress))}
        i = int(np.argmax(wm))
        rows.append({**c, "working_memory": wm, "ne_at_peak_nM": float(ne[i]), "peak_working_memory": float(wm[i]),
                     "working_memory_at_basal": at["basal"], "working_memory_at_stress": at["stress"]})
    return {"ne_nM": ne, "conditions": rows, "basal_ne": basal, "stress_ne": stress, "species": species}


def run_inverted_u(experiment: dict, out_dir: Path, *, library=None) -> dict:
    """Run an ``inverted_u`` experiment and write figure, CSV and report into ``out_dir``.

    Returns a summary: ``{"conditions": [{label, drug, drug_nM, ne_at_peak_nM,
    peak_working_memory, working_memory_at_basal, working_memory_at_stress}], "files": [...]}``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    res = inverted_u_curves(experiment, library=library)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ne = res["ne_nM"]
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for row in res["conditions"]:
        lab = row["label"] + (f" ({row['drug_nM']:.3g} nM in brain)" if row["drug"] else "")
        line, = ax.semilogx(ne, 100 * row["working_memory"], label=lab)
        ax.plot(row["ne_at_peak_nM"], 100 * row["peak_working_memory"], "o", color=line.get_color())
    for x, name in ((res["basal_ne"], "basal"), (res["stress_ne"], "stress")):
        ax.axvline(x, color="grey", ls=":", lw=1)
        ax.text(x, ax.get_ylim()[1], f" {name}", va="top", fontsize=8, color="grey")
    ax.set_xlabel("prefrontal extracellular NE (nM)")
    ax.set_ylabel("delayed-response accuracy (%)")
    ax.set_title("Working memory: inverted U of prefrontal NE")
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    fig.savefig(out_dir / "inverted_u.png", dpi=120)
    plt.close(fig)
    with open(out_dir / "inverted_u.csv", "w") as fh:
        fh.write("ne_nM," + ",".join(f'"{r["label"]}"' for r in res["conditions"]) + "\n")
        for i, x in enumerate(ne):
            fh.write(f"{x:.6g}," + ",".join(f"{r['working_memory'][i]:.6g}" for r in res["conditions"]) + "\n")
    keys = ("drug_nM", "ne_at_peak_nM", "peak_working_memory", "working_memory_at_basal", "working_memory_at_stress")
    table = "".join(
        "<tr><td>" + html.escape(r["label"]) + "</td>" + "".join(f"<td>{r[k]:.3g}</td>" for k in keys) + "</tr>"
        for r in res["conditions"])
    title = html.escape(str(experiment.get("title", "Inverted U of prefrontal NE")))
    (out_dir / "report.html").write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head><body>"
        f"<h1>{title}</h1><p>Model: noradsim.receptors.readouts.working_memory (Arnsten 2009; Ramos &amp; "
        f"Arnsten 2007; Wang et al. 2007): alpha2A lowers spine cAMP, beta1 raises it, alpha1 impairs. "
        f"Species {html.escape(res['species'])}; basal ECF NE {res['basal_ne']:.3g} nM, stress {res['stress_ne']:.3g} nM.</p>"
        f"<img src='inverted_u.png' alt='inverted U'><table border='1'><tr><th>condition</th>"
        + "".join(f"<th>{k}</th>" for k in keys) + f"</tr>{table}</table></body></html>")
    summary = [{k: r[k] for k in ("label", "drug", *keys)} for r in res["conditions"]]
    return {"conditions": summary, "files": ["inverted_u.png", "inverted_u.csv", "report.html"]}
