"""The ``protocol = "inverted_u"`` experiment: working memory against prefrontal NE.

Experiment file (TOML)::

    schema = "noradsim-experiment/1"
    protocol = "inverted_u"
    species = "rat"
    region = "prefrontal_cortex"

    [inverted_u]
    ne_range = ["0.05 nM", "50 nM"]   # prefrontal ECF NE swept on a log scale
    n_points = 80
    basal_ne = "1.5 nM"               # optional markers
    stress_ne = "4.5 nM"

    [[inverted_u.condition]]
    label = "vehicle"

    [[inverted_u.condition]]
    label = "guanfacine 0.3 mg/kg i.p."
    drug = "guanfacine"
    dose = "0.3 mg/kg"                # or brain_concentration = "30 nM"
    route = "ip"
    at = "60 min"                     # time after the dose

The protocol verbs (see :mod:`noradsim.protocols`): :func:`parse` checks the document
(:mod:`.config`), :func:`run` sweeps :func:`noradsim.receptors.readouts.working_memory`
(:mod:`.run`), and :meth:`InvertedUResult.write` writes ``inverted_u.png``,
``inverted_u.csv`` and ``report.html`` (:mod:`.report`). This package imports
:mod:`noradsim.receptors`; the receptors never import it.
"""

from __future__ import annotations

from .config import Condition, InvertedUConfig, parse
from .run import ConditionCurve, InvertedUResult, run

Config = InvertedUConfig  # the registry's common names: every protocol has Config and Result
Result = InvertedUResult

__all__ = ["Condition", "ConditionCurve", "Config", "InvertedUConfig", "InvertedUResult", "Result", "parse", "run"]

