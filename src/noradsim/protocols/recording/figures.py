"""Figures of a virtual LC recording (matplotlib, Agg backend): raster, PSTH, ISI
histogram, waveform overlay, rate over time with drug markers."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...lc.analysis import isi_histogram, psth

# the five standard figures, in the order save_figures writes them
FIGURES = ("raster", "psth", "isi", "waveforms", "rate")


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _markers(ax, events):
    for e in events:
        color = "tab:red" if e.kind == "stimulus" else "tab:green"
        ax.axvline(e.at, color=color, lw=1, ls="--")
        ax.text(e.at, ax.get_ylim()[1], f" {e.name}", color=color, fontsize=7, va="top", rotation=90)


def save_figures(out_dir: Path, *, units, fs: float, t_stop: float, events, rate_time, rate_hz, fmt: str = "png") -> list[Path]:
    """Write the five standard figures into ``out_dir``; return their paths."""
    plt = _plt()
    out_dir = Path(out_dir)
    paths = []
    colors = ["tab:blue", "tab:orange", "tab:purple"]

    fig, ax = plt.subplots(figsize=(8, 2 + 0.4 * max(len(units), 1)))
    for k, u in enumerate(units):
        ax.vlines(u.spike_times, k + 0.6, k + 1.4, color=colors[k % 3], lw=0.8)
    _markers(ax, events)
    ax.set(xlabel="time (s)", ylabel="unit", xlim=(0, t_stop), title="Raster of sorted units")
    paths.append(_save(fig, out_dir / f"raster.{fmt}", plt))

    stims = [e.at for e in events if e.kind == "stimulus"]
    fig, ax = plt.subplots(figsize=(6, 3))
    for k, u in enumerate(units):
        if stims:
            edges, rate = psth([u.spike_times], -0.5, 1.5, 0.02, align=stims)
        else:
            edges, rate = psth([u.spike_times], 0.0, t_stop, 0.5)
        ax.step(edges[:-1], rate, where="post", color=colors[k % 3], label=f"unit {u.unit_id}")
    if stims:
        ax.axvline(0, color="tab:red", ls="--")
    ax.set(xlabel="time from stimulus (s)" if stims else "time (s)", ylabel="rate (Hz)", title="PSTH")
    ax.legend(fontsize=7)
    paths.append(_save(fig, out_dir / f"psth.{fmt}", plt))

    fig, ax = plt.subplots(figsize=(6, 3))
    for k, u in enumerate(units):
        edges, counts = isi_histogram(u.spike_times)
        ax.step(edges[:-1] * 1e3, counts, where="post", color=colors[k % 3], label=f"unit {u.unit_id}")
    ax.set(xlabel="interspike interval (ms)", ylabel="count", title="ISI histogram")
    ax.legend(fontsize=7)
    paths.append(_save(fig, out_dir / f"isi.{fmt}", plt))

    fig, ax = plt.subplots(figsize=(5, 3.5))
    for k, u in enumerate(units):
        t = (np.arange(u.mean_waveform.size) - int(round(1e-3 * fs))) / fs * 1e3
        ax.plot(t, u.mean_waveform, color=colors[k % 3], lw=2, label=f"unit {u.unit_id}")
        ax.fill_between(t, u.mean_waveform - u.waveform_sd, u.mean_waveform + u.waveform_sd, color=colors[k % 3], alpha=0.2)
    ax.set(xlabel="time (ms)", ylabel="uV", title="Waveforms (mean +/- SD)")
    ax.legend(fontsize=7)
    paths.append(_save(fig, out_dir / f"waveforms.{fmt}", plt))

    fig, ax = plt.subplots(figsize=(8, 3))
    ax.plot(rate_time, rate_hz, color="k", lw=1, label="population")
    for k, u in enumerate(units):
        edges, r = psth([u.spike_times], 0.0, t_stop, 1.0)
        ax.step(edges[:-1], r, where="post", color=colors[k % 3], label=f"unit {u.unit_id}")
    _markers(ax, events)
    ax.set(xlabel="time (s)", ylabel="rate (Hz)", title="Firing rate (1 s bins) with drug and stimulus markers")
    ax.legend(fontsize=7)
    paths.append(_save(fig, out_dir / f"rate.{fmt}", plt))
    return paths


def _save(fig, path, plt):
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
