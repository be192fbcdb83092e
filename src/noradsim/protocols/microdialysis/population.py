"""How sure are we? Virtual populations and global sensitivity of an experiment's outcome.

Parameters whose source is ``assumed`` are the least certain. :func:`virtual_population`
draws parameter sets around the cited values (log-uniform within ``spread``, seeded),
equilibrates each virtual rat and runs the experiment's protocol; :func:`sobol_indices`
ranks which parameters the outcome depends on (Saltelli sampling and Sobol analysis from
SALib). Work is split into chunks run by dask; the samples are drawn up front from one
seed, so the same seed gives the same numbers whatever the number of workers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ...drugs import DrugLibrary, load_library
from ...engine import Segment
from ...engine.trajectory import output_grid
from ...model.terminal import build_terminal_model
from ..conditions import Conditions
from ..timecourse import EQUILIBRATION_S, _segments, clearance_parts, drug_uses, probe_readouts, steady_state
from .config import DEFAULT_POPULATION_PARAMETERS as DEFAULT_PARAMETERS
from ..probe import Probe, default_probe_length_mm
from .sampling import collect


@dataclass(frozen=True)
class PopulationResult:
    """Outcome per virtual rat and the parameter sets that produced it."""

    names: tuple[str, ...]
    factors: np.ndarray  # (n, p) multiplicative factors on the cited values
    peak_percent: np.ndarray
    trough_percent: np.ndarray
    percent_series: np.ndarray | None = None  # (n, samples): every rat's samples, % of its own baseline

    def interval(self, q=(5, 50, 95)) -> dict[str, np.ndarray]:
        return {"peak_percent_baseline": np.percentile(self.peak_percent, q),
                "min_percent_baseline": np.percentile(self.trough_percent, q)}


# what the read-outs need from a batch trajectory: NE and the model's own clearance rule
SELECTIONS = ["[ne_ecf]", "k_ecs_net", "k_ecs_clearance"]

def _prepare(cond: Conditions, library: DrugLibrary | None):
    library = library or load_library()
    model = build_terminal_model(cond.region, state=cond.state, drugs=drug_uses(cond.interventions), library=library)
    length_cm = (cond.probe_length or default_probe_length_mm(cond.region)) / 10.0
    probe = Probe(length_cm, cond.flow, model.parameters["ecs_fraction"].value)
    model = model.with_parameters({"probe_delivery": probe.delivery_fraction()})
    t0 = min([cond.baseline[0], cond.window[0]] + [iv.at for iv in cond.interventions])
    t1 = max([cond.window[1], cond.baseline[1]] + [iv.end for iv in cond.interventions])
    segs = [Segment(t0 - EQUILIBRATION_S, t0)] + _segments(cond, model, library, t0, t1, None)
    grids = output_grid(segs, min(60.0, cond.sample / 10))
    grids[0] = np.array([segs[0].t_start, segs[0].t_stop])
    return model, probe, segs, grids


def _outcomes(cond: Conditions, probe: Probe, traj: np.ndarray, times: np.ndarray, sel: list[str]):
    keep = times >= cond.baseline[0] - 1e-9
    t = times[keep]
    values = {name.strip("[]"): traj[keep, i] for i, name in enumerate(sel)}
    dial = probe_readouts(probe, *clearance_parts(values))[1] * values["ne_ecf"]
    order = np.argsort(t, kind="stable")
    s = collect(t[order], dial[order], cond.sample, cond.baseline, cond.window)
    return np.concatenate([[s.peak_percent(), s.min_percent()], s.percent()])


def _run_chunk(cond, library, names, factors):
    from ...engine.roadrunner_engine import simulate_batch

    model, probe, segs, grids = _prepare(cond, library)
    base = model.parameters.values()
    y0 = steady_state(model)
    sets = [{n: base[n] * f for n, f in zip(names, row)} for row in factors]
    traj = simulate_batch(model, sets, segs, grids, y0, selections=SELECTIONS)
    times = np.concatenate(grids)
    return np.array([_outcomes(cond, probe, traj[i], times, SELECTIONS) for i in range(len(sets))])


def evaluate_factors(cond: Conditions, names, factors: np.ndarray, *, library: DrugLibrary | None = None,
                     workers: int = 1, chunk: int = 64) -> np.ndarray:
    """Peak and trough % of baseline for each row of multiplicative ``factors`` (n, p)."""
    if workers <= 1 or len(factors) <= chunk:
        return _run_chunk(cond, library, tuple(names), factors)
    import dask

    parts = [dask.delayed(_run_chunk)(cond, library, tuple(names), factors[i:i + chunk])
             for i in range(0, len(factors), chunk)]
    return np.vstack(dask.compute(*parts, scheduler="processes", num_workers=workers))


def virtual_population(cond: Conditions, n: int = 200, *, parameters=DEFAULT_PARAMETERS, spread: float = 2.0,
                       seed: int = 0, workers: int = 1, library: DrugLibrary | None = None) -> PopulationResult:
    """Run ``n`` virtual rats whose parameters vary log-uniformly within [1/spread, spread] x cited."""
    if n < 1 or spread < 1 or not math.isfinite(spread):
        raise ValueError("n must be >= 1 and spread >= 1")
    rng = np.random.default_rng(seed)
    factors = np.exp(rng.uniform(-math.log(spread), math.log(spread), size=(n, len(parameters))))
    out = evaluate_factors(cond, parameters, factors, library=library, workers=workers)
    return PopulationResult(tuple(parameters), factors, out[:, 0], out[:, 1], out[:, 2:])


def sobol_indices(cond: Conditions, *, parameters=DEFAULT_PARAMETERS, spread: float = 2.0, n_base: int = 64,
                  seed: int = 0, workers: int = 1, statistic: str = "peak", library: DrugLibrary | None = None) -> dict:
    """First-order and total Sobol indices of the peak (or trough) % of baseline (SALib)."""
    from SALib.analyze import sobol
    from SALib.sample import sobol as sobol_sample

    problem = {"num_vars": len(parameters), "names": list(parameters),
               "bounds": [[-math.log(spread), math.log(spread)]] * len(parameters)}
    x = sobol_sample.sample(problem, n_base, calc_second_order=False, seed=seed)
    out = evaluate_factors(cond, parameters, np.exp(x), library=library, workers=workers)
    y = out[:, 0] if statistic == "peak" else out[:, 1]
    res = sobol.analyze(problem, y, calc_second_order=False, seed=seed)
    return {name: {"S1": float(s1), "ST": float(st)} for name, s1, st in zip(parameters, res["S1"], res["ST"])}
