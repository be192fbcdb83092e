"""A sweep file's ``[sweep]`` and ``[population]`` tables, checked before anything runs.

``[sweep]`` names fields of the experiment and the values each takes: a list
(``region = ["prefrontal_cortex", "hippocampus"]``) or a range
(``dose = { from = "0.1 mg/kg", to = "10 mg/kg", n = 4, scale = "log" }``). ``dose``,
``drug`` and ``route`` apply to the experiment's first intervention; ``region`` and
``state`` to its conditions. Every point of the product is parsed by the protocol's own
parser, so a bad combination fails here, naming the point, before any simulation.

``[population]`` gives ``n`` virtual rats whose ``parameters`` vary log-uniformly within
[1/``spread``, ``spread``] x their cited values, drawn from ``seed``: rat ``i`` has the
generator ``SeedSequence(seed, spawn_key=(i,))``, so its parameters do not depend on
``n``, the chunking or the number of workers, and it is the same rat at every sweep point
(a repeated-measures design: each rat has its own dose-response curve).
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..drugs import load_library
from ..errors import InputError, unknown
from ..protocols import microdialysis, read_experiment
from ..protocols.microdialysis.config import DEFAULT_POPULATION_PARAMETERS
from ..units import checked_number, parse_quantity

SWEEP_FIELDS = ("dose", "drug", "route", "region", "state")
INTERVENTION_FIELDS = ("dose", "drug", "route")
POPULATION_KEYS = ("n", "parameters", "spread", "seed", "sobol")
RANGE_KEYS = ("from", "to", "n", "scale")
UNITS = {"dose": "mg/kg"}


@dataclass(frozen=True)
class Axis:
    """One swept field: its values as coordinates (floats in internal units, or names)."""

    field: str
    values: tuple
    texts: tuple  # the values as the experiment file writes them

    @property
    def unit(self) -> str:
        return UNITS.get(self.field, "")


@dataclass(frozen=True)
class Population:
    """``n`` virtual rats; ``parameters`` vary log-uniformly within x/``spread``.

    With ``sobol_base`` > 0 the ``n`` subjects are SALib's Saltelli design of
    ``sobol_base`` base samples (:mod:`.sensitivity`), not independent rats.
    """

    n: int
    parameters: tuple[str, ...]
    spread: float
    seed: int
    sobol_base: int = 0

    def factors(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Multiplicative factors ``(stop - start, len(parameters))`` for rats ``start..stop``."""
        stop = self.n if stop is None else stop
        if self.sobol_base:
            from .sensitivity import saltelli_factors

            return saltelli_factors(self.parameters, self.spread, self.sobol_base, self.seed)[start:stop]
        half = math.log(self.spread)
        rows = [np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(i,)))
                .uniform(-half, half, size=len(self.parameters)) for i in range(start, stop)]
        return np.exp(np.array(rows).reshape(stop - start, len(self.parameters)))


@dataclass(frozen=True)
class SweepPlan:
    """Everything a sweep runs: the axes, one checked config per point, the population."""

    name: str
    axes: tuple[Axis, ...]
    configs: tuple  # one MicrodialysisConfig per point, in C order of the axes
    population: Population
    library_files: tuple[str, ...]
    fingerprint: str  # of the document: a resumed sweep must be the same sweep

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(a.values) for a in self.axes)

    def index(self, point: int) -> tuple[int, ...]:
        """The axis indices of point number ``point``."""
        return tuple(int(i) for i in np.unravel_index(point, self.shape))


def read_plan(path: str | Path, *, drugs=()) -> SweepPlan:
    """Read and check a sweep experiment file; raises :class:`InputError` naming the field."""
    path = Path(path)
    doc = read_experiment(path)
    where = path.name
    if doc.get("protocol") != "microdialysis":
        raise InputError(f"{where} protocol: a sweep runs 'microdialysis' (the time-course protocol); "
                         f"got {doc.get('protocol')!r}")
    if "uncertainty" in doc:
        raise InputError(f"{where} uncertainty: in a sweep file the virtual rats are the [population] table")
    files = tuple(str(path.parent / f) for f in doc.get("drugs", [])) + tuple(str(d) for d in drugs)
    return plan_from_document(doc, where, files)


def plan_from_document(doc: dict, where: str, library_files=()) -> SweepPlan:
    """The plan of an already-read document (``[sweep]``, ``[population]`` and the experiment)."""
    library = load_library(list(library_files))
    base = {k: v for k, v in doc.items() if k not in ("sweep", "population")}
    axes = parse_axes(doc.get("sweep"), base, where)
    pop = parse_population(doc.get("population"), doc.get("seed", 0), where)
    configs = []
    for combo in itertools.product(*(range(len(a.values)) for a in axes)):
        point = apply_point(base, axes, combo)
        label = ", ".join(f"{a.field} = {a.texts[i]}" for a, i in zip(axes, combo))
        configs.append(microdialysis.parse(point, where=f"{where} [sweep point {label}]", library=library))
    model_params = set(_model_parameters(configs[0], library))
    for name in pop.parameters:
        if name not in model_params:
            raise unknown(f"{where} population.parameters", name, sorted(model_params))
    digest = hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return SweepPlan(str(doc.get("name", where)), axes, tuple(configs), pop, tuple(library_files), digest)


def parse_axes(table, doc: dict, where: str) -> tuple[Axis, ...]:
    """The ``[sweep]`` table as axes, in the file's order."""
    if not isinstance(table, dict) or not table:
        raise InputError(f"{where} sweep: a [sweep] table naming at least one of {', '.join(SWEEP_FIELDS)}")
    axes = []
    for field, spec in table.items():
        if field not in SWEEP_FIELDS:
            raise unknown(f"{where} sweep field", field, SWEEP_FIELDS)
        if field in INTERVENTION_FIELDS and not doc.get("interventions"):
            raise InputError(f"{where} sweep.{field}: the experiment has no intervention to apply it to")
        axes.append(_range_axis(field, spec, f"{where} sweep.{field}") if isinstance(spec, dict)
                    else _list_axis(field, spec, f"{where} sweep.{field}"))
    return tuple(axes)


def _list_axis(field: str, spec, where: str) -> Axis:
    if not isinstance(spec, list) or not spec:
        raise InputError(f"{where}: a non-empty list of values or a range {{ from, to, n, scale }}")
    if field == "dose":
        values = tuple(parse_quantity(v, "dose", where) for v in spec)
    else:
        if not all(isinstance(v, str) for v in spec):
            raise InputError(f"{where}: a list of names, e.g. [\"prefrontal_cortex\", \"hippocampus\"]")
        values = tuple(spec)
    if len(set(values)) != len(values):
        raise InputError(f"{where}: values repeat")
    return Axis(field, values, tuple(str(v) for v in spec))


def _range_axis(field: str, spec: dict, where: str) -> Axis:
    if field != "dose":
        raise InputError(f"{where}: only 'dose' takes a range; give {field} as a list of names")
    for k in spec:
        if k not in RANGE_KEYS:
            raise unknown(f"{where} range field", k, RANGE_KEYS)
    if "from" not in spec or "to" not in spec:
        raise InputError(f"{where}: a range needs 'from' and 'to', e.g. {{ from = \"0.1 mg/kg\", to = \"10 mg/kg\", n = 4 }}")
    lo = parse_quantity(spec["from"], "dose", f"{where}.from")
    hi = parse_quantity(spec["to"], "dose", f"{where}.to")
    n = spec.get("n", 5)
    scale = spec.get("scale", "log")
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 1000:
        raise InputError(f"{where}.n: a whole number from 1 to 1000, got {n!r}")
    if scale not in ("log", "linear"):
        raise unknown(f"{where}.scale", scale, ("log", "linear"))
    if not hi > lo or (n > 1 and hi == lo):
        raise InputError(f"{where}: 'to' ({hi:g} mg/kg) must be above 'from' ({lo:g} mg/kg)")
    if scale == "log" and lo <= 0:
        raise InputError(f"{where}.from: a log range starts above 0 mg/kg, got {lo:g}")
    values = np.geomspace(lo, hi, n) if scale == "log" else np.linspace(lo, hi, n)
    values = tuple(float(v) for v in values)
    return Axis(field, values, tuple(f"{v:.6g} mg/kg" for v in values))


def apply_point(doc: dict, axes: tuple[Axis, ...], combo: tuple[int, ...]) -> dict:
    """A copy of the experiment document with one sweep point's values written in."""
    point = copy.deepcopy(doc)
    for axis, i in zip(axes, combo):
        if axis.field in INTERVENTION_FIELDS:
            value = f"{axis.values[i]!r} mg/kg" if axis.field == "dose" else axis.values[i]
            point["interventions"][0][axis.field] = value
        else:
            point[axis.field] = axis.values[i]
    return point


def parse_population(table, seed, where: str) -> Population:
    """The ``[population]`` table (defaults: 100 rats, the least certain parameters, 2-fold).

    ``sobol = true`` makes ``n`` the base sample count N of a Saltelli design:
    N x (parameters + 2) subjects, and Sobol indices of the peak at every sweep point.
    """
    table = {} if table is None else table
    if not isinstance(table, dict):
        raise InputError(f"{where} population: a table (n, parameters, spread, seed)")
    for k in table:
        if k not in POPULATION_KEYS:
            raise unknown(f"{where} population field", k, POPULATION_KEYS)
    n = table.get("n", 100)
    spread = table.get("spread", 2.0)
    seed = table.get("seed", seed)
    params = table.get("parameters", list(DEFAULT_POPULATION_PARAMETERS))
    sobol = table.get("sobol", False)
    if not isinstance(sobol, bool):
        raise InputError(f"{where} population.sobol: true or false, got {sobol!r}")
    n = checked_number(n, f"{where} population.n", integer=True, low=1, high=10_000_000)
    spread = checked_number(spread, f"{where} population.spread", low=1, high=100)
    seed = checked_number(seed, f"{where} population.seed", integer=True, low=0, high=2**63 - 1)
    if not isinstance(params, list) or not all(isinstance(p, str) for p in params) or len(set(params)) != len(params):
        raise InputError(f"{where} population.parameters: a list of distinct model parameter names")
    if sobol:
        if n < 2 or n * (len(params) + 2) > 10_000_000:
            raise InputError(f"{where} population.n: with sobol = true, the base sample count N (from 2, and "
                             f"N x (parameters + 2) <= 10000000), got {n!r}")
        return Population(n * (len(params) + 2), tuple(params), float(spread), seed, sobol_base=n)
    return Population(n, tuple(params), float(spread), seed)


def _model_parameters(config, library) -> list[str]:
    from ..model.terminal import build_terminal_model
    from ..protocols.timecourse import drug_uses

    cond = config.conditions
    model = build_terminal_model(cond.region, state=cond.state, drugs=drug_uses(cond.interventions), library=library)
    return list(model.parameters.values())
