"""Model → Antimony → SBML with units, and SBML consistency checks with libsbml.

Antimony writes the structure (species, reactions, rules); :mod:`.sbml_units` then puts
a unit on every parameter, species, compartment and number, so that libsbml's unit
consistency check passes. The same SBML is what libroadrunner compiles.
"""

from __future__ import annotations

import antimony
import libsbml

from ..errors import InputError
from .sbml_units import annotate_units
from .spec import ModelSpec


def _num(x: float) -> str:
    return repr(float(x))


def to_antimony(model: ModelSpec) -> str:
    """Antimony text of ``model`` (reactions with kinetic laws, assignment rules).

    Parameter records become SBML parameters with their unit and source in comments,
    so an exported file still says where every number comes from.
    """
    lines = [f"model {model.name}"]
    for c in model.compartments:
        lines.append(f"  compartment {c.name};")
    for p in model.parameters:
        src = p.source.replace("\n", " ")
        lines.append(f"  {p.name} = {_num(p.value)}; // {p.unit}; {p.species}; {src}")
    for c in model.compartments:
        lines.append(f"  {c.name} = {c.size if isinstance(c.size, str) else _num(c.size)};")
    for s in model.species:
        lines.append(f"  species {s.name} in {s.compartment}; {s.name} = {_num(s.initial)}; // {s.unit}")
    for r in model.rules:
        lines.append(f"  {r.name} := {r.expression};")
    for rx in model.reactions:
        lhs = " + ".join(f"{_num(c)} {s}" if c != 1 else s for s, c in rx.reactants.items())
        rhs = " + ".join(f"{_num(c)} {s}" if c != 1 else s for s, c in rx.products.items())
        lines.append(f"  {rx.name}: {lhs} -> {rhs}; {rx.rate};")
    lines.append("end")
    return "\n".join(lines) + "\n"


def to_sbml(model: ModelSpec) -> str:
    """SBML Level 3 text of ``model`` via Antimony, with units (time in seconds, amounts in nmol)."""
    antimony.clearPreviousLoads()
    code = antimony.loadAntimonyString(to_antimony(model))
    if code < 0:
        raise InputError(f"model {model.name}: Antimony rejected it: {antimony.getLastError()}")
    doc = libsbml.readSBMLFromString(antimony.getSBMLString(model.name))
    annotate_units(doc, model)
    return libsbml.writeSBMLToString(doc)


def _issues(sbml: str) -> list[tuple[int, int, int, str]]:
    """``(id, category, severity, message)`` of every consistency finding, units included."""
    doc = libsbml.readSBMLFromString(sbml)
    doc.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, True)
    doc.checkConsistency()
    # copy out while the document is alive: the error objects belong to it
    return [(e.getErrorId(), e.getCategory(), e.getSeverity(), " ".join(e.getMessage().split()))
            for e in (doc.getError(i) for i in range(doc.getNumErrors()))]


def check_sbml(sbml: str) -> list[str]:
    """Errors (not warnings) that libsbml's consistency checks, units included, find; empty when valid."""
    return [msg for _, _, severity, msg in _issues(sbml) if severity >= libsbml.LIBSBML_SEV_ERROR]


def unit_issues(sbml: str) -> list[str]:
    """Every finding (errors and warnings) of libsbml's unit-consistency checks.

    In SBML Level 3 unit inconsistencies are reported as warnings, so an empty list,
    not an absence of errors, is what says the units agree.
    """
    return [f"{eid}: {msg}" for eid, category, _, msg in _issues(sbml)
            if category == libsbml.LIBSBML_CAT_UNITS_CONSISTENCY]
