"""Identifying a sorted unit as an LC neuron, and comparing it with the simulated ground truth.

The field's criteria (:data:`CRITERIA`, :func:`identify`): slow regular firing, a broad
extracellular spike (:func:`waveform_width_ms`, often with an IS-SD notch,
:func:`has_notch`) and a burst then a pause after a noxious pinch
(:func:`~noradsim.lc.analysis.phasic_response`). Multi-unit clusters are never identified.
:func:`ground_truth_match` says which simulated neuron a unit is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...lc.analysis import phasic_response

# Field criteria for identifying LC neurons in vivo (Cedarbaum & Aghajanian 1976,
# Brain Res 112:413; Foote, Aston-Jones & Bloom 1980; Aston-Jones & Bloom 1981;
# Bouret & Sara 2002): slow (< 5 Hz) regular firing, broad action potential (> 1.5 ms
# total duration, often with a notch), excitation followed by inhibition after paw pinch.
CRITERIA = {
    "max_rate_hz": 5.0,
    "min_rate_hz": 0.1,
    "max_cv": 0.8,
    "min_width_ms": 1.5,
}



def waveform_width_ms(mean_waveform, fs: float) -> float:
    """Total duration (ms) of an extracellular spike: onset of the negative phase to the end of the positive phase.

    Onset and end are where the waveform first/last exceeds 10 % of the trough depth
    (the convention of the LC literature: total duration, Aston-Jones & Bloom 1981).
    """
    w = np.asarray(mean_waveform, float)
    trough = int(np.argmin(w))
    depth = -w[trough]
    if depth <= 0:
        return float("nan")
    level = 0.1 * depth
    start = trough
    while start > 0 and abs(w[start - 1]) > level:
        start -= 1
    peak = trough + int(np.argmax(w[trough:]))
    end = peak
    while end < w.size - 1 and w[end + 1] > level:
        end += 1
    return (end - start) / fs * 1e3


def has_notch(mean_waveform, fs: float) -> bool:
    """True when the falling (negative-going) phase has an inflection: the IS-SD break.

    Looks for a local minimum of the slope magnitude between onset and trough.
    """
    w = np.asarray(mean_waveform, float)
    trough = int(np.argmin(w))
    seg = np.diff(w[: trough + 1])
    if seg.size < 5:
        return False
    steep = -seg  # positive while falling
    big = steep > 0.1 * steep.max()
    idx = np.flatnonzero(big)
    if idx.size < 3:
        return False
    s = steep[idx[0] : idx[-1] + 1]
    inner = (s[1:-1] < s[:-2]) & (s[1:-1] < s[2:])
    return bool(inner.any())


@dataclass
class SortedUnit:
    """One sorted unit (or the pooled multi-unit activity) with its identification results.

    ``quality``: ``snr``, ``isi_violations``, ``l_ratio``, ``isolation_distance`` of the
    cluster; ``single_unit`` False marks multi-unit activity, never identified as an LC
    neuron. ``source_neuron``, ``precision`` (= ``match_fraction``) and ``recall`` compare
    the unit with the simulated ground truth (:func:`ground_truth_match`).
    """

    unit_id: int
    spike_times: np.ndarray  # s
    mean_waveform: np.ndarray  # uV
    waveform_sd: np.ndarray
    source_neuron: int  # best-matching simulated neuron (-1 if none)
    match_fraction: float  # precision: fraction of the unit's spikes that are the source neuron's
    criteria: dict = field(default_factory=dict)
    single_unit: bool = True
    quality: dict = field(default_factory=dict)
    recall: float = float("nan")  # fraction of the source neuron's spikes that the unit holds

    @property
    def precision(self) -> float:
        return self.match_fraction

    @property
    def identified(self) -> bool:
        return self.single_unit and bool(self.criteria) and all(v["pass"] for v in self.criteria.values())


def ground_truth_match(spike_times, result, *, tolerance: float = 1e-3, t_start: float = 0.0,
                       t_stop: float | None = None) -> tuple[int, float, float]:
    """Simulated neuron that best explains ``spike_times``, with precision and recall.

    A sorted spike is a hit of neuron *i* when one of *i*'s spikes lies within
    ``tolerance`` s. The neuron with the most hits wins; precision = hits / unit spikes,
    recall = hits / the neuron's spikes in [``t_start``, ``t_stop``).

    Returns
    -------
    (int, float, float)
        Neuron index (-1 if none), precision, recall.
    """
    times = np.asarray(spike_times, float)
    if times.size == 0:
        return -1, 0.0, 0.0
    t_stop = result.t_stop if t_stop is None else t_stop
    trains = result.spike_trains()
    best, hits_best, n_best = -1, 0, 0
    for i in result.recorded:
        st = trains[i]
        st = st[(st >= t_start) & (st < t_stop)]
        if st.size == 0:
            continue
        j = np.searchsorted(st, times)
        lo = np.abs(times - st[np.clip(j - 1, 0, st.size - 1)])
        hi = np.abs(times - st[np.clip(j, 0, st.size - 1)])
        hits = int(np.sum(np.minimum(lo, hi) < tolerance))
        if hits > hits_best:
            best, hits_best, n_best = int(i), hits, st.size
    if best < 0:
        return -1, 0.0, 0.0
    return best, hits_best / times.size, min(1.0, hits_best / n_best)


def match_to_neurons(spike_times, result, tolerance: float = 1e-3) -> tuple[int, float]:
    """Simulated neuron whose spikes best coincide with ``spike_times`` and the precision."""
    best, precision, _ = ground_truth_match(spike_times, result, tolerance=tolerance)
    return best, precision


def identify(unit: SortedUnit, fs: float, *, t_baseline, pinch_times=(), criteria=CRITERIA, mua_times=None) -> dict:
    """Apply the field's LC identification criteria to one unit.

    Parameters
    ----------
    t_baseline : (float, float)
        Spontaneous-activity window in s (before any stimulus or drug).
    pinch_times : sequence of float
        Onsets (s) of paw/foot pinches; the excitation-inhibition criterion needs one.
    mua_times : array, optional
        All detected events at the electrode. LC neurons burst together after a pinch, so a
        unit's evoked spikes overlap with its neighbours' and escape template matching; the
        field then reads the characteristic burst-then-pause of the LC multi-unit activity
        at the same electrode (e.g. Aston-Jones et al. 1991). When the unit's own spikes do
        not show it, the criterion is evaluated on ``mua_times`` and says so.
    """
    st = unit.spike_times
    t0, t1 = t_baseline
    base = st[(st >= t0) & (st < t1)]
    rate = base.size / max(t1 - t0, 1e-9)
    isi = np.diff(base)
    cv = float(np.std(isi) / np.mean(isi)) if isi.size > 2 else float("nan")
    width = waveform_width_ms(unit.mean_waveform, fs)
    out = {
        "slow_rate": {"value": rate, "unit": "Hz", "pass": criteria["min_rate_hz"] <= rate < criteria["max_rate_hz"],
                      "rule": f"{criteria['min_rate_hz']} <= spontaneous rate < {criteria['max_rate_hz']} Hz"},
        "regular": {"value": cv, "unit": "", "pass": bool(np.isfinite(cv) and cv < criteria["max_cv"]),
                    "rule": f"CV of ISI < {criteria['max_cv']}"},
        "broad_waveform": {"value": width, "unit": "ms", "pass": bool(np.isfinite(width) and width > criteria["min_width_ms"]),
                           "rule": f"total spike duration > {criteria['min_width_ms']} ms"},
    }
    if len(pinch_times):
        lat_m, inh_m, ok = _pinch_response(st, pinch_times)
        source = "unit"
        if not ok and mua_times is not None:
            m_lat, m_inh, m_ok = _pinch_response(np.asarray(mua_times, dtype=float), pinch_times)
            if m_ok:
                lat_m, inh_m, ok, source = m_lat, m_inh, True, "multi-unit activity at the electrode"
        out["pinch_excitation_inhibition"] = {
            "value": [lat_m, inh_m], "unit": "ms", "pass": ok, "evaluated_on": source,
            "rule": "spike within 100 ms of pinch onset, then >= 100 ms of silence (unit, else the multi-unit "
                    "activity at the same electrode when the unit's evoked spikes overlap its neighbours')",
        }
    return out


def _pinch_response(spike_times, pinch_times) -> tuple[float, float, bool]:
    """Median latency and post-burst silence (ms) over pinches, and whether they meet the criterion."""
    lat, inh = [], []
    for tp in pinch_times:
        resp = phasic_response(spike_times, tp)
        lat.append(resp["latency_ms"])
        inh.append(resp["inhibition_ms"])
    lat_m = float(np.nanmedian(lat)) if np.any(np.isfinite(lat)) else float("nan")
    inh_m = float(np.nanmedian(inh)) if np.any(np.isfinite(inh)) else float("nan")
    return lat_m, inh_m, bool(np.isfinite(lat_m) and lat_m < 100 and np.isfinite(inh_m) and inh_m >= 100)
