"""Units at the boundary: strings with units are checked and converted here, once.

Inside the package every number is a plain float in fixed internal units
(the Brian2 convention): concentration nM, time s, rate Hz, potential mV, dose mg/kg,
infusion mg/kg/day, flow uL/min, mass per tissue ng/g.
"""

from __future__ import annotations

import math
from functools import lru_cache

import pint

from .errors import InputError

INTERNAL = {
    "concentration": "nM",
    "time": "s",
    "rate": "Hz",
    "potential": "mV",
    "dose": "mg/kg",
    "infusion": "mg/kg/day",
    "flow": "uL/min",
    "content": "ng/g",
    "current": "nA",
    "length": "um",
}


@lru_cache(maxsize=1)
def ureg() -> pint.UnitRegistry:
    """The package's unit registry (one, shared; molar units defined)."""
    reg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    reg.define("molar = mole / liter = M")
    return reg


def parse_quantity(text, kind: str, field: str, *, allow_negative: bool = False) -> float:
    """Convert ``"3 mg/kg"``-like text to a float in the internal unit of ``kind``.

    Parameters
    ----------
    text : str or number
        Quantity with its unit. A bare number is refused: the unit must be explicit.
    kind : str
        Key of :data:`INTERNAL` (``"dose"``, ``"time"``, ``"concentration"``, ...).
    field : str
        Name of the field, used in the error message.

    Examples
    --------
    >>> parse_quantity("3 mg/kg", "dose", "dose")
    3.0
    >>> parse_quantity("20 min", "time", "sample")
    1200.0
    >>> parse_quantity("1 uM", "concentration", "concentration")
    1000.0
    """
    target = INTERNAL[kind]
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise InputError(f"{field}: expected a quantity with a unit in {target}, got {text!r}")
    if not isinstance(text, str):
        raise InputError(f"{field}: {text!r} has no unit; write it like '{text} {target}'")
    s = text.strip().replace("µ", "u").replace("μ", "u")
    try:
        q = ureg().Quantity(s)
    except Exception:
        raise InputError(f"{field}: cannot read {text!r} as a quantity; write it like '3 {target}'") from None
    if not isinstance(q, pint.Quantity) or str(q.units) in ("", "dimensionless"):
        raise InputError(f"{field}: {text!r} has no unit; write it like '{text} {target}'")
    try:
        value = float(f"{float(q.to(target).magnitude):.12g}")
    except pint.DimensionalityError:
        raise InputError(
            f"{field}: {text!r} has the wrong dimension; expected a {kind} in units like {target}"
        ) from None
    if math.isnan(value) or math.isinf(value):
        raise InputError(f"{field}: {text!r} is not a finite number")
    if value < 0 and not allow_negative:
        raise InputError(f"{field}: {text!r} is negative; it must be >= 0")
    return value


def convert(value: float, unit: str, kind: str, field: str = "value") -> float:
    """Convert a number with a unit string to the internal unit of ``kind``.

    >>> convert(0.42, "uM", "concentration")
    420.0
    """
    return parse_quantity(f"{value} {unit}", kind, field, allow_negative=True)


def to_unit(value: float, unit_from: str, unit_to: str) -> float:
    """Convert a plain number between two unit strings.

    >>> to_unit(1.0, "L/h/kg", "mL/min/kg")
    16.666666666666668
    """
    return float(ureg().Quantity(value, unit_from).to(unit_to).magnitude)


def checked_number(value, field: str, *, integer: bool = False, low: float | None = None,
                   high: float | None = None) -> float:
    """A finite number (optionally whole, optionally within [low, high]) or an InputError naming ``field``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(f"{field}: must be a finite number, got {value!r}")
    if integer and (not isinstance(value, int) and not float(value).is_integer()):
        raise InputError(f"{field}: must be a whole number, got {value!r}")
    if low is not None and value < low:
        raise InputError(f"{field}: must be >= {low:g}, got {value:g}")
    if high is not None and value > high:
        raise InputError(f"{field}: must be <= {high:g}, got {value:g}")
    return int(value) if integer else float(value)
