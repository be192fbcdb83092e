"""The recording's ``report.html``: one :func:`noradsim.reporting.html.page` built from the summary.

Everything shown comes from :meth:`RecordingResult.to_dict` (the numbers of
``summary.json``); the figures are the files :func:`~.figures.save_figures` wrote next to it.
"""

from __future__ import annotations

import html
import math

from ...reporting.html import page, table
from .figures import display_order
from .story import STATISTICS_HTML

CAPTIONS = {
    "raster": "Spike raster: one row per sorted unit, the identified LC unit on top (black); multi-unit activity grey.",
    "psth": "Peri-stimulus time histograms, one panel per unit on its own rate scale.",
    "isi": "Interspike-interval histograms, one panel per unit.",
    "waveforms": "Mean extracellular waveform of each unit (wide band), aligned on the trough.",
    "rate": "Firing rate of each unit in 1 s bins and of the whole simulated nucleus.",
}
MARKS = " Shaded spans and bars above: drug applications; red triangles: stimulus onsets."

TITLE = "Virtual single-unit recording, rat locus coeruleus"
UNIT_HEADER = ("unit", "isolation", "spikes", "rate (Hz)", "CV ISI", "Fano factor (1 s)", "metrics", "ground truth", "identified as LC",
               "criteria", "rate by drug epoch")


def report_html(summary: dict, figures: list[str]) -> str:
    """The HTML report of a recording.

    Parameters
    ----------
    summary : dict
        :meth:`RecordingResult.to_dict` of the recording.
    figures : list of str
        File names of the figures, relative to the report.

    Returns
    -------
    str
        A complete HTML page.
    """
    imgs = "\n".join(f'<figure><img src="{html.escape(f)}" style="max-width:760px">'
                     f'<figcaption>{html.escape(_caption(f))}</figcaption></figure>' for f in figures)
    body = f"""
<p class='headline'><b>{html.escape(summary.get('headline', ''))}</b></p>
<p>State: {html.escape(summary['state'])}; duration {summary['duration_s']:g} s; seed {summary['seed']};
electrode at {_um(summary['electrode_um'])} um (inside LC: {summary['electrode_inside_lc']});
neurons within reach: {summary['n_neurons_in_reach']}; population mean rate {summary['population_rate_hz']:.2f} Hz.</p>
{_search_html(summary.get('electrode_search', {}))}
{_template_html(summary.get('template_match', {}))}
<p><b>Placement check: {summary['placement_check'].upper()}</b> (pass = at least one sorted unit meets every LC identification criterion).</p>
<p>Sorting: PCA (3 components) of trough-aligned spikes, Gaussian mixture with BIC, merge/split by template and
refractory period; single unit = ISI violations &le; 1 %, contamination &le; 10 %, L-ratio &le; 0.05, SNR &ge; 5,
amplitude cutoff &le; 0.05. Ground truth: the simulated neuron with most coincident spikes (1 ms).</p>
<h2>Sorted units</h2>
{table(UNIT_HEADER, [_unit_row(u) for u in display_order(summary["units"])])}
{STATISTICS_HTML}
<h2>Figures</h2>
{imgs}
<p>Model: conductance-based LC neurons (noradsim.lc; parameters and sources in noradsim/data/lc_neuron.toml), gap-junction coupled,
alpha2A/GIRK feedback from somatodendritic NE; extracellular signal from each unit's membrane currents.</p>
"""
    return page(TITLE, body)


def _unit_row(u: dict) -> list[str]:
    """The cells (trusted HTML) of one unit's row."""
    crit = "<br>".join(
        f"{html.escape(k)}: {html.escape(_fmt(v['value']))} ({'pass' if v['pass'] else 'FAIL'}; {html.escape(v['rule'])})"
        for k, v in u["criteria"].items())
    iso = "<br>".join(f"{html.escape(k)}: {html.escape(_fmt(v))}" for k, v in u["isolation"].items())
    gt = u["ground_truth"]
    name = f"<b>unit {u['unit']}</b>" if u["identified"] else f"unit {u['unit']}"
    return [name, "single unit" if u["single_unit"] else "multi-unit", str(u["n_spikes"]),
            f"{u['mean_rate_hz']:.2f}", _fmt(u["cv_isi"]), _fmt(u.get("fano_factor_1s", float("nan"))), iso,
            f"neuron {gt['neuron']}: precision {_fmt(gt['precision'])}, recall {_fmt(gt['recall'])}",
            "yes" if u["identified"] else "no", crit or "not tested (multi-unit)",
            html.escape(_epochs_text(u.get("rate_by_epoch", [])))]


def _um(position) -> str:
    """A position as ``[0, 20, 5]`` (um, 4 significant digits)."""
    return "[" + ", ".join(f"{float(v):.4g}" for v in position) + "]"


def _caption(file_name: str) -> str:
    """What a figure shows, from its file name (the name itself if unknown)."""
    stem = file_name.rsplit(".", 1)[0]
    text = CAPTIONS.get(stem, file_name)
    return text + (MARKS if stem in ("raster", "rate") else "")


def _search_html(search: dict) -> str:
    """The electrode search: where it started, each step's spikes and single units, where it stopped."""
    if not search or not search.get("enabled"):
        return "<p>Electrode search: off (recorded at the given position).</p>"
    steps = ", ".join(f"{p['travel_um']:g} um: {p['n_detected']} spikes, {p['n_single_units']} single" for p in search["positions"])
    verdict = (f"single unit isolated after {search['travel_um']:g} um of travel, at {_um(search['final_um'])} um"
               if search["found_single_unit"] else
               f"NO single unit isolated within {search['max_travel_um']:g} um of travel (stopped at {_um(search['final_um'])} um)")
    where = (f"on a {search.get('baseline_s', 0):g} s drug-free baseline; the protocol was then recorded with the "
             "electrode and its iontophoresis barrels at the final position" if search.get("separate_baseline")
             else "on the recording itself (no drugs)")
    return (f"<p><b>Electrode search</b> (advancing ventrally along the track in {search['step_um']:g} um steps from "
            f"{_um(search['start_um'])} um, {html.escape(where)}): {html.escape(verdict)}.<br><small>{html.escape(steps)}</small></p>")


def _template_html(info: dict) -> str:
    """The template match: its rule and how many recorded events it claimed for the kept unit."""
    if not info:
        return ""
    c, sr = info["criteria"], info["search"]
    rule = (f"Mahalanobis D&sup2; &lt; {c['max_mahalanobis_d2']:.3g} (chi-square {c['chi2_quantile']:g} quantile, "
            f"{c['n_components']} PCs of the search) and trough amplitude {c['amplitude_range_uv'][0]:.3g}-"
            f"{c['amplitude_range_uv'][1]:.3g} uV (median &plusmn; 3 SD of {c['n_template_spikes']} search spikes)")
    if "n_matched" not in info:
        return f"<p><b>Template matching</b>: {rule}.</p>"
    kept = (f"unit {info['unit']}" if info.get("unit") is not None
            else "no unit: the matched events failed isolation on the full recording and were pooled as multi-unit")
    return (f"<p><b>Template matching</b>: the unit isolated during the search (neuron {sr['neuron']}, precision "
            f"{_fmt(sr['precision'])} on the {sr['baseline_s']:g} s baseline) was kept as a template; in the recording "
            f"{info['n_matched']} of {info['n_events']} events matched it ({rule}) &rarr; {kept}. The other events were "
            "sorted from scratch.</p>")


def _epochs_text(epochs: list) -> str:
    return "; ".join(f"{e['t_start_s']:g}-{e['t_stop_s']:g} s {'+'.join(e['drugs']) or 'no drug'}: {e['rate_hz']:.2f} Hz"
                     for e in epochs)


def _fmt(v):
    """A value for the report: lists joined, floats to 3 significant digits."""
    if isinstance(v, (list, tuple)):
        return ", ".join(_fmt(x) for x in v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else f"{v:.3g}"
    return str(v)
