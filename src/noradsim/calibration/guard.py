"""Keep the calibration set and the out-of-sample predictions apart.

``../shared/validation/predictions.toml`` is never fitted to. :func:`check_targets_file`
refuses a targets file that is, or shares a target id with, a predictions file;
:func:`predictions_citation` names the paper (first author, year) a calibration target
shares with the predictions, so that the caller leaves that target out.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError
from ..parameters import read_toml

PREDICTIONS = "predictions.toml"
_YEAR = re.compile(r"\b(19|20)\d{2}\b")


def predictions_files(targets_path: str | Path) -> list[Path]:
    """Predictions files that exist: beside the targets file and in ``../shared/validation``."""
    here = Path(targets_path).resolve().parent
    repo = Path(__file__).resolve().parents[3]
    candidates = [here / PREDICTIONS, Path.cwd().parent / "shared" / "validation" / PREDICTIONS,
                  repo.parent / "shared" / "validation" / PREDICTIONS]
    out: list[Path] = []
    for c in candidates:
        if c.is_file() and c.resolve() not in out:
            out.append(c.resolve())
    return out


def citation_key(source: str) -> tuple[str, str] | None:
    """``("beyer", "2002")`` for ``"Beyer et al. 2002, J Psychopharmacol ..."``; None without a year."""
    year = _YEAR.search(source)
    if not year:
        return None
    author = re.split(r"\bet al\b|&|,| and |\d", source, maxsplit=1)[0].strip().lower()
    return (author, year.group(0)) if author else None


def _read_targets(path: Path) -> list[dict]:
    raw = read_toml(path).get("target", [])
    return [t for t in raw if isinstance(t, dict)] if isinstance(raw, list) else []


def check_targets_file(path: str | Path) -> list[Path]:
    """Refuse a predictions file as calibration data; return the predictions files consulted.

    Raises
    ------
    InputError
        ``path`` is a predictions file, or shares a target id with one.
    """
    path = Path(path)
    found = predictions_files(path)
    if path.name == PREDICTIONS or path.resolve() in found:
        raise InputError(f"{path}: predictions.toml is out of sample and is never used for calibration")
    ids = {str(t.get("id")) for t in _read_targets(path)}
    for pred in found:
        shared = sorted(ids & {str(t.get("id")) for t in _read_targets(pred)})
        if shared:
            raise InputError(f"{path}: target {shared[0]} is an out-of-sample prediction ({pred}); "
                             "calibrating on it is not allowed")
    return found


def predictions_citations(found: list[Path]) -> dict[tuple[str, str], str]:
    """``{(author, year): prediction id}`` for every paper the predictions files cite."""
    out: dict[tuple[str, str], str] = {}
    for pred in found:
        for t in _read_targets(pred):
            key = citation_key(str(t.get("source", "")))
            if key:
                out.setdefault(key, str(t.get("id")))
    return out
