"""Targets as a calibration problem: which targets a fit uses, and the prediction function.

``noradsim calibrate`` fits rate-model parameters to a targets file through the same
evaluation path as ``noradsim validate`` (:func:`noradsim.validation.evaluate` with
parameter overrides). A target is left out, with the reason recorded, when

- it cites a paper (first author, year) that the out-of-sample ``predictions.toml`` cites;
- it is simulated outside the rate model (spiking LC, virtual NET assays: no overrides);
- its range is negative or empty, or the expected value lies outside it;
- it cannot be simulated (unsupported) at the data-file values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..calibration.guard import check_targets_file, citation_key, predictions_citations
from ..calibration.overlay import section_records
from ..calibration.problem import FreeParameter, Residuals, free_parameter, observation
from ..drugs import DrugLibrary, load_library
from ..errors import InputError, unknown
from ..parameters import Parameter
from .evaluate import evaluate
from .targets import Target, read_targets

OUTSIDE_RATE_MODEL = ("lc_phasic_response", "lc_spike_width", "net_uptake", "net_inhibition")


CALIBRATABLE = (("terminal.toml", "parameters"), ("lc.toml", "parameters"), ("lc.toml", "state"),
                ("stimuli.toml", "stimulus"))


def calibratable_parameters() -> dict[str, Parameter]:
    """Data-file records a calibration may vary, by calibration name (overlay not applied).

    ``terminal.toml`` and ``lc.toml`` ``[parameters]`` by name; the LC state drives as
    ``state.S.drive`` and the stimulus drives as ``stimulus.X.drive``. The data-file value
    and plausible range (not an earlier calibration) set the search box, so a re-run
    searches the same box.
    """
    out: dict[str, Parameter] = {}
    from ..model.lc_states import state_drive_records

    for file, section in CALIBRATABLE:
        if (file, section) == ("lc.toml", "state"):  # drives, written or derived from a measured state rate
            out.update({f"state.{s}.drive": p for s, p in state_drive_records(calibrated=False).items()})
            continue
        for k, p in section_records(file, section, calibrated=False).items():
            out[k if section == "parameters" else f"{section}.{k}"] = p
    return out


def parameter_file(name: str) -> str:
    """The data file a calibration name lives in."""
    if name.startswith("state."):
        return "lc.toml"
    if name.startswith("stimulus."):
        return "stimuli.toml"
    return "lc.toml" if name in section_records("lc.toml", "parameters", calibrated=False) else "terminal.toml"


def affects(target: Target, name: str) -> bool:
    """Whether parameter ``name`` can change ``target``'s prediction (state and stimulus drives act locally)."""
    parts = name.split(".")
    c = target.conditions
    if parts[0] == "state" and len(parts) == 3:
        return parts[1] == ("slice" if c.preparation == "slice" else c.state)
    if parts[0] == "stimulus" and len(parts) == 3:
        return any(iv.kind == "stimulus" and iv.stimulus == parts[1] for iv in c.interventions)
    return True


class TargetPredictor:
    """``predict(overrides)`` for a list of targets, each cached on the overrides that affect it.

    A state drive changes only the targets simulated in that state and a stimulus drive only
    the targets with that stimulus, so a finite-difference step in one of them re-simulates
    only those targets.
    """

    def __init__(self, targets: list[Target], library: DrugLibrary, names: list[str],
                 fixed: dict[str, float] | None = None):
        self.targets = list(targets)
        self.library = library
        self.relevant = [tuple(n for n in names if affects(t, n)) for t in self.targets]
        self.fixed = [{n: v for n, v in (fixed or {}).items() if affects(t, n)} for t in self.targets]
        self._cache: dict[tuple, float | None] = {}

    def __call__(self, overrides: dict[str, float]) -> list:
        out = []
        for k, t in enumerate(self.targets):
            key = (k,) + tuple(round(overrides[n], 15) for n in self.relevant[k])
            if key not in self._cache:
                sub = self.fixed[k] | {n: overrides[n] for n in self.relevant[k]}
                self._cache[key] = evaluate(t, self.library, parameters=sub or None).predicted
            out.append(self._cache[key])
        return out


@dataclass
class CalibrationSetup:
    """A targets file turned into a :class:`Residuals` problem, with what was left out."""

    residuals: Residuals
    targets: list[Target]
    excluded: list[tuple[str, str]] = field(default_factory=list)
    before: list[float | None] = field(default_factory=list)
    predictions_files: list[Path] = field(default_factory=list)


def _free(names: list[str], ranges: dict | None = None) -> list[FreeParameter]:
    records = calibratable_parameters()
    if not names or any(not n for n in names):
        raise InputError("--parameters: give a comma-separated list of parameter names")
    if len(set(names)) != len(names):
        raise InputError("--parameters: a name is given twice")
    for n in names:
        if n not in records:
            raise unknown("--parameters", n, records)
    ranges = ranges or {}
    return [free_parameter(records[n], records[n].value, name=n, file=parameter_file(n), search=ranges.get(n))
            for n in names]


def calibration_setup(path: str | Path, names: list[str], library: DrugLibrary | None = None,
                      only: list[str] | None = None, ranges: dict | None = None,
                      fixed: dict[str, float] | None = None) -> CalibrationSetup:
    """Check the file, choose the targets and build the residuals for ``names``.

    Parameters
    ----------
    path : path
        A ``noradsim-targets/1`` file (never a predictions file: refused).
    names : list of str
        Parameters to calibrate (``terminal.toml`` or ``lc.toml`` names).
    only : list of str, optional
        Use only these target ids (a subset, e.g. for a fast test).
    ranges : dict, optional
        ``{name: (low, high)}`` search boxes (a spec's ``search_ranges``) instead of the
        records' plausible ranges.
    fixed : dict, optional
        ``{name: value}`` held in every simulation (an earlier stage's calibrated values).
    """
    found = check_targets_file(path)
    free = _free(names, ranges)
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
    fixed = dict(fixed or {})
    if set(fixed) & set(names):
        raise InputError(f"--parameters: {sorted(set(fixed) & set(names))[0]} is both fitted and held fixed")
    start = fixed | {f.name: f.value for f in free}
    used, excluded, before = [], [], []
    for t in good:
        key = citation_key(t.source)
        if key in cited:
            excluded.append((t.id, f"cites {key[0].title()} {key[1]}, a paper predictions.toml cites "
                                   f"({cited[key]}): out of sample, never fitted"))
        elif t.measure in OUTSIDE_RATE_MODEL:
            excluded.append((t.id, f"measure {t.measure} is simulated outside the rate model (no parameter overrides)"))
        elif observation(t) is None:
            excluded.append((t.id, f"range [{t.low:g}, {t.high:g}] with expected {t.expected:g} is not a usable "
                                   "published range (negative, empty, or the value outside it)"))
        else:
            o = evaluate(t, library, parameters=start)
            if o.verdict == "unsupported":
                excluded.append((t.id, f"not simulated: {o.reason}"))
                continue
            used.append(t)
            before.append(o.predicted)
    if not used:
        raise InputError(f"{path}: no target can be used for calibration")

    res = Residuals(free, [observation(t) for t in used], TargetPredictor(used, library, names, fixed))
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


def time_evaluation(residuals: Residuals) -> float:
    """Wall time (s) of one objective evaluation at the data-file values (models already compiled)."""
    import time

    clock = time.perf_counter()
    residuals.fval(residuals.coordinates([f.value for f in residuals.free]))
    return time.perf_counter() - clock
