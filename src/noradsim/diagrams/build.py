"""The six diagrams, each built from its model's reactions (see :mod:`.graph`).

* ``synthesis``: the terminal model's reactions connected to tyrosine (synthesis,
  storage, release, reuptake, metabolism) and the species that modulate them;
* ``alpha1``, ``alpha2``, ``beta``: every reaction of the cascade model, the receptor as
  the input that drives the reactions whose rate uses ``receptor_activation``, and the
  read-out rules (GIRK, sAHP conductance);
* ``microdialysis``: the terminal model with a systemically given drug (default
  atomoxetine i.p., the shipped example): the drug's absorption, elimination and blood-brain
  equilibration, every reaction that makes or removes extracellular NE, and the probe:
  the perfusate drives every reaction whose rate depends on ``probe_delivery`` (Ca2+,
  K+, TTX, reverse dialysis), extracellular NE is extracted into the dialysate;
* ``recording``: the terminal model's locus coeruleus reactions with an i.v. drug
  (default clonidine) and the recording chain of the protocol (electrode, filter,
  spike sorting).
"""

from __future__ import annotations

from collections import deque

from .graph import Diagram, ModelView, Node, add_outputs, add_reactions
from .names import CLUSTERS, OUTPUTS

TITLES = {
    "synthesis": "Noradrenaline synthesis, storage, release and metabolism",
    "alpha1": "α1-adrenoceptor signalling (Gq → PLC-β → IP3, DAG → Ca²⁺, PKC)",
    "alpha2": "α2-adrenoceptor signalling (Gi/o → adenylyl cyclase ↓, GIRK)",
    "beta": "β-adrenoceptor signalling (Gs → adenylyl cyclase → cAMP → PKA)",
    "microdialysis": "In vivo microdialysis: drug, noradrenaline and the probe",
    "recording": "Locus coeruleus single-unit recording",
}
MICRODIALYSIS_DRUG = ("atomoxetine", "ip")
RECORDING_DRUG = ("clonidine", "iv")


def _component(model, start: str) -> set[str]:
    """Species connected to ``start`` through shared reactions."""
    adj: dict[str, set[str]] = {n: set() for n in model.species_names}
    for rx in model.reactions:
        sp = set(rx.reactants) | set(rx.products)
        for a in sp:
            adj[a] |= sp - {a}
    keep, q = {start}, deque([start])
    while q:
        for m in adj[q.popleft()]:
            if m not in keep:
                keep.add(m)
                q.append(m)
    return keep


def _touching(model, species: set[str]) -> list:
    return [rx for rx in model.reactions if (set(rx.reactants) | set(rx.products)) & species]


def terminal_model(drug: tuple[str, str] | None = None):
    from ..model.terminal import DrugUse, build_terminal_model

    return build_terminal_model(drugs=(DrugUse(drug[0], (drug[1],)),) if drug else ())


def synthesis(model=None) -> Diagram:
    model = model or terminal_model()
    view = ModelView(model)
    keep = _component(model, "tyr")
    d = Diagram("synthesis", TITLES["synthesis"])
    reactions = _touching(model, keep)
    # modifiers drawn: the chain's own species plus the LC firing that drives TH and release
    add_reactions(d, view, reactions, drawn=keep | {"lc_rate"}, default_cluster="terminal")
    return d


def cascade(name: str, model=None) -> Diagram:
    from ..model.cascades import cascade_model

    model = model or cascade_model(name)
    view = ModelView(model)
    d = Diagram(name, TITLES[name])
    receptor = {"alpha1": "α1", "alpha2": "α2", "beta": "β"}[name]
    d.add(Node("noradrenaline", "noradrenaline", "noradrenaline (extracellular)", "ecs", "input"))
    d.add(Node("receptor", f"{receptor} adrenoceptor", f"{receptor}-adrenoceptor (activation E/Em)", "membrane", "input",
               ("receptor_activation",)))
    d.edge("noradrenaline", "receptor", "stimulation")
    add_reactions(d, view, model.reactions, drawn=set(view.species), default_cluster="ncytosol",
                  inputs={"receptor_activation": "receptor"})
    add_outputs(d, view, OUTPUTS)
    return d


def _drug_ids(model) -> dict[str, str]:
    from ..drugs import load_library
    from ..model.terminal import ident

    lib = load_library()
    prefixes = {s.name.rsplit("_", 1)[0] for s in model.species if s.name.startswith("d_") and s.name.endswith("_p")}
    return {ident(n): n for n in lib.names() if ident(n) in prefixes} if prefixes else {}


def microdialysis(model=None) -> Diagram:
    model = model or terminal_model(MICRODIALYSIS_DRUG)
    view = ModelView(model)
    drugs = _drug_ids(model)
    drug_species = {s for s in view.species if any(s.startswith(p + "_") for p in drugs)}
    ne = {"ne_ecf"}
    d = Diagram("microdialysis", TITLES["microdialysis"])
    perfusate = [p for p in view.params if p.endswith("_perfusate")] + ["probe_delivery"]
    d.add(Node("perfusate", "aCSF perfusate\n(Ca²⁺, K⁺, TTX, drug)", "aCSF perfusate", "probe", "input",
               tuple(sorted(perfusate))))
    add_reactions(d, view, _touching(model, drug_species | ne), drawn=drug_species | ne,
                  drugs=drugs, default_cluster="terminal", inputs={"probe_delivery": "perfusate"})
    _probe_chain(d)
    return d


def _probe_chain(d: Diagram) -> None:
    """Extraction into the dialysate (Bungay et al. 1990, protocols/probe.py) and the assay."""
    from ..protocols.probe import probe_parameters

    probe = tuple(sorted(probe_parameters()))
    d.add(Node("dialysate", "dialysate\nnoradrenaline", "noradrenaline in the dialysate", "probe", "step", probe))
    d.add(Node("hplc", "HPLC-ECD\n(% of baseline)", "HPLC with electrochemical detection", "probe", "step"))
    d.edge("ne_ecf", "dialysate", "flow", "extraction\n(recovery)")
    d.edge("dialysate", "hplc", "flow", "timed samples")


RIG = (("electrode", "glass micropipette\n(2 M NaCl)"), ("amplifier", "amplifier,\nband-pass 0.3-5 kHz"),
       ("sorting", "spike detection\nand sorting"), ("rate", "firing rate\n(10-s bins)"))


def recording(model=None) -> Diagram:
    model = model or terminal_model(RECORDING_DRUG)
    view = ModelView(model)
    drugs = _drug_ids(model)
    drug_species = {s for s in view.species if any(s.startswith(p + "_") for p in drugs)}
    lc = {s.name for s in model.species if s.compartment == "lc"}
    d = Diagram("recording", TITLES["recording"])
    local = [p for p in view.params if p.endswith("_lc_local")]
    d.add(Node("iontophoresis", "iontophoresis\n(multibarrel pipette)", "drug applied by iontophoresis", "rig", "input",
               tuple(local)))
    add_reactions(d, view, _touching(model, drug_species | lc), drawn=drug_species | lc, drugs=drugs,
                  default_cluster="lc", inputs={p: "iontophoresis" for p in local})
    prev = "lc_rate"
    for nid, label in RIG:
        d.add(Node(nid, label, label.replace("\n", " "), "rig", "step"))
        d.edge(prev, nid, "flow", "extracellular spikes" if prev == "lc_rate" else "")
        prev = nid
    return d


def build(name: str, model=None) -> Diagram:
    if name == "synthesis":
        return synthesis(model)
    if name in ("alpha1", "alpha2", "beta"):
        return cascade(name, model)
    return microdialysis(model) if name == "microdialysis" else recording(model)


def clusters_used(d: Diagram) -> list[str]:
    """Cluster keys with nodes, plus their parents, parents first."""
    keys = {n.cluster for n in d.nodes.values() if n.cluster}
    for k in list(keys):
        while CLUSTERS[k][1]:
            k = CLUSTERS[k][1]
            keys.add(k)
    return [k for k in CLUSTERS if k in keys]
