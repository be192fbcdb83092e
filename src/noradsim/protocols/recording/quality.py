"""Isolation metrics of a sorted cluster: is it one neuron (a single unit) or multi-unit activity?

L-ratio and isolation distance in feature space, refractory-period violations and the
contamination they imply, trough SNR and the fraction of spikes lost below threshold.
:func:`passes_isolation` applies the field's criteria (:data:`ISOLATION`) to them.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

REFRACTORY_MS = 2.0
# Single-unit isolation criteria (field conventions): L-ratio < 0.05 (Schmitzer-Torbert et al. 2005,
# Neuroscience 131:1); isolation distance >= 20 (Harris et al. 2001; the bar used with L-ratio by
# Schmitzer-Torbert et al. 2005). That bar was set for 8-16-dimensional tetrode features; here it
# is applied to 3 PCs of one channel, where it is stricter, never more lenient: every feature adds
# its share to the D^2 of the other spikes, so the same separation gives a smaller D^2 in fewer
# dimensions (round 7: not requiring it let a cluster with 1/3 of its spikes from other neurons,
# isolation distance 18, L-ratio 0.03, pass as a single unit; tests/test_recording_sorting.py);
# < 1 % of ISIs inside a 2 ms refractory period and a false-positive (contamination) rate
# <= 10 % estimated from those violations (Hill, Mehta & Kleinfeld 2011, J Neurosci 31:8699;
# at 1-2 Hz and 10-20 s of recording these have almost no power: the expected number of
# intruder violations, 2 (tau_R - tau_C) N^2 f (1 - f) / T, is far below 1),
# trough SNR >= 5 robust noise SDs (assumed: clearly above the 4-5 SD detection threshold),
# amplitude cutoff <= 0.05: fraction of the unit's spikes estimated lost below the detection
# threshold (Siegle et al. 2021, Nature 592:86, Allen Institute quality metrics), which flags
# the pooled small-spike (multi-unit) cluster.
ISOLATION = {
    "max_l_ratio": 0.05,
    "min_isolation_distance": 20.0,
    "max_isi_violations": 0.01,
    "max_contamination": 0.1,
    "min_snr": 5.0,
    "max_amplitude_cutoff": 0.05,
    "min_spikes": 10,
}


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


def passes_isolation(n_spikes: int, violations: float, contamination: float, l_ratio: float,
                     iso_distance: float, snr: float, cutoff: float, isolation: dict = ISOLATION) -> bool:
    """Whether a cluster meets every single-unit criterion of ``isolation``.

    Parameters are the cluster's spike count, ISI violations, contamination, L-ratio,
    isolation distance, SNR and amplitude cutoff. The isolation distance is tested only
    when ``isolation["min_isolation_distance"]`` is set (a nan distance, undefined, does
    not fail it).

    Examples
    --------
    >>> passes_isolation(100, 0.0, 0.0, 0.01, float("nan"), 8.0, 0.0)
    True
    >>> passes_isolation(100, 0.05, 0.3, 0.01, float("nan"), 8.0, 0.0)
    False
    """
    return bool(n_spikes >= isolation["min_spikes"] and violations <= isolation["max_isi_violations"]
                and contamination <= isolation["max_contamination"] and l_ratio <= isolation["max_l_ratio"]
                and (isolation["min_isolation_distance"] is None
                     or not iso_distance < isolation["min_isolation_distance"])
                and snr >= isolation["min_snr"] and cutoff <= isolation["max_amplitude_cutoff"])
