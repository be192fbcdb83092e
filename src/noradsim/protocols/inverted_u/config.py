"""Reading an ``inverted_u`` experiment document into a frozen :class:`InvertedUConfig`.

Every check runs here, before any computation; drug doses are turned into brain
concentrations here too (:func:`noradsim.pk.brain_concentration`), so the config holds
only numbers the run needs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ...drugs import DrugLibrary, load_library
from ...errors import InputError, unknown
from ...pk import brain_concentration
from ...receptors.readouts import readout_parameters
from ...units import parse_quantity

_TOP = ("schema", "protocol", "species", "region", "title", "inverted_u", "notes", "seed", "drugs")
_SECTION = ("ne_range", "n_points", "basal_ne", "stress_ne", "condition")
_COND = ("label", "drug", "dose", "route", "at", "brain_concentration")
DEFAULT_TITLE = "Inverted U of prefrontal NE"


@dataclass(frozen=True)
class Condition:
    """One curve: a label and the drug's unbound brain concentration (no drug: ``drug`` is None)."""

    label: str
    drug: str | None
    drug_nM: float


@dataclass(frozen=True)
class InvertedUConfig:
    """A checked ``inverted_u`` experiment.

    Attributes
    ----------
    species : str
        Species of the receptor affinities.
    ne_low_nM, ne_high_nM : float
        The prefrontal ECF NE range swept (log scale), nM.
    n_points : int
        Number of NE values in the sweep.
    basal_ne_nM, stress_ne_nM : float
        The NE levels marked on the curves (and read out per condition), nM.
    conditions : tuple of Condition
        The curves, in the order of the file.
    title : str
        Title of the report.
    """

    species: str
    ne_low_nM: float
    ne_high_nM: float
    n_points: int
    basal_ne_nM: float
    stress_ne_nM: float
    conditions: tuple[Condition, ...]
    title: str = DEFAULT_TITLE

    def ne_grid(self) -> np.ndarray:
        """The swept prefrontal ECF NE values (nM), log-spaced."""
        return np.logspace(math.log10(self.ne_low_nM), math.log10(self.ne_high_nM), self.n_points)


def _field(where: str, name: str) -> str:
    """Name of a field in messages: the file name is prefixed when the caller gave one."""
    return name if where == "experiment" else f"{where} {name}"


def _condition(c: dict, i: int, where: str, library: DrugLibrary) -> Condition:
    w = _field(where, f"inverted_u.condition[{i}]")
    for k in c:
        if k not in _COND:
            raise unknown(f"{w} field", k, _COND)
    label = str(c.get("label", c.get("drug", "vehicle")))
    if "drug" not in c:
        return Condition(label, None, 0.0)
    drug = library.get(c["drug"]).name
    if "brain_concentration" in c and "dose" in c:
        raise InputError(f"{w}: give either dose or brain_concentration, not both")
    if "brain_concentration" in c:
        conc = parse_quantity(c["brain_concentration"], "concentration", f"{w}.brain_concentration")
    elif "dose" in c:
        dose = parse_quantity(c["dose"], "dose", f"{w}.dose")
        at = parse_quantity(c.get("at", "60 min"), "time", f"{w}.at")
        conc = brain_concentration(drug, dose, str(c.get("route", "ip")), at, library=library)
    else:
        raise InputError(f"{w}: drug {drug!r} needs dose or brain_concentration")
    return Condition(label, drug, float(conc))


def _check_fields(doc: dict, sec: dict, where: str) -> None:
    for k in doc:
        if k not in _TOP:
            raise unknown(f"{where} field", k, _TOP)
    if doc.get("protocol") != "inverted_u":
        raise unknown(_field(where, "protocol"), doc.get("protocol"), ["inverted_u"])
    for k in sec:
        if k not in _SECTION:
            raise unknown(_field(where, "inverted_u field"), k, _SECTION)


def parse(doc: dict, *, where: str = "experiment", library: DrugLibrary | None = None) -> InvertedUConfig:
    """Check an ``inverted_u`` experiment document and return its config.

    Parameters
    ----------
    doc : dict
        The experiment (``noradsim-experiment/1``, ``protocol = "inverted_u"``); see
        :mod:`noradsim.protocols.inverted_u` for the fields.
    where : str
        Name of the document in error messages (e.g. the file name).
    library : DrugLibrary, optional
        Drug library for the conditions' drugs (default: the shipped library).

    Returns
    -------
    InvertedUConfig

    Raises
    ------
    noradsim.errors.InputError
        On any unknown field, bad quantity or unknown drug.

    Examples
    --------
    >>> cfg = parse({"protocol": "inverted_u", "inverted_u": {"n_points": 5}})
    >>> cfg.n_points, [c.label for c in cfg.conditions]
    (5, ['vehicle'])
    """
    sec = doc.get("inverted_u", {})
    _check_fields(doc, sec, where)
    species = str(doc.get("species", "rat"))
    name = _field(where, "inverted_u.ne_range")
    lo, hi = (parse_quantity(x, "concentration", name) for x in sec.get("ne_range", ["0.05 nM", "50 nM"]))
    if not 0 < lo < hi:
        raise InputError(f"{name}: need 0 < low < high, got [{lo}, {hi}] nM")
    n = sec.get("n_points", 80)
    if isinstance(n, bool) or not isinstance(n, int) or not 5 <= n <= 10000:
        raise InputError(f"{_field(where, 'inverted_u.n_points')}: an integer in [5, 10000], got {n!r}")
    p = readout_parameters()
    basal = parse_quantity(sec.get("basal_ne", f"{p['ne_basal']} nM"), "concentration",
                           _field(where, "inverted_u.basal_ne"))
    stress = parse_quantity(sec.get("stress_ne", f"{3 * p['ne_basal']} nM"), "concentration",
                            _field(where, "inverted_u.stress_ne"))
    lib = library or load_library()
    conds = tuple(_condition(c, i, where, lib) for i, c in enumerate(sec.get("condition") or [{"label": "vehicle"}]))
    return InvertedUConfig(species, lo, hi, n, basal, stress, conds, str(doc.get("title", DEFAULT_TITLE)))
