"""One parameter set, two time scales: the spiking LC population against the rate law.

The foundation's rate model uses (``noradsim/data/lc.toml``)

.. math:: r = R\\, s \\ln\\left(1 + \\exp\\frac{d - w a_2 - \\theta}{s}\\right)

with drive :math:`d` (state + stimulus) and alpha2A activation :math:`a_2`. The spiking
population receives the same inputs: a tonic current
:math:`I = g_d (d - d_0)` (``drive_gain``, ``drive_offset``) and a GIRK conductance
:math:`g_{GIRK} = g_{GIRK,max} a_2`. :func:`compare_with_rate_law` checks agreement;
:func:`fit_rate_law` derives :math:`R, \\theta, s, w` from the population.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares, minimize

from ..calibration.overlay import section_records
from ..errors import unknown
from ..model.lc_states import rate_law  # the one forward law (model.lc_states inverts it)
from .neuron import LCParameters, load_lc_parameters
from .pharmacology import terms_from_a2
from .population import Inputs, build_population, simulate_population

RATE_LAW_NAMES = ("lc_rate_scale", "lc_threshold", "lc_softness", "lc_alpha2_weight")
A2_GRID = (0.0, 0.2, 0.4, 0.6, 0.8)


def rate_law_parameters() -> dict[str, float]:
    """``[parameters]`` of ``lc.toml`` as plain floats."""
    return {k: p.value for k, p in section_records("lc.toml", "parameters").items()}


def state_drives() -> dict[str, float]:
    """Drive of each behavioural/anaesthetic state (``lc.toml`` ``[state.*]``; from the state rate where measured)."""
    from ..model.terminal import lc_tables

    return {s: p.value for s, p in lc_tables()[1].items()}


def state_drive(state: str) -> float:
    """Drive of one state; unknown names raise InputError with suggestions."""
    drives = state_drives()
    if state not in drives:
        raise unknown("state", state, drives)
    return drives[state]


def constant_inputs(params: LCParameters, drive: float, a2: float, n_ms: int, *, beta: float = 0.0) -> Inputs:
    """Inputs holding ``drive`` and ``a2`` constant for ``n_ms`` milliseconds."""
    s, x = terms_from_a2(a2, params.value("tau_ne_alpha2a"))
    current = params.value("drive_gain") * (drive - params.value("drive_offset"))
    return Inputs(
        tonic_current=np.full(n_ms, current),
        stimulus_current=np.zeros(n_ms),
        ligand_stimulus=np.full(n_ms, float(s)),
        ligand_occupancy=np.full(n_ms, float(x)),
        beta_activation=np.full(n_ms, float(beta)),
    )


def population_rate(drive: float, a2: float, *, params: LCParameters | None = None, n_neurons: int = 100,
                    duration: float = 3.0, seed: int = 0, population=None) -> float:
    """Mean rate (Hz) of the spiking population at constant ``drive`` and ``a2``."""
    params = params or load_lc_parameters()
    pop = population or build_population(params, n_neurons, seed=seed)
    inp = constant_inputs(params, drive, a2, int(round(duration * 1e3)))
    return simulate_population(params, pop, inp, dt=1e-4, seed=seed).mean_rate()


@dataclass(frozen=True)
class RateComparison:
    """Population and rate-law rates on a grid of states and a2 values."""

    states: tuple[str, ...]
    drives: np.ndarray
    a2: np.ndarray
    population: np.ndarray  # (n_states, n_a2) Hz
    law: np.ndarray  # (n_states, n_a2) Hz

    def relative_error(self) -> np.ndarray:
        """(population - law)/law where the law gives > 0.3 Hz, else NaN."""
        with np.errstate(divide="ignore", invalid="ignore"):
            err = (self.population - self.law) / self.law
        return np.where(self.law > 0.3, err, np.nan)

    def agrees(self, tolerance: float = 0.15, silent: float = 0.2) -> bool:
        """Within ``tolerance`` where the law gives > 0.3 Hz; both < ``silent``-ish where it gives < 0.2 Hz."""
        err = self.relative_error()
        ok_active = np.all(np.abs(err[np.isfinite(err)]) <= tolerance)
        quiet = self.law < 0.2
        ok_quiet = np.all(self.population[quiet] < 0.3)
        return bool(ok_active and ok_quiet)


def compare_with_rate_law(*, states=None, a2_values=A2_GRID, n_neurons: int = 100, duration: float = 3.0,
                          seed: int = 0, params: LCParameters | None = None,
                          law_parameters: dict[str, float] | None = None) -> RateComparison:
    """Run the population for every state and a2 value and evaluate the rate law."""
    params = params or load_lc_parameters()
    law_parameters = law_parameters or rate_law_parameters()
    drives_by_state = state_drives()
    states = tuple(states or drives_by_state)
    drives = np.array([drives_by_state[s] if s in drives_by_state else state_drive(s) for s in states])
    a2 = np.asarray(a2_values, float)
    pop = build_population(params, n_neurons, seed=seed)
    rates = np.array([[population_rate(d, a, params=params, duration=duration, seed=seed, population=pop)
                       for a in a2] for d in drives])
    law = rate_law(drives[:, None], a2[None, :], **law_parameters)
    return RateComparison(states, drives, a2, rates, law)


def fit_rate_law(*, drives=None, a2_values=A2_GRID, n_neurons: int = 100, duration: float = 3.0, seed: int = 0,
                 params: LCParameters | None = None, comparison: RateComparison | None = None) -> dict[str, float]:
    """Fit the rate law's ``lc_rate_scale, lc_threshold, lc_softness, lc_alpha2_weight`` to the population.

    Least squares on relative error (floor 0.3 Hz), refined to minimise the largest
    relative error (the agreement criterion), over the state drives (or ``drives``) and
    ``a2_values``.

    Returns
    -------
    dict
        The four fitted values, plus ``max_relative_error`` over points above 0.3 Hz.
    """
    if comparison is None:
        params = params or load_lc_parameters()
        if drives is None:
            comparison = compare_with_rate_law(a2_values=a2_values, n_neurons=n_neurons, duration=duration,
                                               seed=seed, params=params)
            d, a, r = comparison.drives, comparison.a2, comparison.population
        else:
            pop = build_population(params, n_neurons, seed=seed)
            d = np.asarray(drives, float)
            a = np.asarray(a2_values, float)
            r = np.array([[population_rate(x, y, params=params, duration=duration, seed=seed, population=pop)
                           for y in a] for x in d])
    else:
        d, a, r = comparison.drives, comparison.a2, comparison.population
    dd, aa = np.meshgrid(d, a, indexing="ij")
    dd, aa, rr = dd.ravel(), aa.ravel(), r.ravel()

    def resid(q):
        law = rate_law(dd, aa, lc_rate_scale=q[0], lc_threshold=q[1], lc_softness=q[2], lc_alpha2_weight=q[3])
        return (law - rr) / np.maximum(rr, 0.3)

    sol = least_squares(resid, x0=[1.0, 0.0, 0.3, 3.0], bounds=([0.05, -5, 0.02, 0.0], [20, 5, 5, 20]))

    def worst(q):
        # minimax refinement: the agreement criterion is a maximum relative error
        if q[0] <= 0 or q[2] <= 0.02:
            return 1e9
        law = rate_law(dd, aa, lc_rate_scale=q[0], lc_threshold=q[1], lc_softness=q[2], lc_alpha2_weight=q[3])
        active = (law > 0.3) | (rr > 0.3)
        quiet = np.maximum(0.0, rr[law < 0.2] - 0.2).sum()
        return float(np.max(np.abs(law[active] - rr[active]) / np.maximum(law[active], 0.3))) + quiet

    q = minimize(worst, sol.x, method="Nelder-Mead", options={"xatol": 1e-4, "fatol": 1e-5, "maxiter": 4000}).x
    fitted = dict(zip(RATE_LAW_NAMES, (float(v) for v in q)))
    law = rate_law(dd, aa, **fitted)
    active = law > 0.3
    fitted["max_relative_error"] = float(np.max(np.abs((rr[active] - law[active]) / law[active]))) if active.any() else 0.0
    return fitted
