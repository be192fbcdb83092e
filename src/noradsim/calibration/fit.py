"""Multi-start fit and profile likelihood with pyPESTO; identifiability verdicts.

Convention: pyPESTO's ``f = 0.5 * sum(r**2)``. A parameter's profile ``PL(x) - f_min``
crosses the 95 % threshold at ``chi2(0.95, 1) / 2 = 1.92`` and bounds the 90 %
confidence interval at ``chi2(0.90, 1) / 2 = 1.35``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from .problem import Residuals, latin_hypercube_starts

THRESHOLD_95 = 3.841458820694124 / 2.0
THRESHOLD_90 = 2.705543454095404 / 2.0
FLAT = 0.01  # a profile within this of its minimum is flat there
FLAT_SHARE = 0.5  # structurally non-identifiable: flat over at least this share of the log range
FD_STEP = 0.01  # forward-difference step in ln(parameter): 1 % (the ED50 bisection resolves 0.1 %)


@dataclass
class Profile:
    """One parameter's profile: log values, objective, verdict and confidence intervals."""

    name: str
    x: np.ndarray
    fval: np.ndarray
    verdict: str = ""
    detail: str = ""
    interval90: tuple[float, float] = (np.nan, np.nan)
    open90: tuple[bool, bool] = (False, False)
    log: bool = True

    @property
    def values(self) -> np.ndarray:
        """The profiled parameter's natural values."""
        return np.exp(self.x) if self.log else np.asarray(self.x, dtype=float)


@dataclass
class CalibrationResult:
    """Everything a calibration found (values on the natural scale unless named ``log``)."""

    names: list[str]
    best: np.ndarray
    fval: float
    starts: np.ndarray
    ends: np.ndarray
    start_fvals: np.ndarray
    seed: int
    evaluations: int = 0
    profiles: list[Profile] = field(default_factory=list)
    timings: dict = field(default_factory=dict)
    evaluations_starts: int = 0


def _objective(residuals: Residuals):
    import pypesto
    from pypesto.objective import FD

    base = pypesto.Objective(fun=residuals.fval, res=residuals, x_names=[f.name for f in residuals.free])
    return FD(base, grad=True, sres=True, hess=False, delta_fun=FD_STEP, delta_grad=FD_STEP, delta_res=FD_STEP,
              method="forward", x_names=[f.name for f in residuals.free])


def _optimizer(max_nfev: int):
    import pypesto.optimize as optimize

    return optimize.ScipyOptimizer(method="ls_trf", options={"maxfun": max_nfev})


def _engine(workers: int):
    """``None`` (serial) or a pyPESTO process pool; each start (and profile) is independent."""
    if workers <= 1:
        return None
    from pypesto.engine import MultiProcessEngine

    return MultiProcessEngine(n_procs=workers, method="fork")


def calibrate(residuals: Residuals, *, starts: int = 20, seed: int = 0, max_nfev: int = 60,
              profile: bool = True, start_points: np.ndarray | None = None, workers: int = 1,
              profile_nfev: int | None = None, progress=None) -> CalibrationResult:
    """Seeded Latin-hypercube multi-start (pyPESTO, scipy ``least_squares`` TRF), then profiles.

    Parameters
    ----------
    residuals : Residuals
        The problem.
    starts : int
        Number of starts.
    seed : int
        Seed of the Latin hypercube (the only random element: same seed, same result).
    max_nfev : int
        Residual evaluations per local fit.
    profile : bool
        Compute the profile likelihood of every parameter.
    start_points : array, optional
        Start points (search coordinates) to use instead of the Latin hypercube (e.g. to
        re-run the winning start of a recorded calibration).
    workers : int
        Processes for the starts and the profiles (the result does not depend on it).
    profile_nfev : int, optional
        Residual evaluations per re-optimisation at a profile step (default ``max_nfev // 2``).
    progress : callable, optional
        ``progress(message)`` after the starts.
    """
    import time

    import pypesto
    import pypesto.optimize as optimize

    logging.getLogger("pypesto").setLevel(logging.ERROR)
    x0 = latin_hypercube_starts(residuals, starts, seed) if start_points is None else np.atleast_2d(start_points)
    starts = len(x0)
    problem = pypesto.Problem(_objective(residuals), lb=residuals.lower, ub=residuals.upper, x_guesses=x0,
                              x_names=[f.name for f in residuals.free])
    clock = time.perf_counter()
    result = optimize.minimize(problem, _optimizer(max_nfev), n_starts=starts, ids=[f"start{i}" for i in range(starts)],
                               progress_bar=False, engine=_engine(workers))
    runs = sorted(result.optimize_result.list, key=lambda r: int(r.id[5:]))
    ends = np.array([r.x for r in runs])
    fvals = np.array([residuals.fval(x) for x in ends])
    best = int(np.argmin(fvals))
    out = CalibrationResult([f.name for f in residuals.free], residuals.values(ends[best]), float(fvals[best]), x0, ends,
                            fvals, seed)
    out.timings["starts_s"] = time.perf_counter() - clock
    out.evaluations_starts = int(sum(r.n_res or r.n_fval or 0 for r in runs))
    if progress:
        progress(f"starts done in {out.timings['starts_s']:.0f} s: best f = {out.fval:.5g}, "
                 f"{int(np.sum(fvals < out.fval + 0.01))} of {starts} starts within 0.01 of it")
    if profile:
        clock = time.perf_counter()
        nfev = profile_nfev if profile_nfev is not None else max(3, max_nfev // 2)
        out.profiles = profiles(residuals, problem, result, nfev, workers)
        out.timings["profiles_s"] = time.perf_counter() - clock
    out.evaluations = residuals.evaluations
    return out


def profiles(residuals: Residuals, problem, result, nfev: int, workers: int = 1) -> list[Profile]:
    """pyPESTO profile likelihood of each parameter from the best start, with verdicts."""
    import pypesto.profile as pprofile

    width = float(np.max(residuals.upper - residuals.lower))
    options = pprofile.ProfileOptions(default_step_size_absolute=0.08 * width, default_step_size_relative=0.0,
                                      min_step_size_absolute=0.04 * width, min_step_size_relative=0.0,
                                      max_step_size_absolute=0.2 * width, max_step_size_relative=0.0,
                                      ratio_min=float(np.exp(-THRESHOLD_95 - 0.5)), step_size_precheck_mode="off")
    if len(residuals.free) == 1:
        return [_scan_profile(residuals)]
    # each profile step starts from the previous optimum: a few evaluations re-optimise the others
    res = pprofile.parameter_profile(problem, result, _optimizer(nfev), profile_options=options, progress_bar=False,
                                     engine=_engine(workers))
    out = []
    for i, f in enumerate(residuals.free):
        pr = res.profile_result.list[0][i]
        order = np.argsort(pr.x_path[i])
        out.append(judge(f.name, np.asarray(pr.x_path[i])[order], np.asarray(pr.fval_path)[order],
                         residuals.lower[i], residuals.upper[i], log=f.log))
    return out


def _scan_profile(residuals: Residuals, n: int = 21) -> Profile:
    """A one-parameter problem has nothing to re-optimise: its profile is a scan."""
    x = np.linspace(residuals.lower[0], residuals.upper[0], n)
    return judge(residuals.free[0].name, x, np.array([residuals.fval([v]) for v in x]),
                 residuals.lower[0], residuals.upper[0], log=residuals.free[0].log)


def _crossing(x: np.ndarray, d: np.ndarray, level: float, side: str) -> float | None:
    """Where the profile ``d`` first rises through ``level`` moving away from its minimum."""
    k = int(np.argmin(d))
    idx = range(k, -1, -1) if side == "left" else range(k, len(x))
    prev = k
    for j in idx:
        if d[j] > level:
            a, b = d[prev], d[j]
            t = (level - a) / (b - a) if b != a else 0.0
            return float(x[prev] + t * (x[j] - x[prev]))
        prev = j
    return None


def judge(name: str, x: np.ndarray, fval: np.ndarray, lower: float, upper: float, log: bool = True) -> Profile:
    """Identifiability verdict and 90 % interval from a profile (``x`` on the search scale: log if ``log``).

    identifiable: the profile rises above the 95 % threshold on both sides within the
    range; practically non-identifiable: it stays below on one or both sides (flat
    there); structurally non-identifiable: it stays below on both sides and within 0.01
    of its minimum over at least half of the log range (the data fix a combination of
    parameters, not this one; near the range edges the other parameters hit their bounds).
    """
    d = fval - np.min(fval)
    flat = (d[:-1] < FLAT) & (d[1:] < FLAT)
    flat_share = float(np.sum(np.diff(x)[flat]) / (upper - lower))
    left, right = _crossing(x, d, THRESHOLD_95, "left"), _crossing(x, d, THRESHOLD_95, "right")
    lo90, hi90 = _crossing(x, d, THRESHOLD_90, "left"), _crossing(x, d, THRESHOLD_90, "right")
    back = np.exp if log else float
    ci = (float(back(lo90 if lo90 is not None else lower)), float(back(hi90 if hi90 is not None else upper)))
    p = Profile(name, x, fval, interval90=ci, open90=(lo90 is None, hi90 is None), log=log)
    if left is not None and right is not None:
        p.verdict, p.detail = "identifiable", "rises above the 95 % threshold on both sides"
    else:
        sides = [s for s, c in (("below", left), ("above", right)) if c is None]
        if len(sides) == 2 and flat_share >= FLAT_SHARE:
            p.verdict = "structurally non-identifiable"
            p.detail = f"flat (within {FLAT} of the minimum) over {100 * flat_share:.0f} % of the log range"
            return p
        p.verdict = "practically non-identifiable"
        p.detail = "flat " + " and ".join(sides) + " the optimum (stays under the 95 % threshold to the range edge)"
    return p
