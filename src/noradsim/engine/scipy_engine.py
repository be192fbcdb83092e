"""The reference engine: the same declaration as a numpy right-hand side for scipy.

Independent of libroadrunner and of the SBML path, so agreement between the two engines
tests the compiler, the exporter and the integrator together.
"""

from __future__ import annotations

import math
import re

import numpy as np
from scipy.integrate import solve_ivp

from .spec import ModelSpec
from .trajectory import Segment, Trajectory

_PY = {"ln": "math.log", "exp": "_exp", "sqrt": "math.sqrt", "abs": "abs", "pow": "math.pow",
       "max": "max", "min": "min", "tanh": "math.tanh", "log": "math.log"}
_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _exp(x: float) -> float:
    return math.exp(min(x, 700.0))


def _py(expr: str) -> str:
    expr = expr.replace("^", "**")
    return _TOKEN.sub(lambda m: _PY.get(m.group(0), m.group(0)), expr)


def _size(c) -> str:
    return c.size if isinstance(c.size, str) else repr(float(c.size))


def compile_rhs(model: ModelSpec):
    """Generate ``rhs(t, y, p) -> dy`` and ``observe(y, p) -> rules`` from the declaration."""
    species = model.species_names
    params = [p.name for p in model.parameters]
    comps = {c.name: c for c in model.compartments}
    lines = ["def rhs(t, y, p):"]
    lines += [f"    {n} = p[{i}]" for i, n in enumerate(params)]
    for c in model.compartments:
        lines.append(f"    {c.name} = {_size(c)}")
    lines += [f"    {n} = y[{i}]" for i, n in enumerate(species)]
    lines += [f"    {r.name} = {_py(r.expression)}" for r in model.rules]
    lines += [f"    {rx.name} = {_py(rx.rate)}" for rx in model.reactions]
    stoich = model.stoichiometry()
    terms = []
    for s in model.species:
        parts = [f"({c!r})*{rx}" for rx, c in stoich[s.name].items() if c != 0]
        size = comps[s.compartment].name
        terms.append(f"({' + '.join(parts)})/{size}" if parts else "0.0")
    lines.append(f"    return [{', '.join(terms)}]")
    lines.append("def observe(y, p):")
    lines += [f"    {n} = p[{i}]" for i, n in enumerate(params)]
    for c in model.compartments:
        lines.append(f"    {c.name} = {_size(c)}")
    lines += [f"    {n} = y[{i}]" for i, n in enumerate(species)]
    lines += [f"    {r.name} = {_py(r.expression)}" for r in model.rules]
    lines.append(f"    return [{', '.join(model.rule_names)}]")
    namespace = {"math": math, "_exp": _exp}
    exec(compile("\n".join(lines), f"<noradsim model {model.name}>", "exec"), namespace)  # noqa: S102 (our own declarations)
    return namespace["rhs"], namespace["observe"], params


def simulate(model: ModelSpec, segments: list[Segment], grids: list[np.ndarray], y0: dict[str, float],
             *, rtol: float = 1e-8, atol: float = 1e-12, method: str = "LSODA") -> Trajectory:
    """Integrate with ``scipy.integrate.solve_ivp`` over the same segments."""
    rhs, observe, params = compile_rhs(model)
    base = model.parameters.values()
    species = model.species_names
    y = np.array([y0[s] for s in species], dtype=float)
    times, states = [], []
    for seg, grid in zip(segments, grids):
        p = np.array([seg.parameters.get(n, base[n]) for n in params], dtype=float)
        for s, dv in seg.bumps.items():
            y[species.index(s)] += dv
        sol = solve_ivp(rhs, (seg.t_start, seg.t_stop), y, method=method, t_eval=grid, args=(p,),
                        rtol=rtol, atol=atol)
        if not sol.success:
            raise RuntimeError(f"scipy {method} failed on {model.name}: {sol.message}")
        times.append(sol.t)
        ys = sol.y.T
        obs = np.array([observe(row, p) for row in ys]).reshape(len(ys), -1)
        states.append(np.hstack([ys, obs]))
        y = ys[-1].copy()
    data = np.vstack(states)
    names = species + model.rule_names
    return Trajectory(np.concatenate(times), {n: data[:, i] for i, n in enumerate(names)}, f"scipy-{method}")
