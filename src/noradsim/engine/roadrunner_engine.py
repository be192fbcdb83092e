"""The production engine: the model's SBML compiled by libroadrunner (LLVM JIT, CVODE)."""

from __future__ import annotations

import numpy as np
import roadrunner

from ..model.core import Model
from .sbml import to_sbml
from .trajectory import Segment, Trajectory

roadrunner.Logger.setLevel(roadrunner.Logger.LOG_ERROR)
_CACHE: dict[str, roadrunner.RoadRunner] = {}


def compiled(model: Model) -> roadrunner.RoadRunner:
    """A RoadRunner instance for the model's structure (compiled once per process)."""
    key = model.fingerprint()
    rr = _CACHE.get(key)
    if rr is None:
        rr = roadrunner.RoadRunner(to_sbml(model))
        _CACHE[key] = rr
    return rr


def simulate(model: Model, segments: list[Segment], grids: list[np.ndarray], y0: dict[str, float],
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
