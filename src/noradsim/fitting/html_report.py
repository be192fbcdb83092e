"""The ``report.html`` of ``noradsim fit --out``: one :func:`noradsim.reporting.html.page` with a
first sentence, the parameter table with units and the figures written next to it."""

from __future__ import annotations

import html

from ..reporting.html import page, table
from .report import _unit

HEADER = ("parameter", "value", "unit", "SE", "95 % CI")


def _row(name: str, est, kind: str, y_label: str) -> list[str]:
    return [html.escape(name), f"{est.value:.4g}", html.escape(_unit(name, kind, y_label)), f"{est.stderr:.2g}",
            f"{est.ci95[0]:.4g} to {est.ci95[1]:.4g}"]


def headline(fit, kind: str, y_label: str) -> str:
    """The first sentence, e.g. "Michaelis-Menten fit to 24 points (R² 0.993): Km = 442 nM (95 % CI 391 to 493); ..."."""
    parts = [f"{name} = {est.value:.3g} {_unit(name, kind, y_label)} (95 % CI {est.ci95[0]:.3g} to {est.ci95[1]:.3g})"
             for group in (fit.params, fit.derived) for name, est in group.items()]
    return f"Fit of the {fit.model} model to {fit.n} points (R\u00b2 {fit.r2:.3f}): " + "; ".join(parts) + "."


def fit_report_html(fit, kind: str, y_label: str, figures: list[str], data_name: str = "") -> str:
    """The HTML report of one fit.

    Parameters
    ----------
    fit : noradsim.fitting.FitResult
    kind : str
        The fit command (``uptake``, ``inhibition``, ...), for the parameter units.
    y_label : str
        Name of the response column(s).
    figures : list of str
        File names of the figures written next to the report.
    data_name : str
        The fitted file, for the page.
    """
    rows = [_row(n, e, kind, y_label) for group in (fit.params, fit.derived) for n, e in group.items()]
    imgs = "".join(f'<figure><img src="{html.escape(f)}" style="max-width:760px"></figure>' for f in figures)
    warn = "".join(f"<p class='error'>Warning: {html.escape(w)}</p>" for w in fit.warnings)
    body = (f"<p class='headline'><b>{html.escape(headline(fit, kind, y_label))}</b></p>"
            + (f"<p>Data: {html.escape(data_name)} (response column {html.escape(y_label)}).</p>" if data_name else "")
            + table(HEADER, rows)
            + f"<p class='small'>n = {fit.n}, R\u00b2 = {fit.r2:.4f}, AIC = {fit.aic:.4g}, AICc = {fit.aicc:.4g}, "
              f"RSS = {fit.rss:.4g}. SE: standard error from the covariance of the least-squares fit; 95 % CI: "
              "value &plusmn; t(0.975, n &minus; parameters) &times; SE. Residuals in residuals.csv.</p>"
            + warn + imgs)
    return page(f"noradsim fit: {fit.model}", body)
