"""Interventions: the one parser for drugs, perfusate changes and stimuli.

Every protocol (microdialysis, recording, validation targets) reads its ``interventions``
list through :func:`parse_intervention`, with the names of :mod:`noradsim.vocabulary`;
quantities are checked with pint and stored in internal units (s, nM, mg/kg).
"""

from __future__ import annotations

from dataclasses import dataclass

from .checks import MAX_CURRENT_NA, MAX_SPAN_S, check_at_most, check_concentration, check_dose, check_span
from .errors import InputError, unknown
from .units import parse_quantity
from .vocabulary import PERFUSATES, ROUTES, STIMULI

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
