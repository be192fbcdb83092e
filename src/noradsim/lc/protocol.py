"""The ``recording`` protocol: a virtual single-unit recording in the rat locus coeruleus.

:func:`run_recording` is what ``noradsim run`` calls for experiment files with
``protocol = "recording"`` (format in ``docs/lc_recording.md``); :func:`record` is the
Python API underneath; :func:`lc_target` answers ``noradsim validate`` for the measures
``lc_phasic_response`` and ``lc_spike_width`` from simulated neurons.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import signal

from ..errors import InputError, unknown
from ..units import parse_quantity
from .analysis import cv_isi, fano_factor, mean_firing_rate
from .neuron import LCParameters, load_lc_parameters
from .pharmacology import activation, pipette_tip
from .population import SimulationResult, build_population, simulate
from .ratelaw import state_drives
from .recording import (
    SortedUnit,
    bandpass,
    build_template,
    check_electrode,
    detect_spikes,
    electrode_inside_lc,
    ground_truth_match,
    identify,
    match_template,
    phasic_response,
    sort_units,
    template_unit_quality,
    unit_signals,
    unit_weights,
    units_in_reach,
    waveform_width_ms,
)
from .stimuli import NOXIOUS, Event, alpha2_terms, build_inputs, parse_interventions

RECORDING_KEYS = ("electrode", "duration", "dt", "filter", "waveform_filter", "threshold", "n_units", "noise",
                  "n_neurons", "a2", "beta_activation", "figure_format", "search")
SEARCH_KEYS = ("step", "max_travel", "baseline")
# drug-free search segment when the protocol has less than MIN_SEARCH_BASELINE_S before its first drug
DEFAULT_SEARCH_BASELINE_S = 10.0
MIN_SEARCH_BASELINE_S = 5.0
TOP_KEYS = ("protocol", "name", "title", "schema", "description", "species", "region", "state", "interventions",
            "recording", "seed", "notes", "drugs")


@dataclass(frozen=True)
class RecordingConfig:
    """A parsed recording experiment (internal units: s, um, Hz, uV)."""

    state: str
    events: tuple
    electrode: np.ndarray
    duration: float
    dt: float
    band: tuple
    waveform_band: tuple
    threshold_sd: float
    max_units: int
    noise_uv: float
    n_neurons: int
    a2: float
    beta_activation: float
    figure_format: str
    name: str = "recording"
    search_step: float = 0.0  # um; 0 = no electrode search
    search_max_travel: float = 0.0  # um
    search_baseline: float = 0.0  # s of drug-free recording for the search; 0 = the pre-drug baseline

    def track_positions(self) -> list[np.ndarray]:
        """Electrode positions (um) of the search, start first, advancing ventrally (-z) along the track."""
        if self.search_step <= 0:
            return [self.electrode]
        n = int(math.floor(self.search_max_travel / self.search_step + 1e-9))
        return [self.electrode - np.array([0.0, 0.0, k * self.search_step]) for k in range(n + 1)]

    def search_segment(self) -> tuple[list, float]:
        """Events and duration (s) of the drug-free segment on which the electrode search runs.

        As an experimenter does: the electrode is advanced and the unit isolated before
        any drug is given. The segment is the protocol's first ``search_baseline`` s
        (default: up to the first drug, or the first 10 s when less than 5 s precede it)
        with its stimuli and without its drugs; with no drugs (and no shorter baseline)
        it is the whole protocol.
        """
        drugs = [e for e in self.events if e.kind == "drug"]
        if self.search_baseline > 0:
            length = min(self.search_baseline, self.duration)
        elif not drugs:
            length = self.duration
        else:
            first = min(e.at for e in drugs)
            length = first if first >= MIN_SEARCH_BASELINE_S else min(self.duration, DEFAULT_SEARCH_BASELINE_S)
        length = min(self.duration, max(length, 1e-3))
        events = [e for e in self.events if e.kind != "drug" and e.at < length]
        return events, length


def _number(value, field_name, *, integer=False, low=None, high=None):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (isinstance(value, float) and math.isnan(value)):
        raise InputError(f"{field_name}: must be a number, got {value!r}")
    if integer and int(value) != value:
        raise InputError(f"{field_name}: must be a whole number, got {value!r}")
    if low is not None and value < low:
        raise InputError(f"{field_name}: must be >= {low}, got {value!r}")
    if high is not None and value > high:
        raise InputError(f"{field_name}: must be <= {high}, got {value!r}")
    return int(value) if integer else float(value)


def parse_experiment(experiment: dict) -> RecordingConfig:
    """Check and convert a recording experiment (parsed TOML) into a :class:`RecordingConfig`."""
    if not isinstance(experiment, dict):
        raise InputError("experiment: must be a table")
    for key in experiment:
        if key not in TOP_KEYS:
            raise unknown("experiment field", key, TOP_KEYS)
    protocol = experiment.get("protocol", "recording")
    if protocol != "recording":
        raise unknown("protocol", protocol, ["recording"])
    species = experiment.get("species", "rat")
    if species != "rat":
        raise unknown("species (the LC neuron model is parameterised for rat)", species, ["rat"])
    region = experiment.get("region", "locus_coeruleus")
    if region != "locus_coeruleus":
        raise unknown("region (single-unit recordings are of the LC)", region, ["locus_coeruleus"])
    state = experiment.get("state", "awake")
    if state not in state_drives():
        raise unknown("state", state, state_drives())
    events = tuple(parse_interventions(experiment.get("interventions", [])))
    rec = experiment.get("recording", {})
    if not isinstance(rec, dict):
        raise InputError("recording: must be a table")
    for key in rec:
        if key not in RECORDING_KEYS:
            raise unknown("recording field", key, RECORDING_KEYS)
    el = rec.get("electrode", ["0 um", "0 um", "0 um"])
    if not isinstance(el, list) or len(el) != 3:
        raise InputError(f"recording.electrode: must be a list of three lengths like ['0 um', '50 um', '0 um'], got {el!r}")
    electrode = check_electrode([parse_quantity(v, "length", f"recording.electrode[{i}]", allow_negative=True)
                                 for i, v in enumerate(el)])
    duration = parse_quantity(rec.get("duration", "20 s"), "time", "recording.duration")
    if duration <= 0:
        raise InputError("recording.duration: must be > 0 s")
    if duration > 600:
        raise InputError(f"recording.duration: {duration:g} s is longer than the 600 s the spiking model allows; use the rate model for long protocols")
    dt = parse_quantity(rec.get("dt", "0.05 ms"), "time", "recording.dt")

    def band_of(key, default):
        b = rec.get(key, default)
        if not isinstance(b, list) or len(b) != 2:
            raise InputError(f"recording.{key}: must be [low, high] like ['300 Hz', '5000 Hz'], got {b!r}")
        return tuple(parse_quantity(v, "rate", f"recording.{key}") for v in b)

    band = band_of("filter", ["300 Hz", "5000 Hz"])
    waveform_band = band_of("waveform_filter", ["100 Hz", "8000 Hz"])
    fs = 1.0 / dt if dt > 0 else math.inf
    for key, b in (("filter", band), ("waveform_filter", waveform_band)):
        if not (0 < b[0] < b[1] < fs / 2):
            raise InputError(f"recording.{key}: band {b[0]:g}-{b[1]:g} Hz must satisfy 0 < low < high < {fs / 2:g} Hz (Nyquist at dt)")
    threshold = _number(rec.get("threshold", 4.5), "recording.threshold", low=1.0, high=50.0)
    max_units = _number(rec.get("n_units", 3), "recording.n_units", integer=True, low=1, high=3)
    noise = parse_quantity(rec.get("noise", "8 uV"), "potential", "recording.noise") * 1e3
    n_neurons = _number(rec.get("n_neurons", 1643), "recording.n_neurons", integer=True, low=1, high=20000)
    a2 = _number(rec.get("a2", 0.35), "recording.a2", low=0.0, high=0.94)
    beta = _number(rec.get("beta_activation", 0.0), "recording.beta_activation", low=0.0, high=1.0)
    fmt = rec.get("figure_format", "png")
    if fmt not in ("png", "svg"):
        raise unknown("recording.figure_format", fmt, ["png", "svg"])
    search = rec.get("search")
    step, travel, baseline = 0.0, 0.0, 0.0
    if search is not None:
        if not isinstance(search, dict):
            raise InputError(f"recording.search: must be a table like {{ step = '5 um', max_travel = '100 um' }}, got {search!r}")
        for key in search:
            if key not in SEARCH_KEYS:
                raise unknown("recording.search field", key, SEARCH_KEYS)
        step = parse_quantity(search.get("step", "5 um"), "length", "recording.search.step")
        travel = parse_quantity(search.get("max_travel", "100 um"), "length", "recording.search.max_travel")
        if "baseline" in search:
            baseline = parse_quantity(search["baseline"], "time", "recording.search.baseline")
            if not 1.0 <= baseline <= 600.0:
                raise InputError(f"recording.search.baseline: must be within 1-600 s, got {baseline:g} s")
        if step <= 0:
            raise InputError(f"recording.search.step: must be > 0 um, got {step:g} um")
        if travel < 0 or travel > 1000:
            raise InputError(f"recording.search.max_travel: must be within 0-1000 um, got {travel:g} um")
        if travel / step > 200:
            raise InputError(f"recording.search: at most 200 steps ({travel:g} um / {step:g} um asks for more); use a larger step")
        check_electrode(electrode - np.array([0.0, 0.0, travel]))
    return RecordingConfig(state, events, electrode, duration, dt, band, waveform_band, threshold, max_units,
                           noise, n_neurons, a2, beta, fmt, str(experiment.get("name", "recording")),
                           search_step=step, search_max_travel=travel, search_baseline=baseline)


@dataclass
class RecordingResult:
    """Everything a virtual recording produced."""

    config: RecordingConfig
    units: list
    fs: float
    trace_uv: np.ndarray
    simulation: SimulationResult
    inside_lc: bool
    n_in_reach: int
    seed: int
    extra: dict = field(default_factory=dict)

    @property
    def placement_ok(self) -> bool:
        """At least one unit passes the LC identification criteria."""
        return any(u.identified for u in self.units)


def _sort_at(params, pop, config, duration, electrode, reach, rows, ais, soma_f, noise_raw, seed, *, sort=True):
    """Signal, detection and sorting for one electrode position from the stored per-neuron currents.

    ``rows`` are the rows of ``ais``/``soma_f`` (currents of ``sim.recorded``, somatic current
    already low-passed) belonging to the neurons ``reach`` near ``electrode``. Returns the
    detection-band trace, trough samples, wide-band waveforms, the :class:`Sorting` (None
    with ``sort=False``), threshold, noise SD and the detection-band feature snippets.
    """
    fs = 1.0 / config.dt
    n_samples = noise_raw.size
    raw = noise_raw
    if reach.size:
        w_ais, w_soma = unit_weights(params, pop, reach, electrode)
        raw = raw + (w_ais[:, None] * ais[rows] + w_soma[:, None] * soma_f[rows]).sum(axis=0)[:n_samples]
    trace = bandpass(raw, fs, config.band)
    wide = bandpass(raw, fs, config.waveform_band)
    peaks, _, thr = detect_spikes(trace, fs, threshold_sd=config.threshold_sd)
    pre, post = int(round(1e-3 * fs)), int(round(2e-3 * fs))
    # align each waveform on its wide-band trough (within 0.3 ms of the detection trough)
    jit = int(round(0.3e-3 * fs))
    ok = (peaks - pre - jit >= 0) & (peaks + post + jit < wide.size)
    peaks = peaks[ok]
    if peaks.size:
        loc = peaks[:, None] + np.arange(-jit, jit + 1)[None, :]
        wide_peaks = peaks - jit + np.argmin(wide[loc], axis=1)
        waves = wide[wide_peaks[:, None] + np.arange(-pre, post)[None, :]]
    else:
        waves = np.zeros((0, pre + post))
    det_waves = trace[peaks[:, None] + np.arange(-pre, post)[None, :]] if peaks.size else np.zeros((0, pre + post))
    noise_sd = float(np.median(np.abs(trace)) / 0.6745)
    # features from the spike itself: 0.5 ms before to 1 ms after the trough
    feat_win = slice(pre - int(round(0.5e-3 * fs)), pre + int(round(1e-3 * fs)))
    snippets = det_waves[:, feat_win]
    sorting = None
    if sort:
        sorting = sort_units(snippets, peaks, fs, noise_sd, threshold_uv=thr,
                             duration_s=duration, max_units=config.max_units, seed=seed)
    return trace, peaks, waves, sorting, thr, noise_sd, snippets


def _run_segment(params, pop, config, events, duration, electrode, record_set, seed):
    """Simulate ``duration`` s of ``events`` with the barrels on the electrode at ``electrode``.

    Returns the simulation, the low-passed somatic currents of ``record_set`` (as
    :func:`~noradsim.lc.recording.unit_signals`) and the amplifier noise (seeded by
    ``seed`` alone, so a shorter segment's noise is the start of a longer one's).
    """
    inputs = build_inputs(params, config.state, list(events), duration, a2_background=config.a2,
                          beta_activation=config.beta_activation, positions=pop.positions, electrode=electrode)
    sim = simulate(params, pop, inputs, dt=config.dt, seed=seed, record=record_set, record_voltage=False)
    n_samples = int(round(duration * (1.0 / config.dt)))
    noise_raw = np.random.default_rng([seed, 7]).standard_normal(n_samples) * config.noise_uv
    soma_f = sim.soma_current
    tau = params.value("sd_spread_tau") * 1e-3
    if tau > 0 and soma_f.size:
        # as unit_signals: first-order low-pass of the somatic current (SD spike spread)
        a = math.exp(-sim.dt / tau)
        soma_f = signal.lfilter([1.0 - a], [1.0, -a], soma_f, axis=1)
    return sim, soma_f, noise_raw


def record(config: RecordingConfig, *, seed: int = 0, params: LCParameters | None = None) -> RecordingResult:
    """Find the unit (electrode search on a drug-free baseline), then record the protocol there.

    With ``config.search_step`` > 0 the recording runs in two stages, as an experiment
    does. (1) Search: the protocol's drug-free baseline (:meth:`RecordingConfig.search_segment`)
    is simulated once, storing the membrane currents of every neuron in reach of any
    position of the track; at each position the extracellular signal is the sum of those
    neurons' stored currents weighted by their geometry
    (:func:`~noradsim.lc.recording.unit_weights`), and the search stops at the first
    position where the sorter isolates a single unit. (2) Recording: the full protocol is
    simulated (same population, same seed) with the electrode, and the iontophoresis
    barrels attached to it, at the final position, and sorted there. When the search
    segment is the whole protocol (no drugs), stage 1 is the recording. Without a search
    the protocol is recorded at ``config.electrode``.
    """
    params = params or load_lc_parameters()
    pop = build_population(params, config.n_neurons, seed=seed)
    fs = 1.0 / config.dt
    track = config.track_positions()
    search_events, search_duration = config.search_segment() if config.search_step > 0 else (list(config.events), config.duration)
    same_run = search_duration == config.duration and len(search_events) == len(config.events)
    reaches = [units_in_reach(params, pop, pos) for pos in track]
    union = list(reaches[0])
    for r in reaches[1:]:
        union.extend(int(i) for i in r if i not in union)
    record_set = np.asarray(union, np.int64)
    # stage 1: the search (on the drug-free baseline; the barrels ride on the electrode but eject nothing)
    sim, soma_f, noise_raw = _run_segment(params, pop, config, search_events, search_duration, config.electrode,
                                          record_set, seed)
    row_of = {int(i): k for k, i in enumerate(record_set)}
    tried = []
    for step_k, (pos, reach) in enumerate(zip(track, reaches)):
        rows = np.array([row_of[int(i)] for i in reach], np.int64)
        trace, peaks, waves, sorting, thr, noise_sd, snippets = _sort_at(
            params, pop, config, search_duration, pos, reach, rows, sim.ais_current, soma_f, noise_raw, seed)
        n_single = sum(1 for cl in sorting.clusters if cl["single_unit"])
        tried.append({"travel_um": float(np.linalg.norm(pos - config.electrode)), "z_um": float(pos[2]),
                      "n_detected": int(peaks.size), "n_single_units": n_single})
        if n_single or step_k == len(track) - 1:
            break
    electrode = pos
    template, template_info = None, {}
    # every event index of the recording, split into (indices, single_unit, quality, method) groups
    groups = []
    if not same_run:
        search_singles = [c for c, cl in enumerate(sorting.clusters) if cl["single_unit"]]
        if search_singles:
            # keep the isolated unit's template, as the experimenter does
            c0 = search_singles[0]
            template = build_template(snippets, sorting.labels, c0, n_components=sorting.n_components)
            src0, p0, r0 = ground_truth_match(peaks[sorting.labels == c0] / fs, sim)
            q0 = {k: v for k, v in sorting.clusters[c0].items() if k != "single_unit"}
            template_info = {"criteria": template.criteria(),
                             "search": {"neuron": src0, "precision": p0, "recall": r0, "isolation": q0,
                                        "baseline_s": search_duration}}
        # stage 2: the whole protocol with electrode and barrels at the position found
        sim, soma_f, noise_raw = _run_segment(params, pop, config, config.events, config.duration, electrode,
                                              reach, seed)
        trace, peaks, waves, _, thr, noise_sd, snippets = _sort_at(
            params, pop, config, config.duration, electrode, reach, np.arange(reach.size), sim.ais_current, soma_f,
            noise_raw, seed, sort=False)
        matched = np.zeros(peaks.size, bool)
        if template is not None:
            matched, d2, amp = match_template(template, snippets)
            q = template_unit_quality(template, snippets, matched, peaks, fs, noise_sd, thr, config.duration)
            single = q.pop("single_unit")
            groups.append((np.flatnonzero(matched), single, dict(q, method="template match"), "template"))
            in_range = (amp >= template.amplitude_range[0]) & (amp <= template.amplitude_range[1])
            template_info.update({"unit": 0, "n_events": int(peaks.size), "n_matched": int(matched.sum()),
                                  "n_inside_ellipsoid": int(np.sum(d2 < template.max_d2)),
                                  "n_amplitude_in_range": int(in_range.sum()),
                                  "median_d2_matched": float(np.median(d2[matched])) if matched.any() else float("nan"),
                                  "isolation": {k: v for k, v in q.items() if k != "method"}, "single_unit": single})
            gt = ground_truth_match(peaks[matched] / fs, sim)
            template_info["ground_truth"] = {"neuron": gt[0], "precision": gt[1], "recall": gt[2]}
        rest = np.flatnonzero(~matched)
        # the events the template did not claim go to the sorter (other units, multi-unit activity)
        sorting = sort_units(snippets[rest], peaks[rest], fs, noise_sd, threshold_uv=thr, duration_s=config.duration,
                             max_units=config.max_units, seed=seed)
    else:
        rest = np.arange(peaks.size)
    search = {"enabled": config.search_step > 0, "start_um": [float(v) for v in config.electrode],
              "step_um": config.search_step, "max_travel_um": config.search_max_travel,
              "travel_um": tried[-1]["travel_um"], "final_um": [float(v) for v in electrode],
              "found_single_unit": tried[-1]["n_single_units"] > 0, "positions": tried,
              "baseline_s": search_duration, "separate_baseline": not same_run}
    stim_events = [e for e in config.events if e.kind == "stimulus"]
    first = min([e.at for e in config.events], default=config.duration)
    t_base = (0.0, max(first, min(config.duration, 1.0)))
    pinches = [e.at for e in stim_events if e.name in NOXIOUS]
    n_free = config.max_units - sum(1 for g in groups if g[1])
    singles = [c for c, cl in enumerate(sorting.clusters) if cl["single_unit"]][: max(n_free, 0)]
    multi = [c for c in range(len(sorting.clusters)) if c not in singles]
    for c in singles:
        q = {k: v for k, v in sorting.clusters[c].items() if k != "single_unit"}
        groups.append((rest[sorting.labels == c], True, dict(q, method="sorter"), "sorter"))
    if template is not None and not groups[0][1]:
        # the kept unit no longer passes isolation on the full recording: it joins the multi-unit activity
        multi_idx = np.sort(np.concatenate([groups.pop(0)[0], rest[np.isin(sorting.labels, multi)]]))
        template_info["unit"] = None
        n_multi = len(multi) + 1
    else:
        multi_idx = rest[np.isin(sorting.labels, multi)]
        n_multi = len(multi)
    if multi_idx.size:
        groups.append((multi_idx, False, {"n_spikes": int(multi_idx.size), "clusters": n_multi}, "multi"))
    units = []
    for k, (sel, single, quality, _method) in enumerate(groups):
        times = peaks[sel] / fs
        src, precision, recall = ground_truth_match(times, sim)
        u = SortedUnit(k, times, waves[sel].mean(axis=0), waves[sel].std(axis=0), src, precision,
                       single_unit=single, quality=quality, recall=recall)
        if single:
            u.criteria = identify(u, fs, t_baseline=t_base, pinch_times=pinches, mua_times=peaks / fs)
        units.append(u)
    extra_ionto = _local_iontophoresis(params, config, pop, reach, units, electrode)
    return RecordingResult(config, units, fs, trace, sim, electrode_inside_lc(params, electrode), int(reach.size),
                           seed, {"threshold_uv": thr, "noise_sd_uv": noise_sd, "bic": sorting.bic, "clusters": sorting.clusters,
                            "iontophoresis": extra_ionto, "search": search, "electrode": electrode,
                            "template": template_info})


def _local_iontophoresis(params, config, pop, reach, units, electrode) -> list:
    """Alpha2A activation of each recorded neuron from its own distance to the barrel tip.

    One entry per iontophoretic ejection, with the barrel tip on the recording electrode at
    its final position ``electrode``: for every unit's source neuron, its distance to the
    tip and its activation at its exact distance (the population kernel uses distance
    shells, :func:`~noradsim.lc.stimuli.iontophoresis_shells`) just before the ejection
    (``a2_start``), at the end of the ejection or when the next ejection starts, whichever
    is first (``a2_alone``: this drug on top of the earlier ones) and at the end of the
    ejection (``a2_end``).
    """
    ionto = sorted((e for e in config.events if e.kind == "drug" and e.route == "iontophoresis"), key=lambda e: e.at)
    if not ionto or reach.size == 0:
        return []
    n_ms = int(round(config.duration * 1e3))
    s, x = alpha2_terms(params, list(config.events), n_ms, a2_background=config.a2,
                        positions=pop.positions[reach], electrode=electrode)
    a2 = activation(s, x)

    def at(t):
        return min(n_ms - 1, max(0, int(round(t * 1e3)) - 1))

    out = []
    for k, ev in enumerate(ionto):
        t_end = ev.at + ev.duration
        t_alone = min([t_end] + [e.at for e in ionto[k + 1:] if e.at > ev.at])
        tip = pipette_tip(electrode, ev.distance)
        per_unit = []
        for u in units:
            if u.source_neuron < 0:
                continue
            col = int(np.flatnonzero(reach == u.source_neuron)[0])
            per_unit.append({"unit": u.unit_id, "neuron": u.source_neuron,
                             "distance_um": float(np.linalg.norm(pop.positions[u.source_neuron] - tip)),
                             "a2_start": float(a2[at(ev.at), col]), "a2_alone": float(a2[at(t_alone), col]),
                             "a2_end": float(a2[at(t_end), col])})
        out.append({"drug": ev.name, "current_na": ev.current, "distance_um": ev.distance, "tip_um": tip.tolist(),
                    "t_start_s": ev.at, "t_alone_s": t_alone, "t_end_s": t_end, "units": per_unit})
    return out


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


def summarize(result: RecordingResult) -> dict:
    """Plain-JSON summary of a recording."""
    cfg = result.config
    units = []
    for u in result.units:
        units.append({
            "unit": u.unit_id,
            "n_spikes": int(u.spike_times.size),
            "mean_rate_hz": mean_firing_rate(u.spike_times, 0.0, cfg.duration),
            "cv_isi": cv_isi(u.spike_times),
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
        })
    trains = [u.spike_times for u in result.units]
    return {
        "protocol": "recording",
        "state": cfg.state,
        "seed": result.seed,
        "duration_s": cfg.duration,
        "electrode_um": [float(v) for v in result.extra.get("electrode", cfg.electrode)],
        "electrode_search": result.extra.get("search", {}),
        "template_match": result.extra.get("template", {}),
        "electrode_inside_lc": result.inside_lc,
        "n_neurons_in_reach": result.n_in_reach,
        "n_units": len(result.units),
        "placement_check": "pass" if result.placement_ok else "fail",
        "population_rate_hz": result.simulation.mean_rate(),
        "fano_factor_units": fano_factor(trains) if trains else float("nan"),
        "units": units,
        "sorting": {"noise_sd_uv": result.extra.get("noise_sd_uv"), "threshold_uv": result.extra.get("threshold_uv"),
                    "bic": {str(k): v for k, v in result.extra.get("bic", {}).items()},
                    "clusters": result.extra.get("clusters", [])},
        "iontophoresis": result.extra.get("iontophoresis", []),
    }


def _json_default(x):
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    return str(x)


def run_recording(experiment: dict, out_dir: Path, *, seed: int = 0) -> dict:
    """Run a recording experiment and write ``recording.nwb``, figures and ``report.html`` into ``out_dir``.

    Parameters
    ----------
    experiment : dict
        Parsed TOML of a ``protocol = "recording"`` experiment (``docs/lc_recording.md``).
    out_dir : pathlib.Path
        Existing or new folder (the caller makes it atomic).
    seed : int
        Seed of the population, noise and sorter; ``experiment["seed"]`` overrides it.

    Returns
    -------
    dict
        The summary (also written as ``summary.json``).
    """
    from .figures import save_figures
    from .nwb import write_nwb

    seed = int(experiment.get("seed", seed)) if isinstance(experiment, dict) else seed
    config = parse_experiment(experiment)
    result = record(config, seed=seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = summarize(result)
    nwb_path = write_nwb(out_dir / "recording.nwb", units=result.units, fs=result.fs, trace_uv=result.trace_uv,
                         electrode_um=result.extra.get("electrode", config.electrode), events=list(config.events), experiment_id=config.name, seed=seed)
    rate_t = np.arange(result.simulation.rate_per_ms.size) * 1e-3
    kernel = np.ones(500) / 500
    smooth = np.convolve(result.simulation.rate_per_ms, kernel, mode="same")
    figs = save_figures(out_dir, units=result.units, fs=result.fs, t_stop=config.duration, events=list(config.events),
                        rate_time=rate_t, rate_hz=smooth, fmt=config.figure_format)
    summary["files"] = [nwb_path.name] + [p.name for p in figs] + ["report.html", "summary.json"]
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2, default=_json_default))
    (out_dir / "report.html").write_text(_report_html(summary, [p.name for p in figs]))
    return summary


def _report_html(summary: dict, figures: list[str]) -> str:
    rows = []
    for u in summary["units"]:
        crit = "<br>".join(
            f"{html.escape(k)}: {html.escape(_fmt(v['value']))} ({'pass' if v['pass'] else 'FAIL'}; {html.escape(v['rule'])})"
            for k, v in u["criteria"].items())
        iso = "<br>".join(f"{html.escape(k)}: {html.escape(_fmt(v))}" for k, v in u["isolation"].items())
        gt = u["ground_truth"]
        rows.append(f"<tr><td>{u['unit']}</td><td>{'single unit' if u['single_unit'] else 'multi-unit'}</td>"
                    f"<td>{u['n_spikes']}</td><td>{u['mean_rate_hz']:.2f}</td><td>{_fmt(u['cv_isi'])}</td>"
                    f"<td>{iso}</td><td>neuron {gt['neuron']}: precision {_fmt(gt['precision'])}, recall {_fmt(gt['recall'])}</td>"
                    f"<td>{'yes' if u['identified'] else 'no'}</td><td>{crit or 'not tested (multi-unit)'}</td>"
                    f"<td>{html.escape(_epochs_text(u.get('rate_by_epoch', [])))}</td></tr>")
    imgs = "\n".join(f'<figure><img src="{html.escape(f)}" style="max-width:720px"><figcaption>{html.escape(f)}</figcaption></figure>' for f in figures)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>noradsim LC recording</title></head><body>
<h1>Virtual single-unit recording, rat locus coeruleus</h1>
<p>State: {html.escape(summary['state'])}; duration {summary['duration_s']:g} s; seed {summary['seed']};
electrode at {summary['electrode_um']} um (inside LC: {summary['electrode_inside_lc']});
neurons within reach: {summary['n_neurons_in_reach']}; population mean rate {summary['population_rate_hz']:.2f} Hz.</p>
{_search_html(summary.get('electrode_search', {}))}
{_template_html(summary.get('template_match', {}))}
<p><b>Placement check: {summary['placement_check'].upper()}</b> (pass = at least one sorted unit meets every LC identification criterion).</p>
<p>Sorting: PCA (3 components) of trough-aligned spikes, Gaussian mixture with BIC, merge/split by template and
refractory period; single unit = ISI violations &le; 1 %, contamination &le; 10 %, L-ratio &le; 0.05, SNR &ge; 5,
amplitude cutoff &le; 0.05. Ground truth: the simulated neuron with most coincident spikes (1 ms).</p>
<table border="1" cellpadding="4"><tr><th>unit</th><th>isolation</th><th>spikes</th><th>rate (Hz)</th><th>CV ISI</th><th>metrics</th><th>ground truth</th><th>identified as LC</th><th>criteria</th><th>rate by drug epoch</th></tr>
{''.join(rows)}</table>
{imgs}
<p>Model: conductance-based LC neurons (noradsim.lc; parameters and sources in noradsim/data/lc_neuron.toml), gap-junction coupled,
alpha2A/GIRK feedback from somatodendritic NE; extracellular signal from each unit's membrane currents.</p>
</body></html>
"""


def _search_html(search: dict) -> str:
    if not search or not search.get("enabled"):
        return "<p>Electrode search: off (recorded at the given position).</p>"
    steps = ", ".join(f"{p['travel_um']:g} um: {p['n_detected']} spikes, {p['n_single_units']} single" for p in search["positions"])
    verdict = (f"single unit isolated after {search['travel_um']:g} um of travel, at {search['final_um']} um"
               if search["found_single_unit"] else
               f"NO single unit isolated within {search['max_travel_um']:g} um of travel (stopped at {search['final_um']} um)")
    where = (f"on a {search.get('baseline_s', 0):g} s drug-free baseline; the protocol was then recorded with the "
             "electrode and its iontophoresis barrels at the final position" if search.get("separate_baseline")
             else "on the recording itself (no drugs)")
    return (f"<p><b>Electrode search</b> (advancing ventrally along the track in {search['step_um']:g} um steps from "
            f"{search['start_um']} um, {html.escape(where)}): {html.escape(verdict)}.<br><small>{html.escape(steps)}</small></p>")


def _template_html(info: dict) -> str:
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
    if isinstance(v, (list, tuple)):
        return ", ".join(_fmt(x) for x in v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else f"{v:.3g}"
    return str(v)


# ---------------------------------------------------------------- validation hook

def lc_target(measure: str, statistic: str, state: str, interventions: list[dict], species: str) -> tuple[float, str]:
    """Simulated value (ms) and mechanism for an LC validation target.

    Parameters
    ----------
    measure : {"lc_phasic_response", "lc_spike_width"}
    statistic : {"latency", "inhibition_duration"} for the first, {"width"} for the second
    state : str
        SCHEMA state (default awake when empty).
    interventions : list of dict
        SCHEMA interventions; ``lc_phasic_response`` needs a noxious stimulus.
    species : str
        Only ``"rat"`` is modelled.

    Returns
    -------
    (float, str)
        Value in ms and a one-line mechanism.
    """
    measures = {"lc_phasic_response": ("latency", "inhibition_duration"), "lc_spike_width": ("width",)}
    if measure not in measures:
        raise unknown("measure", measure, measures)
    if statistic not in measures[measure]:
        raise unknown(f"statistic for {measure}", statistic, measures[measure])
    if species != "rat":
        raise unknown("species (the LC neuron model is parameterised for rat)", species, ["rat"])
    state = state or "awake"
    if state not in state_drives():
        raise unknown("state", state, state_drives())
    params = load_lc_parameters()
    if measure == "lc_spike_width":
        return _spike_width(params, state)
    events = parse_interventions(list(interventions or []))
    stims = [e for e in events if e.kind == "stimulus" and e.name in NOXIOUS + ("sensory",)]
    if not stims:
        raise InputError("interventions: lc_phasic_response needs a stimulus (footpinch, paw_pinch, tail_pinch, footshock or sensory)")
    lead = 1.5
    shifted = [Event(e.kind, e.name, e.at + lead, e.duration, e.route, e.dose, e.current, e.distance) for e in events]
    stim = min(e.at for e in shifted if e.kind == "stimulus")
    pop = build_population(params, 300, seed=0)
    duration = stim + 2.0
    sim = simulate(params, pop, build_inputs(params, state, shifted, duration), dt=1e-4, seed=0)
    lat, inh = [], []
    for st in sim.spike_trains():
        r = phasic_response(st, stim)
        lat.append(r["latency_ms"])
        inh.append(r["inhibition_ms"])
    lat, inh = np.array(lat), np.array(inh)
    responders = float(np.mean(np.isfinite(lat)))
    if statistic == "latency":
        value = float(np.nanmedian(lat)) if responders > 0 else float("nan")
        why = (f"median first-spike latency of {responders:.0%} of 300 simulated LC neurons: afferent delay "
               f"{params.value('footpinch_delay'):g} ms + charging to threshold by the PGi-like volley")
    else:
        value = float(np.nanmedian(inh)) if np.any(np.isfinite(inh)) else float("nan")
        why = ("median silence after the evoked burst in 300 simulated LC neurons: Ca2+-activated K+ AHP plus "
               "alpha2A/GIRK activation by somatodendritically released NE")
    return value, why


def _spike_width(params: LCParameters, state: str) -> tuple[float, str]:
    dt = 5e-5
    fs = 1.0 / dt
    pop = build_population(params, 60, seed=0)
    centre = pop.positions.mean(axis=0)
    rec = units_in_reach(params, pop, centre, max_units=5)
    sim = simulate(params, pop, build_inputs(params, state, [], 3.0), dt=dt, seed=0, record=rec)
    widths = []
    for k, i in enumerate(rec):
        soma = pop.positions[i]
        electrode = soma + np.array([40.0, 30.0, 0.0])
        sig = unit_signals(params, pop, sim, electrode)[k]
        wide = bandpass(sig, fs, (100.0, 8000.0))
        st = sim.spike_trains()[i]
        idx = np.round(st * fs).astype(int)
        idx = idx[(idx > 40) & (idx < wide.size - 80)]
        if idx.size == 0:
            continue
        waves = wide[idx[:, None] + np.arange(-40, 80)[None, :]]
        widths.append(waveform_width_ms(waves.mean(axis=0), fs))
    value = float(np.median(widths)) if widths else float("nan")
    return value, ("total duration (10 % of trough) of the 0.1-8 kHz extracellular spike computed from the membrane "
                   "currents of simulated LC neurons at 50 um: broad Na+/K+ spike with Ca2+ shoulder and IS-SD delay")
