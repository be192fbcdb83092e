"""Units in the exported SBML: unit definitions on everything, consistent for libsbml.

The declarative model counts amounts *relative* to something: a species' amount is its
concentration unit times the unit of its compartment's size, and a compartment sized by a
number is a relative size (dimensionless; e.g. "per litre of tissue"). SBML instead wants
one extent unit for every kinetic law and substance units based on mole (or
dimensionless) for every species. The exporter bridges the two without changing a number:

* extent and substance: nmol (``INTERNAL["concentration"]`` x litre); time: second.
* a species whose unit contains one mole (nM, nmol/kg) keeps nmol as substance and sits
  in an SBML compartment whose unit makes its concentration right (litre, kilogram);
  any other species (a rate in Hz, a fraction) has substance ``dimensionless`` and a
  *conversion factor* ``cf_*`` (value 1) from the extent.
* where a size or a rate must change unit, it is multiplied by a reference parameter
  ``ref_*`` of value 1 (``ref_L`` = 1 L: the amounts are those of 1 L of tissue;
  ``ref_kg`` = 1 kg: those of 1 kg of body weight). Multiplying by 1.0 is exact, so
  libroadrunner computes the same numbers as before.
* a compartment that holds species needing different units is split (``lc`` and
  ``lc_s`` for a firing rate): same size, so the same numbers.
* numbers in the math are dimensionless (as in the model's own unit check).
"""

from __future__ import annotations

import math
import re

import libsbml

from ..units import INTERNAL, ONE, Dim, dim
from .spec import ModelSpec

# pint root units -> SBML unit kinds (metre^3 becomes litre below)
_KINDS = {"mole": "mole", "gram": "gram", "second": "second", "ampere": "ampere", "kelvin": "kelvin",
          "candela": "candela", "meter": "metre", "radian": "radian"}
_ORDER = ("mole", "gram", "litre", "metre", "second", "ampere", "kelvin", "candela", "radian")
_ABBR = {"mole": "mol", "litre": "L", "second": "s", "gram": "g", "metre": "m", "ampere": "A", "kelvin": "K",
         "candela": "cd", "radian": "rad", "dimensionless": "1"}
_PREFIX = {-15: "f", -12: "p", -9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M"}
_BUILTIN = ("mole", "litre", "second", "gram", "metre", "ampere", "kelvin", "candela", "radian", "dimensionless")


def extent_dim(model: ModelSpec) -> Dim:
    """The extent (and substance) unit: nmol when any species is a concentration, else dimensionless."""
    if any(_mole_power(dim(s.unit)) == 1 for s in model.species):
        return dim(INTERNAL["concentration"]) * dim("L")
    return ONE


def _mole_power(d: Dim) -> float:
    return dict(d.powers).get("mole", 0.0)


def sbml_units(d: Dim) -> list[tuple[str, float, int, float]]:
    """``(kind, exponent, scale, multiplier)`` SBML units equal to ``d``.

    >>> sbml_units(dim("nM"))
    [('mole', 1.0, -9, 1.0), ('litre', -1.0, 0, 1.0)]
    """
    powers = {a: p for a, p in d.powers if isinstance(a, str)}
    if len(powers) != len(d.powers):
        raise ValueError(f"a unit with a symbolic power has no SBML form: {d}")
    log_factor = d.log_factor
    out: dict[str, float] = {}
    for atom, p in powers.items():
        if atom == "meter" and abs(p / 3 - round(p / 3)) < 1e-9:
            out["litre"] = p / 3
            log_factor += p / 3 * math.log(1000.0)  # 1 m^3 = 1000 L
        elif atom in _KINDS:
            out[_KINDS[atom]] = p
        else:
            raise ValueError(f"no SBML unit kind for {atom!r} in {d}")
    kinds = sorted(out, key=_ORDER.index) or ["dimensionless"]
    exps = [out.get(k, 1.0) for k in kinds]
    scales = [0] * len(kinds)
    if "gram" in out and out["gram"] < 0 and len(kinds) > 1:
        # per kg, not per g (a body-weight normalisation); the rest of the factor goes elsewhere
        scales[kinds.index("gram")] = 3
        log_factor -= 3 * out["gram"] * math.log(10.0)
    carrier = next(i for i, k in enumerate(kinds) if scales[i] == 0)
    per = log_factor / exps[carrier]  # the factor goes on one unit: (10^scale * m * kind)^exponent
    log10 = per / math.log(10.0)
    mults = [1.0] * len(kinds)
    if abs(log10 - round(log10)) < 1e-9:
        scales[carrier] = int(round(log10))
    else:
        mults[carrier] = float(f"{math.exp(per):.15g}")
    return [(k, float(e), sc, m) for k, e, sc, m in zip(kinds, exps, scales, mults)]


def unit_slug(d: Dim) -> str:
    """A readable identifier for a unit (``nmol_per_L``, ``per_s``, ``kg``).

    >>> unit_slug(dim("L/s/kg"))
    'L_per_kg_s'
    """
    num, den = [], []
    for kind, exp, scale, mult in sbml_units(d):
        text = ("" if mult == 1.0 else f"{mult:g}x") + _PREFIX.get(scale, f"e{scale}") + _ABBR.get(kind, kind)
        power = abs(exp)
        text += "" if power == 1 else f"{power:g}"
        (num if exp > 0 else den).append(text)
    slug = "_".join(num) + ("_per_" + "_".join(den) if den else "")
    slug = re.sub(r"[^A-Za-z0-9_]", "p", slug.lstrip("_"))
    return slug if slug else "1"


def text_slug(unit: str) -> str:
    """An identifier from a declared unit string (``nmol/s/kg`` -> ``nmol_per_s_per_kg``).

    >>> text_slug("1/(nM*s)")
    'per_nM_s'
    """
    t = str(unit).replace(" ", "").replace("**", "").replace("^", "")
    t = re.sub(r"^1/", "per_", t).replace("/", "_per_").replace("*", "_")
    t = re.sub(r"[^A-Za-z0-9_]", "", t.replace("(", "").replace(")", ""))
    return re.sub(r"_+", "_", t).strip("_") or "1"


class UnitWriter:
    """Adds unit definitions, units, reference parameters and conversion factors to an SBML model."""

    def __init__(self, sbml_model: libsbml.Model, model: ModelSpec):
        self.sm = sbml_model
        self.model = model
        self.extent = extent_dim(model)
        self._defs: dict[tuple, str] = {}
        self._consts: dict[tuple, str] = {}
        self.taken = {p.getId() for p in sbml_model.getListOfParameters()}
        self.taken |= {c.getId() for c in sbml_model.getListOfCompartments()}
        self.taken |= {s.getId() for s in sbml_model.getListOfSpecies()}
        self.taken |= {r.getId() for r in sbml_model.getListOfReactions()}

    # ---- unit definitions and constants
    def unit_id(self, d: Dim, text: str = "") -> str:
        """The id of a unit definition equal to ``d`` (built-in SBML units used where they fit).

        ``text``, the unit as declared, names the definition when it is the first of its kind.
        """
        units = sbml_units(d)
        if units == [("gram", 1.0, 3, 1.0)]:
            return "kilogram"
        if len(units) == 1 and units[0][0] in _BUILTIN and units[0][1:] == (1.0, 0, 1.0):
            return units[0][0]
        key = tuple(units)
        if key not in self._defs:
            uid = self._fresh("u_" + (text_slug(text) if text else unit_slug(d)))
            ud = self.sm.createUnitDefinition()
            ud.setId(uid)
            for kind, exp, scale, mult in units:
                u = ud.createUnit()
                u.setKind(libsbml.UnitKind_forName(kind))
                u.setExponent(exp)
                u.setScale(scale)
                u.setMultiplier(mult)
            self._defs[key] = uid
        return self._defs[key]

    def constant(self, prefix: str, d: Dim) -> str:
        """A constant parameter of value 1 in unit ``d`` (``ref_L``, ``cf_per_nmol``)."""
        key = (prefix, tuple(sbml_units(d)))
        if key not in self._consts:
            pid = self._fresh(f"{prefix}_{unit_slug(d)}")
            p = self.sm.createParameter()
            p.setId(pid)
            p.setValue(1.0)
            p.setConstant(True)
            p.setUnits(self.unit_id(d))
            self._consts[key] = pid
        return self._consts[key]

    def _fresh(self, name: str) -> str:
        out, i = name, 2
        while out in self.taken:
            out, i = f"{name}_{i}", i + 1
        self.taken.add(out)
        return out

    # ---- the model
    def apply(self) -> None:
        """Model units, then parameters and rules, compartments, species, kinetic laws, numbers."""
        ext = self.unit_id(self.extent)
        self.sm.setTimeUnits("second")
        self.sm.setExtentUnits(ext)
        self.sm.setSubstanceUnits(ext)
        self.sm.setVolumeUnits("litre")
        for p in self.model.parameters:
            self.sm.getParameter(p.name).setUnits(self.unit_id(dim(p.unit), p.unit))
        for r in self.model.rules:
            self.sm.getParameter(r.name).setUnits(self.unit_id(dim(r.unit), r.unit))
        size_dims = self._size_dims()
        homes = self._compartments(size_dims)
        self._species(homes)
        self._reactions(size_dims)
        for math_node in _all_math(self.sm):
            _dimensionless_numbers(math_node)

    def _size_dims(self) -> dict[str, Dim]:
        params = {p.name: p for p in self.model.parameters}
        return {c.name: dim(params[c.size].unit) if isinstance(c.size, str) else ONE
                for c in self.model.compartments}

    def _species_dims(self, s) -> tuple[Dim, Dim]:
        """SBML substance unit of a species and the compartment unit its concentration needs."""
        conc = dim(s.unit)
        substance = self.extent if _mole_power(conc) == 1 else ONE
        return substance, substance / conc

    def _compartments(self, size_dims: dict[str, Dim]) -> dict[str, str]:
        """Set compartment units (splitting where needed); returns each species' SBML compartment."""
        homes: dict[str, str] = {}
        for c in self.model.compartments:
            groups: dict[tuple, list] = {}
            for s in self.model.species:
                if s.compartment == c.name:
                    need = self._species_dims(s)[1]
                    groups.setdefault(tuple(sbml_units(need)), [need, []])[1].append(s.name)
            if not groups:
                self._set_size_unit(self.sm.getCompartment(c.name), c, size_dims[c.name], size_dims[c.name])
                continue
            ordered = sorted(groups.values(), key=lambda g: -len(g[1]))  # stable: the largest keeps the name
            for i, (need, names) in enumerate(ordered):
                comp = self.sm.getCompartment(c.name) if i == 0 else self._copy_compartment(c, need)
                self._set_size_unit(comp, c, need, size_dims[c.name])
                homes.update({n: comp.getId() for n in names})
        return homes

    def _copy_compartment(self, c, need: Dim) -> libsbml.Compartment:
        comp = self.sm.createCompartment()
        comp.setId(self._fresh(f"{c.name}_{unit_slug(need)}"))
        comp.setConstant(True)
        if not isinstance(c.size, str):
            comp.setSize(float(c.size))
        return comp

    def _set_size_unit(self, comp: libsbml.Compartment, c, need: Dim, size_dim: Dim) -> None:
        comp.setUnits(self.unit_id(need))
        volume = need.same_dimension(dim("L")) or need.same(ONE)
        if volume:
            comp.setSpatialDimensions(3)
        else:
            comp.unsetSpatialDimensions()  # a "compartment" in kg or s: SBML restricts 3-D units to volumes
        if not isinstance(c.size, str):
            return  # a number: its unit is the label just set
        ratio = need / size_dim
        formula = c.size if ratio.same(ONE) else f"{c.size} * {self.constant('ref', ratio)}"
        ia = self.sm.getInitialAssignmentBySymbol(comp.getId())
        if ia is None:
            ia = self.sm.createInitialAssignment()
            ia.setSymbol(comp.getId())
        ia.setMath(libsbml.parseL3Formula(formula))

    def _species(self, homes: dict[str, str]) -> None:
        for s in self.model.species:
            sp = self.sm.getSpecies(s.name)
            sp.setCompartment(homes[s.name])
            substance = self._species_dims(s)[0]
            sp.setSubstanceUnits(self.unit_id(substance))
            factor = substance / self.extent
            if not factor.same(ONE):
                sp.setConversionFactor(self.constant("cf", factor))

    def _reactions(self, size_dims: dict[str, Dim]) -> None:
        comp_of = {s.name: s.compartment for s in self.model.species}
        unit_of = {s.name: s.unit for s in self.model.species}
        for rx in self.model.reactions:
            names = list(rx.reactants) + list(rx.products)
            if not names:
                continue
            amount = dim(unit_of[names[0]]) * size_dims[comp_of[names[0]]]
            ratio = self.extent / amount
            if ratio.same(ONE):
                continue
            law = self.sm.getReaction(rx.name).getKineticLaw()
            times = libsbml.ASTNode(libsbml.AST_TIMES)
            ref = libsbml.ASTNode(libsbml.AST_NAME)
            ref.setName(self.constant("ref", ratio))
            times.addChild(ref)
            times.addChild(law.getMath().deepCopy())
            law.setMath(times)


def _all_math(sm: libsbml.Model):
    for r in sm.getListOfReactions():
        if r.isSetKineticLaw() and r.getKineticLaw().isSetMath():
            yield r.getKineticLaw().getMath()
    for rule in sm.getListOfRules():
        if rule.isSetMath():
            yield rule.getMath()
    for ia in sm.getListOfInitialAssignments():
        if ia.isSetMath():
            yield ia.getMath()


def _dimensionless_numbers(node: libsbml.ASTNode) -> None:
    """Give every bare number the unit the model's own check gives it: dimensionless."""
    if node.isNumber() and not node.hasUnits():
        node.setUnits("dimensionless")
    for i in range(node.getNumChildren()):
        _dimensionless_numbers(node.getChild(i))


def annotate_units(document: libsbml.SBMLDocument, model: ModelSpec) -> None:
    """Put units on every parameter, species, compartment and number of ``document``."""
    UnitWriter(document.getModel(), model).apply()
