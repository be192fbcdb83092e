"""Experiment specifications: the TOML experiment format and SCHEMA.md targets, parsed once.

Both formats use the same vocabulary (:mod:`noradsim.vocabulary`); quantities are strings
with units, checked with pint here and stored as floats in internal units (s, nM, mg/kg).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..checks import check_span
from ..errors import InputError
from ..units import parse_quantity
from ..interventions import SYSTEMIC, Intervention, check_choice, parse_intervention
from ..vocabulary import MEASURES, PREPARATIONS, REGIONS, SPECIES, STATES
from .ex_vivo import Assay, parse_assay


@dataclass(frozen=True)
class Conditions:
    """What a rate-model simulation needs: subject, region, state, probe, interventions."""

    species: str = "rat"
    region: str = "prefrontal_cortex"
    state: str = "awake"
    preparation: str = "in_vivo"
    sample: float = 1200.0  # s
    flow: float = 1.0  # uL/min
    window: tuple[float, float] = (0.0, 14400.0)
    baseline: tuple[float, float] = (-3600.0, 0.0)
    interventions: tuple[Intervention, ...] = field(default_factory=tuple)
    probe_length: float | None = None  # mm; None = the region's typical probe
    assay: Assay | None = None  # ex vivo binding assay design; None = the shipped defaults (data/ex_vivo.toml)


def parse_conditions(doc: dict, where: str, *, sample_default: str = "20 min") -> Conditions:
    """Read the shared fields (species, region, state, preparation, sample, flow, window,
    baseline, interventions, probe_length, assay) of an experiment or a target."""
    species = check_choice(doc.get("species", "rat"), SPECIES, f"{where} species")
    region = check_choice(doc.get("region", "prefrontal_cortex"), REGIONS, f"{where} region")
    state = check_choice(doc.get("state", "awake"), STATES, f"{where} state")
    prep = check_choice(doc.get("preparation", "in_vivo"), PREPARATIONS, f"{where} preparation")
    sample = parse_quantity(doc.get("sample", sample_default), "time", f"{where} sample")
    if sample <= 0:
        raise InputError(f"{where} sample: must be > 0")
    flow = parse_quantity(doc.get("flow", "1 uL/min"), "flow", f"{where} flow")
    if not 0 < flow <= 20:
        raise InputError(f"{where} flow: {flow} uL/min outside (0, 20]; typical 0.5-2 uL/min")
    window = _pair(doc.get("window", ["0 min", "240 min"]), f"{where} window")
    baseline = _pair(doc.get("baseline", ["-60 min", "0 min"]), f"{where} baseline")
    ivs = doc.get("interventions", [])
    if not isinstance(ivs, list):
        raise InputError(f"{where} interventions: must be a list of inline tables")
    interventions = tuple(parse_intervention(e, f"{where} interventions[{i}]") for i, e in enumerate(ivs))
    probe_length = None
    if "probe_length" in doc:
        probe_length = parse_quantity(doc["probe_length"], "length", f"{where} probe_length") / 1000.0
    assay = parse_assay(doc.get("assay"), where)
    return Conditions(species, region, state, prep, sample, flow, window, baseline, interventions, probe_length, assay)


def _pair(v, where: str) -> tuple[float, float]:
    if not isinstance(v, list) or len(v) != 2:
        raise InputError(f"{where}: must be a list [start, stop] of times, e.g. ['0 min', '240 min']")
    a = parse_quantity(v[0], "time", where, allow_negative=True)
    b = parse_quantity(v[1], "time", where, allow_negative=True)
    if not b > a:
        raise InputError(f"{where}: stop must be after start")
    check_span(a, b, where)
    return (a, b)


def measures_check(names, where: str) -> tuple[str, ...]:
    for m in names:
        check_choice(m, MEASURES, f"{where} measures")
    return tuple(names)


def isfinite(x) -> bool:
    return x is not None and math.isfinite(x)
