"""The production engine: the model's SBML compiled by libroadrunner (LLVM JIT, CVODE)."""

from __future__ import annotations

import numpy as np
import roadrunner

from .spec import ModelSpec
from .sbml import to_sbml
from .trajectory import Segment, Trajectory

roadrunner.Logger.setLevel(roadrunner.Logger.LOG_ERROR)
_CACHE: dict[str, roadrunner.RoadRunner] = {}


def compiled(model: ModelSpec) -> roadrunner.RoadRunner:
    """A RoadRunner instance for the model's structure (compiled once per process)."""
    key = model.fingerprint()
    rr = _CACHE.get(key)
    if rr is None:
        rr = roadrunner.RoadRunner(to_sbml(model))
        _CACHE[key] = rr
    return rr


def simulate(model: ModelSpec, segments: list[Segment], grids: list[np.ndarray], y0: dict[str, float],
             *, rtol: float = 1e-8, atol: float = 1e-12, max_steps: int = 200000) -> Trajectory:
    """Integrate ``model`` over ``segments`` from state ``y0``, reporting at ``grids``."""
    rr = compiled(model)
    integ = rr.getIntegrator()
    integ.relative_tolerance = rtol
    integ.absolute_tolerance = atol
    integ.maximum_num_steps = max_steps
    base = model.parameters.values()
    species = model.species_names
    rules = model.rule_names
    rr.timeCourseSelections = ["time"] + [f"[{s}]" for s in species] + rules
    for name, v in base.items():
        rr[name] = v
    for s in species:
        rr[f"[{s}]"] = y0[s]
    chunks = []
    active: set[str] = set()
    for seg, grid in zip(segments, grids):
        for name in active - set(seg.parameters):
            rr[name] = base[name]
        for name, v in seg.parameters.items():
            rr[name] = v
        active = set(seg.parameters)
        for s, dv in seg.bumps.items():
            rr[f"[{s}]"] = rr[f"[{s}]"] + dv
        out = rr.simulate(times=np.asarray(grid, dtype=float))
        chunks.append(np.array(out))
    data = np.vstack(chunks)
    names = species + rules
    values = {n: data[:, i + 1] for i, n in enumerate(names)}
    return Trajectory(data[:, 0], values, "roadrunner")


def simulate_batch(model: ModelSpec, parameter_sets: list[dict[str, float]], segments: list[Segment],
                   grids: list[np.ndarray], y0: dict[str, float], *, selections: list[str],
                   rtol: float = 1e-8, atol: float = 1e-12, errors: dict[int, str] | None = None) -> np.ndarray:
    """Many parameter sets of one model through the same segments (one compiled instance).

    Returns an array ``(n_sets, n_times, len(selections))``. Only the parameters that a
    set or a segment changes are written between runs; everything else stays compiled.
    When ``errors`` is a dict, a set the solver cannot integrate does not stop the batch:
    its rows are NaN and ``errors[index]`` holds the solver's message.
    """
    rr = compiled(model)
    integ = rr.getIntegrator()
    integ.relative_tolerance = rtol
    integ.absolute_tolerance = atol
    base = model.parameters.values()
    for name, v in base.items():
        rr[name] = v
    species_keys = [f"[{s}]" for s in model.species_names]
    y0_values = [y0[s] for s in model.species_names]
    rr.timeCourseSelections = ["time"] + selections
    out = []
    touched: set[str] = set()
    width = sum(len(g) for g in grids)
    for index, params in enumerate(parameter_sets):
        keys = list(touched - set(params))
        if keys:
            rr.setValues(keys, [base[k] for k in keys])
        rr.setValues(list(params), list(params.values()))
        touched = set(params)
        rr.setValues(species_keys, y0_values)
        try:
            out.append(_run_segments(rr, params, base, segments, grids))
        except RuntimeError as exc:
            if errors is None:
                raise
            errors[index] = " ".join(str(exc).split())[:300]
            out.append(np.full((width, len(selections)), np.nan))
        touched |= set().union(*(seg.parameters for seg in segments))
    return np.stack(out)


def _run_segments(rr, params: dict[str, float], base: dict[str, float], segments, grids) -> np.ndarray:
    chunks = []
    active: set[str] = set()
    for seg, grid in zip(segments, grids):
        stale = [k for k in active - set(seg.parameters)]
        if stale:
            rr.setValues(stale, [params.get(k, base[k]) for k in stale])
        if seg.parameters:
            rr.setValues(list(seg.parameters), list(seg.parameters.values()))
        active = set(seg.parameters)
        for s, dv in seg.bumps.items():
            rr[f"[{s}]"] = rr[f"[{s}]"] + dv
        chunks.append(np.array(rr.simulate(times=grid))[:, 1:])
    return np.vstack(chunks)
