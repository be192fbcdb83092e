"""The calibration overlay: calibrated values loaded over the data-file values.

``noradsim calibrate`` writes ``calibrated.toml``; the shipped copy is
``noradsim/data/calibrated.toml``. Every consumer of a shipped parameter table reads it
through :func:`file_records` (or :func:`section_records`), which applies the overlay, so
the terminal model, the LC rate model, the spiking LC population, regions, stimuli and
``noradsim params`` all see one value. There is no other loading path.

Names: a parameter directly inside a top-level table is named by its key
(``release_per_spike`` in ``terminal.toml [parameters]``); a deeper one by its dotted path
(``state.awake.drive`` in ``lc.toml``, ``stimulus.restraint.drive`` in ``stimuli.toml``,
``region.hippocampus.innervation``). Each overlay entry names its ``file``.

Format (``schema = "noradsim-calibration/1"``)::

    [calibration]                     # how the values were obtained (command, seed, fit ...)
    [parameter."state.awake.drive"]
    value = 3.1                       # the calibrated value, in the data file's unit
    file = "lc.toml"                  # the data file the parameter lives in
    kind = "calibrated"
    source = "calibrated: noradsim calibrate ..."
    targets = ["id", ...]             # the targets the fit used
    fit = 3.2                         # objective at the optimum (0.5 * sum of squared residuals)
    interval90 = [lo, hi]             # profile-likelihood 90 % confidence interval
"""

from __future__ import annotations

import dataclasses
import math
import re
from functools import lru_cache
from pathlib import Path

from ..errors import InputError
from ..parameters import Parameter, Provenance, _record, data_path, read_toml

SCHEMA = "noradsim-calibration/1"
SHIPPED = "calibrated.toml"
FLAT_FILES = ("terminal.toml", "lc.toml")  # files whose [parameters] an entry without ``file`` may name


def shipped_overlay_path() -> Path:
    """Path of the overlay the shipped model uses (``noradsim/data/calibrated.toml``)."""
    return data_path(SHIPPED)


def read_overlay(path: str | Path | None = None) -> dict[str, dict]:
    """``{name: entry}`` of an overlay file (empty when the shipped file does not exist).

    Raises
    ------
    InputError
        The schema is wrong, or an entry lacks a finite ``value`` or ``source``.
    """
    if path is None:
        return dict(_shipped_entries())
    return _read(Path(path))


_SHIPPED_ON = [True]


def use_shipped_overlay(on: bool) -> None:
    """Load the shipped overlay (default) or not: ``noradsim calibrate`` turns it off first.

    A calibration starts from the data files: a parameter it does not fit must keep its
    data-file value, not a value an earlier calibration shipped, so that the run depends
    only on its spec. Call it before any model table is loaded (the caches below it keep
    what they loaded).
    """
    _SHIPPED_ON[0] = bool(on)
    _shipped_entries.cache_clear()
    _file_records.cache_clear()


@lru_cache(maxsize=1)
def _shipped_entries() -> tuple:
    p = shipped_overlay_path()
    return tuple(_read(p).items()) if _SHIPPED_ON[0] and p.is_file() else ()


def _read(p: Path) -> dict[str, dict]:
    doc = read_toml(p)
    if doc.get("schema") != SCHEMA:
        raise InputError(f"{p}: schema must be {SCHEMA!r}, got {doc.get('schema')!r}")
    entries = doc.get("parameter", {})
    for name, e in entries.items():
        v = e.get("value") if isinstance(e, dict) else None
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise InputError(f"{p}: parameter.{name}.value must be a finite number")
        if not str(e.get("source", "")).startswith("calibrated"):
            raise InputError(f"{p}: parameter.{name}.source must start with 'calibrated'")
    return entries


def walk(table: dict, prefix: str, where: str):
    """``(dotted name, Parameter)`` for every value table (a table with ``value``) below ``table``."""
    for key, entry in table.items():
        if not isinstance(entry, dict):
            continue
        name = f"{prefix}{key}"
        if "value" in entry:
            yield name, _record(key, entry, where)
        else:
            yield from walk(entry, f"{name}.", where)


def canonical(dotted: str) -> str:
    """The overlay name of a dotted path: ``parameters.k`` → ``k``; deeper paths stay dotted."""
    parts = dotted.split(".")
    return parts[1] if len(parts) == 2 else dotted


def _entry_matches(name: str, entry: dict, file: str) -> bool:
    where = entry.get("file")
    return where == file if where else file in FLAT_FILES and "." not in name


def _calibrated(p: Parameter, e: dict, name: str) -> Parameter:
    if p.is_setting:
        raise InputError(f"calibrated.toml: parameter.{name} is a setting ({p.provenance.setting_type}), "
                         "not a model parameter; a setting cannot be calibrated")
    v = float(e["value"])
    if not p.min <= v <= p.max:
        raise InputError(f"calibrated.toml: parameter.{name}.value {v} outside [{p.min}, {p.max}] {p.unit}")
    targets = tuple(str(t) for t in e.get("targets", ())) or ("(unnamed)",)
    rng = tuple(e["range"]) if isinstance(e.get("range"), list) and len(e["range"]) == 2 else None
    prov = Provenance("calibrated", source=str(e["source"]), targets=targets, fit=f"0.5*SSR = {e.get('fit', '?')}",
                      range=rng, note=p.note, verified=None)
    return dataclasses.replace(p, value=v, source=str(e["source"]), provenance=prov)


def overlaid(file: str, records: dict[str, Parameter], path: str | Path | None = None) -> dict[str, Parameter]:
    """``records`` (keyed by overlay name) with the overlay's calibrated values and provenance.

    Entries for another file, or names ``records`` lacks, are ignored.
    """
    entries = read_overlay(path)
    out = dict(records)
    for name, e in entries.items():
        if name in out and _entry_matches(name, e, file):
            out[name] = _calibrated(out[name], e, name)
    return out


@lru_cache(maxsize=None)
def _file_records(file: str, calibrated: bool) -> tuple:
    raw = {canonical(n): p for n, p in walk(read_toml(data_path(file)), "", file)}
    return tuple((overlaid(file, raw) if calibrated else raw).items())


def file_records(file: str, *, calibrated: bool = True) -> dict[str, Parameter]:
    """Every parameter of a shipped data file by overlay name, the shipped overlay applied.

    ``calibrated=False`` gives the data-file values (what a calibration's search box is
    built from, so a re-run searches the same box).
    """
    return dict(_file_records(file, calibrated))


def section_records(file: str, section: str, *, calibrated: bool = True) -> dict[str, Parameter]:
    """The parameters of one top-level table ``[section]`` by key, overlay applied.

    Keys are the bare names for a flat table (``[parameters]``) and the rest of the dotted
    path for a nested one (``section_records("lc.toml", "state")["awake.drive"]``).
    """
    out = {}
    for name, p in file_records(file, calibrated=calibrated).items():
        if "." not in name:
            if _section_of(file, name) == section:
                out[name] = p
        elif name.startswith(section + "."):
            out[name[len(section) + 1:]] = p
    return out


@lru_cache(maxsize=None)
def _sections(file: str) -> dict[str, str]:
    doc = read_toml(data_path(file))
    return {k: s for s, t in doc.items() if isinstance(t, dict) for k, v in t.items()
            if isinstance(v, dict) and "value" in v}


def _section_of(file: str, name: str) -> str:
    return _sections(file).get(name, "")


def data_file_value(p: Parameter) -> float:
    """The value ``p`` has in its data file (before the overlay); kept for older callers."""
    for file in FLAT_FILES:
        raw = file_records(file, calibrated=False)
        if p.name in raw:
            return raw[p.name].value
    return p.value


def is_calibrated(p: Parameter) -> bool:
    """Whether ``p`` carries a value from the calibration overlay."""
    return p.kind == "calibrated"


_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(name: str) -> str:
    return name if _BARE.match(name) else '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(float(v)) if isinstance(v, float) else str(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    s = str(v).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{s}"'


def write_overlay(path: str | Path, calibration: dict, parameters: dict[str, dict]) -> Path:
    """Write an overlay: a ``[calibration]`` table and one ``[parameter.NAME]`` per value.

    Values are written as given (the caller rounds); keys keep their order, so the same
    calibration writes the same bytes.
    """
    lines = [f'schema = "{SCHEMA}"', "", "# Written by `noradsim calibrate`; do not edit by hand.", "",
             "[calibration]"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in calibration.items()]
    for name, entry in parameters.items():
        lines += ["", f"[parameter.{_key(name)}]"]
        lines += [f"{k} = {_toml_value(v)}" for k, v in entry.items()]
    path = Path(path)
    path.write_text("\n".join(lines) + "\n")
    read_overlay(path)  # what we write must read back
    return path
