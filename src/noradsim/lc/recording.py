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
threshold detection at ``k`` robust SDs (Quiroga et al. 2004), trough alignment, PCA
features, a Gaussian mixture whose number of clusters is chosen by BIC, merge/split by
waveform similarity and refractory-period violations, per-cluster isolation metrics
(L-ratio, isolation distance, ISI violations, SNR): clusters that fail them are
multi-unit activity and are excluded from the field's LC identification criteria.
A unit isolated on one segment is followed on another by template matching
(:func:`build_template`, :func:`match_template`, :func:`template_unit_quality`).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy import linalg, signal, special, stats
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


def detect_spikes(trace, fs: float, *, threshold_sd: float = 4.5, dead_time_ms: float = 0.75,
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


REFRACTORY_MS = 2.0
# Single-unit isolation criteria (field conventions): L-ratio < 0.05 (Schmitzer-Torbert et al. 2005,
# Neuroscience 131:1); isolation distance (Harris et al. 2001) is reported but not required: its
# usual bar of 20 belongs to 8-16-dimensional tetrode features, not 3 PCs of one channel;
# < 1 % of ISIs inside a 2 ms refractory period and a false-positive (contamination) rate
# <= 10 % estimated from those violations (Hill, Mehta & Kleinfeld 2011, J Neurosci 31:8699),
# trough SNR >= 5 robust noise SDs (assumed: clearly above the 4-5 SD detection threshold),
# amplitude cutoff <= 0.05: fraction of the unit's spikes estimated lost below the detection
# threshold (Siegle et al. 2021, Nature 592:86, Allen Institute quality metrics), which flags
# the pooled small-spike (multi-unit) cluster.
ISOLATION = {
    "max_l_ratio": 0.05,
    "min_isolation_distance": None,  # reported, not required: 20 is calibrated for tetrode feature spaces
    "max_isi_violations": 0.01,
    "max_contamination": 0.1,
    "min_snr": 5.0,
    "max_amplitude_cutoff": 0.05,
    "min_spikes": 10,
}


def _logpdf_gauss(x, mean, cov):
    """Log density of a multivariate normal (rows of ``x``), via Cholesky."""
    d = x.shape[1]
    chol = np.linalg.cholesky(cov)
    z = linalg.solve_triangular(chol, (x - mean).T, lower=True)
    return -0.5 * np.sum(z * z, axis=0) - np.sum(np.log(np.diag(chol))) - 0.5 * d * math.log(2 * math.pi)


def fit_gmm(features, n_clusters: int, *, rng, n_init: int = 4, n_iter: int = 200, reg: float = 1e-6,
            tol: float = 1e-6) -> tuple[np.ndarray, float]:
    """Full-covariance Gaussian mixture by EM, k-means initialised, best of ``n_init`` restarts.

    Returns
    -------
    labels : array of int
        Maximum-posterior component of each row.
    bic : float
        Bayesian information criterion, :math:`-2\\ln L + p\\ln n` (Schwarz 1978), with
        :math:`p = k d + k d(d+1)/2 + k - 1` free parameters.
    """
    x = np.asarray(features, float)
    n, d = x.shape
    k = int(n_clusters)
    eye = np.eye(d) * reg
    best_ll, best_labels = -np.inf, np.zeros(n, np.int64)
    for _ in range(n_init if k > 1 else 1):
        if k == 1:
            labels = np.zeros(n, np.int64)
        else:
            init = x[rng.choice(n, size=k, replace=False)]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _, labels = kmeans2(x, init, minit="matrix", iter=30, missing="warn")
        resp = np.zeros((n, k))
        resp[np.arange(n), labels] = 1.0
        ll_old = -np.inf
        ok = True
        for _ in range(n_iter):
            nk = resp.sum(axis=0) + 1e-10
            if np.any(nk < d + 1):
                ok = False
                break
            mu = resp.T @ x / nk[:, None]
            logp = np.empty((n, k))
            for j in range(k):
                xc = x - mu[j]
                cov = (resp[:, j, None] * xc).T @ xc / nk[j] + eye
                logp[:, j] = math.log(nk[j] / n) + _logpdf_gauss(x, mu[j], cov)
            ll_i = special.logsumexp(logp, axis=1)
            resp = np.exp(logp - ll_i[:, None])
            ll = float(ll_i.sum())
            if abs(ll - ll_old) < tol * abs(ll):
                break
            ll_old = ll
        if ok and ll > best_ll:
            best_ll, best_labels = ll, np.argmax(resp, axis=1)
    p = k * d + k * d * (d + 1) / 2 + k - 1
    return best_labels, float(-2.0 * best_ll + p * math.log(n))


def isi_violations(spike_samples, fs: float, refractory_ms: float = REFRACTORY_MS) -> float:
    """Fraction of inter-spike intervals shorter than ``refractory_ms``."""
    st = np.sort(np.asarray(spike_samples))
    if st.size < 2:
        return 0.0
    return float(np.mean(np.diff(st) / fs * 1e3 < refractory_ms))


def refractory_contamination(spike_samples, fs: float, duration_s: float, *, refractory_ms: float = REFRACTORY_MS,
                             censored_ms: float = 0.0) -> float:
    """Fraction of a cluster's spikes that come from other neurons, from its refractory violations.

    Hill, Mehta & Kleinfeld 2011: if a fraction *f* of the *N* spikes in *T* s are
    independent intruders, the expected number of ISIs in the window between the
    detector's dead time :math:`\tau_C` and the refractory period :math:`\tau_R` is
    :math:`r = 2(\tau_R - \tau_C) N^2 f(1-f)/T`; solved for *f* (0.5 when no solution,
    i.e. as contaminated as it can be).

    Examples
    --------
    >>> refractory_contamination(np.arange(100) * 4000, 20000.0, 20.0, censored_ms=0.75)
    0.0
    """
    st = np.sort(np.asarray(spike_samples))
    n = st.size
    if n < 2:
        return 0.0
    r = float(np.sum(np.diff(st) / fs * 1e3 < refractory_ms))
    window = max(refractory_ms - censored_ms, 1e-6) * 1e-3
    q = r * duration_s / (2.0 * window * n * n)
    if q >= 0.25:
        return 0.5
    return float(0.5 * (1.0 - math.sqrt(1.0 - 4.0 * q)))


def cluster_quality(features, labels, cluster: int) -> tuple[float, float]:
    """L-ratio and isolation distance of ``cluster`` in feature space.

    Mahalanobis distances :math:`D^2` of all other spikes from the cluster (its own mean and
    covariance). L-ratio (Schmitzer-Torbert et al. 2005) is :math:`\\sum_{i\\notin C}
    (1 - F_{\\chi^2_d}(D_i^2)) / n_C`; isolation distance (Harris et al. 2001) is the
    :math:`D^2` of the :math:`n_C`-th closest other spike (nan, undefined, when there are
    fewer other spikes than the cluster holds).
    """
    x = np.asarray(features, float)
    inside = labels == cluster
    n_c, d = int(inside.sum()), x.shape[1]
    if n_c <= d:
        return float("inf"), 0.0
    mu = x[inside].mean(axis=0)
    cov = np.cov(x[inside].T) + 1e-9 * np.eye(d)
    others = x[~inside]
    if others.shape[0] == 0:
        return 0.0, float("nan")
    diff = others - mu
    d2 = np.einsum("ij,ij->i", diff, np.linalg.solve(cov, diff.T).T)
    l_ratio = float(np.sum(stats.chi2.sf(d2, d)) / n_c)
    iso = float(np.sort(d2)[n_c - 1]) if others.shape[0] >= n_c else float("nan")
    return l_ratio, iso


def amplitude_cutoff(amplitudes, threshold_uv: float) -> float:
    """Estimated fraction of a unit's spikes lost below the detection threshold.

    Normal fit of the trough amplitudes: :math:`\\Phi((\\theta - \\mu)/\\sigma)`. A cluster
    whose amplitudes crowd the threshold (pooled small spikes of many neurons) scores
    high; the Allen Institute's histogram version (Siegle et al. 2021) needs hundreds of
    spikes, more than a slow LC unit gives in a short recording.

    Examples
    --------
    >>> round(amplitude_cutoff([90.0, 100.0, 110.0], 50.0), 6)
    0.0
    """
    a = np.asarray(amplitudes, float)
    if a.size < 3:
        return 0.5
    return float(stats.norm.cdf((abs(threshold_uv) - a.mean()) / max(a.std(), 1e-9)))


@dataclass
class Sorting:
    """Result of :func:`sort_units`.

    ``labels`` are the cluster of each spike (0.. n_clusters-1, ordered by trough depth);
    ``clusters`` one dict per cluster with ``n_spikes``, ``snr``, ``isi_violations``,
    ``l_ratio``, ``isolation_distance``, ``single_unit`` (all isolation criteria met).
    """

    labels: np.ndarray
    clusters: list
    features: np.ndarray
    n_components: int
    bic: dict


def sort_units(waveforms, spike_samples, fs: float, noise_sd: float, *, threshold_uv: float | None = None,
               duration_s: float | None = None, dead_time_ms: float = 0.75, max_units: int = 3,
               n_components: int = 3, seed: int = 0, refractory_ms: float = REFRACTORY_MS,
               isolation: dict = ISOLATION, merge_similarity: float = 0.95, features=None) -> Sorting:
    """Sort trough-aligned waveforms from one electrode into units.

    1. PCA of the aligned snippets; the first ``n_components`` scores are the features.
    2. Gaussian mixtures with k = 1 .. ``max_units`` + 2 components (the extra components
       take multi-unit and noise events); the k with the lowest BIC wins.
    3. Merge: two clusters whose mean waveforms have correlation > ``merge_similarity``
       and trough amplitudes within 20 % are one neuron drifting in feature space, and are
       merged when the union does not raise the refractory-period violations.
       Split: a cluster with > ``max_isi_violations`` violations holds several neurons;
       it is split in two by a 2-component mixture when both halves violate less.
    4. Per cluster: SNR (trough / ``noise_sd``), ISI violations and the contamination
       they imply (recording of ``duration_s``, detector dead time ``dead_time_ms``),
       L-ratio, isolation distance (nan when undefined; tested only when
       ``isolation["min_isolation_distance"]`` is set), amplitude cutoff against
       ``threshold_uv`` (default 4.5 ``noise_sd``); clusters meeting every ``isolation``
       criterion are single units, the rest multi-unit activity.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> shape = -np.exp(-0.5 * ((np.arange(30) - 10) / 2.0) ** 2)
    >>> amp = np.r_[np.full(60, 200.0), np.full(60, 80.0)]
    >>> w = amp[:, None] * shape + rng.normal(0, 5, (120, 30))
    >>> s = sort_units(w, np.arange(120) * 2000, 20000.0, 5.0, seed=0)
    >>> [c["n_spikes"] for c in s.clusters], all(c["single_unit"] for c in s.clusters)
    ([60, 60], True)
    """
    w = np.asarray(waveforms, float)
    samples = np.asarray(spike_samples, np.int64)
    n = w.shape[0]
    rng = np.random.default_rng([seed, 11])
    if n < isolation["min_spikes"]:
        return Sorting(np.zeros(n, np.int64), [], np.zeros((n, 0)), 0, {})
    if features is None:
        centred = w - w.mean(axis=0)
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        d = int(min(n_components, vt.shape[0]))
        feats = centred @ vt[:d].T
    else:
        feats = np.asarray(features, float).reshape(n, -1)
        d = feats.shape[1]
    # covariance floor: 1 % of the noise variance for PCA scores (uV), else 1e-4 of the features' variance
    reg = 1e-2 * noise_sd**2 if features is None else 1e-4 * float(np.mean(np.var(feats, axis=0)))
    bic = {}
    best = None
    for k in range(1, min(max_units + 2, n // (d + 2)) + 1):
        labels, b = fit_gmm(feats, k, rng=rng, reg=reg)
        if math.isfinite(b):
            bic[k] = b
        if best is None or b < best[1]:
            best = (labels, b)
    labels = best[0]

    def template(idx):
        return w[idx].mean(axis=0)

    def viol(idx):
        return isi_violations(samples[idx], fs, refractory_ms)

    groups = [np.flatnonzero(labels == c) for c in np.unique(labels)]
    # split clusters that break the refractory period
    changed = True
    while changed:
        changed = False
        for gi, g in enumerate(groups):
            if g.size < 2 * isolation["min_spikes"] or viol(g) <= isolation["max_isi_violations"]:
                continue
            sub, _ = fit_gmm(feats[g], 2, rng=rng, reg=reg)
            a, b = g[sub == 0], g[sub == 1]
            if min(a.size, b.size) >= isolation["min_spikes"] and max(viol(a), viol(b)) < viol(g):
                groups[gi:gi + 1] = [a, b]
                changed = True
                break
    # merge clusters with the same waveform whose union respects the refractory period
    changed = True
    while changed and len(groups) > 1:
        changed = False
        temps = [template(g) for g in groups]
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                ti, tj = temps[i], temps[j]
                corr = float(np.corrcoef(ti, tj)[0, 1])
                amp = ti.min() / tj.min() if tj.min() < 0 else 0.0
                if corr < merge_similarity or not (0.8 <= amp <= 1.25):
                    continue
                union = np.concatenate([groups[i], groups[j]])
                if viol(union) <= max(viol(groups[i]), viol(groups[j]), 0.5 * isolation["max_isi_violations"]):
                    groups[i] = np.sort(union)
                    del groups[j]
                    changed = True
                    break
            if changed:
                break
    groups.sort(key=lambda g: template(g).min())  # deepest trough first
    labels = np.empty(n, np.int64)
    for c, g in enumerate(groups):
        labels[g] = c
    thr = 4.5 * noise_sd if threshold_uv is None else abs(float(threshold_uv))
    t_total = float(duration_s) if duration_s is not None else max((samples.max() - samples.min()) / fs, 1e-3)
    trough_at = int(np.argmin(w.mean(axis=0)))
    clusters = []
    for c, g in enumerate(groups):
        l_ratio, iso = cluster_quality(feats, labels, c)
        snr = float(-template(g).min() / noise_sd) if noise_sd > 0 else float("inf")
        amp = -w[g, trough_at]
        cutoff = amplitude_cutoff(amp, thr)
        v = viol(g)
        contamination = refractory_contamination(samples[g], fs, t_total, refractory_ms=refractory_ms,
                                                 censored_ms=dead_time_ms)
        single = bool(g.size >= isolation["min_spikes"] and v <= isolation["max_isi_violations"]
                      and contamination <= isolation["max_contamination"]
                      and l_ratio <= isolation["max_l_ratio"]
                      and (isolation["min_isolation_distance"] is None or not iso < isolation["min_isolation_distance"])
                      and snr >= isolation["min_snr"] and cutoff <= isolation["max_amplitude_cutoff"])
        clusters.append({"n_spikes": int(g.size), "snr": snr, "isi_violations": v, "contamination": contamination,
                         "l_ratio": l_ratio,
                         "isolation_distance": iso, "amplitude_cutoff": cutoff, "single_unit": single})
    return Sorting(labels, clusters, feats, d, bic)


def sort_spikes(waveforms, *, max_units: int = 3, n_components: int = 3, seed: int = 0,
                spike_samples=None, fs: float | None = None, noise_sd: float | None = None) -> np.ndarray:
    """Labels 0..k-1 for the single units of :func:`sort_units` (deepest trough first), -1 for the rest.

    Without ``spike_samples``/``fs`` the refractory test is skipped (spikes taken 10 ms apart);
    without ``noise_sd`` it is estimated from the waveforms' first sample (median/0.6745).
    """
    w = np.asarray(waveforms, float)
    if spike_samples is None or fs is None:
        fs, spike_samples = 1e3, np.arange(w.shape[0]) * 10
    if noise_sd is None:
        noise_sd = float(np.median(np.abs(w[:, 0])) / 0.6745) if w.size else 1.0
    s = sort_units(w, spike_samples, fs, noise_sd, max_units=max_units, n_components=n_components, seed=seed)
    out = -np.ones(w.shape[0], np.int64)
    k = 0
    for c, cl in enumerate(s.clusters):
        if cl["single_unit"] and k < max_units:
            out[s.labels == c] = k
            k += 1
    return out


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


# Template matching (keeping the unit isolated during the electrode search): an event is the
# unit's when its PCA features lie inside the unit's chi-square ellipsoid (Mahalanobis D^2 below
# the TEMPLATE_QUANTILE quantile of chi^2_d; assumed: 0.99 keeps 99 % of the unit's own spikes
# under a Gaussian cluster model) AND its trough amplitude lies within TEMPLATE_AMPLITUDE_SD SDs
# of the unit's mean (assumed: 3 SD, 99.7 % of a normal amplitude distribution). This is what
# online template matchers do (e.g. the window/template discriminators of single-unit rigs).
TEMPLATE_QUANTILE = 0.99
TEMPLATE_AMPLITUDE_SD = 3.0


@dataclass
class UnitTemplate:
    """What the experimenter keeps of the unit isolated during the search.

    ``mean_snippet`` is the unit's mean detection-band snippet (the sorter's feature window);
    ``pca_mean``/``components`` the search's PCA basis (all search events); ``feature_mean``/
    ``feature_cov`` the unit's cluster in that space (robust: reweighted at the chi-square
    cutoff); ``amplitude_mean``/``amplitude_sd`` the median and MAD-based SD of its trough
    amplitudes (uV, positive) at sample ``trough_index`` of the snippet.
    """

    mean_snippet: np.ndarray
    pca_mean: np.ndarray
    components: np.ndarray
    feature_mean: np.ndarray
    feature_cov: np.ndarray
    amplitude_mean: float
    amplitude_sd: float
    trough_index: int
    n_spikes: int
    quantile: float = TEMPLATE_QUANTILE
    amplitude_sd_range: float = TEMPLATE_AMPLITUDE_SD

    @property
    def max_d2(self) -> float:
        """Chi-square cutoff on the Mahalanobis D^2 (``quantile`` of chi^2 with d degrees of freedom)."""
        return float(stats.chi2.ppf(self.quantile, self.components.shape[0]))

    @property
    def amplitude_range(self) -> tuple[float, float]:
        """Accepted trough amplitudes (uV, positive): mean +- ``amplitude_sd_range`` SD."""
        half = self.amplitude_sd_range * self.amplitude_sd
        return float(self.amplitude_mean - half), float(self.amplitude_mean + half)

    def features(self, snippets) -> np.ndarray:
        """Project snippets onto the search's PCA basis."""
        return (np.asarray(snippets, float) - self.pca_mean) @ self.components.T

    def criteria(self) -> dict:
        """The match rule in plain numbers, for the summary and the report."""
        lo, hi = self.amplitude_range
        return {"n_components": int(self.components.shape[0]), "chi2_quantile": self.quantile,
                "max_mahalanobis_d2": self.max_d2, "amplitude_range_uv": [lo, hi],
                "amplitude_mean_uv": self.amplitude_mean, "amplitude_sd_uv": self.amplitude_sd,
                "n_template_spikes": self.n_spikes}


def build_template(snippets, labels, cluster: int, *, n_components: int = 3, trough_index: int | None = None,
                   quantile: float = TEMPLATE_QUANTILE, amplitude_sd: float = TEMPLATE_AMPLITUDE_SD) -> UnitTemplate:
    """Template of ``cluster`` from the search's snippets: PCA basis of all events, the cluster's feature Gaussian.

    The basis is computed as :func:`sort_units` computes it (SVD of the centred snippets),
    so the features are the ones the search sorted on.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> shape = -np.exp(-0.5 * ((np.arange(30) - 10) / 2.0) ** 2)
    >>> amp = np.r_[np.full(60, 200.0), np.full(60, 80.0)]
    >>> w = amp[:, None] * shape + rng.normal(0, 5, (120, 30))
    >>> t = build_template(w, (amp < 100).astype(int), 0)
    >>> round(t.amplitude_mean / 10) * 10, int(match_template(t, w)[0].sum())
    (200, 59)
    """
    x = np.asarray(snippets, float)
    inside = np.asarray(labels) == cluster
    if inside.sum() <= n_components + 1:
        raise InputError(f"template: cluster {cluster} has {int(inside.sum())} spikes, needs > {n_components + 1}")
    pca_mean = x.mean(axis=0)
    _, _, vt = np.linalg.svd(x - pca_mean, full_matrices=False)
    d = int(min(n_components, vt.shape[0]))
    comps = vt[:d]
    feats = (x[inside] - pca_mean) @ comps.T
    # robust to the few intruders a search cluster holds: reweighted mean/covariance (spikes outside the
    # chi-square cutoff dropped, Rousseeuw & van Zomeren 1990, with the consistency factor of a
    # Gaussian truncated at that quantile) and median/MAD amplitudes
    cut = float(stats.chi2.ppf(quantile, d))
    consistency = quantile / float(stats.chi2.cdf(cut, d + 2))
    keep = np.ones(feats.shape[0], bool)
    for _ in range(5):
        mu = feats[keep].mean(axis=0)
        cov = np.cov(feats[keep].T) * consistency + 1e-9 * np.eye(d)
        diff = feats - mu
        new_keep = np.einsum("ij,ij->i", diff, np.linalg.solve(cov, diff.T).T) < cut
        if new_keep.sum() <= d + 1 or np.array_equal(new_keep, keep):
            break
        keep = new_keep
    mean_snippet = x[inside].mean(axis=0)
    k = int(np.argmin(mean_snippet)) if trough_index is None else int(trough_index)
    amp = -x[inside, k]
    med = float(np.median(amp))
    mad = 1.4826 * float(np.median(np.abs(amp - med)))
    return UnitTemplate(mean_snippet, pca_mean, comps, mu, cov, med, mad, k, int(inside.sum()), quantile, amplitude_sd)


def match_template(template: UnitTemplate, snippets) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Events of the unit: Mahalanobis D^2 below the chi-square cutoff and amplitude in range.

    Returns
    -------
    matched : array of bool
    d2 : array of float
        Mahalanobis D^2 of each event from the unit in the search's PCA space.
    amplitude : array of float
        Trough amplitude (uV, positive) of each event.
    """
    x = np.asarray(snippets, float)
    if x.shape[0] == 0:
        return np.zeros(0, bool), np.zeros(0), np.zeros(0)
    diff = template.features(x) - template.feature_mean
    d2 = np.einsum("ij,ij->i", diff, np.linalg.solve(template.feature_cov, diff.T).T)
    amp = -x[:, template.trough_index]
    lo, hi = template.amplitude_range
    return (d2 < template.max_d2) & (amp >= lo) & (amp <= hi), d2, amp


def template_unit_quality(template: UnitTemplate, snippets, matched, spike_samples, fs: float, noise_sd: float,
                          threshold_uv: float, duration_s: float, *, dead_time_ms: float = 0.75,
                          refractory_ms: float = REFRACTORY_MS, isolation: dict = ISOLATION) -> dict:
    """Isolation metrics of the template-matched unit on a recording, as :func:`sort_units` reports them.

    L-ratio and isolation distance are computed in the search's PCA space, of every
    unmatched event from the template's Gaussian (the model the events were matched
    against); ``l_ratio_own_covariance`` is the L-ratio with the matched events' own
    mean/covariance (Schmitzer-Torbert's definition; inflated by the few intruders an
    ellipsoid gate admits), reported, not tested. SNR from the matched spikes' mean trough;
    ISI violations and contamination from their times; ``single_unit`` when every
    ``isolation`` criterion is met.
    """
    x = np.asarray(snippets, float)
    m = np.asarray(matched, bool)
    g = np.flatnonzero(m)
    samples = np.asarray(spike_samples, np.int64)
    feats = template.features(x) if x.shape[0] else np.zeros((0, template.components.shape[0]))
    # L-ratio and isolation distance of the template's Gaussian (the cluster model events are matched
    # against) from every unmatched event; with the matched events' own mean/covariance as well
    d = feats.shape[1]
    if g.size > d:
        diff = feats[~m] - template.feature_mean
        d2 = np.einsum("ij,ij->i", diff, np.linalg.solve(template.feature_cov, diff.T).T)
        l_ratio = float(np.sum(stats.chi2.sf(d2, d)) / g.size)
        iso = float(np.sort(d2)[g.size - 1]) if d2.size >= g.size else float("nan")
        l_ratio_own, _ = cluster_quality(feats, (~m).astype(np.int64), 0)
    else:
        l_ratio, iso, l_ratio_own = float("inf"), 0.0, float("inf")
    snr = float(-x[g].mean(axis=0).min() / noise_sd) if g.size and noise_sd > 0 else 0.0
    amp = -x[g, template.trough_index]
    cutoff = amplitude_cutoff(amp, threshold_uv)
    v = isi_violations(samples[g], fs, refractory_ms)
    contamination = refractory_contamination(samples[g], fs, duration_s, refractory_ms=refractory_ms,
                                             censored_ms=dead_time_ms)
    single = bool(g.size >= isolation["min_spikes"] and v <= isolation["max_isi_violations"]
                  and contamination <= isolation["max_contamination"] and l_ratio <= isolation["max_l_ratio"]
                  and (isolation["min_isolation_distance"] is None or not iso < isolation["min_isolation_distance"])
                  and snr >= isolation["min_snr"] and cutoff <= isolation["max_amplitude_cutoff"])
    return {"n_spikes": int(g.size), "snr": snr, "isi_violations": v, "contamination": contamination,
            "l_ratio": l_ratio, "isolation_distance": iso, "amplitude_cutoff": cutoff,
            "l_ratio_own_covariance": l_ratio_own, "single_unit": single}

