"""One sweep task on a worker: one sweep point, a chunk of virtual rats.

The model of a point is built, equilibrated and compiled once per worker process (the
module-level cache below; libroadrunner keeps one compiled instance per model structure),
then every rat of every task for that point runs through the same instance
(:func:`noradsim.engine.roadrunner_engine.simulate_batch`). A rat the solver cannot
integrate, or whose samples are not finite, is recorded as failed with the reason; it
never stops the task.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass

import numpy as np

from ..drugs import load_library
from ..protocols.microdialysis.population import SELECTIONS, _outcomes, _prepare
from ..protocols.timecourse import steady_state

OK, FAILED, PENDING = 0, 1, -1  # the ``status`` codes written to results.zarr
_PREPARED: dict = {}


@dataclass(frozen=True)
class TaskResult:
    """The outcome of one task: per-rat series and statistics, status and failure reasons."""

    point: int
    start: int
    percent: np.ndarray  # (rats, samples) % of each rat's own baseline
    peak: np.ndarray
    trough: np.ndarray
    status: np.ndarray  # int8: OK or FAILED
    reason: np.ndarray  # str: '' or why the rat failed


def prepared(config, library_files: tuple[str, ...]):
    """Model, probe, segments, output grids and drug-free state of one sweep point (cached)."""
    key = (pickle.dumps(config), library_files)
    hit = _PREPARED.get(key)
    if hit is None:
        library = load_library(list(library_files))
        model, probe, segs, grids = _prepare(config.conditions, library)
        if config.parameters:
            model = model.with_parameters(config.parameters)
        hit = (model, probe, segs, grids, steady_state(model))
        _PREPARED[key] = hit
    return hit


def run_task(config, library_files: tuple[str, ...], names: tuple[str, ...], factors: np.ndarray,
             point: int, start: int) -> TaskResult:
    """Run rats ``start .. start + len(factors)`` of sweep point ``point``."""
    from ..engine.roadrunner_engine import simulate_batch

    model, probe, segs, grids, y0 = prepared(config, library_files)
    base = model.parameters.values()
    sets = [{n: base[n] * f for n, f in zip(names, row)} for row in factors]
    errors: dict[int, str] = {}
    traj = simulate_batch(model, sets, segs, grids, y0, selections=SELECTIONS, errors=errors)
    times = np.concatenate(grids)
    width = 2 + len(sample_times(config))
    rows, status, reason = [], [], []
    for i in range(len(sets)):
        row, why = _one_rat(config, probe, model, traj[i], times, errors.get(i), width)
        rows.append(row)
        status.append(OK if not why else FAILED)
        reason.append(why)
    out = np.array(rows)
    return TaskResult(point, start, out[:, 2:], out[:, 0], out[:, 1], np.array(status, dtype=np.int8),
                      np.array(reason, dtype=object))


def sample_times(config) -> np.ndarray:
    """Start of each dialysate sample (s)."""
    from ..protocols.microdialysis.sampling import collect

    c = config.conditions
    lo, hi = min(c.baseline[0], c.window[0]), max(c.baseline[1], c.window[1])
    t = np.linspace(lo, hi, int((hi - lo) / min(60.0, c.sample / 10)) + 2)
    return collect(t, np.ones_like(t), c.sample, c.baseline, c.window).starts


def _one_rat(config, probe, model, traj, times, solver_error: str | None, width: int):
    if solver_error:
        return np.full(width, np.nan), f"solver: {solver_error}"
    try:
        row = _outcomes(config.conditions, probe, traj, times, SELECTIONS)
    except (ValueError, FloatingPointError, ZeroDivisionError) as exc:
        return np.full(width, np.nan), f"read-out: {exc}"
    if row.shape != (width,) or not np.all(np.isfinite(row)):
        bad = "no baseline sample" if not np.isfinite(row[0]) else "non-finite sample"
        return np.full(width, np.nan), f"read-out: {bad} (% of baseline not finite)"
    return row, ""
