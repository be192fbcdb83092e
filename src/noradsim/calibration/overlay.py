"""The calibration overlay: calibrated values loaded over the data-file values.

``noradsim calibrate`` writes ``calibrated.toml``; the shipped copy is
``noradsim/data/calibrated.toml``. :func:`apply_overlay` replaces the value and the
source of every parameter named in it (at parameter load time) and remembers the
data-file value, so that a re-run of the calibration searches the same ranges.

Format (``schema = "noradsim-calibration/1"``)::

    [calibration]                     # how the values were obtained (command, seed, fit ...)
    [parameter.NAME]
    value = 40.1                      # the calibrated value, in the data file's unit
    kind = "calibrated"
    source = "calibrated: noradsim calibrate ..."
    targets = ["id", ...]             # the targets the fit used
    fit = 3.2                         # objective at the optimum (0.5 * sum of squared residuals)
    interval90 = [lo, hi]             # profile-likelihood 90 % confidence interval
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

from ..errors import InputError
from ..parameters import Parameter, data_path, read_toml

SCHEMA = "noradsim-calibration/1"
SHIPPED = "calibrated.toml"
_DATA_FILE_VALUES: dict[str, float] = {}


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
    p = Path(path) if path is not None else shipped_overlay_path()
    if path is None and not p.is_file():
        return {}
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


def apply_overlay(records: dict[str, Parameter], path: str | Path | None = None) -> dict[str, Parameter]:
    """``records`` with the overlay's calibrated values and sources (others unchanged).

    Names in the overlay that ``records`` lacks are ignored (each data file is loaded
    separately). The data-file value is kept for :func:`data_file_value`.
    """
    entries = read_overlay(path)
    if not entries:
        return records
    has_kind = "kind" in {f.name for f in dataclasses.fields(Parameter)}
    out = dict(records)
    for name, e in entries.items():
        if name not in out:
            continue
        p = out[name]
        v = float(e["value"])
        if not p.min <= v <= p.max:
            raise InputError(f"calibrated.toml: parameter.{name}.value {v} outside [{p.min}, {p.max}] {p.unit}")
        _DATA_FILE_VALUES.setdefault(name, p.value)
        extra = {"kind": "calibrated"} if has_kind else {}
        out[name] = dataclasses.replace(p, value=v, source=str(e["source"]), **extra)
    return out


def data_file_value(p: Parameter) -> float:
    """The value ``p`` has in its data file (before the overlay)."""
    return _DATA_FILE_VALUES.get(p.name, p.value)


def is_calibrated(p: Parameter) -> bool:
    """Whether ``p`` carries a value from the calibration overlay."""
    return p.source.startswith("calibrated")


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
        lines += ["", f"[parameter.{name}]"]
        lines += [f"{k} = {_toml_value(v)}" for k, v in entry.items()]
    path = Path(path)
    path.write_text("\n".join(lines) + "\n")
    read_overlay(path)  # what we write must read back
    return path
