"""Units at the boundary: strings with units are checked and converted here, once.

Inside the package every number is a plain float in fixed internal units
(the Brian2 convention): concentration nM, time s, rate Hz, potential mV, dose mg/kg,
infusion mg/kg/day, flow uL/min, mass per tissue ng/g.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass
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


# ---------------------------------------------------------------- units of expressions
#
# The Brian2 idea (brian2.equations.unitcheck.check_dimensions): every symbol in a rate
# law or rule carries its declared unit, the expression's unit is computed from the
# operators, and it must equal the declared unit of what it defines. Unlike Brian2 the
# scale matters too: numbers inside the package are plain floats in fixed units, so
# adding mM to uM (same dimension, factor 1000) is as wrong as adding mM to seconds.
# Expressions are read with a small AST walk (no eval): + - * / ^, numbers, names and
# the functions of noradsim.model.core.FUNCTIONS.

_TOL = 1e-9
_LOG_SCALE = "scale"  # second part of a symbolic atom: the log of the base's scale factor


class UnitError(InputError):
    """A rate law, rule or declaration whose units do not agree."""


@dataclass(frozen=True)
class Dim:
    """A unit as ``exp(log_factor) * prod(atom ** power)`` over SI root units.

    Atoms are pint root-unit names (``"mole"``, ``"meter"``, ``"second"``, ``"gram"``, ...)
    or, for a power with a symbolic exponent such as ``x^n`` (Hill coefficients),
    ``(exponent_text, root_unit)`` pairs, so that ``x^n/(x^n + k^n)`` is dimensionless
    when ``x`` and ``k`` have the same unit.
    """

    log_factor: float = 0.0
    powers: tuple = ()

    def _map(self) -> dict:
        return dict(self.powers)

    @staticmethod
    def _make(log_factor: float, powers: dict) -> "Dim":
        kept = tuple(sorted(((a, p) for a, p in powers.items() if abs(p) > _TOL), key=lambda ap: repr(ap[0])))
        return Dim(log_factor, kept)

    def __mul__(self, other: "Dim") -> "Dim":
        out = self._map()
        for a, p in other.powers:
            out[a] = out.get(a, 0.0) + p
        return Dim._make(self.log_factor + other.log_factor, out)

    def __truediv__(self, other: "Dim") -> "Dim":
        return self * other ** -1.0

    def __pow__(self, k: float) -> "Dim":
        return Dim._make(self.log_factor * k, {a: p * k for a, p in self.powers})

    def symbolic_power(self, exponent: str) -> "Dim":
        """``self ** exponent`` for a dimensionless exponent known only by name."""
        if any(not isinstance(a, str) for a, _ in self.powers):
            raise UnitError(f"a power of a symbolic power (^{exponent}) cannot be checked")
        out = {(exponent, a): p for a, p in self.powers}
        out[(exponent, _LOG_SCALE)] = self.log_factor
        return Dim._make(0.0, out)

    def same(self, other: "Dim") -> bool:
        """Equal dimension and equal scale (conversion factor 1)."""
        q = self / other
        return abs(q.log_factor) < _TOL and not q.powers

    @property
    def factor(self) -> float:
        return math.exp(self.log_factor)

    def _parts(self) -> tuple[dict, dict]:
        """Root-unit powers, and per symbolic exponent its ``(log scale, root-unit powers)``."""
        base, syms = {}, {}
        for a, p in self.powers:
            if isinstance(a, str):
                base[a] = p
            else:
                log_scale, powers = syms.setdefault(a[0], [0.0, {}])
                if a[1] == _LOG_SCALE:
                    syms[a[0]][0] = p
                else:
                    powers[a[1]] = p
        return base, syms

    def same_dimension(self, other: "Dim") -> bool:
        """Equal dimension, whatever the scale."""
        return all(not isinstance(a, str) and a[1] == _LOG_SCALE for a, _ in (self / other).powers)

    def dimensionality(self) -> str:
        """Dimension in pint's notation (``[substance] / [length] ** 3 / [time]``)."""
        base, syms = self._parts()
        parts = [str(_unit(base).dimensionality)] if base or not syms else []
        parts += [f"({_unit(p).dimensionality if p else 'dimensionless'})^{s}" for s, (_, p) in syms.items()]
        return " * ".join(parts) or "dimensionless"

    def __str__(self) -> str:
        base, syms = self._parts()
        parts = [_show(self.log_factor, base)] if base or abs(self.log_factor) > _TOL or not syms else []
        parts += [f"({_show(ls, p)})^{s}" for s, (ls, p) in syms.items()]
        return " * ".join(parts)


def _show(log_factor: float, powers: dict) -> str:
    factor = "" if abs(log_factor) < _TOL else f"{math.exp(log_factor):.6g}"
    unit = f"{_unit(powers):~C}" if powers else ""
    return " ".join(x for x in (factor, unit) if x) or "1"


ONE = Dim()


def _unit(powers: dict):
    """A pint unit from root-unit powers (for messages)."""
    u = ureg().Unit("")
    for name, p in powers.items():
        u = u * ureg().Unit(name) ** p
    return u


@lru_cache(maxsize=None)
def dim(unit: str) -> Dim:
    """The :class:`Dim` of a unit string (``"nM"``, ``"1/s"``, ``"L/h/kg"``; ``"1"`` = dimensionless).

    >>> (dim("nM") * dim("L")).same(dim("nmol"))
    True
    >>> dim("mM").same(dim("uM"))
    False
    """
    s = str(unit).strip().replace("µ", "u").replace("μ", "u")
    if s in ("", "1", "dimensionless"):
        return ONE
    try:
        q = ureg().Quantity(1.0, ureg().parse_units(s)).to_root_units()
    except Exception:
        raise UnitError(f"cannot read {unit!r} as a unit") from None
    return Dim._make(math.log(q.magnitude), dict(q.unit_items()))


def mismatch(actual: Dim, expected: Dim) -> str:
    """Why two units differ, naming both dimensions (or the scale factor between them)."""
    if actual.same_dimension(expected):
        return f"same dimension {expected.dimensionality()} but a scale factor of {actual / expected} between them"
    return f"dimension {actual.dimensionality()} vs {expected.dimensionality()}"


_DIMENSIONLESS_FUNCTIONS = ("exp", "ln", "log", "tanh")


def expression_dim(expr: str, symbols: dict[str, Dim], where: str = "expression") -> Dim:
    """The unit of an infix expression whose names have the units in ``symbols``.

    Numbers are dimensionless (as in Brian2). ``exp``, ``ln``, ``log`` and ``tanh`` take
    dimensionless arguments; ``min``, ``max`` and ``+``/``-`` need operands of the same
    unit; an exponent must be dimensionless, and a base with a unit needs a numeric
    exponent or a symbolic one that cancels (``x^n/(x^n + k^n)``).

    Raises
    ------
    UnitError
        Naming ``where``, the offending sub-expression and both dimensions.

    Examples
    --------
    >>> expression_dim("k*A", {"k": dim("1/s"), "A": dim("nM")}).same(dim("nM/s"))
    True
    >>> expression_dim("x^n/(x^n + k^n)", {"x": dim("mM"), "k": dim("mM"), "n": ONE}).same(ONE)
    True
    """
    try:
        tree = ast.parse(str(expr).replace("^", "**"), mode="eval")
    except SyntaxError:
        raise UnitError(f"{where}: cannot read {expr!r}") from None
    return _Walker(symbols, where).visit(tree.body)


class _Walker:
    def __init__(self, symbols: dict[str, Dim], where: str):
        self.symbols = symbols
        self.where = where

    def fail(self, node, why: str) -> UnitError:
        return UnitError(f"{self.where}: in {_text(node)!r}: {why}")

    def visit(self, node) -> Dim:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return ONE
        if isinstance(node, ast.Name):
            if node.id not in self.symbols:
                raise self.fail(node, f"{node.id!r} has no declared unit")
            return self.symbols[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return self.visit(node.operand)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            return self.same(node, [node.left, node.right], "adds or subtracts")
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            return self.visit(node.left) * self.visit(node.right)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            return self.visit(node.left) / self.visit(node.right)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            return self.power(node, node.left, node.right)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            return self.call(node, node.func.id, node.args)
        raise self.fail(node, "only + - * / ^, numbers, names and functions are allowed")

    def same(self, node, args, verb: str) -> Dim:
        units = [self.visit(a) for a in args]
        for a, u in zip(args[1:], units[1:]):
            if not u.same(units[0]):
                raise self.fail(node, f"{verb} {_text(args[0])!r} [{units[0]}] and {_text(a)!r} [{u}]: "
                                      f"{mismatch(u, units[0])}")
        return units[0]

    def dimensionless(self, node, arg) -> None:
        u = self.visit(arg)
        if not u.same(ONE):
            raise self.fail(node, f"{_text(arg)!r} must be dimensionless, has {mismatch(u, ONE)}")

    def power(self, node, base, exponent) -> Dim:
        self.dimensionless(node, exponent)
        b = self.visit(base)
        k = _constant(exponent)
        if k is not None:
            return b ** k
        if b.same(ONE):
            return ONE
        try:
            return b.symbolic_power(_text(exponent))
        except UnitError as exc:
            raise self.fail(node, str(exc)) from None

    def call(self, node, name: str, args) -> Dim:
        if name in _DIMENSIONLESS_FUNCTIONS and args:
            for a in args:
                self.dimensionless(node, a)
            return ONE
        if name == "sqrt" and len(args) == 1:
            return self.visit(args[0]) ** 0.5
        if name == "abs" and len(args) == 1:
            return self.visit(args[0])
        if name == "pow" and len(args) == 2:
            return self.power(node, args[0], args[1])
        if name in ("min", "max") and args:
            return self.same(node, list(args), f"{name} of")
        raise self.fail(node, f"unknown function {name!r} or wrong number of arguments")


def _text(node) -> str:
    """A sub-expression as the model writes it (``^`` for powers)."""
    return ast.unparse(node).replace("**", "^")


def _constant(node) -> float | None:
    """The value of a numeric literal (possibly signed or a ratio of literals), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = _constant(node.operand)
        return None if v is None else (-v if isinstance(node.op, ast.USub) else v)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Div, ast.Mult, ast.Add, ast.Sub)):
        a, b = _constant(node.left), _constant(node.right)
        if a is None or b is None or (isinstance(node.op, ast.Div) and b == 0):
            return None
        return {ast.Div: a / b if b else None, ast.Mult: a * b, ast.Add: a + b, ast.Sub: a - b}[type(node.op)]
    return None
