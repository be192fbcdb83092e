"""Running an ``inverted_u`` experiment: working memory along the NE sweep, per condition.

The science is :func:`noradsim.receptors.readouts.working_memory`; this module only
sweeps it and reads off the peak and the values at the basal and stress markers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...drugs import DrugLibrary, load_library
from ...receptors.readouts import working_memory
from .config import Condition, InvertedUConfig
from .report import FILES, SUMMARY_KEYS, write_report


def _frozen(a) -> np.ndarray:
    """A read-only float copy: the result is frozen, its arrays too."""
    a = np.array(a, dtype=float)
    a.setflags(write=False)
    return a


@dataclass(frozen=True)
class ConditionCurve:
    """Working memory along the sweep under one condition, and the numbers read off it."""

    condition: Condition
    working_memory: np.ndarray
    ne_at_peak_nM: float
    peak_working_memory: float
    working_memory_at_basal: float
    working_memory_at_stress: float

    def summary(self) -> dict:
        """``{label, drug, drug_nM, ne_at_peak_nM, peak_working_memory, working_memory_at_basal,
        working_memory_at_stress}``."""
        c = self.condition
        return {"label": c.label, "drug": c.drug, "drug_nM": c.drug_nM,
                **{k: getattr(self, k) for k in SUMMARY_KEYS[1:]}}


@dataclass(frozen=True)
class InvertedUResult:
    """The curves of an ``inverted_u`` run.

    Attributes
    ----------
    config : InvertedUConfig
        What was run.
    ne_nM : numpy.ndarray
        The swept prefrontal ECF NE (nM).
    curves : tuple of ConditionCurve
        One per condition, in the order of the config.
    """

    config: InvertedUConfig
    ne_nM: np.ndarray
    curves: tuple[ConditionCurve, ...]

    def to_dict(self) -> dict:
        """JSON-able summary: ``{"conditions": [...], "files": [...]}`` (see :meth:`ConditionCurve.summary`)."""
        return {"conditions": [c.summary() for c in self.curves], "files": list(FILES)}

    def write(self, out_dir) -> None:
        """Write ``inverted_u.png``, ``inverted_u.csv`` and ``report.html`` into ``out_dir``."""
        write_report(self, Path(out_dir))


def _curve(cond: Condition, ne: np.ndarray, config: InvertedUConfig, library: DrugLibrary) -> ConditionCurve:
    drugs = {cond.drug: cond.drug_nM} if cond.drug else None
    species = config.species
    wm = working_memory(ne, drugs, species=species, library=library)["working_memory"]
    at = {k: float(working_memory(v, drugs, species=species, library=library)["working_memory"])
          for k, v in (("basal", config.basal_ne_nM), ("stress", config.stress_ne_nM))}
    i = int(np.argmax(wm))
    return ConditionCurve(cond, _frozen(wm), float(ne[i]), float(wm[i]), at["basal"], at["stress"])


def run(config: InvertedUConfig, *, seed: int = 0, library: DrugLibrary | None = None,
        progress: bool = False) -> InvertedUResult:
    """Sweep prefrontal NE and compute working memory under each condition.

    Parameters
    ----------
    config : InvertedUConfig
        From :func:`~noradsim.protocols.inverted_u.parse`.
    seed : int
        Unused: the read-out model is deterministic (kept for the shared protocol interface).
    library : DrugLibrary, optional
        Drug library for the drugs' receptor affinities (default: the shipped library).
    progress : bool
        Unused: the sweep takes well under a second.

    Returns
    -------
    InvertedUResult

    Examples
    --------
    >>> from noradsim.protocols.inverted_u import parse
    >>> res = run(parse({"protocol": "inverted_u"}))
    >>> 0.3 < res.curves[0].ne_at_peak_nM < 3.0
    True
    """
    lib = library or load_library()
    ne = config.ne_grid()
    curves = tuple(_curve(c, ne, config, lib) for c in config.conditions)
    return InvertedUResult(config, _frozen(ne), curves)
