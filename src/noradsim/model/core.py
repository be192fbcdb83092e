"""Declarative models: compartments, species, reactions and assignment rules.

A :class:`Model` is data (the PySB idea): it says *what* reacts, never *how* to
integrate it. Engines (:mod:`noradsim.engine`) turn the same declaration into SBML for
libroadrunner or into a numpy right-hand side for scipy. Rate expressions are strings in
a small, safe subset of infix arithmetic shared by SBML (via Antimony) and numpy:
``+ - * / ^``, parentheses, numbers, names, and the functions in :data:`FUNCTIONS`.

Semantics are those of SBML with ``hasOnlySubstanceUnits=false``: a species symbol is a
concentration; a reaction rate is an amount per time (concentration x compartment size);
``d[S]/dt = sum(stoichiometry * rate) / size(compartment of S)``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from ..errors import InputError
from ..parameters import Parameter, ParameterSet

_UNITS_CHECKED: set[str] = set()  # unit checks passed, by structure and units
FUNCTIONS = ("exp", "ln", "log", "sqrt", "abs", "pow", "max", "min", "tanh")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Compartment:
    """A volume that species live in; ``size`` names a parameter or is a number."""

    name: str
    size: str | float = 1.0
    description: str = ""


@dataclass(frozen=True)
class Species:
    """A state variable (a concentration in ``unit``) with its initial value."""

    name: str
    compartment: str
    initial: float
    unit: str = "nM"
    description: str = ""


@dataclass(frozen=True)
class Reaction:
    """A process with a rate (amount/time) and integer-free stoichiometry.

    ``reactants`` and ``products`` map species names to stoichiometric coefficients.
    A reaction with no reactants is a source (synthesis, infusion, equilibration).
    """

    name: str
    rate: str
    reactants: dict[str, float] = field(default_factory=dict)
    products: dict[str, float] = field(default_factory=dict)
    description: str = ""
    mechanism: str = ""


@dataclass(frozen=True)
class Rule:
    """An assignment rule ``name = expression``, evaluated in declaration order."""

    name: str
    expression: str
    unit: str = ""
    description: str = ""


@dataclass(frozen=True)
class Model:
    """A declarative kinetic model: the single source for every engine and exporter."""

    name: str
    compartments: tuple[Compartment, ...]
    species: tuple[Species, ...]
    parameters: ParameterSet
    reactions: tuple[Reaction, ...]
    rules: tuple[Rule, ...] = ()
    description: str = ""

    def __post_init__(self):
        self.check()

    @property
    def species_names(self) -> list[str]:
        return [s.name for s in self.species]

    @property
    def rule_names(self) -> list[str]:
        return [r.name for r in self.rules]

    def initial_state(self) -> dict[str, float]:
        return {s.name: s.initial for s in self.species}

    def fingerprint(self) -> str:
        """A hash of the structure (not the parameter values): engines cache on it."""
        parts = [self.name]
        parts += [f"C {c.name} {c.size}" for c in self.compartments]
        parts += [f"S {s.name} {s.compartment}" for s in self.species]
        parts += [f"P {p.name}" for p in self.parameters]
        parts += [f"R {r.name} {r.rate} {sorted(r.reactants.items())} {sorted(r.products.items())}" for r in self.reactions]
        parts += [f"A {r.name} {r.expression}" for r in self.rules]
        return hashlib.sha1("\n".join(parts).encode()).hexdigest()[:16]

    def check(self) -> None:
        """Every name used is declared; no name is declared twice."""
        declared: dict[str, str] = {}
        for kind, names in (
            ("compartment", [c.name for c in self.compartments]),
            ("species", self.species_names),
            ("parameter", [p.name for p in self.parameters]),
            ("rule", self.rule_names),
        ):
            for n in names:
                if n in declared:
                    raise InputError(f"model {self.name}: {n!r} declared as {declared[n]} and {kind}")
                declared[n] = kind
        comps = {c.name for c in self.compartments}
        for s in self.species:
            if s.compartment not in comps:
                raise InputError(f"model {self.name}: species {s.name} in unknown compartment {s.compartment}")
        seen_rules: set[str] = set()
        for r in self.rules:
            self._check_expr(r.expression, f"rule {r.name}", declared, seen_rules)
            seen_rules.add(r.name)
        for rx in self.reactions:
            self._check_expr(rx.rate, f"reaction {rx.name}", declared, set(self.rule_names))
            for sp in list(rx.reactants) + list(rx.products):
                if declared.get(sp) != "species":
                    raise InputError(f"model {self.name}: reaction {rx.name} uses undeclared species {sp}")

    def _check_expr(self, expr: str, where: str, declared: dict, rules_ok: set) -> None:
        for n in _NAME.findall(expr):
            if n in FUNCTIONS:
                continue
            if n not in declared:
                raise InputError(f"model {self.name}: {where} uses undeclared name {n!r}")
            if declared[n] == "rule" and n not in rules_ok:
                raise InputError(f"model {self.name}: {where} uses rule {n!r} before it is defined")

    def check_units(self) -> None:
        """Check every rate law and rule against the declared units (see :mod:`.unitcheck`).

        Raises :class:`noradsim.units.UnitError` (an :class:`InputError`) naming the
        reaction or rule and both dimensions. Results are cached per structure and units.
        """
        key = self._units_key()
        if key in _UNITS_CHECKED:
            return
        from .unitcheck import check_model_units

        check_model_units(self)
        _UNITS_CHECKED.add(key)

    def _units_key(self) -> str:
        parts = [self.fingerprint()]
        parts += [f"{p.name} {p.unit}" for p in self.parameters]
        parts += [f"{s.name} {s.unit}" for s in self.species]
        parts += [f"{r.name} {r.unit}" for r in self.rules]
        return hashlib.sha1("\n".join(parts).encode()).hexdigest()

    def with_parameters(self, overrides: dict[str, float]) -> "Model":
        """A copy with some parameter values replaced (names and bounds checked)."""
        return Model(self.name, self.compartments, self.species, self.parameters.updated(overrides),
                     self.reactions, self.rules, self.description)

    def stoichiometry(self) -> dict[str, dict[str, float]]:
        """``{species: {reaction: coefficient}}`` (products positive)."""
        out: dict[str, dict[str, float]] = {s.name: {} for s in self.species}
        for rx in self.reactions:
            for sp, c in rx.reactants.items():
                out[sp][rx.name] = out[sp].get(rx.name, 0.0) - c
            for sp, c in rx.products.items():
                out[sp][rx.name] = out[sp].get(rx.name, 0.0) + c
        return out


class ModelBuilder:
    """Collects the pieces of a model; building blocks add to it and return names.

    >>> b = ModelBuilder("decay")
    >>> b.compartment("cell")
    'cell'
    >>> b.parameter("k", 0.1, "1/s", "any", "assumed: example")
    'k'
    >>> b.species("A", "cell", 10.0)
    'A'
    >>> b.reaction("A_decay", "k*A", reactants={"A": 1})
    'A_decay'
    >>> b.build().species_names
    ['A']
    """

    def __init__(self, name: str, description: str = ""):
        self.name = name
        self.description = description
        self._comps: list[Compartment] = []
        self._species: list[Species] = []
        self._params: dict[str, Parameter] = {}
        self._reactions: list[Reaction] = []
        self._rules: list[Rule] = []

    def compartment(self, name, size: str | float = 1.0, description: str = "") -> str:
        self._comps.append(Compartment(name, size, description))
        return name

    def species(self, name, compartment, initial: float, unit: str = "nM", description: str = "") -> str:
        self._species.append(Species(name, compartment, float(initial), unit, description))
        return name

    def parameter(self, name, value, unit, species, source, description: str = "", **kw) -> str:
        if name in self._params:
            raise InputError(f"model {self.name}: parameter {name} declared twice")
        self._params[name] = Parameter(name, float(value), unit, species, source, description, **kw)
        return name

    def add_parameter(self, p: Parameter) -> str:
        if p.name in self._params:
            raise InputError(f"model {self.name}: parameter {p.name} declared twice")
        self._params[p.name] = p
        return p.name

    def has(self, name: str) -> bool:
        return name in self._params or any(r.name == name for r in self._rules)

    def reaction(self, name, rate, reactants=None, products=None, description: str = "", mechanism: str = "") -> str:
        self._reactions.append(Reaction(name, rate, dict(reactants or {}), dict(products or {}), description, mechanism))
        return name

    def rule(self, name, expression, unit: str = "", description: str = "") -> str:
        self._rules.append(Rule(name, expression, unit, description))
        return name

    def build(self) -> Model:
        """The model, with names checked and units checked (:meth:`Model.check_units`)."""
        model = Model(self.name, tuple(self._comps), tuple(self._species), ParameterSet(dict(self._params)),
                      tuple(self._reactions), tuple(self._rules), self.description)
        model.check_units()
        return model
