"""Files of an ``inverted_u`` run: the figure, the curves as CSV, and the report page.

The functions take an :class:`~noradsim.protocols.inverted_u.run.InvertedUResult`; this
module does not import :mod:`.run` (the result's ``write`` calls it), so the two do not
import each other.
"""

from __future__ import annotations

import html
from pathlib import Path

from ...reporting.html import page, table

#: The files :func:`write_report` writes: figure, curves, report page.
FILES = ("inverted_u.png", "inverted_u.csv", "report.html")
#: Per-condition numbers of the summary, in the order of the report table.
SUMMARY_KEYS = ("drug_nM", "ne_at_peak_nM", "peak_working_memory", "working_memory_at_basal",
                "working_memory_at_stress")


def plot_curves(result, path: Path) -> None:
    """Working memory against prefrontal NE, one line per condition, peaks and markers drawn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cfg = result.config
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for curve in result.curves:
        c = curve.condition
        lab = c.label + (f" ({c.drug_nM:.3g} nM in brain)" if c.drug else "")
        line, = ax.semilogx(result.ne_nM, 100 * curve.working_memory, label=lab)
        ax.plot(curve.ne_at_peak_nM, 100 * curve.peak_working_memory, "o", color=line.get_color())
    for x, name in ((cfg.basal_ne_nM, "basal"), (cfg.stress_ne_nM, "stress")):
        ax.axvline(x, color="grey", ls=":", lw=1)
        ax.text(x, ax.get_ylim()[1], f" {name}", va="top", fontsize=8, color="grey")
    ax.set_xlabel("prefrontal extracellular NE (nM)")
    ax.set_ylabel("delayed-response accuracy (%)")
    ax.set_title("Working memory: inverted U of prefrontal NE")
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_csv(result, path: Path) -> None:
    """One row per NE value, one column per condition."""
    curves = result.curves
    with open(path, "w") as fh:
        fh.write("ne_nM," + ",".join(f'"{c.condition.label}"' for c in curves) + "\n")
        for i, x in enumerate(result.ne_nM):
            fh.write(f"{x:.6g}," + ",".join(f"{c.working_memory[i]:.6g}" for c in curves) + "\n")


#: Column headers of the report table (with units), one per SUMMARY_KEYS entry.
HEADERS = ("drug in brain (nM)", "NE at best accuracy (nM)", "best accuracy (%)", "accuracy at basal NE (%)",
           "accuracy at stress NE (%)")


def _cell(key: str, value: float) -> str:
    """Working-memory fractions as % (as in the figure), concentrations to 3 significant digits."""
    return f"{100 * value:.1f}" if "working_memory" in key else f"{value:.3g}"


def headline(result) -> str:
    """The first sentence: each condition's accuracy at stress NE beside the first (reference) condition's."""
    cfg, curves = result.config, [c.summary() for c in result.curves]
    if not curves:
        return ""
    ref = curves[0]
    others = "; ".join(f"{c['label']}: {100 * c['working_memory_at_stress']:.1f} %" for c in curves[1:])
    text = (f"At stress levels of prefrontal NE ({cfg.stress_ne_nM:.3g} nM) the model's delayed-response accuracy "
            f"is {100 * ref['working_memory_at_stress']:.1f} % with {ref['label']}"
            f" (best {100 * ref['peak_working_memory']:.1f} % at {ref['ne_at_peak_nM']:.3g} nM NE)")
    return text + (f"; {others}." if others else ".")


def report_page(result) -> str:
    """The report (via :func:`noradsim.reporting.html.page`): model, markers, figure and table."""
    cfg = result.config
    rows = [[html.escape(s["label"])] + [_cell(k, s[k]) for k in SUMMARY_KEYS]
            for s in (c.summary() for c in result.curves)]
    body = (f"<p class='headline'><b>{html.escape(headline(result))}</b></p><p>Model: noradsim.receptors.readouts.working_memory (Arnsten 2009; Ramos &amp; "
            f"Arnsten 2007; Wang et al. 2007): alpha2A lowers spine cAMP, beta1 raises it, alpha1 impairs. "
            f"Species {html.escape(cfg.species)}; basal ECF NE {cfg.basal_ne_nM:.3g} nM, "
            f"stress {cfg.stress_ne_nM:.3g} nM.</p>"
            f"<img src='{FILES[0]}' alt='inverted U'>" + table(["condition", *HEADERS], rows))
    return page(cfg.title, body)


def write_report(result, out_dir: Path) -> None:
    """Write ``inverted_u.png``, ``inverted_u.csv`` and ``report.html`` into ``out_dir`` (created)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    png, csv, report = FILES
    plot_curves(result, out_dir / png)
    write_csv(result, out_dir / csv)
    (out_dir / report).write_text(report_page(result))
