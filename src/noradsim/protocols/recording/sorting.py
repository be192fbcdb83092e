"""Spike sorting on one electrode: PCA features, a Gaussian mixture chosen by BIC, merge/split.

Trough-aligned snippets are projected on their principal components; Gaussian mixtures
with 1 .. ``max_units`` + 2 components are fitted by EM and the number of clusters is the
BIC minimum; clusters with the same waveform are merged and clusters that break the
refractory period are split; each cluster then gets its isolation metrics
(:mod:`.quality`): clusters that fail them are multi-unit activity.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import linalg, special
from scipy.cluster.vq import kmeans2

from .quality import (
    ISOLATION,
    REFRACTORY_MS,
    amplitude_cutoff,
    cluster_quality,
    isi_violations,
    passes_isolation,
    refractory_contamination,
)


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
       L-ratio, isolation distance (nan when undefined, which does not fail it; not
       tested when ``isolation["min_isolation_distance"]`` is None), amplitude cutoff against
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
    feats, d = _features(w, n_components, features)
    # covariance floor: 1 % of the noise variance for PCA scores (uV), else 1e-4 of the features' variance
    reg = 1e-2 * noise_sd**2 if features is None else 1e-4 * float(np.mean(np.var(feats, axis=0)))
    labels, bic = _best_mixture(feats, d, max_units, rng, reg)

    def viol(idx):
        return isi_violations(samples[idx], fs, refractory_ms)

    groups = [np.flatnonzero(labels == c) for c in np.unique(labels)]
    groups = _split_refractory(groups, feats, viol, rng, reg, isolation)
    groups = _merge_same_waveform(groups, w, viol, merge_similarity, isolation)
    groups.sort(key=lambda g: w[g].mean(axis=0).min())  # deepest trough first
    labels = np.empty(n, np.int64)
    for c, g in enumerate(groups):
        labels[g] = c
    thr = 4.5 * noise_sd if threshold_uv is None else abs(float(threshold_uv))
    t_total = float(duration_s) if duration_s is not None else max((samples.max() - samples.min()) / fs, 1e-3)
    trough_at = int(np.argmin(w.mean(axis=0)))
    clusters = []
    for c, g in enumerate(groups):
        l_ratio, iso = cluster_quality(feats, labels, c)
        snr = float(-w[g].mean(axis=0).min() / noise_sd) if noise_sd > 0 else float("inf")
        cutoff = amplitude_cutoff(-w[g, trough_at], thr)
        v = viol(g)
        contamination = refractory_contamination(samples[g], fs, t_total, refractory_ms=refractory_ms,
                                                 censored_ms=dead_time_ms)
        single = passes_isolation(g.size, v, contamination, l_ratio, iso, snr, cutoff, isolation)
        clusters.append({"n_spikes": int(g.size), "snr": snr, "isi_violations": v, "contamination": contamination,
                         "l_ratio": l_ratio,
                         "isolation_distance": iso, "amplitude_cutoff": cutoff, "single_unit": single})
    return Sorting(labels, clusters, feats, d, bic)


def _features(w: np.ndarray, n_components: int, features) -> tuple[np.ndarray, int]:
    """PCA scores of the centred snippets (first ``n_components``), or the given ``features``."""
    n = w.shape[0]
    if features is None:
        centred = w - w.mean(axis=0)
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        d = int(min(n_components, vt.shape[0]))
        return centred @ vt[:d].T, d
    feats = np.asarray(features, float).reshape(n, -1)
    return feats, feats.shape[1]


def _best_mixture(feats: np.ndarray, d: int, max_units: int, rng, reg: float) -> tuple[np.ndarray, dict]:
    """Labels of the mixture with the lowest BIC over k = 1 .. ``max_units`` + 2, and every finite BIC."""
    n = feats.shape[0]
    bic = {}
    best = None
    for k in range(1, min(max_units + 2, n // (d + 2)) + 1):
        labels, b = fit_gmm(feats, k, rng=rng, reg=reg)
        if math.isfinite(b):
            bic[k] = b
        if best is None or b < best[1]:
            best = (labels, b)
    return best[0], bic


def _split_refractory(groups: list, feats: np.ndarray, viol, rng, reg: float, isolation: dict) -> list:
    """Split clusters that break the refractory period in two, when both halves violate less."""
    groups = list(groups)
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
    return groups


def _merge_same_waveform(groups: list, w: np.ndarray, viol, merge_similarity: float, isolation: dict) -> list:
    """Merge clusters with the same waveform (correlation, trough within 20 %) whose union respects the refractory period."""
    groups = list(groups)
    changed = True
    while changed and len(groups) > 1:
        changed = False
        temps = [w[g].mean(axis=0) for g in groups]
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
    return groups


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
