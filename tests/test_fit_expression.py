"""The expression parser: whitelist, refusals, exact derivatives."""

from __future__ import annotations

import numpy as np
import pytest

from noradsim.errors import InputError
from noradsim.fitting.expression import Expression, derivative, evaluate, parse

EVIL = [
    "__import__('os').system('ls')",
    "x.__class__",
    "(lambda: 1)()",
    "x[0]",
    "open('f')",
    "eval('1')",
    "[x for x in y]",
    "x if b1 else b2",
    "b1 ^ x",
    "b1 < x",
    "'text'",
    "exp(x, b1)",
    "exp(x=b1)",
    "b1 and x",
    "{b1: x}",
    "b1 @ x",
    "exp",
    "",
]


@pytest.mark.parametrize("text", EVIL)
def test_refused(text):
    with pytest.raises(InputError):
        Expression.build(text, ["b1"], ["x", "y"])


def test_unknown_name_suggests_closest():
    with pytest.raises(InputError, match="'xx'.*did you mean 'x'"):
        Expression.build("b1*xx + b2", ["b1", "b2"], ["x"])


def test_unused_parameter_is_an_error():
    with pytest.raises(InputError, match="b3"):
        Expression.build("b1*x + b2", ["b1", "b2", "b3"], ["x"])


def test_parse_never_executes(tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError):
        parse(f"__import__('pathlib').Path('{marker}').touch()", {"x"})
    assert not marker.exists()


FUNCS = ["exp(b*x)", "log(b*x)", "log10(b*x)", "sqrt(b*x)", "sin(b*x)", "cos(b*x)", "tan(b*x)",
         "arctan(b*x)", "atan(b*x)", "abs(b*x - 1)", "(b*x)**b", "x**b", "b**x", "1/(1 + b*x)**2",
         "-b*x + pi*e", "exp(-(x - b)**2/b**2)"]


@pytest.mark.parametrize("text", FUNCS)
def test_derivative_matches_complex_free_central_difference(text):
    tree = parse(text, {"x", "b"})
    d = derivative(tree, "b")
    x = np.array([0.3, 0.7, 1.1])
    b = 0.8
    h = 1e-6
    numeric = (evaluate(tree, {"x": x, "b": b + h}) - evaluate(tree, {"x": x, "b": b - h})) / (2 * h)
    np.testing.assert_allclose(evaluate(d, {"x": x, "b": b}) * np.ones_like(x), numeric, rtol=1e-7, atol=1e-9)


def test_jacobian_zero_concentration_is_finite():
    m = Expression.build("bottom + (top-bottom)/(1 + (x/IC50)**hill)", ["bottom", "top", "IC50", "hill"], ["x"])
    j = m.jacobian([0.0, 100.0, 10.0, 0.9], {"x": np.array([0.0, 1.0, 10.0])})
    assert np.all(np.isfinite(j))
    np.testing.assert_array_equal(j[0], [0.0, 1.0, 0.0, 0.0])
