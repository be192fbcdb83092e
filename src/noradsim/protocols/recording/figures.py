"""Figures of a virtual LC recording (matplotlib, Agg backend): raster, PSTH, ISI
histogram, waveform overlay, rate over time with drug and stimulus marks.

Every figure shows the units in :func:`display_order` (the identified LC single unit first)
and draws them by role (:func:`unit_style`): the identified unit dark and thick, other
single units blue, multi-unit activity light grey. PSTH, ISI and rate have one panel per
unit, so a fast multi-unit does not flatten the identified unit's scale. Drugs are shaded
spans over their application with a horizontal bar and label above the axes; stimuli are
triangles along the top edge, labelled once.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...lc.analysis import isi_histogram, psth

# the five standard figures, in the order save_figures writes them
FIGURES = ("raster", "psth", "isi", "waveforms", "rate")
DRUG_COLORS = ("tab:green", "tab:purple", "tab:brown", "tab:olive")
STIMULUS_COLOR = "tab:red"
# height (points) of one row of the drug/stimulus annotation above the axes
ROW_PT = 11.0


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def display_order(units) -> list:
    """The units identified LC single unit(s) first, then other single units, then multi-unit activity.

    Works on sorted units and on their summary dicts (``identified``, ``single_unit``); the
    order within each group is kept.
    """
    def get(u, key):
        return u[key] if isinstance(u, dict) else getattr(u, key)

    return sorted(units, key=lambda u: (not get(u, "identified"), not get(u, "single_unit")))


def unit_label(u) -> str:
    """``unit {id}`` with its role, the name used in the figures and the report's table."""
    role = "identified LC unit" if u.identified else ("single unit" if u.single_unit else "multi-unit")
    return f"unit {u.unit_id} ({role})"


def unit_style(u) -> dict:
    """Line colour and width by role: identified dark and thick, single blue, multi-unit light grey."""
    if u.identified:
        return {"color": "black", "lw": 1.8}
    if u.single_unit:
        return {"color": "tab:blue", "lw": 1.2}
    return {"color": "0.65", "lw": 0.8}


def _drug_colors(events) -> dict:
    names = list(dict.fromkeys(e.name for e in events if e.kind == "drug"))
    return {n: DRUG_COLORS[k % len(DRUG_COLORS)] for k, n in enumerate(names)}


def shade_drugs(ax, events) -> None:
    """Light spans over each drug's application [at, at + duration]."""
    colors = _drug_colors(events)
    for e in events:
        if e.kind == "drug":
            ax.axvspan(e.at, e.at + e.duration, color=colors[e.name], alpha=0.08, lw=0, zorder=0)


def annotate_events(ax, events) -> int:
    """Stimulus triangles on the top edge and one labelled bar per drug above the axes.

    Returns the number of annotation rows used (to pad the title).
    """
    from matplotlib.transforms import ScaledTranslation, blended_transform_factory

    fig = ax.figure
    base = blended_transform_factory(ax.transData, ax.transAxes)

    def row(k):  # k-th row above the top edge, in points
        return base + ScaledTranslation(0, (k * ROW_PT) / 72, fig.dpi_scale_trans)

    stims = [e for e in events if e.kind == "stimulus"]
    for name in dict.fromkeys(e.name for e in stims):
        ts = [e.at for e in stims if e.name == name]
        ax.plot(ts, [1.0] * len(ts), "v", color=STIMULUS_COLOR, ms=7, transform=row(0.45), clip_on=False)
        ax.text(max(ts), 1.0, f"   {name}", color=STIMULUS_COLOR, fontsize=8, va="center", transform=row(0.45))
    drugs = sorted((e for e in events if e.kind == "drug"), key=lambda e: e.at)
    colors = _drug_colors(events)
    first = 1.5 if stims else 0.6
    for k, e in enumerate(drugs):
        tr = row(first + k)
        ax.plot([e.at, e.at + e.duration], [1.0, 1.0], color=colors[e.name], lw=8, solid_capstyle="butt",
                transform=tr, clip_on=False)
        ax.text(e.at, 1.0, f" {_drug_label(e)}", color="white", fontsize=7, va="center", ha="left",
                fontweight="bold", transform=tr)
    return int(np.ceil(first + len(drugs))) if drugs else (1 if stims else 0)


def _drug_label(e) -> str:
    if e.route == "iontophoresis":
        return f"{e.name} {e.current:g} nA"
    return f"{e.name} {e.dose:g} mg/kg {e.route}" if e.dose else e.name


def _title(ax, text, rows):
    ax.set_title(text, loc="left", fontsize=10, pad=4 + rows * ROW_PT)


def save_figures(out_dir: Path, *, units, fs: float, t_stop: float, events, rate_time, rate_hz, fmt: str = "png") -> list[Path]:
    """Write the five standard figures into ``out_dir``; return their paths."""
    plt = _plt()
    out_dir = Path(out_dir)
    units = display_order(units)
    events = list(events)
    figs = [_raster(plt, units, t_stop, events), _psth(plt, units, t_stop, events), _isi(plt, units),
            _waveforms(plt, units, fs), _rate(plt, units, t_stop, events, rate_time, rate_hz)]
    return [_save(fig, out_dir / f"{name}.{fmt}", plt) for name, fig in zip(FIGURES, figs)]


def _raster(plt, units, t_stop, events):
    n = max(len(units), 1)
    fig, ax = plt.subplots(figsize=(8, 1.6 + 0.45 * n))
    shade_drugs(ax, events)
    # the first unit (the identified one) is the top row
    for k, u in enumerate(units):
        y = n - k
        st = unit_style(u)
        ax.vlines(u.spike_times, y - 0.4, y + 0.4, color=st["color"], lw=st["lw"] * 0.6)
    ax.set_yticks([n - k for k in range(len(units))], [unit_label(u) for u in units])
    ax.set(xlabel="time (s)", xlim=(0, t_stop), ylim=(0.4, n + 0.6))
    _title(ax, "Raster of the sorted units", annotate_events(ax, events))
    return fig


def _panels(plt, units, *, width=7.0, height=1.25, extra=0):
    n = len(units) + extra
    fig, axes = plt.subplots(max(n, 1), 1, figsize=(width, 0.9 + height * max(n, 1)), sharex=True, squeeze=False)
    return fig, axes[:, 0]


def _panel_label(ax, text, color):
    ax.text(0.005, 0.95, text, transform=ax.transAxes, fontsize=8, va="top", color=color,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1})


def _bars(ax, edges, values, u):
    """A histogram as filled stairs in the unit's style."""
    st = unit_style(u)
    ax.stairs(values, edges, fill=True, color=st["color"], alpha=0.25 if u.identified else 0.4, lw=0)
    ax.stairs(values, edges, color=st["color"], lw=st["lw"])


def _psth(plt, units, t_stop, events):
    stims = [e.at for e in events if e.kind == "stimulus"]
    fig, axes = _panels(plt, units, width=6.5)
    for ax, u in zip(axes, units):
        if stims:
            edges, rate = psth([u.spike_times], -0.5, 1.5, 0.02, align=stims)
            ax.axvline(0, color=STIMULUS_COLOR, ls="--", lw=1)
        else:
            edges, rate = psth([u.spike_times], 0.0, t_stop, 0.5)
        st = unit_style(u)
        _bars(ax, edges, rate, u)
        ax.set_ylabel("Hz")
        ax.set_ylim(bottom=0)
        _panel_label(ax, unit_label(u), st["color"] if u.identified else "0.3")
    what = f"aligned on {len(stims)} stimuli (20 ms bins)" if stims else "(0.5 s bins)"
    axes[0].set_title(f"PSTH {what}; each unit on its own scale", loc="left", fontsize=10)
    axes[-1].set_xlabel("time from stimulus (s)" if stims else "time (s)")
    return fig


def _isi(plt, units):
    fig, axes = _panels(plt, units, width=6.5)
    for ax, u in zip(axes, units):
        edges, counts = isi_histogram(u.spike_times)
        st = unit_style(u)
        _bars(ax, edges * 1e3, counts, u)
        ax.set_ylabel("count")
        ax.set_ylim(bottom=0)
        _panel_label(ax, unit_label(u), st["color"] if u.identified else "0.3")
    axes[0].set_title("Interspike-interval histograms; each unit on its own scale", loc="left", fontsize=10)
    axes[-1].set_xlabel("interspike interval (ms)")
    return fig


def _waveforms(plt, units, fs):
    fig, ax = plt.subplots(figsize=(5, 3.5))
    # multi-units first, so the identified unit is drawn on top
    for u in reversed(units):
        st = unit_style(u)
        t = (np.arange(u.mean_waveform.size) - int(round(1e-3 * fs))) / fs * 1e3
        ax.plot(t, u.mean_waveform, color=st["color"], lw=st["lw"] + 0.5, label=unit_label(u))
        ax.fill_between(t, u.mean_waveform - u.waveform_sd, u.mean_waveform + u.waveform_sd, color=st["color"], alpha=0.15)
    ax.set(xlabel="time from trough (ms)", ylabel="uV")
    ax.set_title("Mean waveforms (band: +/- 1 SD)", loc="left", fontsize=10)
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], fontsize=7, loc="lower right")
    return fig


def _rate(plt, units, t_stop, events, rate_time, rate_hz):
    fig, axes = _panels(plt, units, width=8, height=1.1, extra=1)
    for ax, u in zip(axes, units):
        edges, r = psth([u.spike_times], 0.0, t_stop, 1.0)
        st = unit_style(u)
        ax.stairs(r, edges, color=st["color"], lw=st["lw"])
        _panel_label(ax, unit_label(u), st["color"] if u.identified else "0.3")
    axes[-1].plot(rate_time, rate_hz, color="0.2", lw=1)
    _panel_label(axes[-1], "all simulated LC neurons (mean rate, 500 ms smoothing)", "0.2")
    for ax in axes:
        shade_drugs(ax, events)
        ax.set_ylabel("Hz")
        ax.set_ylim(bottom=0)
        ax.set_xlim(0, t_stop)
    _title(axes[0], "Firing rate (1 s bins)", annotate_events(axes[0], events))
    axes[-1].set_xlabel("time (s)")
    return fig


def _save(fig, path, plt):
    fig.tight_layout()
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path
