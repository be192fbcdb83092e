"""Calibration spec files: everything a calibration run needs, so that a re-run reproduces it.

The shipped calibration is ``noradsim/data/calibration_spec.toml``; ``noradsim calibrate
--spec FILE --out DIR`` runs it, and copying ``DIR/calibrated.toml`` to
``noradsim/data/calibrated.toml`` ships the result. Format
(``schema = "noradsim-calibration-spec/1"``)::

    targets = "targets.toml"          # see resolve_targets (relative paths)
    parameters = ["release_per_spike", "state.awake.drive", ...]
    starts = 20                       # multi-start size (seeded Latin hypercube)
    seed = 1
    max_nfev = 12                     # residual evaluations per local fit
    profiles = true
    profile_nfev = 4                  # per re-optimisation at a profile step
    workers = 2                       # processes (does not change the result)
    sweeps = 1                        # with stages: passes over all stages (below)
    targets_only = []                 # optional subset of target ids
    drugs = []                        # optional user drug files
    search_ranges = { th_vmax = [0.015, 0.4] }   # optional search box per parameter
                                      # (default: the record's plausible range)

    [[stage]]                         # optional later stages, run in order: each fits its
    parameters = ["lc_autoreceptor_enrichment"]  # own parameters to its own targets with
    targets_only = ["curet1994_idazoxan_fc"]      # every earlier stage's values held fixed
    search_ranges = { lc_autoreceptor_enrichment = [1.0, 15.0] }

The top-level ``parameters``, ``targets_only`` and ``search_ranges`` are the first stage.
In the first pass a later stage's parameters are at their data-file values while an earlier
stage is fitted; with ``sweeps`` > 1 the passes repeat, each stage holding every other
stage's latest values, until no value changes by more than 1e-3 (relative) over a pass: a
fixed point at which every stage is the optimum of its own targets given all the others.
Stages are modular calibration (Liu, Bayarri & Berger 2009, Bayesian Analysis 4:119;
Plummer 2015, Stat Comput 25:37, "cut" models): a later stage's targets inform only its own
parameters, so a structural misfit in the mechanism they measure cannot move parameters that
an earlier stage's direct measurements identify.

Settings given on the command line override the spec's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, unknown
from ..parameters import read_toml

SCHEMA = "noradsim-calibration-spec/1"
SHIPPED_SPEC = "calibration_spec.toml"
_INTS = {"starts": 20, "seed": 0, "max_nfev": 20, "profile_nfev": 0, "workers": 1, "sweeps": 1}
_KEYS = ("schema", "targets", "parameters", "profiles", "targets_only", "drugs", "search_ranges",
         "note", "stage") + tuple(_INTS)
_STAGE_KEYS = ("parameters", "targets_only", "search_ranges", "note")


@dataclass
class Stage:
    """One stage of a calibration: parameters fitted to targets, earlier stages' values held."""

    parameters: list[str] = field(default_factory=list)
    targets_only: list[str] = field(default_factory=list)
    search_ranges: dict[str, tuple[float, float]] = field(default_factory=dict)

    def to_toml(self) -> list[str]:
        return [f"parameters = {_lst(self.parameters)}", f"targets_only = {_lst(self.targets_only)}"] + (
            [f"search_ranges = {_ranges_toml(self.search_ranges)}"] if self.search_ranges else [])


def _lst(v) -> str:
    return "[" + ", ".join(f'"{x}"' for x in v) + "]"


def _ranges_toml(ranges: dict) -> str:
    return "{ " + ", ".join(f'"{k}" = [{lo!r}, {hi!r}]' for k, (lo, hi) in ranges.items()) + " }"


@dataclass
class Spec:
    """A calibration run's settings (``profile_nfev = 0``: half of ``max_nfev``, at least 3)."""

    targets: str = ""
    parameters: list[str] = field(default_factory=list)
    starts: int = 20
    seed: int = 0
    max_nfev: int = 20
    profiles: bool = True
    profile_nfev: int = 0
    workers: int = 1
    sweeps: int = 1
    targets_only: list[str] = field(default_factory=list)
    drugs: list[str] = field(default_factory=list)
    search_ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    stages: list[Stage] = field(default_factory=list)
    path: Path | None = None

    def all_stages(self) -> list[Stage]:
        """The stages in order: the top-level parameters first, then each ``[[stage]]``."""
        return [Stage(self.parameters, self.targets_only, self.search_ranges)] + list(self.stages)

    def all_parameters(self) -> list[str]:
        """Every parameter the run calibrates, in stage order."""
        return [n for st in self.all_stages() for n in st.parameters]

    def to_toml(self) -> str:
        """The spec as a TOML file (what ``DIR/calibration_spec.toml`` holds)."""
        lines = [f'schema = "{SCHEMA}"', f'targets = "{self.targets}"', f"parameters = {_lst(self.parameters)}"]
        lines += [f"{k} = {getattr(self, k)}" for k in _INTS if k != "sweeps" or self.sweeps != 1]
        lines += [f"profiles = {'true' if self.profiles else 'false'}", f"targets_only = {_lst(self.targets_only)}",
                  f"drugs = {_lst(self.drugs)}"]
        if self.search_ranges:
            lines.append(f"search_ranges = {_ranges_toml(self.search_ranges)}")
        for st in self.stages:
            lines += ["", "[[stage]]"] + st.to_toml()
        return "\n".join(lines) + "\n"

    def sha256(self) -> str:
        """Hash of :meth:`to_toml` (the settings that reproduce a run; the path is not part of it)."""
        import hashlib

        return hashlib.sha256(self.to_toml().encode()).hexdigest()


def _str_list(doc: dict, key: str, where: str) -> list[str]:
    v = doc.get(key, [])
    if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
        raise InputError(f"{where}: {key} must be a list of names")
    return list(v)


def read_spec(path: str | Path) -> Spec:
    """Read and check a spec file; a bad field raises :class:`InputError` naming it."""
    path = Path(path)
    doc = read_toml(path)
    where = str(path)
    if doc.get("schema") != SCHEMA:
        raise InputError(f"{where}: schema must be {SCHEMA!r}, got {doc.get('schema')!r}")
    for k in doc:
        if k not in _KEYS:
            raise unknown(f"{where}: field", k, _KEYS)
    spec = Spec(path=path)
    if not isinstance(doc.get("targets", ""), str):
        raise InputError(f"{where}: targets must be a path")
    spec.targets = doc.get("targets", "")
    spec.parameters = _str_list(doc, "parameters", where)
    spec.targets_only = _str_list(doc, "targets_only", where)
    spec.drugs = _str_list(doc, "drugs", where)
    for k, default in _INTS.items():
        v = doc.get(k, default)
        if isinstance(v, bool) or not isinstance(v, int) or v < (0 if k in ("seed", "profile_nfev") else 1):
            raise InputError(f"{where}: {k} must be a whole number >= {0 if k in ('seed', 'profile_nfev') else 1}")
        setattr(spec, k, v)
    if not isinstance(doc.get("profiles", True), bool):
        raise InputError(f"{where}: profiles must be true or false")
    spec.profiles = doc.get("profiles", True)
    spec.search_ranges = _ranges(doc, where, spec.parameters)
    spec.stages = _stages(doc, where, spec.parameters)
    return spec


def _stages(doc: dict, where: str, first: list[str]) -> list[Stage]:
    """``[[stage]]`` tables: each names parameters not calibrated by an earlier stage."""
    raw = doc.get("stage", [])
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        raise InputError(f"{where}: stage must be an array of tables ([[stage]])")
    seen, out = set(first), []
    for i, t in enumerate(raw, start=2):
        at = f"{where}: stage {i}"
        for k in t:
            if k not in _STAGE_KEYS:
                raise unknown(f"{at}: field", k, _STAGE_KEYS)
        st = Stage(_str_list(t, "parameters", at), _str_list(t, "targets_only", at))
        if not st.parameters:
            raise InputError(f"{at}: parameters must name at least one parameter")
        again = sorted(seen & set(st.parameters))
        if again:
            raise InputError(f"{at}: parameter {again[0]} is calibrated by an earlier stage")
        seen |= set(st.parameters)
        st.search_ranges = _ranges(t, at, st.parameters)
        out.append(st)
    return out


def _ranges(doc: dict, where: str, names: list[str]) -> dict[str, tuple[float, float]]:
    """``search_ranges``: ``{name: [low, high]}`` with ``low < high``, each name one of ``parameters``."""
    table = doc.get("search_ranges", {})
    if not isinstance(table, dict):
        raise InputError(f"{where}: search_ranges must be a table of name = [low, high]")
    out = {}
    for k, v in table.items():
        if k not in names:
            raise unknown(f"{where}: search_ranges", k, names)
        ok = isinstance(v, list) and len(v) == 2 and all(isinstance(x, (int, float)) and not isinstance(x, bool)
                                                         for x in v)
        if not ok or not float(v[0]) < float(v[1]):
            raise InputError(f"{where}: search_ranges.{k} must be [low, high] with low < high")
        out[k] = (float(v[0]), float(v[1]))
    return out


def resolve_targets(name: str, spec_path: Path | None) -> Path:
    """A targets path: as given, else beside the spec, else in ``../shared/validation``.

    The shipped spec names ``targets.toml``, the calibration set that lives in the shared
    validation folder beside the repository (``../shared/validation/targets.toml``).
    """
    p = Path(name)
    repo = Path(__file__).resolve().parents[3]
    candidates = [p]
    if not p.is_absolute():
        if spec_path is not None:
            candidates.append(spec_path.resolve().parent / p)
        candidates += [Path.cwd().parent / "shared" / "validation" / p, repo.parent / "shared" / "validation" / p]
    for c in candidates:
        if c.is_file():
            return c
    raise InputError(f"targets: {name} not found (looked in {', '.join(str(c.parent) for c in candidates)})")
