"""A diagram as data, built by walking a model's reactions.

Every reaction of the model (or of the part the diagram shows) becomes either one arrow
from its reactant to its product, labelled with its enzyme or transporter, or, when it
has several reactants or products or is modulated by another species, a small process
node (SBGN's process glyph) with consumption, production and modifier arcs. A species
that appears in a rate law (directly or through assignment rules) without being consumed
or produced is a modifier; whether it activates or inhibits is read off the rate law
itself by evaluating it at the model's initial state with the modifier nudged up.
Reactions without reactants or products get a named source or sink
(:data:`.names.SOURCES`, :data:`.names.SINKS`) or SBGN's empty-set symbol.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from .names import CLUSTERS, OMITTED, SINKS, SOURCES, reaction_label, species_name

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FUNCS = {"exp": math.exp, "ln": math.log, "log": math.log, "sqrt": math.sqrt, "abs": abs, "pow": pow,
          "max": max, "min": min, "tanh": math.tanh}


@dataclass
class Node:
    id: str
    label: str
    full: str
    cluster: str
    kind: str = "species"  # species | process | source | input | output | step
    parameters: tuple[str, ...] = ()


@dataclass
class Edge:
    src: str
    dst: str
    kind: str  # reaction | consumption | production | stimulation | inhibition | modulation | flow
    label: str = ""
    reaction: str = ""


@dataclass
class Diagram:
    name: str
    title: str
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    reactions: dict[str, tuple[str, ...]] = field(default_factory=dict)  # reaction -> its parameters

    def add(self, node: Node) -> str:
        self.nodes.setdefault(node.id, node)
        return node.id

    def edge(self, src: str, dst: str, kind: str, label: str = "", reaction: str = "") -> None:
        self.edges.append(Edge(src, dst, kind, label, reaction))

    def parameters(self) -> list[str]:
        """Model parameters on the diagram's reactions and inputs, sorted, without repeats."""
        out = {p for ps in self.reactions.values() for p in ps}
        out |= {p for n in self.nodes.values() for p in n.parameters}
        return sorted(out)


class ModelView:
    """The names a model's rate laws use, resolved through its assignment rules."""

    def __init__(self, model):
        self.model = model
        self.species = {s.name: s for s in model.species}
        self.rules = {r.name: r.expression for r in model.rules}
        self.params = {p.name: p.value for p in model.parameters}

    def names_in(self, expr: str, seen: set | None = None) -> tuple[set[str], set[str]]:
        """``(species, parameters)`` an expression depends on, through rules."""
        seen = set() if seen is None else seen
        sp, pa = set(), set()
        for n in _NAME.findall(expr):
            if n in self.species:
                sp.add(n)
            elif n in self.params:
                pa.add(n)
            elif n in self.rules and n not in seen:
                seen.add(n)
                s2, p2 = self.names_in(self.rules[n], seen)
                sp |= s2
                pa |= p2
        return sp, pa

    def _value(self, expr: str, env: dict) -> float:
        return float(eval(expr.replace("^", "**"), {"__builtins__": {}}, {**_FUNCS, **env}))  # noqa: S307

    def rate(self, expr: str, overrides: dict[str, float]) -> float:
        """The rate law at the initial state with some values replaced."""
        # species that start at zero are set to 1 (their unit) so that mass-action factors do not hide the sign
        env = {**self.params, **{s: v.initial or 1.0 for s, v in self.species.items()}, **overrides}
        for name, rule in self.rules.items():
            env[name] = self._value(rule, env)
        return self._value(expr, env)

    def sign(self, expr: str, name: str) -> str:
        """``stimulation``, ``inhibition`` or ``modulation`` of ``expr`` by species or parameter ``name``."""
        x0 = (self.species[name].initial or 1.0) if name in self.species else self.params[name]
        try:
            base = self.rate(expr, {})
            up = self.rate(expr, {name: x0 * 1.5 if x0 else 1.0})
        except (ArithmeticError, ValueError, TypeError):
            return "modulation"
        if not (math.isfinite(base) and math.isfinite(up)) or abs(up - base) <= 1e-9 * max(abs(base), 1e-30):
            return "modulation"
        return "stimulation" if up > base else "inhibition"


def species_node(view: ModelView, name: str, drugs=None, default_cluster: str = "") -> Node:
    sp = view.species.get(name)
    label, full, cluster = species_name(name, sp.description if sp else "", drugs, default_cluster)
    return Node(name, label, full, cluster)


def add_reactions(d: Diagram, view: ModelView, reactions, *, drawn: set[str], drugs=None,
                  default_cluster: str = "", inputs: dict[str, str] | None = None) -> None:
    """Draw ``reactions``; modifiers are drawn when they are in ``drawn`` (species) or ``inputs``.

    ``inputs`` maps a parameter (or rule-level knob such as ``receptor_activation``) to the
    node that stands for it (a receptor, a perfusate): the node modulates every reaction
    whose rate depends on that parameter.
    """
    inputs = inputs or {}
    for rx in reactions:
        sp, params = view.names_in(rx.rate)
        d.reactions[rx.name] = tuple(sorted(params))
        direct = set(_NAME.findall(rx.rate))
        # a product is a modifier only through a rule (feedback such as the alpha2 autoreceptor), not by mass action
        candidates = sp - set(rx.reactants) - (set(rx.products) & direct)
        mods = [(m, view.sign(rx.rate, m)) for m in sorted(candidates) if m in drawn and (rx.name, m) not in OMITTED]
        mods += [(node, view.sign(rx.rate, p)) for p, node in inputs.items() if p in params]
        srcs = [d.add(species_node(view, s, drugs, default_cluster)) for s in rx.reactants]
        dsts = [d.add(species_node(view, s, drugs, default_cluster)) for s in rx.products]
        if not srcs and rx.name in SOURCES:
            srcs = [_terminal(d, rx.name, SOURCES)]
        if not dsts and rx.name in SINKS:
            dsts = [_terminal(d, rx.name, SINKS)]
        for m, _ in mods:
            if m in view.species:
                d.add(species_node(view, m, drugs, default_cluster))
        label = reaction_label(rx.name, rx.mechanism, rx.description)
        ends = [d.nodes[n] for n in srcs + dsts] or [Node("", "", "", default_cluster)]
        if len(srcs) == 1 and len(dsts) == 1 and not mods and ends[0].cluster == ends[1].cluster:
            d.edge(srcs[0], dsts[0], "reaction", label, rx.name)
            continue
        # a transport sits on its source's side (the edge across the boundary is then the short one);
        # a source or sink without a name is left out (the process node is drawn alone, as its rate's end)
        one_to_one = len(srcs) == 1 and len(dsts) == 1 and ends[0].kind != "source"
        cluster = ends[0].cluster if one_to_one or len(ends) == 1 else _common(ends[0].cluster, ends[-1].cluster)
        pid = d.add(Node(f"process_{rx.name}", label, rx.description or label, cluster, "process"))
        for s in srcs:
            d.edge(s, pid, "consumption", _stoich(rx.reactants.get(s, 1)), rx.name)
        for t in dsts:
            d.edge(pid, t, "production", _stoich(rx.products.get(t, 1)), rx.name)
        for m, kind in mods:
            d.edge(m, pid, kind, "", rx.name)


def _common(a: str, b: str) -> str:
    """The innermost cluster containing clusters ``a`` and ``b`` ("" for the top level)."""
    def chain(k):
        out = []
        while k:
            out.append(k)
            k = CLUSTERS[k][1] or ""
        return out
    cb = chain(b)
    return next((k for k in chain(a) if k in cb), "")


def _stoich(c: float) -> str:
    return "" if c == 1 else f"×{c:g}"


def _terminal(d: Diagram, reaction: str, table: dict) -> str:
    """The named source or sink of a reaction (one node per reaction: no long arcs to a shared node)."""
    label, cluster = table[reaction]
    return d.add(Node(f"ext_{reaction}", label, label, cluster, "source"))


def add_outputs(d: Diagram, view: ModelView, names: dict[str, tuple]) -> None:
    """Rules drawn as read-outs (``names``: rule -> label entry), linked from the species they read."""
    for rule, (label, full, cluster) in names.items():
        if rule not in view.rules:
            continue
        sp, params = view.names_in(view.rules[rule])
        deps = [s for s in sorted(sp) if s in d.nodes]
        refs = [r for r in names if r != rule and re.search(rf"\b{r}\b", view.rules[rule])]
        if not deps and not refs:
            continue
        d.add(Node(rule, label, full, cluster, "output", tuple(sorted(params))))
        for s in (refs or deps):
            d.edge(s, rule, view.sign(view.rules[rule], s) if s in view.species else "stimulation")
