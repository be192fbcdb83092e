"""The noradrenergic terminal field of one region, with its LC drive and drug PK.

:func:`build_terminal_model` declares the whole rate model as data (reactions and
rules over cited parameters): tyrosine → L-DOPA (TH, end-product inhibited, activated
with firing) → dopamine (AADC) → vesicles (VMAT2) → NE (DBH, inside vesicles);
reserve and releasable vesicular pools; release per action potential scaled by
extracellular Ca2+, reduced by presynaptic alpha2 activation, blocked by TTX; K+
depolarisation; NET reuptake (competitively inhibited by every drug present, by its Ki)
and reverse transport; diffusion and COMT clearance; MAO (cytosolic NE → DHPG) and
MHPG formation; the LC firing rate with somatodendritic alpha2 feedback; stressors;
and for each drug present, a one-compartment PK model with a brain ECF compartment.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..calibration.overlay import section_records
from ..drugs import Drug, DrugLibrary, load_library
from ..errors import InputError, unknown
from ..parameters import Parameter
from .blocks import competitive_factor, hill, michaelis_menten, operational_activation, softplus_rate
from .core import Model, ModelBuilder
from .alpha2 import add_autoreceptor_geometry
from .sources import add_medullary_source
from .extensions import (add_alpha2_desensitisation, add_alpha2_desensitisation_dynamics, add_dopamine, add_extension_parameters,
                         add_net_regulation, add_net_regulation_dynamics)

TERMINAL_TAU = "ne_alpha2_tau_terminal"  # NE's operational tau at terminal alpha2A after desensitisation
NE_MOLAR_MASS = 169.18  # g/mol, norepinephrine free base (PubChem CID 439260)
TISSUE_DENSITY = 1036.0  # g/L: brain specific gravity 1.036, so 1 nM tissue of NE = 0.163 ng/g (terminal.toml)
REGIONS = ("prefrontal_cortex", "frontal_cortex", "cingulate_cortex", "occipital_cortex", "hippocampus", "hypothalamus")


@lru_cache(maxsize=1)
def terminal_parameters() -> dict[str, Parameter]:
    """``terminal.toml [parameters]``, the calibration overlay applied."""
    return section_records("terminal.toml", "parameters")


@lru_cache(maxsize=1)
def lc_tables() -> tuple[dict[str, Parameter], dict[str, Parameter]]:
    """LC rate-law parameters and state drives (``data/lc.toml``; drives of states with a measured
    rate derived by :mod:`noradsim.model.lc_states`), the calibration overlay applied."""
    from .lc_states import state_drive_records

    return section_records("lc.toml", "parameters"), state_drive_records()


@lru_cache(maxsize=1)
def region_table() -> dict[str, dict[str, Parameter]]:
    """``regions.toml``: ``{region: {name: Parameter}}``, the calibration overlay applied."""
    out: dict[str, dict[str, Parameter]] = {}
    for k, p in section_records("regions.toml", "region").items():
        region, name = k.split(".", 1)
        out.setdefault(region, {})[name] = p
    return out


def states() -> list[str]:
    return list(lc_tables()[1])


def ident(drug_name: str) -> str:
    """A model identifier for a drug name (``alpha-methyl-p-tyrosine`` → ``d_alpha_methyl_p_tyrosine``)."""
    return "d_" + re.sub(r"[^A-Za-z0-9]+", "_", drug_name.lower()).strip("_")


@dataclass(frozen=True)
class DrugUse:
    """A drug in the experiment and the routes by which it is given."""

    name: str
    routes: tuple[str, ...] = ()


def _pair(p: Parameter, name: str, value: float | None = None, unit: str | None = None) -> Parameter:
    return Parameter(name, p.value if value is None else value, unit or p.unit, p.species, p.source,
                     p.description, p.min, p.max, p.note)


def build_terminal_model(region: str = "prefrontal_cortex", *, state: str = "awake",
                         drugs: tuple[DrugUse, ...] = (), library: DrugLibrary | None = None,
                         species: str = "rat") -> Model:
    """Declare the rate model for ``region`` with the given drugs.

    The model is assembled by named building blocks (PySB macros), in this order:
    parameters, compartments and states, each drug's PK and binding terms, enzyme
    activity states, derived rules, then the reactions of synthesis, storage, release,
    clearance, metabolism and the locus coeruleus.

    Parameters
    ----------
    region : str
        One of :data:`REGIONS`.
    state : str
        Behavioural state (sets the LC drive): see ``noradsim params``.
    drugs : tuple of DrugUse
        Drugs present and their routes (each adds PK species and binding terms).
    library : DrugLibrary, optional
        Drug library (default: the shipped one).
    species : str
        Animal species; only ``"rat"`` is parameterised.

    Returns
    -------
    Model
        The declaration (units checked when it is built).

    Examples
    --------
    >>> m = build_terminal_model("hippocampus")
    >>> "net_uptake" in [r.name for r in m.reactions]
    True
    """
    if region not in REGIONS:
        raise unknown("region", region, REGIONS)
    if state not in lc_tables()[1]:
        raise unknown("state", state, lc_tables()[1])
    if species != "rat":
        raise InputError(f"species: the terminal model is parameterised for rat only, got {species!r}")
    library = library or load_library()
    b = ModelBuilder(f"ne_terminal_{region}", f"Noradrenergic terminal field, rat {region}, state {state}")
    _add_parameters(b, region, state, species)
    _add_compartments(b)
    _add_states(b)
    add_alpha2_desensitisation(b)  # defines the rule TERMINAL_TAU (model/extensions.py)
    add_net_regulation(b)  # defines the rule net_expression (model/extensions.py)
    terms = _DrugTerms()
    for use in {u.name.lower(): u for u in drugs}.values():
        drug = library.get(use.name)
        _add_drug(b, drug, use, ident(drug.name), species, terms)
    # enzyme activity states for irreversible inhibitors (inactivation vs resynthesis)
    mao_active = _enzyme_activity(b, "mao_active", "MAO-A", "mao", "k_mao_synthesis", terms.mao_irrev)
    vmat_active = _enzyme_activity(b, "vmat_active", "VMAT2", "vmat", "k_vmat_synthesis", terms.vmat_irrev)
    _add_local_conditions(b)
    _add_drug_factors(b, terms, mao_active, vmat_active)
    _add_gates_and_drives(b)
    _add_synthesis(b, terms.th_inh)
    _add_storage(b)
    _add_release(b)
    _add_clearance(b)
    _add_metabolism(b)
    _add_lc(b)
    # ---- round 2 (model/extensions.py): terminal alpha2 desensitisation, prefrontal dopamine
    add_alpha2_desensitisation_dynamics(b)
    add_net_regulation_dynamics(b)
    add_dopamine(b)
    return b.build()


@dataclass
class _DrugTerms:
    """Binding terms that the drugs present contribute to the shared rate laws.

    Pairs are ``(concentration, Ki)`` (competitive or antagonist terms); agonist triples
    are ``(concentration, Ki, tau)``; ``*_irrev`` list drug identifiers that inactivate
    the enzyme irreversibly. ``_t`` terms act at the terminals near the probe, ``_lc``
    terms in the locus coeruleus.
    """

    net_t: list = field(default_factory=list)
    net_lc: list = field(default_factory=list)
    a2_ag_t: list = field(default_factory=list)
    a2_ant_t: list = field(default_factory=list)
    a2_ag_lc: list = field(default_factory=list)
    a2_ant_lc: list = field(default_factory=list)
    mao_rev: list = field(default_factory=list)
    comt: list = field(default_factory=list)
    vmat_rev: list = field(default_factory=list)
    th_inh: list = field(default_factory=list)
    mao_irrev: list = field(default_factory=list)
    vmat_irrev: list = field(default_factory=list)


def _add_parameters(b: ModelBuilder, region: str, state: str, species: str) -> list[str]:
    """Cited tables (terminal, LC, region, state drive), alpha2A affinity and protocol knobs."""
    lc_params, drives = lc_tables()
    names = [b.add_parameter(p) for p in terminal_parameters().values()]
    names += [b.add_parameter(p) for p in lc_params.values()]
    names += [b.add_parameter(p) for p in region_table()[region].values()]
    names.append(b.add_parameter(_pair(drives[state], "state_drive")))
    from ..receptors.occupancy import get_receptor

    a2 = get_receptor("alpha2A")
    ne_a2 = a2.ne_ki(species)
    names += [
        b.parameter("ne_alpha2_k", ne_a2.value, "nM", ne_a2.species, ne_a2.source, "L-NE affinity at alpha2A (receptors.toml)"),
        b.parameter("ne_alpha2_tau", a2.tau.value, "1", a2.tau.species, a2.tau.source, "operational tau of NE at alpha2A (receptors.toml)"),
        b.parameter("stress_drive", 0.0, "1", "rat", "set by stimuli in an experiment (0 = none)", min=-math.inf),
        b.parameter("lc_drive_offset", 0.0, "1", "rat", "disease phenotypes and lesions (0 = none)", min=-math.inf),
        b.parameter("lc_neuron_fraction", 1.0, "1", "rat", "fraction of LC neurons present (1 = intact; phenotypes)"),
        b.parameter("probe_delivery", 0.0, "1", "rat", "set by the microdialysis protocol: fraction of a perfusate change seen by the sampled tissue (Bungay et al. 1990)"),
        b.parameter("ca_perfusate", 1.2, "mM", "rat", "aCSF Ca2+ (set by the protocol)"),
        b.parameter("k_perfusate", 3.0, "mM", "rat", "aCSF K+ (set by the protocol)"),
        b.parameter("ttx_perfusate", 0.0, "nM", "rat", "TTX in the perfusate (set by the protocol)"),
        b.parameter("ng_per_nmol_ne", NE_MOLAR_MASS, "ng/nmol", "any", "PubChem CID 439260 (norepinephrine, 169.18 g/mol)"),
        # was a bare "/1000" in tissue_ne: the density that turns ng per litre of tissue into ng/g
        b.parameter("tissue_density", TISSUE_DENSITY, "g/L", "human",
                    "brain specific gravity 1.036 (fresh human brain, the literature value quoted by Bhatnagar, "
                    "Veling, Ouseph & Nettleton 1991, J Pineal Res 10:168); no rat value found; was 1 g/mL (assumed)",
                    "converts NE per litre of tissue to ng/g"),
    ]
    add_extension_parameters(b)  # round 2: DA, alpha2 desensitisation, LC probe (model/extensions.py)
    return names


def _add_compartments(b: ModelBuilder) -> list[str]:
    """Sizes are relative: per litre of tissue (brain) or per kg of body weight (depots)."""
    return [
        b.compartment("terminal", 1.0, "noradrenergic terminals, per litre of tissue"),
        b.compartment("ecs", "ecs_fraction", "extracellular space, litre per litre of tissue"),
        b.compartment("lc", 1.0, "locus coeruleus (somatodendritic extracellular space, firing rate)"),
        b.compartment("body", 1.0, "drug depots, per kg body weight"),
    ]


def _add_states(b: ModelBuilder) -> list[str]:
    """The catecholamine pools, metabolites and LC states (initial values near baseline)."""
    # state guesses close to the baseline steady state (the protocol equilibrates anyway)
    return [
        b.species("tyr", "terminal", 100000.0, description="cytosolic tyrosine"),
        b.species("dopa", "terminal", 0.1, description="cytosolic L-DOPA"),
        b.species("da_cyt", "terminal", 0.2, description="cytosolic dopamine"),
        b.species("da_ves", "terminal", 40.0, description="vesicular dopamine (DBH substrate)"),
        b.species("ne_ves", "terminal", 1600.0, description="reserve vesicular NE"),
        b.species("ne_rrp", "terminal", 12.0, description="readily releasable vesicular NE"),
        b.species("ne_cyt", "terminal", 2.5, description="cytosolic NE"),
        b.species("ne_ecf", "ecs", 1.5, description="extracellular NE"),
        b.species("dhpg", "terminal", 30.0, description="DHPG (MAO product)"),
        b.species("nmn", "terminal", 1.0, description="normetanephrine (COMT product)"),
        b.species("mhpg", "terminal", 20.0, description="MHPG"),
        b.species("ne_lc", "lc", 1.5, description="somatodendritic extracellular NE in the LC"),
        b.species("lc_rate", "lc", 2.0, "Hz", description="mean LC firing rate"),
        b.species("stress", "lc", 0.0, "1", description="stress-evoked LC drive"),
    ]


def _add_drug(b: ModelBuilder, drug: Drug, use: DrugUse, d: str, species: str, terms: _DrugTerms) -> list[str]:
    """One drug: its PK, where it acts, and its binding terms (added to ``terms``)."""
    names = _add_pk(b, drug, use, d)
    names.append(b.rule(f"{d}_eff", f"{d}_b + probe_delivery*{d}_perfusate", "nM", f"{drug.name} at terminals near the probe"))
    names.append(b.rule(f"{d}_lc", f"{d}_b + {d}_lc_local", "nM", f"{drug.name} in the LC"))

    def kpar(target: str, short: str):
        bind = drug.binding(target, species)
        if bind is None:
            return None
        k = bind.operational_k  # an agonist's uncoupled-receptor KA where the library gives one
        names.append(b.parameter(f"{d}_ki_{short}", k.value, "nM", bind.species, k.source))
        return bind

    if kpar("NET", "net"):
        terms.net_t.append((f"{d}_eff", f"{d}_ki_net"))
        terms.net_lc.append((f"{d}_lc", f"{d}_ki_net"))
    bind = kpar("alpha2A", "a2")
    if bind and bind.efficacy and bind.efficacy.value > 0:
        names.append(b.parameter(f"{d}_efficacy_a2", bind.efficacy.value, "1", bind.species, bind.efficacy.source))
        names.append(b.rule(f"{d}_epsilon_a2", f"{d}_efficacy_a2/(1 + ne_alpha2_tau*(1 - {d}_efficacy_a2))", "1",
                            "operational efficacy from the intrinsic activity in the reference system"))
        names.append(b.rule(f"{d}_tau_a2", f"{d}_epsilon_a2*{TERMINAL_TAU}", "1"))
        names.append(b.rule(f"{d}_tau_a2_lc", f"{d}_epsilon_a2*ne_alpha2_tau*lc_alpha2_reserve", "1"))
        terms.a2_ag_t.append((f"{d}_eff", f"{d}_ki_a2", f"{d}_tau_a2"))
        terms.a2_ag_lc.append((f"{d}_lc", f"{d}_ki_a2", f"{d}_tau_a2_lc"))
    elif bind:
        terms.a2_ant_t.append((f"{d}_eff", f"{d}_ki_a2"))
        terms.a2_ant_lc.append((f"{d}_lc", f"{d}_ki_a2"))
    for target, short, rev, irrev in (("MAO_A", "mao", terms.mao_rev, terms.mao_irrev),
                                      ("VMAT2", "vmat", terms.vmat_rev, terms.vmat_irrev)):
        bind = kpar(target, short)
        if bind and bind.mechanism == "irreversible":
            names.append(b.parameter(f"{d}_kinact_{short}", bind.kinact.value, "1/s", bind.species, bind.kinact.source))
            irrev.append(d)
        elif bind:
            rev.append((f"{d}_eff", f"{d}_ki_{short}"))
    if kpar("COMT", "comt"):
        terms.comt.append((f"{d}_eff", f"{d}_ki_comt"))
    if kpar("TH", "th"):
        terms.th_inh.append((f"{d}_eff", f"{d}_ki_th"))
    return names


def _add_local_conditions(b: ModelBuilder) -> list[str]:
    """Cytosolic catechols per terminal volume and the ions and TTX near the probe."""
    return [
        b.rule("da_term", "da_cyt/innervation", "nM", "cytosolic DA per terminal volume (reference density)"),
        b.rule("ne_term", "ne_cyt/innervation", "nM", "cytosolic NE per terminal volume (reference density)"),
        b.rule("ca_local", "ca_normal + probe_delivery*(ca_perfusate - ca_normal)", "mM"),
        b.rule("k_local", "k_normal + probe_delivery*(k_perfusate - k_normal)", "mM"),
        b.rule("ttx_local", "probe_delivery*ttx_perfusate", "nM"),
    ]


def _add_drug_factors(b: ModelBuilder, terms: _DrugTerms, mao_active: str, vmat_active: str) -> list[str]:
    """Activity left of each transporter and enzyme, and alpha2A activation (operational model)."""
    return [
        b.rule("net_factor", competitive_factor(terms.net_t), "1", "apparent-Km factor of NET near the probe"),
        b.rule("net_factor_lc", competitive_factor(terms.net_lc), "1", "apparent-Km factor of NET in the LC"),
        b.rule("mao_factor", f"{mao_active}/({competitive_factor(terms.mao_rev)})", "1", "MAO-A activity left"),
        b.rule("comt_factor", f"1/({competitive_factor(terms.comt)})", "1", "COMT activity left"),
        b.rule("vmat_factor", f"{vmat_active}/({competitive_factor(terms.vmat_rev)})", "1", "VMAT2 activity left"),
        *add_autoreceptor_geometry(b),  # model/alpha2.py: volume-transmission enrichment, no fitted factor
        b.rule("ne_autoreceptor", "ne_ecf*autoreceptor_enrichment", "nM", "NE at presynaptic autoreceptors"),
        b.rule("ne_lc_autoreceptor", "ne_lc*lc_autoreceptor_enrichment", "nM", "NE at somatodendritic autoreceptors"),
        b.rule("ne_alpha2_tau_lc", "ne_alpha2_tau*lc_alpha2_reserve", "1", "operational tau of NE at LC alpha2A"),
        b.rule("a2_terminal", operational_activation([("ne_autoreceptor", "ne_alpha2_k", TERMINAL_TAU)] + terms.a2_ag_t,
                                                     terms.a2_ant_t),
               "1", "presynaptic alpha2A activation (operational model)"),
        b.rule("a2_lc", operational_activation([("ne_lc_autoreceptor", "ne_alpha2_k", "ne_alpha2_tau_lc")] + terms.a2_ag_lc,
                                               terms.a2_ant_lc),
               "1", "somatodendritic alpha2A activation in the LC"),
        b.rule("net_occupancy", "1 - 1/net_factor", "1", "fraction of NET occupied by drugs"),
    ]


def _add_gates_and_drives(b: ModelBuilder) -> list[str]:
    """Release gates (Ca2+, TTX, K+), the LC drive and f-I curve, and tissue NE content."""
    return [
        b.rule("ca_gate", f"({hill('ca_local', 'ca_k_release', 'ca_hill')})/({hill('ca_normal', 'ca_k_release', 'ca_hill')})", "1"),
        b.rule("ttx_gate", "1/(1 + ttx_local/ttx_ic50)", "1"),
        b.rule("depol_rate", f"k_depol_max*{hill('k_local', 'k_depol_half', 'k_depol_hill')}", "1/s"),
        b.rule("lc_drive", "state_drive + stress + lc_drive_offset", "1"),
        b.rule("lc_target_rate", softplus_rate("(lc_drive - lc_alpha2_weight*a2_lc)", "lc_rate_scale", "lc_threshold",
                                               "lc_softness"), "Hz"),
        b.rule("terminal_rate", add_medullary_source(b), "Hz", "spikes invading the terminal field (LC and A1/A2)"),
        b.rule("tissue_ne", "(ne_ves + ne_rrp + ne_cyt + ecs_fraction*ne_ecf)*ng_per_nmol_ne/tissue_density", "ng/g"),
    ]


def _add_synthesis(b: ModelBuilder, th_inh: list) -> list[str]:
    """Tyrosine supply, TH (firing-activated, end-product inhibited), AADC, VMAT2 and DBH."""
    th_factor = competitive_factor(th_inh)
    return [
        b.reaction("tyr_supply", "k_tyr_supply*(tyr_brain - tyr)", products={"tyr": 1}, mechanism="LAT1 transport"),
        b.reaction("th", f"th_vmax*innervation*(1 + th_phos_gain*terminal_rate/(terminal_rate + th_phos_f50))"
                   f"*tyr/(th_km_tyr*({th_factor}) + tyr)/(1 + (da_term + ne_term)/th_ki_catechol)",
                   {"tyr": 1}, {"dopa": 1}, "tyrosine hydroxylase", "rate-limiting; end-product inhibited; activated with firing"),
        b.reaction("aadc", "k_aadc*dopa", {"dopa": 1}, {"da_cyt": 1}, "aromatic L-amino acid decarboxylase"),
        b.reaction("vmat2_da", "vmat_vmax*innervation*vmat_factor*da_term/(vmat_km_da*(1 + ne_term/vmat_km_ne) + da_term)",
                   {"da_cyt": 1}, {"da_ves": 1}, "VMAT2 uptake of dopamine"),
        b.reaction("mao_da", "k_mao*mao_factor*da_cyt", {"da_cyt": 1}, {}, "MAO deamination of cytosolic dopamine (DOPAC)"),
        b.reaction("dbh", "k_dbh*da_ves", {"da_ves": 1}, {"ne_ves": 1}, "dopamine beta-hydroxylase inside vesicles"),
    ]


def _add_storage(b: ModelBuilder) -> list[str]:
    """VMAT2 repackaging, vesicle leak, and mobilisation of the readily releasable pool."""
    return [
        b.reaction("vmat2_ne", "vmat_vmax*innervation*vmat_factor*ne_term/(vmat_km_ne*(1 + da_term/vmat_km_da) + ne_term)",
                   {"ne_cyt": 1}, {"ne_ves": 1}, "VMAT2 repackaging of cytosolic NE"),
        b.reaction("vesicle_leak", "k_vesicle_leak*ne_ves", {"ne_ves": 1}, {"ne_cyt": 1}, "passive leak from vesicles"),
        b.reaction("mobilisation", "k_mobilisation*(releasable_fraction*ne_ves - ne_rrp)", {"ne_ves": 1}, {"ne_rrp": 1},
                   "reserve to readily releasable pool"),
    ]


def _add_release(b: ModelBuilder) -> list[str]:
    """Exocytosis per action potential and K+-evoked (impulse-independent) release."""
    return [
        b.reaction("release", "terminal_rate*release_per_spike*ca_gate*ttx_gate*(1 - alpha2_max_inhibition*a2_terminal)*ne_rrp",
                   {"ne_rrp": 1}, {"ne_ecf": 1}, "exocytosis per action potential",
                   "Ca2+-dependent (Hill), alpha2-inhibited, TTX-sensitive"),
        b.reaction("depol_release", "depol_rate*ca_gate*ne_rrp", {"ne_rrp": 1}, {"ne_ecf": 1},
                   "K+-depolarisation-evoked exocytosis", "Ca2+-dependent, impulse-independent"),
    ]


def _add_clearance(b: ModelBuilder) -> list[str]:
    """Extracellular NE: NET reuptake and reverse transport, extraneuronal COMT, diffusion."""
    return [
        b.reaction("net_uptake", michaelis_menten("ne_ecf", "net_vmax*innervation*net_expression", "net_km", "net_factor"),
                   {"ne_ecf": 1}, {"ne_cyt": 1}, "NET reuptake", "Michaelis-Menten, competitive inhibition by drugs"),
        b.reaction("net_efflux", "k_net_efflux*net_expression*ne_cyt/net_factor", {"ne_cyt": 1}, {"ne_ecf": 1}, "NET reverse transport"),
        b.reaction("comt_ecf", "k_comt_ecf*comt_factor*ne_ecf*ecs_fraction", {"ne_ecf": 1}, {"nmn": 1},
                   "COMT in glia and postsynaptic cells"),
        b.reaction("diffusion_loss", "k_diffusion_loss*ne_ecf*ecs_fraction", {"ne_ecf": 1}, {},
                   "diffusion to blood, uptake-2"),
    ]


def _add_metabolism(b: ModelBuilder) -> list[str]:
    """MAO and COMT metabolites: NE to DHPG, NMN and MHPG, and their efflux."""
    return [
        b.reaction("mao_ne", "k_mao*mao_factor*ne_cyt", {"ne_cyt": 1}, {"dhpg": 1}, "MAO-A on mitochondria"),
        b.reaction("dhpg_comt", "k_dhpg_comt*comt_factor*dhpg", {"dhpg": 1}, {"mhpg": 1}, "COMT: DHPG to MHPG"),
        b.reaction("dhpg_out", "k_dhpg_out*dhpg", {"dhpg": 1}, {}, "DHPG efflux"),
        b.reaction("nmn_mao", "k_nmn_mao*mao_factor*nmn", {"nmn": 1}, {"mhpg": 1}, "MAO: normetanephrine to MHPG"),
        b.reaction("mhpg_out", "k_mhpg_out*mhpg", {"mhpg": 1}, {}, "MHPG clearance to CSF and blood"),
    ]


def _add_lc(b: ModelBuilder) -> list[str]:
    """The LC: somatodendritic NE release and clearance, rate dynamics, stressor drive."""
    return [
        b.reaction("lc_dendritic_release", "lc_release_gain*lc_rate", {}, {"ne_lc": 1}, "somatodendritic NE release in the LC"),
        b.reaction("lc_ne_clearance", "(k_lc_net/net_factor_lc + k_lc_other)*ne_lc", {"ne_lc": 1}, {},
                   "NET and other clearance in the LC"),
        b.reaction("lc_rate_dynamics", "(lc_target_rate - lc_rate)/lc_tau", {}, {"lc_rate": 1},
                   "LC population rate relaxes to its f-I curve"),
        b.reaction("stress_dynamics", "(stress_drive - stress)/tau_stress_on", {}, {"stress": 1}, "stressor drive to the LC"),
    ]


def _enzyme_activity(b: ModelBuilder, state: str, label: str, short: str, resynthesis: str, drugs: list[str]) -> str:
    """Fraction of an enzyme left active under irreversible inhibitors (kinact, KI); ``"1"`` without them.

    Returns the name of the activity state (the expression ``"1"`` when no drug inactivates it).
    """
    if not drugs:
        return "1"
    b.species(state, "terminal", 1.0, "1", f"fraction of {label} not irreversibly inhibited")
    b.reaction(f"{short}_resynthesis", f"{resynthesis}*(1 - {state})", products={state: 1})
    for d in drugs:
        b.reaction(f"{d}_{short}_inactivation", f"{d}_kinact_{short}*{d}_eff/({d}_ki_{short} + {d}_eff)*{state}",
                   reactants={state: 1}, mechanism=f"irreversible {label} inactivation (kinact, KI)")
    return state


def _add_pk(b: ModelBuilder, drug: Drug, use: DrugUse, d: str) -> list[str]:
    """One-compartment plasma PK with first-order absorption per route and a brain ECF compartment.

    Amounts are per kg of body weight (the central volume is in L/kg); the unbound brain
    concentration ``{d}_b`` follows plasma with Kp,uu. Without PK (local routes only) the
    brain concentration is a constant zero rule.
    """
    systemic = [r for r in use.routes if r in ("iv", "ip", "sc", "po", "sc_minipump")]
    pk = drug.pk
    if systemic and pk is None:
        raise InputError(f"drug {drug.name}: no pharmacokinetics in the library for systemic route {systemic[0]!r}")
    names = [b.parameter(f"{d}_molar_mass", drug.molar_mass.value, "g/mol", "any", drug.molar_mass.source)]
    if pk is not None:
        names += [
            b.parameter(f"{d}_volume", pk.volume.value, "L/kg", pk.species, pk.volume.source),
            b.parameter(f"{d}_clearance", pk.clearance.value / 3600.0, "L/s/kg", pk.species, pk.clearance.source),
            b.parameter(f"{d}_fu", pk.fu_plasma.value, "1", pk.species, pk.fu_plasma.source),
            b.parameter(f"{d}_kpuu", pk.kpuu_brain.value, "1", pk.species, pk.kpuu_brain.source),
            b.parameter(f"{d}_k_brain", math.log(2) / pk.brain_equilibration.value, "1/s", pk.species,
                        pk.brain_equilibration.source),
            b.compartment(f"{d}_central", f"{d}_volume", f"{drug.name} central volume per kg"),
            b.species(f"{d}_p", f"{d}_central", 0.0, description=f"{drug.name} total plasma concentration"),
            b.parameter(f"{d}_infusion", 0.0, "nmol/s/kg", pk.species, "set by s.c. minipump interventions"),
            b.reaction(f"{d}_infusion_in", f"{d}_infusion", {}, {f"{d}_p": 1}, f"{drug.name} zero-order infusion"),
            b.reaction(f"{d}_elimination", f"{d}_clearance*{d}_p", {f"{d}_p": 1}, {}, f"{drug.name} elimination"),
        ]
        names += _add_absorption(b, drug, systemic, d)
        names += [
            b.species(f"{d}_b", "terminal", 0.0, description=f"{drug.name} unbound in brain ECF"),
            b.reaction(f"{d}_brain_equilibration", f"{d}_k_brain*({d}_kpuu*{d}_fu*{d}_p - {d}_b)", {}, {f"{d}_b": 1},
                       f"{drug.name} plasma-brain equilibration (Kp,uu)"),
        ]
    else:
        names += [b.parameter(f"{d}_zero", 0.0, "nM", "any", "no systemic PK: local routes only"),
                  b.rule(f"{d}_b", f"{d}_zero", "nM")]
    names += [b.parameter(f"{d}_perfusate", 0.0, "nM", "rat", "set by reverse-dialysis interventions"),
              b.parameter(f"{d}_lc_local", 0.0, "nM", "rat", "set by iontophoresis at the LC")]
    return names


def _add_absorption(b: ModelBuilder, drug: Drug, systemic: list[str], d: str) -> list[str]:
    """A depot and first-order absorption for each extravascular bolus route (not iv, not the minipump)."""
    pk = drug.pk
    names = []
    for r in sorted(set(systemic) - {"iv"}):
        if r == "sc_minipump":
            continue
        if r not in pk.routes:
            raise unknown(f"drug {drug.name}: route", r, ["iv"] + list(pk.routes))
        rp = pk.routes[r]
        names += [
            b.parameter(f"{d}_F_{r}", rp.bioavailability.value, "1", pk.species, rp.bioavailability.source),
            b.parameter(f"{d}_ka_{r}", math.log(2) / rp.absorption_halflife.value, "1/s", pk.species,
                        rp.absorption_halflife.source),
            b.species(f"{d}_depot_{r}", "body", 0.0, "nmol/kg", f"{drug.name} at the {r} absorption site"),
            b.reaction(f"{d}_absorption_{r}", f"{d}_ka_{r}*{d}_depot_{r}", {f"{d}_depot_{r}": 1}, {f"{d}_p": 1},
                       f"{drug.name} {r} absorption"),
        ]
    return names
