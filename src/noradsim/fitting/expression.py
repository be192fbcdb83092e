"""Model expressions typed by users: parsed, checked, differentiated; never evaluated as Python.

An expression such as ``"Vmax*S/(Km + S)"`` is read with :func:`ast.parse` and kept only
if every node is one of a short whitelist (numbers, names, ``+ - * / **``, unary minus and
calls to the listed math functions). It is then turned into a small expression tree of
tuples that :func:`evaluate` walks with numpy, and that :func:`derivative` differentiates
symbolically, so the least-squares solver gets an exact Jacobian.

Nothing is passed to :func:`eval`, :func:`exec` or :func:`compile`: ``__import__('os')``,
attribute access, subscripts, lambdas, comprehensions and calls to any other function
are refused with an :class:`~noradsim.errors.InputError`.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass

import numpy as np

from ..errors import InputError, unknown

#: Functions a model may call, with their numpy implementation.
FUNCTIONS = {
    "exp": np.exp,
    "log": np.log,
    "log10": np.log10,
    "sqrt": np.sqrt,
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "arctan": np.arctan,
    "atan": np.arctan,
    "abs": np.abs,
}
#: Named constants a model may use.
CONSTANTS = {"pi": math.pi, "e": math.e}
# "powlog" is log(a) where the factor a**b*log(a) must vanish at a = 0 (the limit for b > 0):
# d(a**b)/db at a concentration of zero is 0, not nan.
_INTERNAL_FUNCTIONS = {"sign": np.sign, "powlog": lambda a: np.log(np.where(a == 0, 1.0, a))}
_MAX_LENGTH = 4000
_MAX_NODES = 2000

_BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
_OP_TEXT = {"add": "+", "sub": "-", "mul": "*", "mulz": "*", "div": "/", "pow": "**"}


def _refuse(node: ast.AST, text: str) -> InputError:
    kind = type(node).__name__
    hints = {
        "Attribute": "attribute access is not allowed",
        "Subscript": "subscripts are not allowed",
        "Lambda": "lambdas are not allowed",
        "BitXor": "'^' is not a power; write '**'",
    }
    why = hints.get(kind, f"{kind} is not allowed")
    return InputError(
        f"model: {why} in {text!r}; use numbers, names, + - * / **, and the functions "
        + ", ".join(sorted(FUNCTIONS))
    )


def _convert(node: ast.AST, text: str, names: set[str] | None, counter: list[int]):
    counter[0] += 1
    if counter[0] > _MAX_NODES:
        raise InputError(f"model: expression too large (more than {_MAX_NODES} terms)")
    if isinstance(node, ast.Expression):
        return _convert(node.body, text, names, counter)
    if isinstance(node, ast.Constant):
        v = node.value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise InputError(f"model: constant {v!r} is not a real number in {text!r}")
        return ("num", float(v))
    if isinstance(node, ast.Name):
        if node.id in CONSTANTS:
            return ("num", CONSTANTS[node.id])
        if node.id in FUNCTIONS:
            raise InputError(f"model: function {node.id!r} used without an argument in {text!r}")
        if names is not None and node.id not in names:
            raise unknown("model: name", node.id, sorted(names | set(CONSTANTS)))
        return ("var", node.id)
    if isinstance(node, ast.BinOp):
        op = _BINOPS.get(type(node.op))
        if op is None:
            raise _refuse(node.op, text)
        return (op, _convert(node.left, text, names, counter), _convert(node.right, text, names, counter))
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.USub):
            return ("neg", _convert(node.operand, text, names, counter))
        if isinstance(node.op, ast.UAdd):
            return _convert(node.operand, text, names, counter)
        raise _refuse(node.op, text)
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            raise _refuse(node.func, text)
        fname = node.func.id
        if fname not in FUNCTIONS:
            raise InputError(
                f"model: calling {fname!r} is not allowed; allowed functions: {', '.join(sorted(FUNCTIONS))}"
            )
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            raise InputError(f"model: {fname}() takes exactly one argument in {text!r}")
        name = "arctan" if fname == "atan" else fname
        return ("call", name, _convert(node.args[0], text, names, counter))
    raise _refuse(node, text)


def parse(text: str, names=None):
    """Parse ``text`` into an expression tree, refusing anything outside the whitelist.

    Parameters
    ----------
    text : str
        The model, e.g. ``"b1*(1 - exp(-b2*x))"``.
    names : iterable of str, optional
        Allowed variable names (data columns and parameters). ``None`` allows any name.

    Returns
    -------
    tuple
        Nested tuples: ``("num", v)``, ``("var", name)``, ``(op, a, b)`` for op in
        add/sub/mul/div/pow, ``("neg", a)``, ``("call", function, a)``.

    Examples
    --------
    >>> parse("2*x")
    ('mul', ('num', 2.0), ('var', 'x'))
    >>> parse("__import__('os')")
    Traceback (most recent call last):
    ...
    noradsim.errors.InputError: model: calling '__import__' is not allowed; allowed functions: abs, arctan, atan, cos, exp, log, log10, sin, sqrt, tan
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError("model: empty expression")
    if len(text) > _MAX_LENGTH:
        raise InputError(f"model: expression longer than {_MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise InputError(f"model: cannot parse {text!r}: {exc.msg} at column {exc.offset}") from None
    allowed = None if names is None else set(names)
    return _convert(tree, text, allowed, [0])


def variables(tree) -> set[str]:
    """Names of the variables used in an expression tree."""
    kind = tree[0]
    if kind == "num":
        return set()
    if kind == "var":
        return {tree[1]}
    if kind == "call":
        return variables(tree[2])
    return set().union(*(variables(t) for t in tree[1:]))


def evaluate(tree, env: dict):
    """Value of the expression tree with the numbers (or numpy arrays) in ``env``."""
    kind = tree[0]
    if kind == "num":
        return tree[1]
    if kind == "var":
        return env[tree[1]]
    if kind == "neg":
        return -evaluate(tree[1], env)
    if kind == "call":
        fn = FUNCTIONS.get(tree[1]) or _INTERNAL_FUNCTIONS[tree[1]]
        return fn(evaluate(tree[2], env))
    a = evaluate(tree[1], env)
    b = evaluate(tree[2], env)
    if kind == "add":
        return a + b
    if kind == "sub":
        return a - b
    if kind == "mul":
        return a * b
    if kind == "mulz":
        # product that is 0 when either factor is exactly 0 (d(a**b) at a = 0 with da = 0)
        return np.where((np.asarray(a) == 0) | (np.asarray(b) == 0), 0.0, a * b)
    if kind == "div":
        return a / b
    return np.power(a, b)


# --- symbolic differentiation with light simplification -------------------------------------

_ZERO = ("num", 0.0)
_ONE = ("num", 1.0)


def _num(tree) -> float | None:
    return tree[1] if tree[0] == "num" else None


def _add(a, b):
    if _num(a) == 0.0:
        return b
    if _num(b) == 0.0:
        return a
    if _num(a) is not None and _num(b) is not None:
        return ("num", a[1] + b[1])
    return ("add", a, b)


def _sub(a, b):
    if _num(b) == 0.0:
        return a
    if _num(a) == 0.0:
        return _neg(b)
    return ("sub", a, b)


def _neg(a):
    if _num(a) is not None:
        return ("num", -a[1])
    if a[0] == "neg":
        return a[1]
    return ("neg", a)


def _mul(a, b):
    if _num(a) == 0.0 or _num(b) == 0.0:
        return _ZERO
    if _num(a) == 1.0:
        return b
    if _num(b) == 1.0:
        return a
    if _num(a) == -1.0:
        return _neg(b)
    if _num(b) == -1.0:
        return _neg(a)
    return ("mul", a, b)


def _div(a, b):
    if _num(a) == 0.0:
        return _ZERO
    if _num(b) == 1.0:
        return a
    return ("div", a, b)


def derivative(tree, name: str):
    """Symbolic derivative of an expression tree with respect to variable ``name``.

    Examples
    --------
    >>> t = derivative(parse("a*x**2"), "a")
    >>> float(evaluate(t, {"a": 3.0, "x": 2.0}))
    4.0
    """
    if name not in variables(tree):
        return _ZERO
    kind = tree[0]
    if kind == "var":
        return _ONE
    if kind == "neg":
        return _neg(derivative(tree[1], name))
    if kind in ("add", "sub"):
        da, db = derivative(tree[1], name), derivative(tree[2], name)
        return _add(da, db) if kind == "add" else _sub(da, db)
    if kind == "mul":
        a, b = tree[1], tree[2]
        return _add(_mul(derivative(a, name), b), _mul(a, derivative(b, name)))
    if kind == "div":
        a, b = tree[1], tree[2]
        da, db = derivative(a, name), derivative(b, name)
        # (a/b)' = a'/b - (a/b) * b'/b keeps the quotient's own scale (no b**2 overflow)
        return _sub(_div(da, b), _mul(tree, _div(db, b)))
    if kind == "pow":
        a, b = tree[1], tree[2]
        da, db = derivative(a, name), derivative(b, name)
        term_a = _ZERO
        if _num(da) != 0.0:
            if _num(b) is not None:
                outer = _mul(b, ("pow", a, ("num", b[1] - 1.0)))
            else:
                outer = _mul(b, ("pow", a, _sub(b, _ONE)))
            term_a = outer if _num(da) == 1.0 else ("mulz", outer, da)
        term_b = _ZERO
        if _num(db) != 0.0:
            term_b = _mul(_mul(tree, ("call", "powlog", a)), db)
        return _add(term_a, term_b)
    if kind == "call":
        fn, a = tree[1], tree[2]
        da = derivative(a, name)
        outer = {
            "exp": lambda: tree,
            "log": lambda: _div(_ONE, a),
            "log10": lambda: _div(_ONE, _mul(a, ("num", math.log(10.0)))),
            "sqrt": lambda: _div(("num", 0.5), tree),
            "sin": lambda: ("call", "cos", a),
            "cos": lambda: _neg(("call", "sin", a)),
            "tan": lambda: _div(_ONE, ("pow", ("call", "cos", a), ("num", 2.0))),
            "arctan": lambda: _div(_ONE, _add(_ONE, ("pow", a, ("num", 2.0)))),
            "abs": lambda: ("call", "sign", a),
        }[fn]()
        return _mul(outer, da)
    raise AssertionError(kind)  # pragma: no cover


def to_text(tree) -> str:
    """The expression tree written back as text (fully parenthesised)."""
    kind = tree[0]
    if kind == "num":
        return repr(tree[1])
    if kind == "var":
        return tree[1]
    if kind == "neg":
        return f"(-{to_text(tree[1])})"
    if kind == "call":
        return f"{tree[1]}({to_text(tree[2])})"
    return f"({to_text(tree[1])} {_OP_TEXT[kind]} {to_text(tree[2])})"


@dataclass(frozen=True)
class Expression:
    """A checked model ``response = f(columns; parameters)`` with its exact Jacobian.

    Parameters
    ----------
    text : str
        The model expression.
    parameters : tuple of str
        Names of the fitted parameters, in order.
    columns : tuple of str
        Names of the data columns (independent variables) it may use.
    constants : dict, optional
        Names fixed to numbers (e.g. a known Km, or a held parameter).

    Examples
    --------
    >>> m = Expression.build("Vmax*S/(Km+S)", ["Vmax", "Km"], ["S"])
    >>> float(m.predict([10.0, 5.0], {"S": 5.0}))
    5.0
    >>> [float(v) for v in m.jacobian([10.0, 5.0], {"S": 5.0})[0]]
    [0.5, -0.5]
    """

    text: str
    parameters: tuple[str, ...]
    columns: tuple[str, ...]
    constants: tuple[tuple[str, float], ...]
    tree: tuple
    gradient: tuple

    @classmethod
    def build(cls, text: str, parameters, columns, constants: dict | None = None) -> Expression:
        """Parse ``text`` in the given parameter, column and constant names, with its symbolic gradient."""
        parameters = tuple(parameters)
        columns = tuple(columns)
        constants = dict(constants or {})
        if not parameters:
            raise InputError("model: no parameters to fit; give start values like --start b1=1,b2=0.1")
        clash = (set(parameters) & set(columns)) | (set(constants) & (set(parameters) | set(columns)))
        if clash:
            raise InputError(f"model: {sorted(clash)} named both as a parameter and a data column or constant")
        for p in parameters:
            if p in FUNCTIONS or p in CONSTANTS or not p.isidentifier():
                raise InputError(f"model: {p!r} cannot be a parameter name")
        tree = parse(text, set(parameters) | set(columns) | set(constants))
        used = variables(tree)
        unused = [p for p in parameters if p not in used]
        if unused:
            raise InputError(f"model: parameter(s) {', '.join(unused)} do not appear in {text!r}")
        gradient = tuple(derivative(tree, p) for p in parameters)
        return cls(text, parameters, columns, tuple(sorted(constants.items())), tree, gradient)

    def _env(self, values, columns: dict) -> dict:
        env = dict(self.constants)
        env.update(columns)
        env.update(zip(self.parameters, values))
        return env

    def predict(self, values, columns: dict):
        """Model values for parameter ``values`` (in :attr:`parameters` order)."""
        with np.errstate(all="ignore"):
            return evaluate(self.tree, self._env(values, columns))

    def jacobian(self, values, columns: dict, n: int | None = None) -> np.ndarray:
        """Exact derivatives of the model, shape ``(n_points, n_parameters)``."""
        env = self._env(values, columns)
        if n is None:
            n = max((np.size(v) for v in columns.values()), default=1)
        out = np.empty((n, len(self.parameters)), dtype=np.result_type(*values, float))
        with np.errstate(all="ignore"):
            for j, g in enumerate(self.gradient):
                out[:, j] = evaluate(g, env)
        return out
