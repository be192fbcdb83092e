"""Validation against published measurements (the ``noradsim-targets/1`` format, SCHEMA.md).

Each target is a small virtual experiment plus a range. :func:`run_targets` parses the
file (malformed targets become errors that name the target and field; the others still
run), evaluates each target through the protocols a user's experiment takes, and compares
the prediction with the published range.
"""

from .evaluate import evaluate, explain, run_targets
from .report import coverage_line, format_row, summary_line, validation_report
from .targets import SCHEMA, Outcome, Target, parse_target, read_targets

__all__ = ["SCHEMA", "Outcome", "Target", "coverage_line", "evaluate", "explain", "format_row", "parse_target", "read_targets",
           "run_targets", "summary_line", "validation_report"]
