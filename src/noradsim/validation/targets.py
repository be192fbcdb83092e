"""Published measurements as virtual experiments: the ``noradsim-targets/1`` format (SCHEMA.md).

A target that does not follow the schema (a missing field, a name outside the vocabulary
or the drug library, a unit that does not convert) is malformed: it becomes an error
naming the target and the field, and the other targets still run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, unknown
from ..parameters import read_toml
from ..protocols.conditions import Conditions, parse_conditions
from ..units import checked_number, parse_quantity, ureg
from ..vocabulary import MEASURES, SITES, STATISTICS

SCHEMA = "noradsim-targets/1"
REQUIRED = ("id", "source", "measure", "statistic", "unit", "species", "region", "expected", "range")
OPTIONAL = ("state", "preparation", "sample", "flow", "interventions", "window", "baseline", "scan", "notes", "assay")
_MEASURE_UNIT = {"extracellular_ne": "nM", "dialysate_ne": "nM", "lc_firing_rate": "Hz", "tissue_ne": "ng/g",
                 "lc_phasic_response": "ms", "lc_spike_width": "ms", "net_uptake": "nM", "net_inhibition": "nM",
                 "extracellular_da": "nM", "brain_drug": "ng/g", "net_occupancy": "%"}
_PERCENT = ("peak_percent_baseline", "min_percent_baseline", "mean_percent_baseline")
_MICRODIALYSIS = ("extracellular_ne", "dialysate_ne", "extracellular_da")


@dataclass(frozen=True)
class Target:
    id: str
    source: str
    measure: str
    statistic: str
    unit: str
    expected: float
    low: float
    high: float
    conditions: Conditions
    scan: tuple[float, float] | None = None
    notes: str = ""
    sample_given: bool = False
    raw_interventions: tuple = ()


@dataclass(frozen=True)
class Outcome:
    id: str
    predicted: float | None
    expected: float | None
    range: tuple[float, float] | None
    unit: str
    verdict: str  # within | outside | unsupported | error
    reason: str = ""
    curve: dict = field(default_factory=dict, compare=False)
    interval: tuple[float, float] | None = None  # 90 % prediction interval (validate --uncertainty)

    def to_dict(self) -> dict:
        d = {"id": self.id, "predicted": self.predicted, "expected": self.expected,
             "range": list(self.range) if self.range else None, "unit": self.unit,
             "verdict": self.verdict, "reason": self.reason}
        if self.interval is not None:
            d["interval"] = list(self.interval)
        return d


def parse_target(t: dict, index: int, library=None) -> Target:
    """One ``[[target]]`` table → :class:`Target` (errors name the id and the field).

    A drug that is not in ``library`` (default: the shipped library) makes the target
    malformed, like any other name outside the vocabulary.
    """
    tid = t.get("id")
    where = f"target {tid}" if isinstance(tid, str) and tid else f"target #{index + 1}"
    for key in REQUIRED:
        if key not in t:
            raise InputError(f"{where}: missing required field {key!r}")
    for key in t:
        if key not in REQUIRED + OPTIONAL:
            raise unknown(f"{where}: field", key, REQUIRED + OPTIONAL)
    if t["measure"] not in MEASURES:
        raise unknown(f"{where} measure", t["measure"], MEASURES)
    if t["statistic"] not in STATISTICS:
        raise unknown(f"{where} statistic", t["statistic"], STATISTICS)
    unit = str(t["unit"])
    natural = _MEASURE_UNIT[t["measure"]]
    if t["statistic"] in _PERCENT:
        if unit != "%":
            raise InputError(f"{where} unit: statistic {t['statistic']} is a percentage; unit must be '%', got {unit!r}")
    elif t["statistic"] == "ed50":
        _check_unit(unit, scan_unit(t), f"{where} unit")
    else:
        _check_unit(unit, natural, f"{where} unit")
    expected = checked_number(t["expected"], f"{where} expected")
    rng = t["range"]
    if not isinstance(rng, list) or len(rng) != 2:
        raise InputError(f"{where} range: must be [low, high]")
    low, high = checked_number(rng[0], f"{where} range"), checked_number(rng[1], f"{where} range")
    if low > high:
        raise InputError(f"{where} range: low {low} > high {high}")
    sample_default = "20 min" if t["measure"] in _MICRODIALYSIS else "1 min"
    cond = parse_conditions(t, where, sample_default=sample_default)
    scan = None
    if t["statistic"] == "ed50":
        if "scan" not in t or not isinstance(t["scan"], dict) or not {"low", "high"} <= set(t["scan"]):
            raise InputError(f"{where} scan: statistic ed50 needs scan = {{ low = '...', high = '...' }}")
        kind = "concentration" if scan_unit(t) == "nM" else "dose"
        scan = (parse_quantity(t["scan"]["low"], kind, f"{where} scan low"),
                parse_quantity(t["scan"]["high"], kind, f"{where} scan high"))
        if not 0 < scan[0] < scan[1]:
            raise InputError(f"{where} scan: need 0 < low < high")
        if sum(iv.scan for iv in cond.interventions) != 1:
            raise InputError(f"{where} interventions: statistic ed50 needs exactly one intervention with dose = 'scan'")
    _check_drugs(cond, where, library)
    if t["measure"] == "brain_drug" and sum(iv.kind == "drug" for iv in cond.interventions) != 1:
        raise InputError(f"{where} interventions: measure brain_drug needs exactly one drug intervention")
    for i, iv in enumerate(cond.interventions):
        if iv.site and iv.site not in SITES:
            raise unknown(f"{where} interventions[{i}] site", iv.site, SITES)
    return Target(tid, str(t["source"]), t["measure"], t["statistic"], unit, expected, low, high, cond, scan,
                  str(t.get("notes", "")), "sample" in t, tuple(dict(e) for e in t.get("interventions", [])))


def scan_unit(t: dict) -> str:
    """Internal unit of an ed50 scan: nM for a ``concentration = "scan"``, else mg/kg."""
    ivs = t.get("interventions", [])
    conc = isinstance(ivs, list) and any(isinstance(e, dict) and e.get("concentration") == "scan" for e in ivs)
    return "nM" if conc else "mg/kg"


def _check_drugs(cond: Conditions, where: str, library) -> None:
    from ..drugs import load_library

    library = library or load_library()
    for i, iv in enumerate(cond.interventions):
        if iv.kind == "drug":
            try:
                library.get(iv.drug)
            except InputError as exc:
                raise InputError(f"{where} interventions[{i}] {exc}") from None


def _check_unit(unit: str, natural: str, where: str) -> None:
    try:
        ureg().Quantity(1.0, unit).to(natural)
    except Exception:
        raise InputError(f"{where}: {unit!r} is not convertible to {natural}") from None


def _convert(value: float, natural: str, unit: str) -> float:
    return float(ureg().Quantity(value, natural).to(unit).magnitude)


def read_targets(path: str | Path, library=None) -> tuple[list[Target], list[tuple[str, str]]]:
    """Parse a targets file. Returns the good targets and ``(id, message)`` for bad ones."""
    doc = read_toml(path)
    if doc.get("schema") != SCHEMA:
        raise InputError(f"{path}: schema must be {SCHEMA!r}, got {doc.get('schema')!r}")
    raw = doc.get("target", [])
    if not isinstance(raw, list):
        raise InputError(f"{path}: 'target' must be an array of tables ([[target]])")
    good, bad, seen = [], [], set()
    for i, t in enumerate(raw):
        try:
            tg = parse_target(t, i, library)
            if tg.id in seen:
                raise InputError(f"target {tg.id}: id is not unique in the file")
            seen.add(tg.id)
            good.append(tg)
        except InputError as exc:
            bad.append((str(t.get("id", f"#{i + 1}")), str(exc)))
    return good, bad
