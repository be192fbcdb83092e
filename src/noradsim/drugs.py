"""The drug library: affinities, efficacy and rat pharmacokinetics, each value cited.

The library is a data file, ``noradsim/data/drugs.toml`` (format ``noradsim-drugs/1``,
described in ``docs/drug_format.md``). Users add or override compounds with their own
file in the same format (:func:`load_library` ``extra=``; CLI ``--drugs FILE``).

Internal units: affinity nM, clearance L/h/kg, volume L/kg, times s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import InputError, unknown
from .parameters import ALLOWED_SPECIES, Provenance, data_path, read_provenance, read_toml
from .units import to_unit

TARGETS = (
    "NET", "SERT", "DAT",
    "alpha1A", "alpha1B", "alpha1D",
    "alpha2A", "alpha2B", "alpha2C",
    "beta1", "beta2", "beta3",
    "MAO_A", "MAO_B", "COMT", "VMAT2", "TH",
)
ROUTES = ("iv", "ip", "sc", "po", "sc_minipump", "reverse_dialysis", "iontophoresis", "bath")
SYSTEMIC_ROUTES = ("iv", "ip", "sc", "po", "sc_minipump")
MECHANISMS = ("competitive", "irreversible")
_PK_FIELDS = {
    "clearance": "L/h/kg",
    "volume": "L/kg",
    "fu_plasma": "1",
    "kpuu_brain": "1",
    "brain_equilibration": "s",
}
_ROUTE_FIELDS = {"bioavailability": "1", "absorption_halflife": "s"}


@dataclass(frozen=True)
class Value:
    """A number in internal units with its provenance (``source`` is its one-line text)."""

    value: float
    unit: str
    source: str
    species: str = ""
    note: str = ""
    provenance: Provenance | None = None

    @property
    def kind(self) -> str:
        """``measured``, ``derived``, ``calibrated`` or ``assumed``."""
        return self.provenance.kind if self.provenance else read_provenance({"source": self.source}, "").kind

    @property
    def assumed(self) -> bool:
        return self.kind == "assumed"


@dataclass(frozen=True)
class Binding:
    """A drug's affinity at one target (and its efficacy where it is an agonist)."""

    target: str
    species: str
    ki: Value  # nM
    efficacy: Value | None = None  # intrinsic efficacy relative to NE (= 1) at this receptor
    mechanism: str = "competitive"
    kinact: Value | None = None  # 1/s, irreversible inactivation rate at saturation
    ka: Value | None = None  # nM, agonist dissociation constant of the uncoupled (low-affinity) receptor

    @property
    def operational_k(self) -> Value:
        """The affinity the operational model needs: ``ka`` where given, else ``ki``.

        For an agonist, ``ki`` from displacing an agonist radioligand reflects the
        G-protein-coupled (high-affinity) state, whose formation the operational model's
        tau already describes; ``ka`` is the uncoupled-receptor constant (docs/receptors.md).
        """
        return self.ka if self.ka is not None else self.ki


@dataclass(frozen=True)
class RoutePK:
    bioavailability: Value
    absorption_halflife: Value  # s


@dataclass(frozen=True)
class PK:
    """One-compartment plasma PK with first-order absorption and a brain ECF compartment."""

    species: str
    clearance: Value  # L/h/kg
    volume: Value  # L/kg
    fu_plasma: Value
    kpuu_brain: Value
    brain_equilibration: Value  # s (half-time)
    routes: dict[str, RoutePK] = field(default_factory=dict)
    kp_brain: Value | None = None  # total brain / total plasma at equilibrium (optional; brain_drug measure)


@dataclass(frozen=True)
class Drug:
    name: str
    drug_class: str
    molar_mass: Value  # g/mol
    bindings: tuple[Binding, ...]
    pk: PK | None
    synonyms: tuple[str, ...] = ()
    origin: str = "noradsim"

    def binding(self, target: str, species: str = "rat") -> Binding | None:
        """The binding record at ``target``, preferring ``species``, then rat, then a
        species-independent (``any``) value, then human."""
        if target not in TARGETS:
            raise unknown("target", target, TARGETS)
        found = [b for b in self.bindings if b.target == target]
        for sp in (species, "rat", "any", "human"):
            for b in found:
                if b.species == sp:
                    return b
        return found[0] if found else None

    def ki(self, target: str, species: str = "rat") -> float:
        """Affinity in nM at ``target`` (``inf`` when the drug does not bind it)."""
        b = self.binding(target, species)
        return b.ki.value if b else math.inf

    def ka(self, target: str, species: str = "rat") -> float:
        """Operational-model affinity in nM at ``target`` (:attr:`Binding.operational_k`; ``inf`` if unbound)."""
        b = self.binding(target, species)
        return b.operational_k.value if b else math.inf

    def efficacy(self, target: str, species: str = "rat") -> float:
        b = self.binding(target, species)
        return b.efficacy.value if (b and b.efficacy) else 0.0


def _value(entry, unit_internal: str, where: str, species: str = "") -> Value:
    if not isinstance(entry, dict) or "value" not in entry:
        raise InputError(f"{where}: must be a table with value, unit and source (or kind)")
    if "source" in entry and (not isinstance(entry["source"], str) or not entry["source"].strip()):
        raise InputError(f"{where} source: empty; give a citation or 'assumed: <reason>' (docs/drug_format.md)")
    v = entry["value"]
    if isinstance(v, bool) or not isinstance(v, (int, float)) or math.isnan(v) or v < 0:
        raise InputError(f"{where}: value must be a non-negative number, got {v!r}")
    unit = str(entry.get("unit", "1"))
    if unit_internal != "1" or unit not in ("1", ""):
        try:
            v = to_unit(float(v), unit, unit_internal) if unit_internal != "1" else float(
                to_unit(float(v), unit, "dimensionless")
            )
        except Exception:
            raise InputError(f"{where}: unit {unit!r} cannot be converted to {unit_internal}") from None
    sp = str(entry.get("species", species))
    prov = read_provenance(entry, where, float(entry["value"]) if "range" in entry else None)
    return Value(float(v), unit_internal, prov.text(), sp, prov.note, prov)


def _parse_drug(d: dict, where: str, origin: str) -> Drug:
    name = d.get("name")
    if not isinstance(name, str) or not name:
        raise InputError(f"{where}: drug lacks field 'name'")
    w = f"{where} drug {name}"
    for key in d:
        if key not in ("name", "synonyms", "class", "molar_mass", "binding", "pk", "note"):
            raise unknown(f"{w}: field", key, ["name", "synonyms", "class", "molar_mass", "binding", "pk", "note"])
    if "molar_mass" not in d:
        raise InputError(f"{w}: lacks field 'molar_mass'")
    mm = _value(d["molar_mass"], "g/mol", f"{w} molar_mass")
    bindings = []
    for i, b in enumerate(d.get("binding", [])):
        wb = f"{w} binding[{i}]"
        target = b.get("target")
        if target not in TARGETS:
            raise unknown(f"{wb} target", target, TARGETS)
        sp = b.get("species", "")
        if sp not in ALLOWED_SPECIES:
            raise unknown(f"{wb} species", sp, ALLOWED_SPECIES)
        mech = b.get("mechanism", "competitive")
        if mech not in MECHANISMS:
            raise unknown(f"{wb} mechanism", mech, MECHANISMS)
        if "ki" not in b:
            raise InputError(f"{wb}: lacks field 'ki'")
        ki = _value(b["ki"], "nM", f"{wb} ki", sp)
        if ki.value <= 0:
            raise InputError(f"{wb} ki: must be > 0")
        eff = _value(b["efficacy"], "1", f"{wb} efficacy", sp) if "efficacy" in b else None
        kin = _value(b["kinact"], "1/s", f"{wb} kinact", sp) if "kinact" in b else None
        ka = _value(b["ka"], "nM", f"{wb} ka", sp) if "ka" in b else None
        if ka is not None and (ka.value <= 0 or eff is None or eff.value <= 0):
            raise InputError(f"{wb} ka: must be > 0 and belongs to an agonist (a binding with efficacy > 0)")
        if mech == "irreversible" and kin is None:
            raise InputError(f"{wb}: an irreversible binding needs 'kinact'")
        bindings.append(Binding(target, sp, ki, eff, mech, kin, ka))
    pk = None
    if "pk" in d:
        p = d["pk"]
        wp = f"{w} pk"
        sp = p.get("species", "rat")
        vals = {}
        for key, u in _PK_FIELDS.items():
            if key not in p:
                raise InputError(f"{wp}: lacks field {key!r}")
            vals[key] = _value(p[key], u, f"{wp} {key}", sp)
        routes = {}
        for r, rv in p.get("route", {}).items():
            if r not in SYSTEMIC_ROUTES:
                raise unknown(f"{wp} route", r, SYSTEMIC_ROUTES)
            rvals = {}
            for key, u in _ROUTE_FIELDS.items():
                if key not in rv:
                    raise InputError(f"{wp} route {r}: lacks field {key!r}")
                rvals[key] = _value(rv[key], u, f"{wp} route {r} {key}", sp)
            routes[r] = RoutePK(**rvals)
        kp = _value(p["kp_brain"], "1", f"{wp} kp_brain", sp) if "kp_brain" in p else None
        pk = PK(species=sp, routes=routes, kp_brain=kp, **vals)
    syn = tuple(str(s) for s in d.get("synonyms", ()))
    return Drug(name, str(d.get("class", "")), mm, tuple(bindings), pk, syn, origin)


@dataclass(frozen=True)
class DrugLibrary:
    drugs: dict[str, Drug]

    def names(self) -> list[str]:
        return sorted(self.drugs)

    def get(self, name: str) -> Drug:
        """The drug called ``name`` (or a synonym); unknown names suggest the closest."""
        key = str(name).strip().lower()
        if key in self.drugs:
            return self.drugs[key]
        for d in self.drugs.values():
            if key in (s.lower() for s in d.synonyms):
                return d
        allowed = list(self.drugs) + [s.lower() for d in self.drugs.values() for s in d.synonyms]
        raise unknown("drug", name, allowed)

    def __contains__(self, name: str) -> bool:
        try:
            self.get(name)
            return True
        except InputError:
            return False


def read_drug_file(path: str | Path, origin: str | None = None) -> dict[str, Drug]:
    doc = read_toml(path)
    where = Path(path).name
    if doc.get("schema") != "noradsim-drugs/1":
        raise InputError(f"{where}: schema must be 'noradsim-drugs/1', got {doc.get('schema')!r}")
    out = {}
    for d in doc.get("drug", []):
        drug = _parse_drug(d, where, origin or str(path))
        out[drug.name.lower()] = drug
    return out


@lru_cache(maxsize=1)
def _builtin() -> dict[str, Drug]:
    return read_drug_file(data_path("drugs.toml"), origin="noradsim")


def load_library(extra: tuple[str | Path, ...] | list[str | Path] = ()) -> DrugLibrary:
    """The shipped library plus the user's files (later files override earlier names).

    >>> lib = load_library()
    >>> lib.get("atomoxetine").ki("NET", "human")
    3.5
    >>> lib.get("idazoxan").pk.clearance.kind
    'measured'
    """
    drugs = dict(_builtin())
    for path in extra:
        drugs.update(read_drug_file(path))
    return DrugLibrary(drugs)
