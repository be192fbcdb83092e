"""Nonlinear least squares to certified accuracy, and the statistics every fit reports.

:func:`least_squares_fit` chains solvers that scipy provides and keeps the best:
trust-region reflective (``scipy.optimize.least_squares``, ``method="trf"``, Jacobian
scaling) and Levenberg-Marquardt (MINPACK, ``method="lm"``), both with the exact Jacobian of
the model and parameters rescaled by their start values, then a Gauss-Newton polish that
solves each linearised step by an SVD of the column-scaled Jacobian with residuals
accumulated in extended precision, until the relative change is about 1e-15. With this
chain all 27 NIST StRD nonlinear-regression problems reach the certified values from both
certified starting points (``tests/test_nist_strd.py``).

Standard errors come from the SVD of the Jacobian at the solution (never from inverting
:math:`J^T J`): :math:`\\mathrm{cov} = s^2 V \\Sigma^{-2} V^T`, :math:`s^2 = RSS/(n-p)`.
Confidence intervals use Student's t with :math:`n-p` degrees of freedom.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, stats

from ..errors import InputError
from .expression import Expression

#: A parameter is flagged as poorly determined above this relative standard error.
MAX_RELATIVE_SE = 0.5
#: Two parameters are flagged as redundant above this absolute correlation.
MAX_CORRELATION = 0.99


@dataclass(frozen=True)
class Estimate:
    """A fitted parameter: value, standard error and 95 % confidence interval."""

    name: str
    value: float
    stderr: float
    ci95: tuple[float, float]

    def to_dict(self) -> dict:
        """``{"value", "stderr", "ci95"}``; non-finite numbers become None (JSON null)."""
        return {"value": _json_float(self.value), "stderr": _json_float(self.stderr),
                "ci95": [_json_float(self.ci95[0]), _json_float(self.ci95[1])]}


def _json_float(v: float):
    v = float(v)
    return v if math.isfinite(v) else None


@dataclass(frozen=True)
class FitResult:
    """Everything a fit reports.

    Attributes
    ----------
    model : str
        Name of the model or the expression.
    params : dict of str to Estimate
        Fitted parameters.
    derived : dict of str to Estimate
        Quantities computed from them (e.g. Ki by Cheng-Prusoff, EC50 of a model).
    n, n_params : int
        Number of points and of fitted parameters.
    rss, r2, aic : float
        Residual sum of squares (weighted when weights were given), coefficient of
        determination and Akaike information criterion (least-squares form with the
        small-sample correction when n allows it).
    residuals, fitted : numpy.ndarray
        Response minus fitted value (unweighted), and the fitted values.
    correlation : numpy.ndarray
        Parameter correlation matrix.
    warnings : tuple of str
        Poorly determined parameters and other caveats.
    """

    model: str
    params: dict[str, Estimate]
    n: int
    n_params: int
    rss: float
    r2: float
    aic: float
    aicc: float
    residuals: np.ndarray
    fitted: np.ndarray
    covariance: np.ndarray
    correlation: np.ndarray
    warnings: tuple[str, ...] = ()
    derived: dict[str, Estimate] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    expression: Expression | None = None
    constants: dict = field(default_factory=dict)

    def predict(self, columns: dict) -> np.ndarray:
        """Fitted model evaluated at new values of the data columns (e.g. a dense grid)."""
        values = [self.params[p].value for p in self.expression.parameters]
        n = len(next(iter(columns.values())))
        return np.asarray(self.expression.predict(values, {k: np.asarray(v, float) for k, v in columns.items()}),
                          dtype=float) * np.ones(n)

    def value(self, name: str) -> float:
        """Value of a fitted or derived parameter."""
        if name in self.params:
            return self.params[name].value
        return self.derived[name].value

    def to_dict(self) -> dict:
        """A JSON-ready summary: ``params`` maps names to value, stderr and ci95."""
        out = {
            "model": self.model,
            "params": {k: v.to_dict() for k, v in self.params.items()},
            "r2": _json_float(self.r2),
            "aic": _json_float(self.aic),
            "aicc": _json_float(self.aicc),
            "rss": _json_float(self.rss),
            "n": self.n,
            "dof": self.n - self.n_params,
            "warnings": list(self.warnings),
            "residuals": [_json_float(r) for r in self.residuals],
        }
        if self.derived:
            out["derived"] = {k: v.to_dict() for k, v in self.derived.items()}
        out.update(self.extra)
        return out


def _solve_chain(residual, jacobian, p0: np.ndarray) -> np.ndarray:
    """Best parameters over the solver chain (in the caller's parameter units)."""
    scale = np.where(np.abs(p0) > 0, np.abs(p0), 1.0)

    def fun(q):
        r = residual(q * scale)
        return np.where(np.isfinite(r), r, 1e150)

    def jac(q):
        j = jacobian(q * scale) * scale
        return np.where(np.isfinite(j), j, 0.0)

    def rss(q):
        r = residual(q * scale)
        if not np.all(np.isfinite(r)):
            return math.inf
        r = r.astype(np.longdouble)
        return float(np.dot(r, r))

    q0 = p0 / scale
    best_q, best_rss = q0, rss(q0)
    tol = {"ftol": 1e-15, "xtol": 1e-15, "gtol": 1e-15, "x_scale": "jac"}

    def run(method, q_start):
        nonlocal best_q, best_rss
        try:
            sol = optimize.least_squares(fun, q_start, jac=jac, method=method, max_nfev=20000, **tol)
        except (ValueError, np.linalg.LinAlgError):
            return
        value = rss(sol.x)
        if value < best_rss:
            best_q, best_rss = sol.x, value

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run("trf", q0)
        run("lm", q0)
        run("lm", best_q)
        p, _ = _gauss_newton(residual, jacobian, best_q * scale)
    return p


def _gauss_newton(residual, jacobian, p: np.ndarray, max_iter: int = 200):
    """Polish by Gauss-Newton steps (SVD of the column-scaled Jacobian, halving line search)."""
    p = np.array(p, dtype=float)

    def rss(x):
        r = residual(x)
        if not np.all(np.isfinite(r)):
            return math.inf
        r = r.astype(np.longdouble)
        return float(np.dot(r, r))

    rss_p = rss(p)
    for _ in range(max_iter):
        r = residual(p)
        j = jacobian(p)
        if not (np.all(np.isfinite(r)) and np.all(np.isfinite(j))):
            break
        norms = np.linalg.norm(j, axis=0)
        norms[norms == 0] = 1.0
        step = np.linalg.lstsq(j / norms, -r, rcond=None)[0] / norms
        improved = False
        t = 1.0
        for _ in range(40):
            trial = p + t * step
            value = rss(trial)
            if value <= rss_p:
                improved = value < rss_p or np.array_equal(trial, p)
                rel = np.max(np.abs(trial - p) / np.maximum(np.abs(p), 1e-300))
                p, rss_p = trial, value
                break
            t *= 0.5
        if not improved or rel < 1e-15:
            break
    return p, rss_p


def least_squares_fit(
    expression: Expression,
    columns: dict,
    response: np.ndarray,
    start: dict,
    *,
    sd: np.ndarray | None = None,
    model_name: str | None = None,
) -> FitResult:
    """Fit an :class:`~noradsim.fitting.expression.Expression` to data.

    Parameters
    ----------
    expression : Expression
        The model, with its parameter and column names.
    columns : dict of str to numpy.ndarray
        The independent variables, one array per column name.
    response : numpy.ndarray
        The measured response.
    start : dict of str to float
        Start value of every parameter.
    sd : numpy.ndarray, optional
        Standard deviation of each response (weights ``1/sd**2``).
    model_name : str, optional
        Name reported in the result (default: the expression).

    Returns
    -------
    FitResult

    Examples
    --------
    >>> import numpy as np
    >>> m = Expression.build("Vmax*S/(Km+S)", ["Vmax", "Km"], ["S"])
    >>> s = np.array([50., 100., 200., 400., 800., 1600., 3200.])
    >>> v = 5.2 * s / (420 + s)
    >>> fit = least_squares_fit(m, {"S": s}, v, {"Vmax": 1.0, "Km": 100.0})
    >>> round(fit.value("Km"), 6), round(fit.value("Vmax"), 6)
    (420.0, 5.2)
    """
    names = expression.parameters
    missing = [p for p in names if p not in start]
    if missing:
        raise InputError(f"start: no start value for parameter(s) {', '.join(missing)}")
    p0 = np.array([float(start[p]) for p in names])
    if not np.all(np.isfinite(p0)):
        raise InputError("start: start values must be finite numbers")
    y = np.asarray(response, dtype=float)
    n, n_params = y.size, len(names)
    if n <= n_params:
        raise InputError(
            f"data: {n} points are too few to fit {n_params} parameters ({', '.join(names)}); need at least {n_params + 1}"
        )
    w = np.ones(n) if sd is None else 1.0 / np.asarray(sd, dtype=float)
    cols = {k: np.asarray(v, dtype=float) for k, v in columns.items()}
    cols_ext = {k: v.astype(np.longdouble) for k, v in cols.items()}
    y_ext, w_ext = y.astype(np.longdouble), w.astype(np.longdouble)

    def residual(p):
        f = expression.predict(np.asarray(p, dtype=np.longdouble), cols_ext)
        return np.asarray((f - y_ext) * w_ext, dtype=float) * np.ones(n)

    def jacobian(p):
        return expression.jacobian(np.asarray(p, dtype=float), cols, n) * w[:, None]

    p_hat = _solve_chain(residual, jacobian, p0)
    return fit_statistics(expression, cols, y, p_hat, w, model_name=model_name or expression.text)


def fit_statistics(expression: Expression, cols: dict, y: np.ndarray, p_hat: np.ndarray, w: np.ndarray,
              *, model_name: str) -> FitResult:
    """Standard errors, confidence intervals, R², AIC and warnings at ``p_hat``.

    Parameters
    ----------
    expression : Expression
        The fitted model.
    cols : dict of str to numpy.ndarray
        The independent variables.
    y : numpy.ndarray
        The measured response.
    p_hat : numpy.ndarray
        The solution, in the order of ``expression.parameters``.
    w : numpy.ndarray
        Weight of each residual (``1/sd``; ones when unweighted).
    model_name : str
        Name reported in the result.

    Returns
    -------
    FitResult
    """
    names = expression.parameters
    n, n_params = y.size, len(names)
    # residuals in extended precision: certified problems (Lanczos1) have RSS near 1e-25
    fitted_ext = expression.predict(np.asarray(p_hat, dtype=np.longdouble),
                                    {k: np.asarray(v).astype(np.longdouble) for k, v in cols.items()})
    resid_ext = (y.astype(np.longdouble) - fitted_ext) * w.astype(np.longdouble) * np.ones(n)
    fitted = np.asarray(fitted_ext, dtype=float) * np.ones(n)
    resid_w = np.asarray(resid_ext, dtype=float)
    if not np.all(np.isfinite(resid_w)):
        raise InputError(f"fit: the model {model_name!r} gives non-finite values at the solution; check start values")
    rss = float(np.dot(resid_ext, resid_ext))
    dof = n - n_params
    s2 = rss / dof
    jac = expression.jacobian(p_hat, cols, n) * w[:, None]
    cov, notes = _covariance(jac, s2, n, n_params)
    se = np.sqrt(np.abs(np.diag(cov)))
    tcrit = float(stats.t.ppf(0.975, dof))
    params = {}
    for i, name in enumerate(names):
        v, s = float(p_hat[i]), float(se[i])
        params[name] = Estimate(name, v, s, (v - tcrit * s, v + tcrit * s))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / np.outer(se, se)
    notes.extend(_caveats(params, corr))
    yw = y * w
    ybar = np.sum(w * yw) / np.sum(w * w)
    tss = float(np.sum(((y - ybar) * w) ** 2))
    r2 = 1.0 - rss / tss if tss > 0 else math.nan
    k = n_params + 1
    aic = n * math.log(rss / n) + 2 * k if rss > 0 else -math.inf
    aicc = aic + 2 * k * (k + 1) / (n - k - 1) if n - k - 1 > 0 else math.inf
    residuals = np.asarray(y.astype(np.longdouble) - fitted_ext, dtype=float) * np.ones(n)
    return FitResult(model_name, params, n, n_params, rss, r2, aic, aicc, residuals, fitted, cov, corr,
                     tuple(notes), expression=expression)


def _covariance(jac: np.ndarray, s2: float, n: int, n_params: int) -> tuple[np.ndarray, list[str]]:
    """Parameter covariance ``s2 V Sigma^-2 V^T`` from the SVD of the column-scaled Jacobian.

    Directions with a singular value at the rounding level are not inverted: the
    parameters they involve get NaN rows and columns and a note says so.
    """
    notes: list[str] = []
    if not np.all(np.isfinite(jac)):
        return np.full((n_params, n_params), np.nan), notes
    # column scaling first: parameters of very different magnitude (Vmax 5e-17 mol/cell/min
    # next to Km 420 nM) must not look singular
    norms = np.linalg.norm(jac, axis=0)
    norms[norms == 0] = 1.0
    _, sing, vt = np.linalg.svd(jac / norms, full_matrices=False)
    tiny = sing <= sing[0] * n * np.finfo(float).eps if sing.size else sing
    if np.any(tiny):
        notes.append("the parameters are not all identifiable from these data (singular Jacobian)")
    inv = np.where(tiny, np.inf, 1.0 / np.where(tiny, 1.0, sing) ** 2)
    with np.errstate(invalid="ignore"):
        cov = (vt.T * np.where(np.isinf(inv), 0.0, inv)) @ vt * s2 / np.outer(norms, norms)
        if np.any(tiny):
            bad = np.abs(vt[tiny]).max(axis=0) > 1e-8
            cov[bad, :] = np.nan
            cov[:, bad] = np.nan
    return cov, notes


def _caveats(params: dict[str, Estimate], corr: np.ndarray) -> list[str]:
    """Warnings for undetermined, poorly determined or near-zero parameters and redundant pairs."""
    notes = []
    for name, est in params.items():
        if not math.isfinite(est.stderr):
            notes.append(f"{name} is not determined by these data")
        elif est.value != 0 and est.stderr / abs(est.value) > MAX_RELATIVE_SE:
            notes.append(f"{name} is poorly determined (relative SE {100 * est.stderr / abs(est.value):.0f} % > "
                         f"{100 * MAX_RELATIVE_SE:.0f} %)")
        elif est.ci95[0] < 0 < est.ci95[1]:
            notes.append(f"{name}: the 95 % confidence interval spans zero")
    names = list(params)
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            if math.isfinite(corr[i, j]) and abs(corr[i, j]) > MAX_CORRELATION:
                notes.append(f"{names[i]} and {names[j]} are correlated (r = {corr[i, j]:.4f}); "
                             "the data cannot tell them apart")
    return notes


def derived_estimate(name: str, fit: FitResult, text: str, constants: dict | None = None) -> Estimate:
    """A quantity computed from fitted parameters, with its SE by the delta method.

    ``text`` is an expression in the fitted parameters and ``constants``, e.g.
    ``"IC50/(1 + S/Km)"`` (Cheng-Prusoff) with ``constants={"S": 50, "Km": 420}``.
    """
    from .expression import parse, variables

    constants = dict(constants or {})
    names = list(fit.params)
    used = [p for p in names if p in variables(parse(text))]
    values = [fit.params[p].value for p in used]
    if used:
        derived = Expression.build(text, used, [], constants)
        value = float(derived.predict(values, {}))
        grad = np.zeros(len(names))
        for g, p in zip(derived.jacobian(values, {}, 1)[0], used):
            grad[names.index(p)] = g
        idx = [names.index(p) for p in used]
        sub = fit.covariance[np.ix_(idx, idx)]
        gsub = grad[idx]
        var = float(gsub @ sub @ gsub)
    else:
        from .expression import evaluate

        value = float(evaluate(parse(text, set(constants)), constants))
        var = 0.0
    se = math.sqrt(var) if math.isfinite(var) and var >= 0 else math.nan
    tcrit = float(stats.t.ppf(0.975, fit.n - fit.n_params))
    return Estimate(name, value, se, (value - tcrit * se, value + tcrit * se))
