"""Targets as a calibration problem: which targets a fit uses, and the prediction function.

``noradsim calibrate`` fits rate-model parameters to a targets file through the same
evaluation path as ``noradsim validate`` (:func:`noradsim.validation.evaluate` with
parameter overrides). A target is left out, with the reason recorded, when

- it cites a paper (first author, year) that the out-of-sample ``predictions.toml`` cites;
- it is simulated outside the rate model (spiking LC, virtual NET assays: no overrides);
- its range or expected value is not positive (a log residual is undefined);
- it cannot be simulated (unsupported) at the data-file values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..calibration.guard import check_targets_file, citation_key, predictions_citations
from ..calibration.overlay import data_file_value
from ..calibration.problem import FreeParameter, Residuals, free_parameter, observation
from ..drugs import DrugLibrary, load_library
from ..errors import InputError, unknown
from .evaluate import evaluate
from .targets import Target, read_targets

OUTSIDE_RATE_MODEL = ("lc_phasic_response", "lc_spike_width", "net_uptake", "net_inhibition")


def calibratable_parameters() -> dict:
    """Parameter records a calibration may vary: ``terminal.toml`` and ``lc.toml`` [parameters]."""
    from ..model.terminal import lc_tables, terminal_parameters

    out = dict(terminal_parameters())
    out.update(lc_tables()[0])
    return out


@dataclass
class CalibrationSetup:
    """A targets file turned into a :class:`Residuals` problem, with what was left out."""

    residuals: Residuals
    targets: list[Target]
    excluded: list[tuple[str, str]] = field(default_factory=list)
    before: list[float | None] = field(default_factory=list)
    predictions_files: list[Path] = field(default_factory=list)


def _free(names: list[str]) -> list[FreeParameter]:
    records = calibratable_parameters()
    if not names or any(not n for n in names):
        raise InputError("--parameters: give a comma-separated list of parameter names")
    if len(set(names)) != len(names):
        raise InputError("--parameters: a name is given twice")
    for n in names:
        if n not in records:
            raise unknown("--parameters", n, records)
    return [free_parameter(records[n], data_file_value(records[n])) for n in names]


def calibration_setup(path: str | Path, names: list[str], library: DrugLibrary | None = None,
                      only: list[str] | None = None) -> CalibrationSetup:
    """Check the file, choose the targets and build the residuals for ``names``.

    Parameters
    ----------
    path : path
        A ``noradsim-targets/1`` file (never a predictions file: refused).
    names : list of str
        Parameters to calibrate (``terminal.toml`` or ``lc.toml`` names).
    only : list of str, optional
        Use only these target ids (a subset, e.g. for a fast test).
    """
    found = check_targets_file(path)
    free = _free(names)
    library = library or load_library()
    good, bad = read_targets(path, library)
    if bad:
        raise InputError(f"{path}: malformed target {bad[0][0]}: {bad[0][1]}")
    if only is not None:
        missing = sorted(set(only) - {t.id for t in good})
        if missing:
            raise unknown("--targets", missing[0], [t.id for t in good])
        good = [t for t in good if t.id in only]
    cited = predictions_citations(found)
    start = {f.name: f.value for f in free}
    used, excluded, before = [], [], []
    for t in good:
        key = citation_key(t.source)
        if key in cited:
            excluded.append((t.id, f"cites {key[0].title()} {key[1]}, a paper predictions.toml cites "
                                   f"({cited[key]}): out of sample, never fitted"))
        elif t.measure in OUTSIDE_RATE_MODEL:
            excluded.append((t.id, f"measure {t.measure} is simulated outside the rate model (no parameter overrides)"))
        elif observation(t) is None:
            excluded.append((t.id, f"range [{t.low:g}, {t.high:g}] or expected {t.expected:g} is not positive: "
                                   "log residual undefined"))
        else:
            o = evaluate(t, library, parameters=start)
            if o.verdict == "unsupported":
                excluded.append((t.id, f"not simulated: {o.reason}"))
                continue
            used.append(t)
            before.append(o.predicted)
    if not used:
        raise InputError(f"{path}: no target can be used for calibration")

    def predict(overrides: dict[str, float]) -> list:
        return [evaluate(t, library, parameters=overrides).predicted for t in used]

    res = Residuals(free, [observation(t) for t in used], predict)
    return CalibrationSetup(res, used, excluded, before, found)


def prediction_intervals(outcomes, targets: list[Target], library: DrugLibrary | None = None, *,
                         overlay: str | Path | None = None, samples: int = 40, seed: int = 0, progress=None):
    """``outcomes`` with a 90 % ``interval`` from the calibrated parameters' uncertainty.

    Draws ``samples`` parameter sets (:func:`noradsim.calibration.uncertainty.parameter_sets`)
    and evaluates every target with each; the interval is the 5th-95th percentile of the
    predictions. Targets simulated outside the rate model get no interval.
    """
    from dataclasses import replace

    from ..calibration.overlay import read_overlay
    from ..calibration.uncertainty import parameter_sets, percentile_interval

    entries = read_overlay(overlay)
    if not entries:
        raise InputError("--uncertainty: no calibrated parameters (noradsim/data/calibrated.toml is missing)")
    library = library or load_library()
    sets = parameter_sets(entries, samples, seed)
    by_id = {t.id: t for t in targets}
    out = []
    for o in outcomes:
        t = by_id.get(o.id)
        if t is None or o.verdict in ("error", "unsupported") or t.measure in OUTSIDE_RATE_MODEL:
            out.append(o)
            continue
        values = [evaluate(t, library, parameters=s).predicted for s in sets]
        out.append(replace(o, interval=percentile_interval(values)))
        if progress:
            progress(out[-1])
    return out
