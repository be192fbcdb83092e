"""Reporting a fit: a text table and figures (data, fitted curve, residual panel).

Eadie-Hofstee and Lineweaver-Burk transforms of uptake data are drawn here as
diagnostic plots only; the parameters always come from the nonlinear fit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .solver import FitResult


def _grid(x: np.ndarray, log: bool) -> np.ndarray:
    pos = x[x > 0]
    if log and pos.size:
        return np.logspace(np.log10(pos.min()) - 0.3, np.log10(pos.max()) + 0.3, 300)
    return np.linspace(min(0.0, x.min()), x.max() * 1.05, 300)


def plot_fit(fit: FitResult, x: np.ndarray, y: np.ndarray, path: str | Path, *, xlabel: str = "x",
             ylabel: str = "y", log_x: bool = False, title: str | None = None, extra_columns: dict | None = None,
             curves: dict | None = None) -> Path:
    """Save a two-panel figure: data with the fitted curve, and residuals.

    Parameters
    ----------
    fit : FitResult
    x, y : numpy.ndarray
        The data (x is the plotted independent variable).
    path : path
        PNG file to write.
    log_x : bool
        Logarithmic concentration axis (points at zero are drawn at the left edge).
    extra_columns : dict, optional
        Other model columns held constant along the curve (e.g. ``{"is_total": 1}``).
    curves : dict of str to dict, optional
        Several labelled curves, each a dict of extra columns.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    x = np.asarray(x, float)
    y = np.asarray(y, float)
    fig, (ax, axr) = plt.subplots(2, 1, figsize=(6, 6), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    grid = _grid(x, log_x)
    xs = x.copy()
    if log_x and np.any(x <= 0) and np.any(x > 0):
        xs[x <= 0] = grid[0]
    ax.plot(xs, y, "o", color="k", ms=4, label="data")
    for label, cols in (curves or {"fit": extra_columns or {}}).items():
        columns = {"x": grid}
        columns.update({k: np.full_like(grid, v) for k, v in cols.items()})
        ax.plot(grid, fit.predict(columns), "-", label=label)
    axr.axhline(0, color="0.6", lw=0.8)
    axr.plot(xs, fit.residuals, "o", color="k", ms=3)
    if log_x:
        ax.set_xscale("log")
    ax.set_ylabel(ylabel)
    axr.set_xlabel(xlabel)
    axr.set_ylabel("residual")
    ax.set_title(title or fit.model, fontsize=9)
    ax.legend(fontsize=8)
    return _save(fig, path)


def plot_uptake_transforms(fit: FitResult, substrate: np.ndarray, velocity: np.ndarray, path: str | Path) -> Path:
    """Eadie-Hofstee (v against v/S) and Lineweaver-Burk (1/v against 1/S), for display only.

    The lines are the nonlinear Michaelis-Menten fit drawn in the transformed axes, not
    regressions on the transformed data.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    s = np.asarray(substrate, float)
    v = np.asarray(velocity, float)
    keep = (s > 0) & (v > 0)
    s, v = s[keep], v[keep]
    grid = np.logspace(np.log10(s.min()) - 0.3, np.log10(s.max()) + 0.3, 200)
    vfit = fit.predict({"x": grid})
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 4))
    a1.plot(v / s, v, "o", color="k", ms=4)
    a1.plot(vfit / grid, vfit, "-")
    a1.set_xlabel("v / S")
    a1.set_ylabel("v")
    a1.set_title("Eadie-Hofstee (display only)", fontsize=9)
    a2.plot(1 / s, 1 / v, "o", color="k", ms=4)
    a2.plot(1 / grid, 1 / vfit, "-")
    a2.set_xlabel("1 / S")
    a2.set_ylabel("1 / v")
    a2.set_title("Lineweaver-Burk (display only)", fontsize=9)
    fig.suptitle("parameters from the nonlinear fit; lines are that fit, transformed", fontsize=8)
    return _save(fig, path)


def plot_schild(fit: FitResult, path: str | Path) -> Path:
    """Schild plot, log10(DR - 1) against log10 [B] (M), for display only.

    The points are dose ratios from a fit with one EC50 per curve; the line is the
    global Schild fit, :math:`\\log(DR-1) = s \\log[B] - s \\log K_B`, not a regression on
    the points (``fit.extra["schild_plot"]`` from :func:`noradsim.fitting.fit_schild`).
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    data = fit.extra["schild_plot"]
    lb = np.asarray(data["log10_antagonist_M"], float)
    ldr = np.asarray(data["log10_dr_minus_1"], float)
    s = fit.params["s"].value if "s" in fit.params else float(fit.extra.get("slope_held", 1.0))
    log_kb = np.log10(fit.params["KB"].value) - 9.0
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.plot(lb, ldr, "o", color="k", label="per-curve EC50 shifts")
    if lb.size:
        grid = np.linspace(min(lb.min(), log_kb) - 0.5, lb.max() + 0.5, 50)
    else:
        grid = np.linspace(log_kb - 1, log_kb + 2, 50)
    ax.plot(grid, s * (grid - log_kb), "-", label=f"global fit: slope {s:.3g}, pA2 {-log_kb:.3g}")
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set_xlabel("log10 [antagonist] (M)")
    ax.set_ylabel("log10 (dose ratio - 1)")
    ax.set_title("Schild plot (display only; parameters from the global fit)", fontsize=8)
    ax.legend(fontsize=8)
    return _save(fig, path)


def plot_expression(fit: FitResult, x: np.ndarray, y: np.ndarray, x_name: str, path: str | Path) -> Path:
    """Save a two-panel figure of an expression fit against its one data column, and residuals.

    Parameters
    ----------
    fit : FitResult
        A fit of an expression in the single column ``x_name``.
    x, y : numpy.ndarray
        The data.
    x_name : str
        The data column (the curve is ``fit.predict({x_name: grid})``).
    path : path
        PNG file to write.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    order = np.argsort(x)
    fig, (ax, axr) = plt.subplots(2, 1, figsize=(6, 6), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    ax.plot(x, y, "o", color="k", ms=3, label="data")
    grid = np.linspace(x.min(), x.max(), 400)
    ax.plot(grid, fit.predict({x_name: grid}), "-", label="fit")
    axr.axhline(0, color="0.6", lw=0.8)
    axr.plot(x[order], fit.residuals[order], "o", color="k", ms=3)
    axr.set_xlabel(x_name)
    ax.set_title(fit.model, fontsize=8)
    ax.legend(fontsize=8)
    return _save(fig, path)


def _save(fig, path) -> Path:
    """Lay out, write and close a figure; returns the path."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


_DIMENSIONLESS = {"hill", "n", "tau", "frac", "slope", "schild_slope"}


def _unit(name: str, kind: str, y_label: str) -> str:
    """Unit of a fitted parameter: nM for concentrations, the response's unit for capacities."""
    from .models import POSITIVE

    if name in _DIMENSIONLESS or name.startswith(("log10_", "p")):
        return "1" if not name.startswith("log10_") else "log10 nM"
    if POSITIVE.get(name) == "nM" or name in ("KB", "Kd", "EC50"):
        return "nM"
    if kind == "expression":
        return ""
    return f"units of {y_label}"


def summary_with_units(fit, kind: str, y_label: str) -> str:
    """The fit table with a unit column, values to 4 significant digits, SE to 2."""
    lines = [f"model: {fit.model}",
             f"{'parameter':<12} {'value':>11} {'unit':<16} {'SE':>9} {'95 % CI':>24}"]
    for group in (fit.params, fit.derived):
        for name, est in group.items():
            ci = f"[{est.ci95[0]:.4g}, {est.ci95[1]:.4g}]"
            lines.append(f"{name:<12} {est.value:>11.4g} {_unit(name, kind, y_label):<16} {est.stderr:>9.2g} {ci:>24}")
    lines.append(f"n = {fit.n}, R^2 = {fit.r2:.4f}, AIC = {fit.aic:.4g}, AICc = {fit.aicc:.4g}, RSS = {fit.rss:.4g}")
    lines.extend(f"warning: {w}" for w in fit.warnings)
    return "\n".join(lines)


def format_statistic(v) -> str:
    """F, p and AICc differences to 4 significant digits (p below 1e-4 in scientific notation)."""
    return "n/a" if v is None else f"{v:.4g}"
