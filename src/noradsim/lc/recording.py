"""The virtual extracellular recording: electrode, signal, filtering, detection, sorting.

The extracellular potential of each unit is computed from its own membrane currents
(volume conductor, Nunez & Srinivasan 2006; Holt & Koch 1999):

.. math:: \\phi(t) = \\frac{1}{4\\pi\\sigma}\\left[\\frac{I_{AIS}(t)}{r_{AIS}} + \\frac{I_{act}(t)}{r_{soma}}
          - \\bigl(I_{AIS}(t) + I_{act}(t)\\bigr)\\left\\langle\\frac{1}{r}\\right\\rangle_{dend}\\right]

where :math:`I_{AIS}` is the initial segment's transmembrane current, :math:`I_{act}` the
active ionic current of the soma and the capacitive/leak return current is spread along a
dendrite (line source, ``dendrite_length``). The initial-segment current arrives first,
which gives the IS-SD notch on the rising phase; amplitude falls with distance.

Then the chain of a real rig: amplification, band-pass (Butterworth, zero phase), noise,
threshold detection at ``k`` robust SDs (Quiroga et al. 2004), PCA and k-means sorting
into one to three units, and the field's LC identification criteria per unit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import signal
from scipy.cluster.vq import kmeans2

from ..errors import InputError
from .neuron import LCParameters
from .population import Population, inside_ellipsoid

TISSUE_RADIUS_UM = 3000.0

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


def lc_semi_axes(params: LCParameters) -> np.ndarray:
    """Semi-axes (um) of the LC ellipsoid."""
    return 0.5 * np.array([params.value("ellipsoid_x"), params.value("ellipsoid_y"), params.value("ellipsoid_z")])


def check_electrode(position) -> np.ndarray:
    """Validate an electrode position (um, LC-centred frame)."""
    pos = np.asarray(position, float)
    if pos.shape != (3,) or not np.all(np.isfinite(pos)):
        raise InputError(f"recording.electrode: position must be three finite numbers in um, got {position!r}")
    if np.linalg.norm(pos) > TISSUE_RADIUS_UM:
        raise InputError(
            f"recording.electrode: position {list(pos)} um is outside the tissue of the model "
            f"(within {TISSUE_RADIUS_UM:g} um of the LC centre)"
        )
    return pos


def units_in_reach(params: LCParameters, population: Population, electrode, *, max_units: int = 12) -> np.ndarray:
    """Indices of the neurons nearest the electrode within ``reach``, nearest first."""
    d = np.linalg.norm(population.positions - np.asarray(electrode), axis=1)
    order = np.argsort(d)
    order = order[d[order] <= params.value("reach")]
    return order[:max_units]


def unit_weights(params: LCParameters, population: Population, neurons, electrode) -> tuple[np.ndarray, np.ndarray]:
    """Transfer weights (uV per nA) of the AIS and somatic sources of ``neurons``.

    The dendritic return current is subtracted with its line-source average of 1/r.
    """
    sigma = params.value("conductivity")
    rmin = params.value("min_distance")
    e = np.asarray(electrode, float)
    w_ais = np.zeros(len(neurons))
    w_soma = np.zeros(len(neurons))
    s = np.linspace(0.05, 1.0, 20)[:, None] * params.value("dendrite_length")
    for k, i in enumerate(neurons):
        soma = population.positions[i]
        ais = soma + population.ais_direction[i] * params.value("ais_offset")
        dend = soma + s * population.dendrite_direction[i]
        r_s = max(np.linalg.norm(e - soma), rmin)
        r_a = max(np.linalg.norm(e - ais), rmin)
        inv_d = np.mean(1.0 / np.maximum(np.linalg.norm(dend - e, axis=1), rmin))
        # 1 nA / (4 pi * S/m * um) = 1e-9 / (4 pi sigma 1e-6) V = 1e3/(4 pi sigma) uV
        scale = 1e3 / (4.0 * math.pi * sigma)
        w_ais[k] = scale * (1.0 / r_a - inv_d)
        w_soma[k] = scale * (1.0 / r_s - inv_d)
    return w_ais, w_soma


def unit_signals(params, population, result, electrode) -> np.ndarray:
    """Extracellular potential (uV) of every recorded neuron at the electrode, shape (n_rec, n_samples)."""
    w_ais, w_soma = unit_weights(params, population, result.recorded, electrode)
    soma = result.soma_current
    tau = params.value("sd_spread_tau") * 1e-3
    if tau > 0 and soma.size:
        # first-order low-pass of the somatic current: spread of the SD spike over soma and proximal dendrites
        a = math.exp(-result.dt / tau)
        soma = signal.lfilter([1.0 - a], [1.0, -a], soma, axis=1)
    return w_ais[:, None] * result.ais_current + w_soma[:, None] * soma


def bandpass(trace, fs: float, band=(300.0, 5000.0), order: int = 3) -> np.ndarray:
    """Zero-phase Butterworth band-pass (scipy ``sosfiltfilt``)."""
    lo, hi = float(band[0]), float(band[1])
    if not (0 < lo < hi < fs / 2):
        raise InputError(f"recording.filter: band {band} Hz must satisfy 0 < low < high < {fs / 2:g} Hz (Nyquist)")
    sos = signal.butter(order, [lo, hi], btype="bandpass", fs=fs, output="sos")
    return signal.sosfiltfilt(sos, trace, axis=-1)


def detect_spikes(trace, fs: float, *, threshold_sd: float = 4.5, dead_time_ms: float = 1.5,
                  window_ms=(1.0, 2.0)) -> tuple[np.ndarray, np.ndarray, float]:
    """Negative threshold crossings at ``threshold_sd`` robust SDs; aligned waveforms.

    The noise SD is estimated as median(|x|)/0.6745 (Quiroga, Nadasdy & Ben-Shaul 2004).

    Returns
    -------
    peaks : array of int
        Sample index of each detected trough.
    waveforms : array (n_spikes, n_samples)
    threshold : float
        The threshold in uV (negative).
    """
    if threshold_sd <= 0:
        raise InputError(f"recording.threshold: must be > 0 SD, got {threshold_sd}")
    sd = np.median(np.abs(trace)) / 0.6745
    thr = -threshold_sd * sd
    below = trace < thr
    onsets = np.flatnonzero(below[1:] & ~below[:-1]) + 1
    pre = int(round(window_ms[0] * 1e-3 * fs))
    post = int(round(window_ms[1] * 1e-3 * fs))
    search = int(round(0.5e-3 * fs))
    dead = int(round(dead_time_ms * 1e-3 * fs))
    peaks = []
    last = -dead - 1
    for o in onsets:
        if o - last <= dead:
            continue
        seg = trace[o : o + search]
        p = o + int(np.argmin(seg))
        if p - pre < 0 or p + post >= trace.size:
            continue
        peaks.append(p)
        last = p
    peaks = np.array(peaks, np.int64)
    if peaks.size:
        idx = peaks[:, None] + np.arange(-pre, post)[None, :]
        waves = trace[idx]
    else:
        waves = np.zeros((0, pre + post))
    return peaks, waves, float(thr)


def sort_spikes(waveforms, *, max_units: int = 3, n_components: int = 3, seed: int = 0,
                spike_samples=None, fs: float | None = None, refractory_ms: float = 2.0,
                max_violations: float = 0.005, min_spikes: int = 10) -> np.ndarray:
    """PCA + k-means sorting; labels 0..k-1 for isolated units (largest trough first), -1 for the rest.

    k-means (seeded) runs on the first ``n_components`` principal components for
    k = 1 .. ``max_units`` + 9 (extra clusters collect small or overlapping multi-unit
    activity). A cluster counts as a single unit when it holds at least ``min_spikes``
    spikes and fewer than ``max_violations`` of its ISIs are shorter than
    ``refractory_ms`` (the refractory-period test; needs ``spike_samples`` and ``fs``).
    The k that isolates the most units (then the smallest k) wins; at most ``max_units``
    units are returned, ranked by trough depth.
    """
    w = np.asarray(waveforms, float)
    n = w.shape[0]
    labels_out = -np.ones(n, np.int64)
    if n < min_spikes:
        return labels_out
    x = w - w.mean(axis=0)
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    scores = x @ vt[:n_components].T

    def isolated(labels, k):
        depth = np.array([-w[labels == c].mean(axis=0).min() if np.any(labels == c) else -np.inf for c in range(k)])
        good = []
        for c in np.argsort(-depth):
            members = np.flatnonzero(labels == c)
            if members.size < min_spikes:
                continue
            if spike_samples is not None and fs is not None:
                isi = np.diff(np.sort(np.asarray(spike_samples)[members])) / fs * 1e3
                if isi.size and np.mean(isi < refractory_ms) > max_violations:
                    continue
            good.append(members)
            if len(good) == max_units:
                break
        return good

    best = isolated(np.zeros(n, np.int64), 1)
    for k in range(2, min(max_units + 9, n) + 1):
        rng = np.random.default_rng([seed, k])
        init = scores[rng.choice(n, size=k, replace=False)]
        _, labels = kmeans2(scores, init, minit="matrix", iter=50)
        good = isolated(labels, k)
        if len(good) > len(best):
            best = good
    for u, members in enumerate(best):
        labels_out[members] = u
    return labels_out


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
    """One sorted unit with its identification results."""

    unit_id: int
    spike_times: np.ndarray  # s
    mean_waveform: np.ndarray  # uV
    waveform_sd: np.ndarray
    source_neuron: int  # best-matching simulated neuron (-1 if none)
    match_fraction: float
    criteria: dict = field(default_factory=dict)

    @property
    def identified(self) -> bool:
        return bool(self.criteria) and all(v["pass"] for v in self.criteria.values())


def match_to_neurons(spike_times, result, tolerance: float = 1.5e-3) -> tuple[int, float]:
    """Simulated neuron whose spikes best coincide with ``spike_times`` (within ``tolerance`` s)."""
    best, frac = -1, 0.0
    if spike_times.size == 0:
        return best, frac
    trains = result.spike_trains()
    for i in result.recorded:
        st = trains[i]
        if st.size == 0:
            continue
        j = np.searchsorted(st, spike_times)
        lo = np.abs(spike_times - st[np.clip(j - 1, 0, st.size - 1)])
        hi = np.abs(spike_times - st[np.clip(j, 0, st.size - 1)])
        f = float(np.mean(np.minimum(lo, hi) < tolerance))
        if f > frac:
            best, frac = int(i), f
    return best, frac


def identify(unit: SortedUnit, fs: float, *, t_baseline, pinch_times=(), criteria=CRITERIA) -> dict:
    """Apply the field's LC identification criteria to one unit.

    Parameters
    ----------
    t_baseline : (float, float)
        Spontaneous-activity window in s (before any stimulus or drug).
    pinch_times : sequence of float
        Onsets (s) of paw/foot pinches; the excitation-inhibition criterion needs one.
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
        lat, inh = [], []
        for tp in pinch_times:
            resp = phasic_response(st, tp)
            lat.append(resp["latency_ms"])
            inh.append(resp["inhibition_ms"])
        lat_m = float(np.nanmedian(lat)) if np.any(np.isfinite(lat)) else float("nan")
        inh_m = float(np.nanmedian(inh)) if np.any(np.isfinite(inh)) else float("nan")
        ok = bool(np.isfinite(lat_m) and lat_m < 100 and np.isfinite(inh_m) and inh_m >= 100)
        out["pinch_excitation_inhibition"] = {
            "value": [lat_m, inh_m], "unit": "ms", "pass": ok,
            "rule": "spike within 100 ms of pinch onset, then >= 100 ms of silence",
        }
    return out


def phasic_response(spike_times, t_stim: float, *, window: float = 0.1, burst_isi: float = 0.1) -> dict:
    """Latency (ms) of the first spike within ``window`` after ``t_stim`` and the silence that follows the burst.

    The burst is the run of spikes after the first one with ISIs < ``burst_isi`` s; the
    inhibition is the interval from the burst's last spike to the next spike.
    """
    st = np.asarray(spike_times, float)
    after = st[(st >= t_stim) & (st < t_stim + window)]
    if after.size == 0:
        return {"latency_ms": float("nan"), "inhibition_ms": float("nan"), "n_burst": 0}
    first = after[0]
    k = int(np.searchsorted(st, first))
    last = k
    while last + 1 < st.size and st[last + 1] - st[last] < burst_isi:
        last += 1
    nxt = st[last + 1] if last + 1 < st.size else float("nan")
    return {"latency_ms": (first - t_stim) * 1e3, "inhibition_ms": (nxt - st[last]) * 1e3, "n_burst": last - k + 1}


def electrode_inside_lc(params: LCParameters, electrode) -> bool:
    """Whether the electrode tip lies inside the LC ellipsoid."""
    return bool(inside_ellipsoid(np.asarray(electrode, float)[None, :], lc_semi_axes(params))[0])
