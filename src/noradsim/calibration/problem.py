"""The calibration problem: free parameters on a log scale, targets, scaled log residuals.

The objective is pyPESTO's least-squares convention::

    r_i = ln(predicted_i / expected_i) / (0.5 * ln(high_i / low_i))
    f   = 0.5 * sum_i r_i**2

so a prediction at the edge of a symmetric published range costs ``r = 1``, and ``f``
is a negative log-likelihood (up to a constant) if each log-range half-width is one
standard deviation. A prediction that fails (no value, or not positive) costs
``r = FAILED_RESIDUAL``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from ..errors import InputError

FAILED_RESIDUAL = 10.0
RANGE_FACTOR = 3.0


@dataclass(frozen=True)
class FreeParameter:
    """A parameter the calibration varies, on a log scale within ``[low, high]``."""

    name: str
    value: float
    unit: str
    low: float
    high: float
    range_source: str


@dataclass(frozen=True)
class Observation:
    """A published value as the objective sees it: expected value and range (positive)."""

    id: str
    expected: float
    low: float
    high: float
    unit: str

    @property
    def scale(self) -> float:
        """Half the log width of the published range: the residual's unit."""
        return 0.5 * math.log(self.high / self.low)


def free_parameter(p, data_file_value: float) -> FreeParameter:
    """A :class:`FreeParameter` from a parameter record.

    The search range is the record's ``range`` when it has one; otherwise
    ``data_file_value / 3`` to ``data_file_value * 3``. Either is clipped to the record's
    ``[min, max]``.
    """
    rng = getattr(p, "range", None)
    if rng:
        lo, hi = float(rng[0]), float(rng[1])
        source = f"the parameter record's plausible range [{lo:g}, {hi:g}]"
    else:
        lo, hi = data_file_value / RANGE_FACTOR, data_file_value * RANGE_FACTOR
        source = f"x/{RANGE_FACTOR:g} of the data-file value {data_file_value:g} (the record gives no range)"
    lo, hi = max(lo, p.min), min(hi, p.max)
    if not 0 < lo < hi:
        raise InputError(f"--parameters {p.name}: a log-scale calibration needs a positive range, got [{lo:g}, {hi:g}]")
    return FreeParameter(p.name, float(p.value), p.unit, lo, hi, source)


def observation(target) -> Observation | None:
    """The target as an :class:`Observation`, or ``None`` when a log residual is undefined."""
    if not (target.low > 0 and target.high > target.low and target.expected > 0):
        return None
    return Observation(target.id, float(target.expected), float(target.low), float(target.high), target.unit)


class Residuals:
    """Scaled log residuals as a function of the log parameters (cached per point).

    Parameters
    ----------
    free : sequence of FreeParameter
        The parameters varied; ``x[i] = ln(value_i)``.
    observations : sequence of Observation
        The published values, in the order ``predict`` returns predictions.
    predict : callable
        ``predict({name: value}) -> [prediction or None, ...]`` (one per observation).
    """

    def __init__(self, free: Sequence[FreeParameter], observations: Sequence[Observation],
                 predict: Callable[[dict[str, float]], list]):
        self.free = tuple(free)
        self.observations = tuple(observations)
        self.predict = predict
        self.scales = np.array([o.scale for o in self.observations])
        self.expected = np.array([o.expected for o in self.observations])
        self._cache: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}

    def __deepcopy__(self, memo):  # pyPESTO copies objectives per start: share the cache instead
        return self

    @property
    def lower(self) -> np.ndarray:
        return np.log([f.low for f in self.free])

    @property
    def upper(self) -> np.ndarray:
        return np.log([f.high for f in self.free])

    @property
    def evaluations(self) -> int:
        """Distinct parameter sets simulated so far."""
        return len(self._cache)

    def overrides(self, x) -> dict[str, float]:
        """``{name: value}`` for the log parameters ``x``."""
        return {f.name: float(math.exp(v)) for f, v in zip(self.free, x)}

    def predictions(self, x) -> np.ndarray:
        """Predictions at ``x`` (NaN where the simulation gave none)."""
        return self._evaluate(x)[1]

    def __call__(self, x) -> np.ndarray:
        return self._evaluate(x)[0]

    def fval(self, x) -> float:
        """``0.5 * sum(r**2)``."""
        r = self(x)
        return float(0.5 * np.dot(r, r))

    def _evaluate(self, x) -> tuple[np.ndarray, np.ndarray]:
        key = tuple(np.round(np.asarray(x, dtype=float), 12))
        if key not in self._cache:
            raw = self.predict(self.overrides(key))
            pred = np.array([np.nan if v is None else float(v) for v in raw])
            ok = np.isfinite(pred) & (pred > 0)
            r = np.full(len(pred), FAILED_RESIDUAL)
            r[ok] = np.log(pred[ok] / self.expected[ok]) / self.scales[ok]
            self._cache[key] = (r, pred)
        return self._cache[key]


def latin_hypercube_starts(residuals: Residuals, n: int, seed: int) -> np.ndarray:
    """``n`` start points (log scale), a seeded Latin hypercube over the search box."""
    from scipy.stats import qmc

    unit = qmc.LatinHypercube(d=len(residuals.free), seed=np.random.default_rng(seed)).random(n)
    return qmc.scale(unit, residuals.lower, residuals.upper)
