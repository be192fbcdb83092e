"""Parameter records: every number has a value, a unit, a species and a source.

A :class:`Parameter` is the lmfit ``Parameter`` idea plus what science needs (unit,
species, citation). Parameter tables are TOML files under ``noradsim/data``; each entry
is an inline table ``{ value, unit, species, source, min, max, note }``. A source that
starts with ``assumed:`` says why no measurement is used.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

from .errors import InputError, unknown

ALLOWED_SPECIES = ("rat", "mouse", "cat", "monkey", "human", "guinea_pig", "rabbit", "cow", "horse", "any")


@dataclass(frozen=True)
class Parameter:
    """One cited model parameter.

    Attributes
    ----------
    name : str
        Identifier used in the model equations.
    value : float
        Value in ``unit`` (the model's internal unit for that quantity).
    unit : str
        Unit of ``value``; ``"1"`` for dimensionless.
    species : str
        Species the value was measured in (``"any"`` for physical constants).
    source : str
        Citation, or ``"assumed: <why>"``.
    """

    name: str
    value: float
    unit: str
    species: str
    source: str
    description: str = ""
    min: float = 0.0
    max: float = math.inf
    note: str = ""

    @property
    def assumed(self) -> bool:
        return self.source.lower().startswith("assumed")

    def with_value(self, value: float) -> "Parameter":
        return replace(self, value=float(value))


@dataclass(frozen=True)
class ParameterSet:
    """An ordered, immutable collection of :class:`Parameter` records."""

    records: dict[str, Parameter] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Parameter:
        try:
            return self.records[name]
        except KeyError:
            raise unknown("parameter", name, self.records) from None

    def __contains__(self, name: str) -> bool:
        return name in self.records

    def __iter__(self):
        return iter(self.records.values())

    def __len__(self) -> int:
        return len(self.records)

    def values(self) -> dict[str, float]:
        """Plain ``{name: value}`` for the engines."""
        return {k: p.value for k, p in self.records.items()}

    def updated(self, overrides: dict[str, float]) -> "ParameterSet":
        """A copy with some values replaced (names are checked, bounds enforced)."""
        new = dict(self.records)
        for k, v in overrides.items():
            p = self[k]
            v = float(v)
            if math.isnan(v) or v < p.min or v > p.max:
                raise InputError(f"parameter {k}: value {v} outside [{p.min}, {p.max}] {p.unit}")
            new[k] = p.with_value(v)
        return ParameterSet(new)


def _record(name: str, entry: dict, where: str) -> Parameter:
    if not isinstance(entry, dict):
        raise InputError(f"{where}: parameter {name} must be a table with value, unit, species, source")
    for key in ("value", "unit", "species", "source"):
        if key not in entry:
            raise InputError(f"{where}: parameter {name} lacks field {key!r}")
    value = entry["value"]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise InputError(f"{where}: parameter {name}: value must be a number, got {value!r}")
    lo = float(entry.get("min", 0.0))
    hi = float(entry.get("max", math.inf))
    if not lo <= value <= hi:
        raise InputError(f"{where}: parameter {name}: value {value} outside [{lo}, {hi}]")
    if entry["species"] not in ALLOWED_SPECIES:
        raise unknown(f"{where}: parameter {name}: species", entry["species"], ALLOWED_SPECIES)
    return Parameter(
        name=name,
        value=float(value),
        unit=str(entry["unit"]),
        species=str(entry["species"]),
        source=str(entry["source"]),
        description=str(entry.get("description", "")),
        min=lo,
        max=hi,
        note=str(entry.get("note", "")),
    )


def read_toml(path: str | Path) -> dict:
    """Read a TOML file; a syntax error becomes an :class:`InputError` naming the line."""
    from .errors import read_text

    path = Path(path)
    text = read_text(path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None


def data_path(name: str) -> Path:
    """Path of a data file shipped in ``noradsim/data``."""
    return Path(str(resources.files("noradsim") / "data" / name))


def load_parameter_table(path: str | Path, section: str = "parameters") -> ParameterSet:
    """Load ``[section]`` of a parameter TOML file into a :class:`ParameterSet`."""
    doc = read_toml(path)
    table = doc.get(section, {})
    return ParameterSet({k: _record(k, v, f"{Path(path).name} [{section}]") for k, v in table.items()})
