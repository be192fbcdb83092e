"""Parameter records: every number has a value, a unit, a species and its provenance.

A :class:`Parameter` is the lmfit ``Parameter`` idea plus what science needs (unit,
species, provenance). Parameter tables are TOML files under ``noradsim/data``; each entry
is an inline table ``{ value, unit, species, kind, ... , min, max, note }`` where
``kind`` says where the number comes from (:class:`Provenance`, ``docs/provenance.md``):

* ``measured``: ``source`` is the citation (what was measured, species, preparation);
* ``derived``: ``derivation`` is the formula with its named inputs;
* ``calibrated``: written by ``noradsim calibrate``: ``targets`` (target ids) and ``fit``;
* ``assumed``: ``reason`` and a plausible ``range = [low, high]``;
* ``setting``: not a property of the rat but a choice of the virtual experiment's protocol
  or of the numerics; ``reason`` starts with ``protocol:`` (the experiment may override
  it) or ``numerical:`` (and names the test that shows the result it feeds is converged).
  Settings are not model parameters and are not counted (``docs/provenance.md``).

``note`` holds working notes (what was checked, what to check); ``verified`` says whether
the number was read in the cited source. A table without ``kind`` (older user files) is
``measured`` unless its ``source`` starts with ``assumed:`` (or ``derived:``).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

from .errors import InputError, unknown

ALLOWED_SPECIES = ("rat", "mouse", "cat", "monkey", "human", "guinea_pig", "rabbit", "cow", "horse", "frog", "any")
KINDS = ("measured", "derived", "calibrated", "assumed")  # the kinds of a model parameter (counted)
SETTING = "setting"  # a protocol or numerical setting: a record kind, not a parameter (not counted)
RECORD_KINDS = KINDS + (SETTING,)
SETTING_TYPES = ("protocol", "numerical")
PROVENANCE_FIELDS = ("kind", "source", "derivation", "reason", "range", "targets", "fit", "note", "verified")


@dataclass(frozen=True)
class Provenance:
    """Where a number comes from.

    Attributes
    ----------
    kind : str
        One of :data:`RECORD_KINDS` (a parameter's kind, or ``setting``).
    source : str
        Citation (required for ``measured``; optional context otherwise).
    derivation : str
        Formula with named inputs (``derived``).
    reason : str
        Why the value is assumed (``assumed``); for a ``setting``, ``protocol: ...`` or
        ``numerical: ...`` (the latter naming its convergence test).
    range : tuple of float or None
        Plausible ``(low, high)`` in the value's unit (``assumed``).
    targets : tuple of str
        Target ids the value was calibrated on (``calibrated``).
    fit : str
        How the calibration was done (``calibrated``).
    note : str
        Working notes; never part of the citation.
    verified : bool or None
        Whether the number was read in the cited source (None: not stated).
    """

    kind: str
    source: str = ""
    derivation: str = ""
    reason: str = ""
    range: tuple[float, float] | None = None
    targets: tuple[str, ...] = ()
    fit: str = ""
    note: str = ""
    verified: bool | None = None

    def text(self) -> str:
        """The user-facing provenance in one line (no working notes)."""
        extra = f"; {self.source}" if self.source else ""
        if self.kind == "derived":
            return f"derived: {self.derivation}{extra}"
        if self.kind == "assumed":
            return f"assumed: {self.reason}{extra}"
        if self.kind == "calibrated":
            return f"calibrated on {', '.join(self.targets)} ({self.fit}){extra}"
        if self.kind == SETTING:
            return f"setting, {self.reason}{extra}"
        return self.source

    @property
    def setting_type(self) -> str:
        """``protocol`` or ``numerical`` for a setting (the start of its ``reason``), else ``""``."""
        if self.kind != SETTING:
            return ""
        return self.reason.split(":", 1)[0].strip()

    def cited_text(self) -> str:
        """Everything that may cite a paper for the value (source, derivation, reason, fit)."""
        return " | ".join(t for t in (self.source, self.derivation, self.reason, self.fit) if t)


def _legacy(source: str) -> Provenance:
    low = source.strip().lower()
    for kind, key in (("assumed", "reason"), ("derived", "derivation"), ("calibrated", "fit")):
        if low.startswith(kind):
            rest = source.strip()[len(kind):].lstrip(" :")
            return Provenance(kind, **{key: rest or source})
    return Provenance("measured", source=source)


def _text_field(entry: dict, key: str, where: str, required: bool) -> str:
    val = entry.get(key, "")
    if not isinstance(val, str):
        raise InputError(f"{where}: {key} must be text, got {val!r}")
    if required and not val.strip():
        raise InputError(f"{where}: {key} must not be empty")
    return val.strip()


def _range(entry: dict, where: str, value: float | None) -> tuple[float, float]:
    r = entry.get("range")
    ok = isinstance(r, (list, tuple)) and len(r) == 2 and all(
        isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in r)
    if not ok or r[0] > r[1]:
        raise InputError(f"{where}: range must be [low, high] (plausible values, low <= high), got {r!r}")
    if value is not None and not r[0] <= value <= r[1]:
        raise InputError(f"{where}: range {list(r)} does not contain the value {value:g}")
    return float(r[0]), float(r[1])


def read_provenance(entry: dict, where: str, value: float | None = None) -> Provenance:
    """The :class:`Provenance` of one inline table; bad fields raise :class:`InputError`.

    Parameters
    ----------
    entry : dict
        The value's table (``kind``, ``source``, ``derivation``, ``reason``, ``range``,
        ``targets``, ``fit``, ``note``, ``verified``).
    where : str
        File and field, for error messages.
    value : float, optional
        The value, checked to lie inside an assumed ``range``.

    Examples
    --------
    >>> read_provenance({"source": "assumed: typical"}, "x").kind
    'assumed'
    >>> read_provenance({"kind": "derived", "derivation": "ln2 / 2.93 s"}, "x").text()
    'derived: ln2 / 2.93 s'
    """
    if "source" in entry:
        _text_field(entry, "source", where, True)
    note = _text_field(entry, "note", where, False)
    verified = entry.get("verified")
    if verified is not None and not isinstance(verified, bool):
        raise InputError(f"{where}: verified must be true or false, got {verified!r}")
    if "kind" not in entry:
        if not str(entry.get("source", "")).strip():
            raise InputError(f"{where}: needs kind (one of {', '.join(RECORD_KINDS)}) or a source")
        return replace(_legacy(str(entry["source"])), note=note, verified=verified)
    kind = entry["kind"]
    if kind not in RECORD_KINDS:
        raise unknown(f"{where}: kind", kind, RECORD_KINDS)
    source = _text_field(entry, "source", where, kind == "measured")
    fields = {"derivation": kind == "derived", "reason": kind in ("assumed", SETTING), "fit": kind == "calibrated"}
    texts = {k: _text_field(entry, k, where, req) for k, req in fields.items()}
    if kind == SETTING:
        _check_setting_reason(texts["reason"], where)
    rng = _range(entry, where, value) if kind == "assumed" or "range" in entry else None
    targets = entry.get("targets", [])
    if kind == "calibrated" and (not isinstance(targets, list) or not targets
                                 or not all(isinstance(t, str) and t for t in targets)):
        raise InputError(f"{where}: targets must be a non-empty list of target ids, got {targets!r}")
    return Provenance(kind, source, range=rng, targets=tuple(targets), note=note, verified=verified, **texts)


def _check_setting_reason(reason: str, where: str) -> None:
    """A setting's reason says which kind of setting it is; a numerical one names its test."""
    head, _, rest = reason.partition(":")
    if head.strip() not in SETTING_TYPES or not rest.strip():
        raise InputError(f"{where}: reason of a setting must start with 'protocol:' or 'numerical:' "
                         f"and say why, got {reason!r}")
    if head.strip() == "numerical" and "tests/" not in rest:
        raise InputError(f"{where}: reason of a numerical setting must name the test that shows the result "
                         f"is converged (tests/...), got {reason!r}")


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
        The provenance in one line (:meth:`Provenance.text`): the citation of a measured
        value, ``"derived: <formula>"``, ``"assumed: <why>"`` or the calibration.
    provenance : Provenance, optional
        Kind, citation, derivation, range and notes (inferred from ``source`` if omitted).
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
    provenance: Provenance | None = None

    def __post_init__(self):
        if self.provenance is None:
            object.__setattr__(self, "provenance", replace(_legacy(self.source), note=self.note))

    @property
    def kind(self) -> str:
        """``measured``, ``derived``, ``calibrated``, ``assumed`` (or ``setting``: not a parameter)."""
        return self.provenance.kind

    @property
    def assumed(self) -> bool:
        return self.kind == "assumed"

    @property
    def is_setting(self) -> bool:
        """A protocol or numerical setting (kind ``setting``), not a model parameter."""
        return self.kind == SETTING

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
        raise InputError(f"{where}: parameter {name} must be a table with value, unit, species, kind")
    for key in ("value", "unit", "species"):
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
    prov = read_provenance(entry, f"{where}: parameter {name}", float(value))
    return Parameter(
        name=name,
        value=float(value),
        unit=str(entry["unit"]),
        species=str(entry["species"]),
        source=prov.text(),
        description=str(entry.get("description", "")),
        min=lo,
        max=hi,
        note=prov.note,
        provenance=prov,
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
