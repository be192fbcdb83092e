"""What a virtual recording produced (:class:`RecordingResult`): its summary and its files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...lc.analysis import cv_isi, fano_factor, mean_firing_rate
from ...lc.population import SimulationResult
from .config import RecordingConfig
from .figures import FIGURES
from .story import headline

NWB_FILE = "recording.nwb"
# population rate in the rate figure: 1 ms bins smoothed over 500 ms
RATE_SMOOTHING_MS = 500


@dataclass(frozen=True)
class RecordingResult:
    """Everything a virtual recording produced.

    ``units`` are the sorted units (the template-matched unit first, then the sorter's single
    units, then the pooled multi-unit activity); ``trace_uv`` is the detection-band trace at
    ``electrode`` (um, the final position of the search); ``threshold_uv``, ``noise_sd_uv``,
    ``bic`` and ``clusters`` describe the sorting of the recorded events; ``electrode_search``,
    ``template_match`` and ``iontophoresis`` are the plain-JSON accounts of the search, the
    template match (empty without one) and each iontophoretic ejection at the recorded neurons.
    """

    config: RecordingConfig
    units: tuple
    fs: float
    trace_uv: np.ndarray
    simulation: SimulationResult
    inside_lc: bool
    n_in_reach: int
    seed: int
    electrode: np.ndarray
    threshold_uv: float
    noise_sd_uv: float
    bic: dict
    clusters: list
    electrode_search: dict
    template_match: dict
    iontophoresis: list

    @property
    def placement_ok(self) -> bool:
        """At least one unit passes the LC identification criteria."""
        return any(u.identified for u in self.units)

    def files(self) -> list[str]:
        """Names of the files :meth:`write` writes."""
        fmt = self.config.figure_format
        return [NWB_FILE] + [f"{name}.{fmt}" for name in FIGURES] + ["report.html", "summary.json"]

    def to_dict(self) -> dict:
        """Plain-JSON summary of the recording (what ``noradsim run`` prints and writes as ``summary.json``)."""
        cfg = self.config
        return {
            "protocol": "recording",
            "headline": headline(self.units, cfg.events, drug_epochs(cfg.events, cfg.duration), cfg.duration),
            "state": cfg.state,
            "seed": self.seed,
            "duration_s": cfg.duration,
            "electrode_um": [float(v) for v in self.electrode],
            "electrode_search": self.electrode_search,
            "template_match": self.template_match,
            "electrode_inside_lc": self.inside_lc,
            "n_neurons_in_reach": self.n_in_reach,
            "n_units": len(self.units),
            "placement_check": "pass" if self.placement_ok else "fail",
            "population_rate_hz": self.simulation.mean_rate(),
            "units": [_unit_summary(u, cfg) for u in self.units],
            "sorting": {"noise_sd_uv": self.noise_sd_uv, "threshold_uv": self.threshold_uv,
                        "bic": {str(k): v for k, v in self.bic.items()}, "clusters": self.clusters},
            "iontophoresis": self.iontophoresis,
            "files": self.files(),
        }

    def write(self, out_dir) -> None:
        """Write ``recording.nwb``, the figures, ``summary.json`` and ``report.html`` into ``out_dir``."""
        # pynwb and matplotlib load only when files are written
        from .figures import save_figures
        from .nwb import write_nwb
        from .report import report_html

        cfg = self.config
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        summary = self.to_dict()
        write_nwb(out_dir / NWB_FILE, units=list(self.units), fs=self.fs, trace_uv=self.trace_uv,
                  electrode_um=self.electrode, events=list(cfg.events), experiment_id=cfg.name, seed=self.seed)
        rate = self.simulation.rate_per_ms
        smooth = np.convolve(rate, np.ones(RATE_SMOOTHING_MS) / RATE_SMOOTHING_MS, mode="same")
        figs = save_figures(out_dir, units=list(self.units), fs=self.fs, t_stop=cfg.duration, events=list(cfg.events),
                            rate_time=np.arange(rate.size) * 1e-3, rate_hz=smooth, fmt=cfg.figure_format)
        (out_dir / "summary.json").write_text(json.dumps(summary, indent=2, default=_json_default))
        (out_dir / "report.html").write_text(report_html(summary, [p.name for p in figs]))


def _unit_summary(u, cfg: RecordingConfig) -> dict:
    """Plain-JSON account of one sorted unit: spikes, isolation, ground truth, criteria, rate by drug epoch."""
    return {
        "unit": u.unit_id,
        "n_spikes": int(u.spike_times.size),
        "mean_rate_hz": mean_firing_rate(u.spike_times, 0.0, cfg.duration),
        "cv_isi": cv_isi(u.spike_times),
        "fano_factor_1s": fano_factor_1s(u.spike_times, cfg.duration),
        "identified": u.identified,
        "single_unit": u.single_unit,
        "isolation": u.quality,
        "ground_truth": {"neuron": u.source_neuron, "precision": u.precision, "recall": u.recall},
        "source_neuron": u.source_neuron,
        "match_fraction": u.match_fraction,
        "criteria": {k: {"value": v["value"], "pass": bool(v["pass"]), "rule": v["rule"],
                         **({"evaluated_on": v["evaluated_on"]} if "evaluated_on" in v else {})}
                     for k, v in u.criteria.items()},
        "rate_by_epoch": [dict(ep, rate_hz=mean_firing_rate(u.spike_times, ep["t_start_s"], ep["t_stop_s"]))
                          for ep in drug_epochs(cfg.events, cfg.duration)],
    }


def fano_factor_1s(spike_times, duration: float) -> float:
    """Fano factor (variance / mean) of the spike counts in consecutive 1 s windows (NaN if < 2 windows).

    >>> fano_factor_1s([0.1, 0.5, 1.2, 1.7, 2.3, 2.9], 3.0)
    0.0
    """
    st = np.asarray(spike_times, float)
    n = int(duration)
    if n < 2:
        return float("nan")
    return fano_factor([st[(st >= k) & (st < k + 1)] for k in range(n)])


def drug_epochs(events, duration: float) -> list[dict]:
    """Intervals of the recording between drug onsets and offsets, with the drugs active in each.

    Examples
    --------
    >>> from noradsim.lc.stimuli import Event
    >>> ev = [Event("drug", "clonidine", 2.0, 8.0, route="iontophoresis", current=1.0),
    ...       Event("drug", "idazoxan", 6.0, 4.0, route="iontophoresis", current=20.0)]
    >>> [(e["t_start_s"], e["t_stop_s"], e["drugs"]) for e in drug_epochs(ev, 12.0)]
    [(0.0, 2.0, []), (2.0, 6.0, ['clonidine']), (6.0, 10.0, ['clonidine', 'idazoxan']), (10.0, 12.0, [])]
    """
    drugs = [e for e in events if e.kind == "drug"]
    cuts = {0.0, float(duration)}
    for e in drugs:
        for t in (e.at, e.at + e.duration):
            if 0.0 < t < duration:
                cuts.add(float(t))
    cuts = sorted(cuts)
    return [{"t_start_s": a, "t_stop_s": b,
             "drugs": [e.name for e in drugs if e.at <= a and e.at + e.duration >= b]}
            for a, b in zip(cuts[:-1], cuts[1:])]


def _json_default(x):
    """numpy scalars and arrays as their Python values; anything else as its text."""
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    return str(x)
