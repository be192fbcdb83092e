"""Fitting lab data: uptake, inhibition, binding and dose-response models, and any model
typed as an expression, by nonlinear least squares accurate to the NIST StRD certified
values.

Public API
----------
fit_uptake, fit_inhibition, fit_saturation, fit_competition, fit_dose_response,
fit_operational, fit_expression, cheng_prusoff, f_test : the models
(:mod:`noradsim.fitting.models`).
Expression, parse : safe model expressions (:mod:`noradsim.fitting.expression`).
least_squares_fit, FitResult, Estimate : the solver (:mod:`noradsim.fitting.solver`).
fit_global, fit_schild, fit_operational_global : global fits of curve families
(:mod:`noradsim.fitting.globalfit`).
read_table, replicate_means : CSV input (:mod:`noradsim.fitting.data`).
"""

from __future__ import annotations

from .data import read_table, replicate_means
from .solver import Estimate, FitResult, least_squares_fit
from .expression import Expression, parse
from .globalfit import fit_global, fit_operational_global, fit_schild
from .models import (
    CompetitionResult,
    cheng_prusoff,
    f_test,
    fit_competition,
    fit_dose_response,
    fit_expression,
    fit_inhibition,
    fit_operational,
    fit_saturation,
    fit_uptake,
)

__all__ = [
    "CompetitionResult",
    "Estimate",
    "Expression",
    "FitResult",
    "cheng_prusoff",
    "f_test",
    "fit_competition",
    "fit_dose_response",
    "fit_expression",
    "fit_global",
    "fit_inhibition",
    "fit_operational",
    "fit_operational_global",
    "fit_saturation",
    "fit_schild",
    "fit_uptake",
    "least_squares_fit",
    "parse",
    "read_table",
    "replicate_means",
]
