"""Running a virtual recording: find a unit with the electrode, then record the protocol there.

:func:`record` (and :func:`run`, the protocol interface) simulate the LC population,
build the electrode signal from the neurons' membrane currents, detect and sort the
spikes, follow the unit isolated during the search by template matching, and identify
the sorted units by the field's criteria.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import NamedTuple

import numpy as np
from scipy import signal

from ...lc.neuron import LCParameters, load_lc_parameters
from ...lc.pharmacology import activation, pipette_tip
from ...lc.population import build_population, simulate_population
from ...lc.stimuli import NOXIOUS, alpha2_terms, build_inputs
from .config import RecordingConfig, parse
from .detection import bandpass, detect_spikes
from .electrode import electrode_inside_lc, unit_weights, units_in_reach
from .identification import SortedUnit, ground_truth_match, identify
from .result import RecordingResult
from .sorting import Sorting, sort_units
from .templates import build_template, match_template, template_unit_quality


class _Site(NamedTuple):
    """Detection and sorting at one electrode position."""

    trace: np.ndarray  # detection-band trace (uV)
    peaks: np.ndarray  # trough samples of the detected events
    waves: np.ndarray  # wide-band waveforms, trough-aligned
    sorting: Sorting | None
    thr: float  # detection threshold (uV, negative)
    noise_sd: float  # robust noise SD (uV)
    snippets: np.ndarray  # detection-band feature snippets


def run(config: RecordingConfig, *, seed: int = 0, library=None, progress: bool = False) -> RecordingResult:
    """Run a parsed recording experiment (the protocol interface; see :func:`record`).

    Parameters
    ----------
    config : RecordingConfig
        From :func:`~noradsim.protocols.recording.config.parse`.
    seed : int
        Seed of the population, noise and sorter.
    library : noradsim.drugs.DrugLibrary, optional
        Drugs of the interventions (default: the built-in library).
    progress : bool
        Accepted for the shared interface; a recording reports no progress.

    Returns
    -------
    RecordingResult
    """
    return record(config, seed=seed, library=library)


def record(config: RecordingConfig, *, seed: int = 0, params: LCParameters | None = None,
           library=None) -> RecordingResult:
    """Find the unit (electrode search on a drug-free baseline), then record the protocol there.

    With ``config.search_step`` > 0 the recording runs in two stages, as an experiment
    does. (1) Search: the protocol's drug-free baseline (:meth:`RecordingConfig.search_segment`)
    is simulated once, storing the membrane currents of every neuron in reach of any
    position of the track; at each position the extracellular signal is the sum of those
    neurons' stored currents weighted by their geometry
    (:func:`~noradsim.protocols.recording.electrode.unit_weights`), and the search stops at
    the first position where the sorter isolates a single unit. (2) Recording: the full
    protocol is simulated (same population, same seed) with the electrode, and the
    iontophoresis barrels attached to it, at the final position, and sorted there. When the
    search segment is the whole protocol (no drugs), stage 1 is the recording. Without a
    search the protocol is recorded at ``config.electrode``.
    """
    params = params or load_lc_parameters()
    pop = build_population(params, config.n_neurons, seed=seed)
    fs = 1.0 / config.dt
    search_events, search_duration = (config.search_segment() if config.search_step > 0
                                      else (list(config.events), config.duration))
    same_run = search_duration == config.duration and len(search_events) == len(config.events)
    sim, electrode, reach, site, tried = _search(params, pop, config, search_events, search_duration, seed, library)
    template, template_info, groups = None, {}, []
    if same_run:
        rest = np.arange(site.peaks.size)
    else:
        template, template_info = _keep_template(site, sim, fs, search_duration)
        sim, site, rest, groups = _record_protocol(params, pop, config, electrode, reach, template, template_info,
                                                   seed, library)
    search = {"enabled": config.search_step > 0, "start_um": [float(v) for v in config.electrode],
              "step_um": config.search_step, "max_travel_um": config.search_max_travel,
              "travel_um": tried[-1]["travel_um"], "final_um": [float(v) for v in electrode],
              "found_single_unit": tried[-1]["n_single_units"] > 0, "positions": tried,
              "baseline_s": search_duration, "separate_baseline": not same_run}
    groups = _unit_groups(config, site.sorting, rest, groups, template, template_info)
    units = _sorted_units(config, groups, site, sim, fs)
    ionto = _local_iontophoresis(params, config, pop, reach, units, electrode, library)
    return RecordingResult(config, tuple(units), fs, site.trace, sim, electrode_inside_lc(params, electrode),
                           int(reach.size), seed, electrode, site.thr, site.noise_sd, site.sorting.bic,
                           site.sorting.clusters, search, template_info, ionto)


def _search(params, pop, config, events, duration, seed, library):
    """Stage 1: advance the electrode along the track until the sorter isolates a single unit.

    One simulation of the search segment stores the currents of every neuron in reach of
    any track position. Returns that simulation, the final position, the neurons in reach
    there, its :class:`_Site` and one dict per position tried.
    """
    track = config.track_positions()
    reaches = [units_in_reach(params, pop, pos) for pos in track]
    union = list(reaches[0])
    for r in reaches[1:]:
        union.extend(int(i) for i in r if i not in union)
    record_set = np.asarray(union, np.int64)
    # the barrels ride on the electrode but eject nothing during the search
    sim, soma_f, noise_raw = _run_segment(params, pop, config, events, duration, config.electrode, record_set, seed,
                                          library)
    row_of = {int(i): k for k, i in enumerate(record_set)}
    tried = []
    for step_k, (pos, reach) in enumerate(zip(track, reaches)):
        rows = np.array([row_of[int(i)] for i in reach], np.int64)
        site = _sort_at(params, pop, config, duration, pos, reach, rows, sim.ais_current, soma_f, noise_raw, seed)
        n_single = sum(1 for cl in site.sorting.clusters if cl["single_unit"])
        tried.append({"travel_um": float(np.linalg.norm(pos - config.electrode)), "z_um": float(pos[2]),
                      "n_detected": int(site.peaks.size), "n_single_units": n_single})
        if n_single or step_k == len(track) - 1:
            break
    return sim, pos, reach, site, tried


def _keep_template(site: _Site, sim, fs: float, search_duration: float):
    """The first single unit of the search as a template (None, {} when the search isolated none)."""
    sorting = site.sorting
    search_singles = [c for c, cl in enumerate(sorting.clusters) if cl["single_unit"]]
    if not search_singles:
        return None, {}
    # keep the isolated unit's template, as the experimenter does
    c0 = search_singles[0]
    template = build_template(site.snippets, sorting.labels, c0, n_components=sorting.n_components)
    src0, p0, r0 = ground_truth_match(site.peaks[sorting.labels == c0] / fs, sim)
    q0 = {k: v for k, v in sorting.clusters[c0].items() if k != "single_unit"}
    info = {"criteria": template.criteria(),
            "search": {"neuron": src0, "precision": p0, "recall": r0, "isolation": q0, "baseline_s": search_duration}}
    return template, info


def _record_protocol(params, pop, config, electrode, reach, template, template_info, seed, library):
    """Stage 2: the whole protocol with electrode and barrels at ``electrode``; template match, then sort the rest.

    Returns the simulation, the :class:`_Site` (its sorting of the unmatched events), the
    indices of the unmatched events and the template's unit group (empty without a template).
    ``template_info`` is completed with the match.
    """
    fs = 1.0 / config.dt
    sim, soma_f, noise_raw = _run_segment(params, pop, config, config.events, config.duration, electrode, reach, seed,
                                          library)
    site = _sort_at(params, pop, config, config.duration, electrode, reach, np.arange(reach.size), sim.ais_current,
                    soma_f, noise_raw, seed, sort=False)
    groups = []
    matched = np.zeros(site.peaks.size, bool)
    if template is not None:
        matched, group = _match_kept_unit(template, template_info, site, sim, fs, config.duration)
        groups.append(group)
    rest = np.flatnonzero(~matched)
    # the events the template did not claim go to the sorter (other units, multi-unit activity)
    sorting = sort_units(site.snippets[rest], site.peaks[rest], fs, site.noise_sd, threshold_uv=site.thr,
                         duration_s=config.duration, max_units=config.max_units, seed=seed)
    return sim, site._replace(sorting=sorting), rest, groups


def _match_kept_unit(template, info: dict, site: _Site, sim, fs: float, duration: float):
    """Events of the recording that match the template, and the kept unit's group; records the match in ``info``."""
    matched, d2, amp = match_template(template, site.snippets)
    q = template_unit_quality(template, site.snippets, matched, site.peaks, fs, site.noise_sd, site.thr, duration)
    single = q.pop("single_unit")
    group = (np.flatnonzero(matched), single, dict(q, method="template match"), "template")
    in_range = (amp >= template.amplitude_range[0]) & (amp <= template.amplitude_range[1])
    info.update({"unit": 0, "n_events": int(site.peaks.size), "n_matched": int(matched.sum()),
                 "n_inside_ellipsoid": int(np.sum(d2 < template.max_d2)),
                 "n_amplitude_in_range": int(in_range.sum()),
                 "median_d2_matched": float(np.median(d2[matched])) if matched.any() else float("nan"),
                 "isolation": {k: v for k, v in q.items() if k != "method"}, "single_unit": single})
    gt = ground_truth_match(site.peaks[matched] / fs, sim)
    info["ground_truth"] = {"neuron": gt[0], "precision": gt[1], "recall": gt[2]}
    return matched, group


def _unit_groups(config, sorting, rest, groups, template, template_info) -> list:
    """Event groups ``(indices, single_unit, quality, method)``: kept unit, the sorter's single units, multi-unit.

    At most ``config.max_units`` single units; a kept unit that fails isolation on the full
    recording joins the multi-unit activity (``template_info["unit"]`` becomes None).
    """
    groups = list(groups)
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
    return groups


def _sorted_units(config, groups, site: _Site, sim, fs: float) -> list[SortedUnit]:
    """One :class:`SortedUnit` per group, matched to the ground truth; single units are identified."""
    stim_events = [e for e in config.events if e.kind == "stimulus"]
    first = min([e.at for e in config.events], default=config.duration)
    t_base = (0.0, max(first, min(config.duration, 1.0)))
    pinches = [e.at for e in stim_events if e.name in NOXIOUS]
    units = []
    for k, (sel, single, quality, _method) in enumerate(groups):
        times = site.peaks[sel] / fs
        src, precision, recall = ground_truth_match(times, sim)
        u = SortedUnit(k, times, site.waves[sel].mean(axis=0), site.waves[sel].std(axis=0), src, precision,
                       single_unit=single, quality=quality, recall=recall)
        if single:
            u.criteria = identify(u, fs, t_baseline=t_base, pinch_times=pinches, mua_times=site.peaks / fs)
        units.append(u)
    return units


def _sort_at(params, pop, config, duration, electrode, reach, rows, ais, soma_f, noise_raw, seed, *,
             sort=True) -> _Site:
    """Signal, detection and sorting for one electrode position from the stored per-neuron currents.

    ``rows`` are the rows of ``ais``/``soma_f`` (currents of ``sim.recorded``, somatic current
    already low-passed) belonging to the neurons ``reach`` near ``electrode``. The
    :class:`Sorting` is None with ``sort=False``.
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
    return _Site(trace, peaks, waves, sorting, thr, noise_sd, snippets)


def _run_segment(params, pop, config, events, duration, electrode, record_set, seed, library=None):
    """Simulate ``duration`` s of ``events`` with the barrels on the electrode at ``electrode``.

    Returns the simulation, the low-passed somatic currents of ``record_set`` (as
    :func:`~noradsim.protocols.recording.electrode.unit_signals`) and the amplifier noise
    (seeded by ``seed`` alone, so a shorter segment's noise is the start of a longer one's).
    """
    inputs = build_inputs(params, config.state, list(events), duration, a2_background=config.a2,
                          beta_activation=config.beta_activation, positions=pop.positions, electrode=electrode,
                          library=library)
    sim = simulate_population(params, pop, inputs, dt=config.dt, seed=seed, record=record_set, record_voltage=False)
    n_samples = int(round(duration * (1.0 / config.dt)))
    noise_raw = np.random.default_rng([seed, 7]).standard_normal(n_samples) * config.noise_uv
    soma_f = sim.soma_current
    tau = params.value("sd_spread_tau") * 1e-3
    if tau > 0 and soma_f.size:
        # as unit_signals: first-order low-pass of the somatic current (SD spike spread)
        a = math.exp(-sim.dt / tau)
        soma_f = signal.lfilter([1.0 - a], [1.0, -a], soma_f, axis=1)
    return sim, soma_f, noise_raw


def _local_iontophoresis(params, config, pop, reach, units, electrode, library=None) -> list:
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
                        positions=pop.positions[reach], electrode=electrode, library=library)
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
