"""The engines' common input (segments) and output (trajectory)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Segment:
    """A stretch of time with constant parameter overrides.

    ``bumps`` are added to species concentrations at ``t_start`` (a bolus dose);
    ``parameters`` hold for the whole segment (a perfusate change, an infusion,
    a stressor). Overrides are relative to the model's own values, not cumulative.
    """

    t_start: float
    t_stop: float
    parameters: dict[str, float] = field(default_factory=dict)
    bumps: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Trajectory:
    """Time course of every species and rule: ``values[name]`` is an array over ``time``."""

    time: np.ndarray
    values: dict[str, np.ndarray]
    engine: str

    def __getitem__(self, name: str) -> np.ndarray:
        return self.values[name]

    def final_state(self, species: list[str]) -> dict[str, float]:
        return {s: float(self.values[s][-1]) for s in species}


def output_grid(segments: list[Segment], dt: float) -> list[np.ndarray]:
    """Output times per segment: a regular grid with step ``dt`` plus both ends."""
    grids = []
    for seg in segments:
        n = max(int(np.ceil((seg.t_stop - seg.t_start) / dt)), 1)
        grids.append(np.linspace(seg.t_start, seg.t_stop, n + 1))
    return grids
