"""Experiment specifications: the TOML experiment format and SCHEMA.md targets, parsed once.

Both formats use the same vocabulary (:mod:`noradsim.vocabulary`); quantities are strings
with units, checked with pint here and stored as floats in internal units (s, nM, mg/kg).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..errors import InputError, unknown
from .checks import MAX_CURRENT_NA, MAX_SPAN_S, check_at_most, check_concentration, check_dose, check_span
from ..units import parse_quantity
from ..vocabulary import MEASURES, PERFUSATES, PREPARATIONS, REGIONS, ROUTES, SPECIES, STATES, STIMULI

SYSTEMIC = ("iv", "ip", "sc", "po", "sc_minipump")


@dataclass(frozen=True)
class Intervention:
    """One drug, perfusate change or stimulus. Times in s, doses in mg/kg, concentrations in nM."""

    kind: str  # "drug" | "perfusate" | "stimulus"
    at: float = 0.0
    duration: float | None = None
    drug: str = ""
    route: str = ""
    dose: float | None = None  # mg/kg (mg/kg/day for sc_minipump)
    concentration: float | None = None  # nM (perfusate K+/Ca2+ in mM)
    scan: bool = False
    site: str = ""
    perfusate: str = ""
    stimulus: str = ""
    frequency: float | None = None
    current: float | None = None  # nA, iontophoresis

    @property
    def end(self) -> float:
        return self.at + (self.duration or 0.0)


_DRUG_KEYS = {"drug", "dose", "concentration", "route", "site", "at", "duration", "current"}
_PERF_KEYS = {"perfusate", "concentration", "at", "duration"}
_STIM_KEYS = {"stimulus", "duration", "frequency", "at", "intensity"}


def parse_intervention(entry: dict, where: str) -> Intervention:
    """Parse one inline table of ``interventions``; errors name ``where`` and the field."""
    if not isinstance(entry, dict):
        raise InputError(f"{where}: each intervention must be an inline table")
    at = parse_quantity(entry.get("at", "0 min"), "time", f"{where} at", allow_negative=True)
    dur = parse_quantity(entry["duration"], "time", f"{where} duration") if "duration" in entry else None
    check_at_most(abs(at), MAX_SPAN_S, f"{where} at", "s", "more than 60 days from time 0")
    check_at_most(dur or 0.0, MAX_SPAN_S, f"{where} duration", "s", "longer than 60 days")
    if "drug" in entry:
        _check_keys(entry, _DRUG_KEYS, where)
        route = entry.get("route")
        if route is None:
            raise InputError(f"{where}: drug {entry['drug']!r} lacks field 'route' (one of {', '.join(ROUTES)})")
        if route not in ROUTES:
            raise unknown(f"{where} route", route, ROUTES)
        dose = conc = None
        scan = False
        if "dose" in entry:
            if entry["dose"] == "scan":
                scan = True
            else:
                kind = "infusion" if route == "sc_minipump" else "dose"
                dose = check_dose(parse_quantity(entry["dose"], kind, f"{where} dose"), f"{where} dose",
                                  infusion=kind == "infusion")
        if "concentration" in entry:
            if entry["concentration"] == "scan":
                scan = True
            else:
                conc = check_concentration(parse_quantity(entry["concentration"], "concentration",
                                                          f"{where} concentration"), f"{where} concentration")
        if route in SYSTEMIC and dose is None and not scan:
            raise InputError(f"{where}: drug {entry['drug']!r} by route {route} needs 'dose' (e.g. '3 mg/kg')")
        if route in ("reverse_dialysis", "bath") and conc is None and not scan:
            raise InputError(f"{where}: drug {entry['drug']!r} by route {route} needs 'concentration' (e.g. '1 uM')")
        if route == "sc_minipump" and dur is None:
            dur = 14 * 86400.0
        current = None
        if "current" in entry:
            current = check_at_most(parse_quantity(entry["current"], "current", f"{where} current"), MAX_CURRENT_NA,
                                    f"{where} current", "nA", "beyond any iontophoresis current")
        return Intervention("drug", at, dur, drug=str(entry["drug"]), route=route, dose=dose, concentration=conc,
                            scan=scan, site=str(entry.get("site", "")), current=current)
    if "perfusate" in entry:
        _check_keys(entry, _PERF_KEYS, where)
        name = entry["perfusate"]
        if name not in PERFUSATES:
            raise unknown(f"{where} perfusate", name, PERFUSATES)
        conc = None
        if name in ("potassium", "calcium"):
            if "concentration" not in entry:
                raise InputError(f"{where}: perfusate {name} needs 'concentration' (e.g. '30 mM')")
            conc = check_concentration(parse_quantity(entry["concentration"], "concentration", f"{where} concentration"),
                                       f"{where} concentration") / 1e6  # mM
        elif name == "tetrodotoxin":
            conc = parse_quantity(entry.get("concentration", "1 uM"), "concentration", f"{where} concentration")
        return Intervention("perfusate", at, dur, perfusate=name, concentration=conc)
    if "stimulus" in entry:
        _check_keys(entry, _STIM_KEYS, where)
        name = entry["stimulus"]
        if name not in STIMULI:
            raise unknown(f"{where} stimulus", name, STIMULI)
        freq = parse_quantity(entry["frequency"], "rate", f"{where} frequency") if "frequency" in entry else None
        return Intervention("stimulus", at, dur, stimulus=name, frequency=freq)
    raise InputError(f"{where}: an intervention needs one of 'drug', 'perfusate' or 'stimulus'")


def _check_keys(entry: dict, allowed: set, where: str) -> None:
    for k in entry:
        if k not in allowed:
            raise unknown(f"{where} field", k, allowed)


def check_choice(value, allowed, field: str):
    if value not in allowed:
        raise unknown(field, value, allowed)
    return value


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


def parse_conditions(doc: dict, where: str, *, sample_default: str = "20 min") -> Conditions:
    """Read the shared fields (species, region, state, preparation, sample, flow, window,
    baseline, interventions) of an experiment or a target."""
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
    return Conditions(species, region, state, prep, sample, flow, window, baseline, interventions, probe_length)


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
