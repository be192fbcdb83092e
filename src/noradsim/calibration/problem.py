"""The calibration problem: free parameters on a log scale, targets, scaled log residuals.

The objective is pyPESTO's least-squares convention::

    r_i = ln(predicted_i / expected_i) / (0.5 * ln(high_i / low_i))
    f   = 0.5 * sum_i r_i**2

so a prediction at the edge of a symmetric published range costs ``r = 1``, and ``f``
is a negative log-likelihood (up to a constant) if each log-range half-width is one
standard deviation. A published range that starts at 0 (or an expected value of 0)
makes the log ratio undefined; such a target uses the linear residual
``r_i = (predicted_i - expected_i) / (0.5 * (high_i - low_i))``. A prediction that fails
(no value, or not positive for a log residual) costs ``r = FAILED_RESIDUAL``.
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
    """A parameter the calibration varies within ``[low, high]``: on a log scale when ``low > 0``.

    A range that reaches zero or below (an LC state drive such as REM sleep's) is searched
    on the linear scale: ``x = value`` instead of ``x = ln(value)``.
    """

    name: str
    value: float
    unit: str
    low: float
    high: float
    range_source: str
    file: str = ""

    @property
    def log(self) -> bool:
        return self.low > 0

    def to_x(self, value: float) -> float:
        return math.log(value) if self.log else float(value)

    def to_value(self, x: float) -> float:
        return math.exp(x) if self.log else float(x)


@dataclass(frozen=True)
class Observation:
    """A published value as the objective sees it: expected value and range.

    ``linear`` observations (a range that starts at 0, or an expected value of 0, where a
    log ratio is undefined) use ``(predicted - expected) / (0.5 * (high - low))``.
    """

    id: str
    expected: float
    low: float
    high: float
    unit: str
    linear: bool = False

    @property
    def scale(self) -> float:
        """Half the (log) width of the published range: the residual's unit."""
        if self.linear:
            return 0.5 * (self.high - self.low)
        return 0.5 * math.log(self.high / self.low)

    def residual(self, predicted: float) -> float:
        """The scaled residual of one prediction (:data:`FAILED_RESIDUAL` when it is unusable)."""
        if not math.isfinite(predicted) or (not self.linear and predicted <= 0):
            return FAILED_RESIDUAL
        if self.linear:
            return (predicted - self.expected) / self.scale
        return math.log(predicted / self.expected) / self.scale


def free_parameter(p, data_file_value: float, name: str | None = None, file: str = "",
                   search: tuple[float, float] | None = None) -> FreeParameter:
    """A :class:`FreeParameter` from a parameter record.

    The search range is ``search`` when given (a spec's ``search_ranges``), else the
    record's ``range`` when it has one, else ``data_file_value / 3`` to
    ``data_file_value * 3``. Any is clipped to the record's ``[min, max]``.
    """
    rng = p.provenance.range if p.provenance is not None else None
    name = name or p.name
    if search is not None:
        lo, hi = float(search[0]), float(search[1])
        plausible = f"; the record's plausible range [{rng[0]:g}, {rng[1]:g}]" if rng else ""
        source = f"the spec's search range [{lo:g}, {hi:g}]{plausible}"
    elif rng:
        lo, hi = float(rng[0]), float(rng[1])
        source = f"the parameter record's plausible range [{lo:g}, {hi:g}]"
    else:
        lo, hi = data_file_value / RANGE_FACTOR, data_file_value * RANGE_FACTOR
        source = f"x/{RANGE_FACTOR:g} of the data-file value {data_file_value:g} (the record gives no range)"
    lo, hi = max(lo, p.min), min(hi, p.max)
    if not lo < hi:
        raise InputError(f"--parameters {name}: the search range [{lo:g}, {hi:g}] is empty")
    return FreeParameter(name, float(data_file_value), p.unit, lo, hi, source, file)


def observation(target) -> Observation | None:
    """The target as an :class:`Observation` (linear when its range starts at 0), or ``None``.

    ``None`` when the range is empty or negative, or the expected value lies outside it.
    """
    low, high, exp = float(target.low), float(target.high), float(target.expected)
    if not (0 <= low <= exp <= high and high > low):
        return None
    return Observation(target.id, exp, low, high, target.unit, linear=low == 0 or exp == 0)


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
        return np.array([f.to_x(f.low) for f in self.free])

    @property
    def upper(self) -> np.ndarray:
        return np.array([f.to_x(f.high) for f in self.free])

    @property
    def evaluations(self) -> int:
        """Distinct parameter sets simulated so far."""
        return len(self._cache)

    def overrides(self, x) -> dict[str, float]:
        """``{name: value}`` for the search coordinates ``x``."""
        return {f.name: f.to_value(v) for f, v in zip(self.free, x)}

    def values(self, x) -> np.ndarray:
        """Natural values of the search coordinates ``x`` (one point, or rows of points)."""
        x = np.asarray(x, dtype=float)
        if x.ndim == 2:
            return np.array([self.values(row) for row in x])
        return np.array([f.to_value(v) for f, v in zip(self.free, x)])

    def coordinates(self, values) -> np.ndarray:
        """Search coordinates (``ln`` or linear) of natural ``values``."""
        return np.array([f.to_x(v) for f, v in zip(self.free, values)])

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
            r = np.array([o.residual(v) for o, v in zip(self.observations, pred)])
            self._cache[key] = (r, pred)
        return self._cache[key]


def latin_hypercube_starts(residuals: Residuals, n: int, seed: int) -> np.ndarray:
    """``n`` start points (log scale), a seeded Latin hypercube over the search box."""
    from scipy.stats import qmc

    unit = qmc.LatinHypercube(d=len(residuals.free), seed=np.random.default_rng(seed)).random(n)
    return qmc.scale(unit, residuals.lower, residuals.upper)
