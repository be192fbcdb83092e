"""Engines: one declaration, two integrators.

:func:`integrate` is the one verb: ``integrate(model, segments, y0=..., engine="roadrunner")``.
``"roadrunner"`` compiles the model's SBML with libroadrunner (the production path);
``"scipy"`` integrates a numpy right-hand side generated from the same declaration with
``scipy.integrate.solve_ivp`` (the independent reference).
"""

from __future__ import annotations

import numpy as np

from ..errors import unknown
from .spec import ModelSpec
from .trajectory import Segment, Trajectory, output_grid

ENGINES = ("roadrunner", "scipy")


def integrate(model: ModelSpec, segments: list[Segment], *, y0: dict[str, float] | None = None,
             dt: float = 60.0, engine: str = "roadrunner", rtol: float = 1e-8, atol: float = 1e-12,
             grids: list[np.ndarray] | None = None) -> Trajectory:
    """Integrate ``model`` through ``segments`` and report every ``dt`` seconds.

    Parameters
    ----------
    model : ModelSpec
        The declaration (a :class:`noradsim.model.core.Model` or anything shaped like it).
    segments : list of Segment
        Consecutive stretches of time with their parameter overrides and bolus bumps.
    y0 : dict, optional
        Initial concentrations (default: the species' declared initial values).
    dt : float
        Output step in seconds.
    engine : {"roadrunner", "scipy"}
    """
    if engine not in ENGINES:
        raise unknown("engine", engine, ENGINES)
    y0 = dict(model.initial_state() if y0 is None else y0)
    grids = grids if grids is not None else output_grid(segments, dt)
    if engine == "roadrunner":
        from .roadrunner_engine import simulate as run
        return run(model, segments, grids, y0, rtol=rtol, atol=atol)
    from .scipy_engine import simulate as run
    return run(model, segments, grids, y0, rtol=rtol, atol=atol)


__all__ = ["integrate", "Segment", "Trajectory", "ENGINES"]
