"""Calibration: fit named model parameters to published targets, with identifiability.

``noradsim calibrate`` (:mod:`noradsim.commands.calibrate`) fits parameters on a log
scale to a targets file by weighted least squares on log(predicted/expected), from a
seeded Latin hypercube of starts (pyPESTO multi-start), profiles every fitted parameter
and writes an overlay (``calibrated.toml``) that the shipped model loads over the
data-file values (:mod:`noradsim.calibration.overlay`).

This package knows no model and no target format: the caller passes a ``predict``
function (parameter overrides → predictions). That keeps the model free to import the
overlay loader without an import cycle.
"""
