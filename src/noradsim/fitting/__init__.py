"""Fitting lab data: uptake, inhibition, binding and dose-response models, and any model
typed as an expression, by nonlinear least squares accurate to the NIST StRD certified
values.

Public API
----------
fit_uptake, fit_inhibition, fit_saturation, fit_competition, fit_dose_response,
fit_operational, fit_expression, cheng_prusoff, f_test : the models
(:mod:`noradsim.fitting.models`).
Expression, parse : safe model expressions (:mod:`noradsim.fitting.expression`).
least_squares_fit, FitResult, Estimate : the engine (:mod:`noradsim.fitting.engine`).
read_table : CSV input (:mod:`noradsim.fitting.data`).
"""

from __future__ import annotations

from .data import read_table
from .engine import Estimate, FitResult, least_squares_fit
from .expression import Expression, parse
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
    "fit_inhibition",
    "fit_operational",
    "fit_saturation",
    "fit_uptake",
    "least_squares_fit",
    "parse",
    "read_table",
]
