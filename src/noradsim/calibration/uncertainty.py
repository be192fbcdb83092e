"""Parameter sets that carry the calibrated parameters' uncertainty.

Each calibrated parameter's uncertainty is its profile-likelihood 90 % confidence
interval (``interval90`` in the overlay). On its search scale (log, or linear for a
``scale = "linear"`` entry such as a negative state drive) it is a split normal: median
the calibrated value, the lower and upper halves scaled so that the 5th and 95th
percentiles fall on the interval's ends; draws are clipped to the search range. The
parameters are drawn independently (a Latin hypercube over their quantiles, seeded):
correlations between parameters are not carried.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import InputError

Z95 = 1.6448536269514722  # standard normal 95th percentile


def parameter_sets(entries: dict[str, dict], n: int, seed: int) -> list[dict[str, float]]:
    """``n`` seeded parameter sets ``{name: value}`` from overlay entries with ``interval90``."""
    from scipy.stats import norm, qmc

    names = [k for k, e in entries.items() if "interval90" in e]
    if not names:
        raise InputError("--uncertainty: the calibration overlay gives no interval90 (run noradsim calibrate with profiles)")
    if n < 2:
        raise InputError("--samples must be at least 2")
    u = qmc.LatinHypercube(d=len(names), seed=np.random.default_rng(seed)).random(n)
    z = norm.ppf(u)
    sets = []
    for row in z:
        s = {}
        for name, zi in zip(names, row):
            e = entries[name]
            log = e.get("scale", "log") == "log"
            fwd, back = (math.log, math.exp) if log else (float, float)
            mid, (lo, hi) = fwd(e["value"]), (fwd(v) for v in e["interval90"])
            width = (mid - lo) if zi < 0 else (hi - mid)
            x = mid + zi * width / Z95
            rlo, rhi = (fwd(v) for v in e.get("range", e["interval90"]))
            s[name] = float(back(min(max(x, rlo), rhi)))
        sets.append(s)
    return sets


def percentile_interval(values, low: float = 5.0, high: float = 95.0) -> tuple[float, float] | None:
    """``(p5, p95)`` of the finite values, or ``None`` when fewer than half are finite."""
    v = np.asarray([np.nan if x is None else x for x in values], dtype=float)
    v = v[np.isfinite(v)]
    if len(v) < max(2, len(values) // 2):
        return None
    return float(np.percentile(v, low)), float(np.percentile(v, high))
