"""The published measurement an experiment replicates, if there is one (optional).

An experiment replicates a target of the calibration set (``../shared/validation/targets.toml``,
or the file named by ``NORADSIM_TARGETS``) when the target measures extracellular or
dialysate NE as a peak or trough % of baseline, in the same region, after the same single
drug, dose and route. The file is read as plain TOML (protocols do not import the
validation package); a missing or unreadable file simply means no published value.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from ...errors import InputError
from ...units import parse_quantity
from ..conditions import Conditions

MEASURES = ("extracellular_ne", "dialysate_ne")
STATISTICS = ("peak_percent_baseline", "min_percent_baseline")


@dataclass(frozen=True)
class Published:
    """One published value: what it is, where it is from, and its accepted range."""

    target_id: str
    source: str
    statistic: str
    expected: float
    low: float
    high: float


def targets_file() -> Path | None:
    """The targets file to look in: ``NORADSIM_TARGETS`` or the shared calibration set."""
    env = os.environ.get("NORADSIM_TARGETS")
    if env:
        return Path(env)
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "validation" / "targets.toml"
        if candidate.is_file():
            return candidate
    return None


def _same_dose(entry: dict, cond: Conditions) -> bool:
    drugs = [iv for iv in cond.interventions if iv.kind == "drug"]
    ivs = entry.get("interventions", [])
    if len(drugs) != 1 or len(ivs) != 1 or not isinstance(ivs[0], dict):
        return False
    mine, theirs = drugs[0], ivs[0]
    if str(theirs.get("drug", "")).lower() != mine.drug.lower() or theirs.get("route") != mine.route:
        return False
    try:
        dose = parse_quantity(theirs.get("dose", ""), "dose", "target dose")
    except InputError:
        return False
    return mine.dose is not None and math.isclose(dose, mine.dose, rel_tol=1e-6)


def find_published(cond: Conditions, path: Path | None = None) -> list[Published]:
    """Published peak/trough values that this experiment replicates (empty when none or no file)."""
    import tomllib

    path = path or targets_file()
    if path is None or not path.is_file():
        return []
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    out = []
    for t in doc.get("target", []):
        if not isinstance(t, dict) or t.get("measure") not in MEASURES or t.get("statistic") not in STATISTICS:
            continue
        if t.get("region") != cond.region or t.get("species", "rat") != cond.species or not _same_dose(t, cond):
            continue
        try:
            expected = float(t["expected"])
            low, high = (float(v) for v in t.get("range", [expected, expected]))
        except (KeyError, TypeError, ValueError):
            continue
        out.append(Published(str(t.get("id", "")), str(t.get("source", "")), t["statistic"], expected, low, high))
    return out
