"""Template matching: following the unit isolated during the electrode search through the protocol.

The experimenter keeps what the search showed of the unit (:class:`UnitTemplate`,
:func:`build_template`); on the full recording an event is the unit's when it falls in
the unit's feature ellipsoid and amplitude range (:func:`match_template`); the matched
unit's isolation is then measured as the sorter measures it (:func:`template_unit_quality`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from ...errors import InputError
from .quality import (
    ISOLATION,
    REFRACTORY_MS,
    amplitude_cutoff,
    cluster_quality,
    isi_violations,
    passes_isolation,
    refractory_contamination,
)

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

    The basis is computed as :func:`~noradsim.protocols.recording.sorting.sort_units` computes it (SVD of the centred snippets),
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
    """Isolation metrics of the template-matched unit on a recording, as :func:`~noradsim.protocols.recording.sorting.sort_units` reports them.

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
    single = passes_isolation(g.size, v, contamination, l_ratio, iso, snr, cutoff, isolation)
    return {"n_spikes": int(g.size), "snr": snr, "isi_violations": v, "contamination": contamination,
            "l_ratio": l_ratio, "isolation_distance": iso, "amplitude_cutoff": cutoff,
            "l_ratio_own_covariance": l_ratio_own, "single_unit": single}
