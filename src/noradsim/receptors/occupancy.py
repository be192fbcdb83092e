r"""Adrenoceptor occupancy and activation by several ligands at once.

The receptor table is the data file ``noradsim/data/receptors.toml`` (endogenous ligands,
operational-model efficacy of L-NE, G protein, location by region). Drug affinities and
efficacies come from the drug library (:mod:`noradsim.drugs`).

Occupancy (competitive, all ligands at equilibrium) with :math:`x_i = C_i / K_i`:

.. math:: \rho_i = \frac{x_i}{1 + \sum_j x_j}

Activation (the operational model of Black & Leff 1983, Proc R Soc B 220:141, slope 1,
extended to several agonists competing for one receptor; Leff, Prentice & Giles 1990):

.. math:: \frac{E}{E_m} = \frac{\sum_i \tau_i x_i}{1 + \sum_j x_j + \sum_i \tau_i x_i}

where :math:`\tau_i = \varepsilon_i \tau_{NE}` and :math:`\varepsilon_i` is the intrinsic
efficacy relative to L-NE (1 for NE and adrenaline, 0 for antagonists). The drug library
stores the measured intrinsic activity IA (maximal response relative to NE in a recombinant
assay, the reference system whose tau is the receptor's ``tau``). The terminal model and
the LC use :math:`\varepsilon = IA/(1 + \tau_{ref}(1 - IA))` (:func:`operational_efficacy`),
so that the drug's maximal response relative to NE's is IA in the reference system and
larger where the tissue reserve is larger; this layer still takes IA as the efficacy. For one agonist
and one competitive antagonist B the agonist EC50 is :math:`K_A (1 + [B]/K_B)/(1+\tau)`:
the Schild dose ratio :math:`1 + [B]/K_B` holds exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..drugs import DrugLibrary, load_library
from ..errors import InputError, unknown
from ..parameters import ALLOWED_SPECIES, Provenance, data_path, read_provenance, read_toml

RECEPTORS = ("alpha1A", "alpha1B", "alpha1D", "alpha2A", "alpha2B", "alpha2C", "beta1", "beta2", "beta3")
ENDOGENOUS = ("norepinephrine", "epinephrine", "d-norepinephrine")
_ALIASES = {
    "ne": "norepinephrine", "l-ne": "norepinephrine", "l-norepinephrine": "norepinephrine",
    "noradrenaline": "norepinephrine", "l-noradrenaline": "norepinephrine",
    "adrenaline": "epinephrine", "l-epinephrine": "epinephrine",
    "d-ne": "d-norepinephrine", "d-noradrenaline": "d-norepinephrine",
}
SITES = ("presynaptic", "postsynaptic", "glia")


@dataclass(frozen=True)
class Cited:
    """A number with its unit, species and source."""

    value: float
    unit: str
    species: str
    source: str
    provenance: Provenance | None = None

    @property
    def kind(self) -> str:
        """``measured``, ``derived``, ``calibrated`` or ``assumed``."""
        return self.provenance.kind if self.provenance else read_provenance({"source": self.source}, "").kind


@dataclass(frozen=True)
class Location:
    """Where a receptor is found: region, site (presynaptic, postsynaptic, glia), cells, source."""

    region: str
    site: str
    cells: str
    source: str


@dataclass(frozen=True)
class Receptor:
    """One adrenoceptor subtype: G protein, cascade, L-NE affinities by species, tau."""

    name: str
    gene: str
    g_protein: str
    cascade: str
    tau: Cited
    stereo_ratio: Cited
    epinephrine_relative_affinity: Cited
    ne_affinity: tuple[Cited, ...]
    locations: tuple[Location, ...]

    def ne_ki(self, species: str = "rat") -> Cited:
        """L-NE affinity, preferring ``species``, then rat, then human."""
        for sp in (species, "rat", "human"):
            for rec in self.ne_affinity:
                if rec.species == sp:
                    return rec
        return self.ne_affinity[0]

    def ki(self, ligand: str, species: str = "rat") -> float:
        """Affinity (nM) of an endogenous ligand."""
        k = self.ne_ki(species).value
        if ligand == "norepinephrine":
            return k
        if ligand == "d-norepinephrine":
            return k * self.stereo_ratio.value
        if ligand == "epinephrine":
            return k / self.epinephrine_relative_affinity.value
        raise unknown("ligand", ligand, ENDOGENOUS)

    def sites(self, region: str) -> list[str]:
        """The sites (sorted) where the receptor is found in ``region``."""
        return sorted({loc.site for loc in self.locations if loc.region == region})


def _cited(entry: dict, where: str, species: str = "any") -> Cited:
    if not isinstance(entry, dict) or "value" not in entry:
        raise InputError(f"{where}: must be a table with value, unit, species and kind")
    v = entry["value"]
    if isinstance(v, bool) or not isinstance(v, (int, float)) or math.isnan(v) or v <= 0:
        raise InputError(f"{where}: value must be a positive number, got {v!r}")
    sp = str(entry.get("species", species))
    if sp not in ALLOWED_SPECIES:
        raise unknown(f"{where} species", sp, ALLOWED_SPECIES)
    prov = read_provenance(entry, where, float(v))
    return Cited(float(v), str(entry.get("unit", "1")), sp, prov.text(), prov)


def read_receptor_file(path) -> dict[str, Receptor]:
    """Parse a ``noradsim-receptors/1`` file into :class:`Receptor` records."""
    doc = read_toml(path)
    if doc.get("schema") != "noradsim-receptors/1":
        raise InputError(f"{path}: schema must be 'noradsim-receptors/1', got {doc.get('schema')!r}")
    out = {}
    for name, r in doc.get("receptor", {}).items():
        if name not in RECEPTORS:
            raise unknown("receptor", name, RECEPTORS)
        w = f"receptors.toml receptor {name}"
        aff = []
        for i, a in enumerate(r.get("affinity", [])):
            if a.get("ligand") != "norepinephrine":
                raise unknown(f"{w} affinity[{i}] ligand", a.get("ligand"), ["norepinephrine"])
            rec = _cited(a["ki"], f"{w} affinity[{i}] ki", a.get("species", "any"))
            aff.append(Cited(rec.value, rec.unit, str(a.get("species", "any")), rec.source, rec.provenance))
        if not aff:
            raise InputError(f"{w}: needs at least one norepinephrine affinity")
        locs = []
        for i, loc in enumerate(r.get("location", [])):
            if loc.get("site") not in SITES:
                raise unknown(f"{w} location[{i}] site", loc.get("site"), SITES)
            locs.append(Location(str(loc["region"]), str(loc["site"]), str(loc.get("cells", "")), str(loc["source"])))
        out[name] = Receptor(
            name, str(r.get("gene", "")), str(r["g_protein"]), str(r["cascade"]),
            _cited(r["tau"], f"{w} tau"), _cited(r["stereo_ratio"], f"{w} stereo_ratio"),
            _cited(r["epinephrine_relative_affinity"], f"{w} epinephrine_relative_affinity"),
            tuple(aff), tuple(locs),
        )
    return out


@lru_cache(maxsize=1)
def receptor_table() -> dict[str, Receptor]:
    """The shipped receptor table (read once)."""
    return read_receptor_file(data_path("receptors.toml"))


def get_receptor(name: str) -> Receptor:
    """The receptor ``name`` from the receptor table; an unknown name is an input error with suggestions."""
    table = receptor_table()
    if name not in table:
        raise unknown("receptor", name, table)
    return table[name]


def canonical_ligand(name: str) -> str:
    """Endogenous ligand names and their aliases map to one spelling; drugs pass through."""
    key = str(name).strip().lower()
    return _ALIASES.get(key, key)


def ligand_parameters(receptor: str, ligand: str, species: str = "rat",
                      library: DrugLibrary | None = None) -> tuple[float, float]:
    """``(Ki in nM, tau)`` of ``ligand`` at ``receptor``.

    >>> ki, tau = ligand_parameters("beta1", "norepinephrine")
    >>> ki, tau
    (126.0, 2.0)
    """
    rec = get_receptor(receptor)
    lig = canonical_ligand(ligand)
    tau_ne = rec.tau.value
    if lig in ENDOGENOUS:
        return rec.ki(lig, species), tau_ne
    drug = (library or load_library()).get(ligand)
    # the receptor layer (and the phenotype surrogate built on it) still uses the intrinsic
    # activity as the operational efficacy: its exposure factors were set that way. The
    # terminal model and the LC convert it (operational_efficacy; docs/mechanisms.md).
    return drug.ki(receptor, species), drug.efficacy(receptor, species) * tau_ne


def operational_efficacy(intrinsic_activity: float, tau_ref: float) -> float:
    r"""Operational efficacy relative to NE from an intrinsic activity measured in the reference system.

    In a system where NE has operational tau :math:`\tau`, an agonist with
    :math:`\tau_A = \varepsilon\tau` has maximal response relative to NE
    :math:`IA = \varepsilon(1+\tau)/(1+\varepsilon\tau)`; solved for
    :math:`\varepsilon = IA/(1 + \tau(1 - IA))`. Full agonists (IA = 1) keep 1,
    antagonists 0.

    >>> round(operational_efficacy(0.32, 4.0), 4)  # clonidine, GTPgammaS IA 0.32
    0.086
    >>> operational_efficacy(1.0, 4.0), operational_efficacy(0.0, 4.0)
    (1.0, 0.0)
    """
    ia = float(intrinsic_activity)
    if ia <= 0:
        return 0.0
    if ia >= (1.0 + tau_ref) / tau_ref:
        raise InputError(f"efficacy: intrinsic activity {ia:g} exceeds the reference maximum {(1 + tau_ref) / tau_ref:g}")
    return ia / (1.0 + tau_ref * (1.0 - ia))


def _plain(value):
    """0-d arrays become floats; arrays stay arrays."""
    return float(value) if np.ndim(value) == 0 else value


def _ratios(receptor: str, concentrations: dict, species: str, library) -> tuple[dict, dict]:
    xs, taus = {}, {}
    for ligand, conc in concentrations.items():
        c = np.asarray(conc, dtype=float)
        if np.any(np.isnan(c)) or np.any(c < 0):
            raise InputError(f"concentration of {ligand}: must be >= 0 nM, got {conc!r}")
        ki, tau = ligand_parameters(receptor, ligand, species, library)
        xs[ligand] = c / ki if math.isfinite(ki) else np.zeros_like(c)
        taus[ligand] = tau
    return xs, taus


def occupancy(receptor: str, concentrations: dict[str, float], species: str = "rat", *,
              library: DrugLibrary | None = None) -> dict[str, float]:
    """Fraction of ``receptor`` occupied by each ligand (competitive, at equilibrium).

    Parameters
    ----------
    receptor : str
        ``alpha1A`` ... ``beta3``.
    concentrations : dict
        ``{ligand: nM}``; ligands are ``norepinephrine``, ``epinephrine``,
        ``d-norepinephrine`` or drug-library names. Values may be arrays (broadcast).
    species : str
        Species whose affinities are preferred (then rat, then human).

    Examples
    --------
    >>> round(occupancy("beta1", {"norepinephrine": 126.0})["norepinephrine"], 6)
    0.5
    """
    xs, _ = _ratios(receptor, concentrations, species, library)
    denom = 1.0 + sum(xs.values())
    return {lig: _plain(x / denom) for lig, x in xs.items()}


def activation(receptor: str, concentrations: dict[str, float], species: str = "rat", *,
               library: DrugLibrary | None = None):
    """Receptor activation E/Em (0..1) by all ligands present (operational model).

    Examples
    --------
    >>> a = activation("beta1", {"norepinephrine": 126.0 / 3})  # EC50 = Ki / (1 + tau), tau = 2
    >>> round(a / (2 / 3), 6)  # half of the NE maximum tau / (1 + tau)
    0.5
    """
    xs, taus = _ratios(receptor, concentrations, species, library)
    stim = sum(taus[lig] * x for lig, x in xs.items())
    return _plain(stim / (1.0 + sum(xs.values()) + stim))


def ne_ec50(receptor: str, species: str = "rat", antagonist_ratio: float = 0.0) -> float:
    """Analytic EC50 (nM) of L-NE activation: ``Ki (1 + [B]/K_B) / (1 + tau)``."""
    rec = get_receptor(receptor)
    return rec.ki("norepinephrine", species) * (1.0 + antagonist_ratio) / (1.0 + rec.tau.value)


def activation_profile(concentrations: dict[str, float], species: str = "rat", *,
                       receptors=RECEPTORS, library: DrugLibrary | None = None) -> dict[str, float]:
    """``{receptor: activation}`` for every subtype."""
    return {r: activation(r, concentrations, species, library=library) for r in receptors}
