"""Sample collection: the one definition of binned samples and "% of baseline".

A dialysate sample is the time average of the concentration over its collection bin
(bins aligned to time 0). "% of baseline" is the sample divided by the mean of the
samples that lie wholly inside the baseline interval; the peak (trough) is the largest
(smallest) sample wholly inside the window. Every caller (the protocol, validation, the
virtual population, the API) uses :func:`percent_of_baseline`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

_EDGE = 1e-6  # s: a bin lies inside an interval when its edges are within this of it


def bin_samples(time_s: np.ndarray, values: np.ndarray, sample_s: float, t_first: float, t_last: float):
    """Average ``values`` over consecutive collection bins aligned to time 0.

    Returns bin starts, bin ends and means (trapezoidal time average over each bin).
    """
    k0_ = math.ceil(t_first / sample_s - 1e-9)
    k1_ = math.floor(t_last / sample_s + 1e-9)
    starts, ends, means = [], [], []
    for k in range(k0_, k1_):
        a, b = k * sample_s, (k + 1) * sample_s
        m = (time_s >= a - 1e-9) & (time_s <= b + 1e-9)
        if m.sum() < 2:
            continue
        t, v = time_s[m], values[m]
        means.append(float(np.trapezoid(v, t) / (t[-1] - t[0])))
        starts.append(a)
        ends.append(b)
    return np.array(starts), np.array(ends), np.array(means)


@dataclass(frozen=True)
class Samples:
    """Collected samples of one series: bin edges (s), means, baseline and window masks."""

    starts: np.ndarray
    ends: np.ndarray
    means: np.ndarray
    in_baseline: np.ndarray
    in_window: np.ndarray

    @property
    def baseline_mean(self) -> float:
        """Mean of the baseline samples (NaN when there is none)."""
        return float(np.mean(self.means[self.in_baseline])) if self.in_baseline.any() else float("nan")

    def percent(self, reference: float | None = None) -> np.ndarray:
        """Every sample as % of ``reference`` (default: the baseline mean)."""
        ref = self.baseline_mean if reference is None else reference
        return 100.0 * self.means / ref

    def peak_percent(self) -> float:
        """Largest sample in the window, % of baseline (NaN when the window has no sample)."""
        w = self.means[self.in_window]
        return 100.0 * float(w.max()) / self.baseline_mean if w.size else float("nan")

    def min_percent(self) -> float:
        """Smallest sample in the window, % of baseline (NaN when the window has no sample)."""
        w = self.means[self.in_window]
        return 100.0 * float(w.min()) / self.baseline_mean if w.size else float("nan")

    def mean_percent(self) -> float:
        """Mean of the window samples, % of baseline."""
        w = self.means[self.in_window]
        return 100.0 * float(w.mean()) / self.baseline_mean if w.size else float("nan")


def collect(time_s, values, sample_s: float, baseline: tuple[float, float], window: tuple[float, float]) -> Samples:
    """Bin ``values`` into samples spanning baseline and window, and mark which is which."""
    lo, hi = min(baseline[0], window[0]), max(baseline[1], window[1])
    starts, ends, means = bin_samples(np.asarray(time_s), np.asarray(values), sample_s, lo, hi)
    return Samples(starts, ends, means, inside(starts, ends, baseline), inside(starts, ends, window))


def inside(starts, ends, interval: tuple[float, float]) -> np.ndarray:
    """Which bins lie wholly inside ``interval`` (s)."""
    return (np.asarray(starts) >= interval[0] - _EDGE) & (np.asarray(ends) <= interval[1] + _EDGE)
