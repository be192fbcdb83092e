"""What an engine needs from a model: a structural interface, not a biology import.

Engines know no biology (the layering rule): they integrate anything shaped like a
declarative model. :class:`noradsim.model.core.Model` satisfies :class:`ModelSpec`
without importing this module; these protocols only document and type the contract.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol


class CompartmentSpec(Protocol):
    name: str
    size: str | float  # a parameter name or a number


class SpeciesSpec(Protocol):
    name: str
    compartment: str
    initial: float
    unit: str


class ParameterSpec(Protocol):
    name: str
    value: float
    unit: str
    species: str
    source: str


class ParameterSetSpec(Protocol):
    def __iter__(self) -> Iterator[ParameterSpec]: ...

    def __getitem__(self, name: str) -> ParameterSpec: ...

    def values(self) -> dict[str, float]: ...


class ReactionSpec(Protocol):
    name: str
    rate: str
    reactants: dict[str, float]
    products: dict[str, float]


class RuleSpec(Protocol):
    name: str
    expression: str
    unit: str


class ModelSpec(Protocol):
    """A declarative kinetic model (SBML semantics; see :mod:`noradsim.model.core`)."""

    name: str
    compartments: Iterable[CompartmentSpec]
    species: Iterable[SpeciesSpec]
    parameters: ParameterSetSpec
    reactions: Iterable[ReactionSpec]
    rules: Iterable[RuleSpec]

    @property
    def species_names(self) -> list[str]: ...

    @property
    def rule_names(self) -> list[str]: ...

    def initial_state(self) -> dict[str, float]: ...

    def fingerprint(self) -> str: ...

    def stoichiometry(self) -> dict[str, dict[str, float]]: ...
