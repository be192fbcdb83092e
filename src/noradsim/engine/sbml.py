"""Model → Antimony → SBML, and SBML consistency checks with libsbml."""

from __future__ import annotations

import antimony
import libsbml

from ..errors import InputError
from ..model.core import Model


def _num(x: float) -> str:
    return repr(float(x))


def to_antimony(model: Model) -> str:
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


def to_sbml(model: Model) -> str:
    """SBML Level 3 text of ``model`` via Antimony."""
    antimony.clearPreviousLoads()
    code = antimony.loadAntimonyString(to_antimony(model))
    if code < 0:
        raise InputError(f"model {model.name}: Antimony rejected it: {antimony.getLastError()}")
    return antimony.getSBMLString(model.name)


def check_sbml(sbml: str) -> list[str]:
    """Errors (not warnings) that libsbml's consistency checks find; empty when valid."""
    doc = libsbml.readSBMLFromString(sbml)
    doc.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, False)
    doc.checkConsistency()
    out = []
    for i in range(doc.getNumErrors()):
        e = doc.getError(i)
        if e.getSeverity() >= libsbml.LIBSBML_SEV_ERROR:
            out.append(e.getMessage().strip())
    return out
