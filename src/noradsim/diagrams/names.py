"""Readable names for the diagrams: species, reactions (enzyme or transporter), compartments.

The diagrams are drawn from the models' reactions; these tables only say how an
identifier reads on a slide (``da_cyt`` -> "dopamine", in the cytosol cluster; its full
name "dopamine (cytosol)" is the tooltip and the SBGN label) and where a species sits
when the model's compartment is coarser than the picture (the terminal model keeps
vesicles and cytosol in one ``terminal`` compartment; the cascades keep membrane
proteins in ``cytosol``). An identifier missing from a table falls back to its model
description, so a new species still gets a readable name (tested: no ``_`` in labels).
"""

from __future__ import annotations

import re

# compartment key -> (label, parent key or None, fill colour)
CLUSTERS = {
    "blood": ("blood", None, "#fbe3e1"),
    "body": ("injection site", None, "#f2e8f7"),
    "terminal": ("noradrenergic terminal", None, "#eef3fb"),
    "cytosol": ("cytosol", "terminal", "#e1eaf7"),
    "vesicle": ("synaptic vesicle", "terminal", "#fdf0cf"),
    "ecs": ("extracellular space", None, "#e4f4e4"),
    "glia": ("glia and postsynaptic cells", None, "#f4ece1"),
    "lc": ("locus coeruleus neuron", None, "#eef3fb"),
    "neuron": ("postsynaptic neuron", None, "#eef3fb"),
    "membrane": ("plasma membrane", "neuron", "#f7e6d4"),
    "ncytosol": ("cytosol", "neuron", "#e1eaf7"),
    "er": ("endoplasmic reticulum", "neuron", "#fdf0cf"),
    "probe": ("microdialysis probe", None, "#e9e9e9"),
    "rig": ("recording set-up", None, "#e9e9e9"),
}

# species -> (label on the slide, full name, cluster)
SPECIES = {
    # terminal model
    "tyr": ("tyrosine", "tyrosine (cytosol)", "cytosol"),
    "dopa": ("L-DOPA", "L-DOPA (cytosol)", "cytosol"),
    "da_cyt": ("dopamine", "dopamine (cytosol)", "cytosol"),
    "da_ves": ("dopamine", "dopamine (vesicle)", "vesicle"),
    "ne_ves": ("NE, reserve pool", "noradrenaline, reserve vesicle pool", "vesicle"),
    "ne_rrp": ("NE, readily\nreleasable pool", "noradrenaline, readily releasable vesicle pool", "vesicle"),
    "ne_cyt": ("noradrenaline", "noradrenaline (cytosol)", "cytosol"),
    "ne_ecf": ("noradrenaline", "noradrenaline (extracellular)", "ecs"),
    "da_ecf": ("dopamine", "dopamine (extracellular)", "ecs"),
    "dhpg": ("DHPG", "3,4-dihydroxyphenylglycol (DHPG)", "cytosol"),
    "nmn": ("normetanephrine", "normetanephrine (NMN)", "glia"),
    "mhpg": ("MHPG", "3-methoxy-4-hydroxyphenylglycol (MHPG)", "glia"),
    "ne_lc": ("noradrenaline\n(somatodendritic)", "noradrenaline, LC extracellular", "lc"),
    "lc_rate": ("firing rate", "LC firing rate", "lc"),
    "stress": ("stressor drive", "stressor drive to the LC", "lc"),
    "a2_desens": ("α2A desensitisation", "terminal α2A desensitisation", "terminal"),
    "net_expression": ("NET expression", "terminal NET left after down-regulation", "terminal"),
    "mao_active": ("active MAO-A", "MAO-A not irreversibly inhibited", "cytosol"),
    "vmat_active": ("active VMAT2", "VMAT2 not irreversibly inhibited", "vesicle"),
    # beta (Gs)
    "Gs_GDP": ("Gs (GDP)", "Gs heterotrimer, GDP-bound", "membrane"),
    "Gs_GTP": ("Gαs-GTP", "Gs-alpha-GTP (active)", "membrane"),
    "cAMP": ("cAMP", "cyclic AMP", "ncytosol"),
    "PKA_R2C2": ("PKA holoenzyme", "PKA holoenzyme R2C2 (inactive)", "ncytosol"),
    "PKA_R2cAMP4": ("PKA R2·cAMP4", "PKA regulatory dimer with 4 cAMP", "ncytosol"),
    "PKA_C": ("PKA C (active)", "free PKA catalytic subunit (active)", "ncytosol"),
    "sAHP_open": ("sAHP K⁺ channel", "slow-AHP K+ channel, available", "membrane"),
    "sAHP_P": ("sAHP channel-P", "slow-AHP channel, PKA-phosphorylated (inhibited)", "membrane"),
    "CREB": ("CREB", "CREB (unphosphorylated)", "ncytosol"),
    "pCREB": ("pCREB (Ser133)", "Ser133-phosphorylated CREB", "ncytosol"),
    # alpha2 (Gi/o)
    "Gi_trimer": ("Gi (GDP·βγ)", "Gi heterotrimer, inactive", "membrane"),
    "Gai_GTP": ("Gαi-GTP", "Gi-alpha-GTP (active)", "membrane"),
    "Gai_GDP": ("Gαi-GDP", "Gi-alpha-GDP (free)", "membrane"),
    "Gbg": ("Gβγ", "free G-beta-gamma", "membrane"),
    # alpha1 (Gq)
    "Gq_GDP": ("Gq (GDP)", "Gq heterotrimer, inactive", "membrane"),
    "Gq_GTP": ("Gαq-GTP", "Gq-alpha-GTP (active)", "membrane"),
    "PIP2": ("PIP2", "phosphatidylinositol 4,5-bisphosphate", "membrane"),
    "IP3": ("IP3", "inositol 1,4,5-trisphosphate", "ncytosol"),
    "DAG": ("DAG", "diacylglycerol", "membrane"),
    "inositol": ("inositol", "inositol and inositol phosphates", "ncytosol"),
    "PA": ("PA", "phosphatidic acid (and CDP-DAG)", "membrane"),
    "PI": ("PI", "phosphatidylinositol (and PI4P)", "membrane"),
    "Ca_cyt": ("Ca²⁺", "free cytosolic Ca2+", "ncytosol"),
    "Ca_er": ("Ca²⁺", "ER luminal Ca2+", "er"),
    "Ca_out": ("Ca²⁺", "extracellular Ca2+", "ecs"),
    "PKC_inactive": ("PKC (inactive)", "conventional PKC, cytosolic", "ncytosol"),
    "PKC_active": ("PKC (active)", "membrane-bound active PKC", "membrane"),
}

# rules drawn as read-outs (outputs nothing else in the model uses)
OUTPUTS = {
    "girk_open": ("GIRK channel open", "GIRK open probability", "membrane"),
    "i_girk": ("GIRK K⁺ current", "GIRK current at the holding potential", "membrane"),
    "sahp_conductance": ("sAHP conductance", "slow-AHP conductance relative to its maximum", "membrane"),
}

# reaction -> the enzyme, transporter or process written on its arrow
REACTIONS = {
    "tyr_supply": "LAT1", "th": "TH", "aadc": "AADC", "vmat2_da": "VMAT2", "dbh": "DBH", "mao_da": "MAO",
    "vmat2_ne": "VMAT2", "vesicle_leak": "leak", "mobilisation": "mobilisation", "release": "exocytosis",
    "depol_release": "K⁺-evoked exocytosis", "net_uptake": "NET", "net_efflux": "NET (reverse)",
    "comt_ecf": "COMT", "diffusion_loss": "diffusion to blood, uptake-2", "mao_ne": "MAO-A", "dhpg_comt": "COMT",
    "dhpg_out": "efflux to CSF, blood", "nmn_mao": "MAO", "mhpg_out": "efflux to CSF, blood", "da_release": "DA terminals",
    "da_net_uptake": "NET", "da_other_clearance": "other clearance",
    "lc_dendritic_release": "somatodendritic release", "lc_ne_clearance": "NET and other clearance",
    "lc_rate_dynamics": "f-I curve", "stress_dynamics": "stressor", "a2_desensitisation": "desensitisation", "net_downregulation": "down-regulation",
    "gs_activation": "GDP/GTP exchange", "gs_gtpase": "GTPase", "adenylyl_cyclase": "adenylyl cyclase",
    "pde": "PDE4", "pka_dissociation": "cAMP binding", "pka_reassociation": "re-association",
    "sahp_phosphorylation": "PKA", "sahp_dephosphorylation": "phosphatase", "creb_phosphorylation": "PKA",
    "creb_dephosphorylation": "phosphatase", "gi_activation": "GDP/GTP exchange", "gi_gtpase": "GTPase (RGS)",
    "gi_reassociation": "re-association", "gq_activation": "GDP/GTP exchange", "gq_gtpase": "GTPase",
    "plc_hydrolysis": "PLC-β", "ip3_degradation": "IP3 phosphatase", "dag_kinase": "DAG kinase",
    "pi_synthesis": "PI synthase", "pi_kinases": "PI kinases", "ip3r_release": "IP3R", "er_leak": "leak",
    "serca": "SERCA", "pmca": "PMCA/NCX", "pm_entry": "entry", "pkc_activation": "translocation",
    "pkc_deactivation": "deactivation",
}

# reactions without reactants (sources) or without products (sinks): what is on the other side
# (cluster "" = outside every compartment drawn)
SOURCES = {"tyr_supply": ("tyrosine from blood", ""), "adenylyl_cyclase": ("ATP", "ncytosol"),
           "da_release": ("dopamine terminals", "ecs")}
# (a reaction that leaves the picture, such as efflux to the blood, says so in its own label)
SINKS = {"mao_da": ("DOPAC", "cytosol"), "pde": ("5'-AMP", "ncytosol")}

# modifiers the figures (and the SBGN map) leave out: two substrates competing for one
# transporter, already shown by the transporter's name on both arrows
OMITTED = {("vmat2_da", "ne_cyt"), ("vmat2_ne", "da_cyt"), ("da_net_uptake", "ne_ecf")}

# drug species made by the terminal model for each drug d (model/terminal.py)
_DRUG_SPECIES = (
    (re.compile(r"^(d_\w+?)_p$"), "{drug}\n(plasma)", "{drug} in plasma (total)", "blood"),
    (re.compile(r"^(d_\w+?)_b$"), "{drug}\n(brain, unbound)", "{drug} unbound in brain extracellular fluid", "ecs"),
    (re.compile(r"^(d_\w+?)_depot_(\w+)$"), "{drug}\n({route} depot)", "{drug} at the {route} absorption site", "body"),
)
_DRUG_REACTIONS = (
    (re.compile(r"^d_\w+_absorption_(\w+)$"), "absorption"), (re.compile(r"^d_\w+_elimination$"), "elimination"),
    (re.compile(r"^d_\w+_brain_equilibration$"), "blood-brain barrier"),
    (re.compile(r"^d_\w+_infusion_in$"), "minipump infusion"),
)
ROUTES = {"ip": "i.p.", "sc": "s.c.", "po": "oral", "iv": "i.v."}


def readable(text: str) -> str:
    """An identifier as words (the fallback for a name missing from the tables)."""
    return re.sub(r"\s+", " ", text.replace("_", " ")).strip()


def species_name(name: str, description: str = "", drugs: dict[str, str] | None = None,
                 default_cluster: str = "") -> tuple[str, str, str]:
    """``(label, full name, cluster)`` of a species (or read-out rule)."""
    if name in SPECIES:
        return SPECIES[name]
    if name in OUTPUTS:
        return OUTPUTS[name]
    for pattern, label, full, cluster in _DRUG_SPECIES:
        m = pattern.match(name)
        if m:
            drug = (drugs or {}).get(m.group(1), readable(m.group(1)[2:]))
            route = ROUTES.get(m.group(2), m.group(2)) if m.lastindex and m.lastindex > 1 else ""
            return label.format(drug=drug, route=route), full.format(drug=drug, route=route), cluster
    text = readable(description or name)
    return text, text, default_cluster


def reaction_label(name: str, mechanism: str = "", description: str = "") -> str:
    """The enzyme, transporter or process written on a reaction's arrow."""
    if name in REACTIONS:
        return REACTIONS[name]
    for pattern, label in _DRUG_REACTIONS:
        if pattern.match(name):
            return label
    text = mechanism if mechanism and len(mechanism) <= 24 else (description or mechanism or name)
    return readable(text)
