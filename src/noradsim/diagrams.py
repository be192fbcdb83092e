"""Pathway and protocol diagrams drawn from the models' and protocols' own structure.

``noradsim diagram NAME --out FILE.svg`` (see :mod:`noradsim.commands.diagram`):

* ``synthesis``: the terminal model's reactions (``noradsim.model.terminal``), the part
  connected to tyrosine: synthesis, storage, release, reuptake and metabolism; a
  declared fallback list is drawn when the terminal model cannot be imported;
* ``alpha1``, ``alpha2``, ``beta``: the cascade models of :mod:`noradsim.model.cascades`
  (every species a box; every reaction an arrow named after it and its enzyme; dashed
  arrows for species that modulate a rate or a rule, such as Gs-alpha-GTP on adenylyl
  cyclase);
* ``microdialysis``, ``recording``: the declared protocol steps below.

Plain SVG text, laid out in columns by distance from the input (receptor activation or
the first substrate), so the figure changes when the model does.
"""

from __future__ import annotations

import html
import re
from collections import deque
from dataclasses import dataclass, field

from .errors import unknown

DIAGRAMS = ("synthesis", "alpha1", "alpha2", "beta", "microdialysis", "recording")

MICRODIALYSIS_STEPS = (
    ("probe implantation", "stereotaxic guide cannula and concentric probe (2-4 mm membrane) in the target region, under anaesthesia"),
    ("aCSF perfusion", "artificial CSF at 0.5-2 uL/min (default 1 uL/min) by syringe pump"),
    ("equilibration", "1-2 h (or overnight recovery) until NE in the dialysate is stable"),
    ("baseline samples", "3-4 samples of 20 min collected into antioxidant (perchloric acid/EDTA)"),
    ("drug administration", "systemic (i.p., s.c., p.o., i.v., minipump) or by reverse dialysis through the probe"),
    ("post-drug samples", "20-min bins for 2-4 h; % of baseline"),
    ("HPLC-ECD", "reverse-phase HPLC with electrochemical detection; recovery correction (in vitro or no-net-flux)"),
    ("placement check", "histology: probe track verified in the target region; misplaced probes excluded"),
)

RECORDING_STEPS = (
    ("anaesthesia", "chloral hydrate, halothane, isoflurane or urethane; body temperature kept at 37 C"),
    ("electrode", "glass micropipette (2 M NaCl, 2-5 MOhm) lowered stereotaxically to the LC"),
    ("identification criteria", "wide biphasic spikes (>1.5 ms), slow regular firing 0.1-5 Hz, biphasic response to contralateral paw pinch, inhibition by clonidine"),
    ("baseline", "stable firing for at least 3-5 min"),
    ("drug administration", "systemic (i.v. cumulative doses) or iontophoretic through a multibarrel pipette"),
    ("amplification and filtering", "headstage and amplifier, band-pass 0.3-5 kHz (single units)"),
    ("spike sorting", "window discriminator or template sorting; rate in 10-s bins"),
    ("placement check", "Pontamine Sky Blue deposit and histology confirm the LC"),
)

SYNTHESIS_FALLBACK = (  # (reaction, enzyme/mechanism, reactant, product)
    ("tyr_supply", "LAT1 transport", "blood tyrosine", "tyr"),
    ("th", "tyrosine hydroxylase (TH)", "tyr", "dopa"),
    ("aadc", "aromatic L-amino acid decarboxylase (AADC)", "dopa", "da_cyt"),
    ("vmat2_da", "VMAT2", "da_cyt", "da_ves"),
    ("dbh", "dopamine beta-hydroxylase (DBH)", "da_ves", "ne_ves"),
    ("release", "Ca2+-dependent exocytosis", "ne_ves", "ne_ecf"),
    ("net_uptake", "NET", "ne_ecf", "ne_cyt"),
    ("vmat2_ne", "VMAT2", "ne_cyt", "ne_ves"),
    ("mao_ne", "MAO-A", "ne_cyt", "dhpg"),
    ("comt_ecf", "COMT", "ne_ecf", "nmn"),
    ("dhpg_comt", "COMT", "dhpg", "mhpg"),
    ("nmn_mao", "MAO", "nmn", "mhpg"),
)


@dataclass
class Graph:
    title: str
    nodes: dict[str, str] = field(default_factory=dict)  # name -> subtitle
    edges: list[tuple[str, str, str, bool]] = field(default_factory=list)  # (src, dst, label, dashed)
    root: str | None = None
    legend: list[tuple[str, str]] = field(default_factory=list)  # (reaction, enzyme or process)

    def node(self, name: str, subtitle: str = "") -> None:
        if name not in self.nodes or (subtitle and not self.nodes[name]):
            self.nodes[name] = subtitle

    def edge(self, src: str, dst: str, label: str = "", dashed: bool = False) -> None:
        self.edges.append((src, dst, label, dashed))


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _species_in(expr: str, species: set[str], rules: dict[str, str], seen=None) -> set[str]:
    seen = set() if seen is None else seen
    out = set()
    for n in _NAME.findall(expr):
        if n in species:
            out.add(n)
        elif n in rules and n not in seen:
            seen.add(n)
            out |= _species_in(rules[n], species, rules, seen)
    return out


def model_graph(model, *, input_parameter: str | None = None, input_label: str = "receptor",
                keep: set[str] | None = None, title: str | None = None, show_rules: bool = True,
                show_modifiers: bool = True, enzyme_labels: bool = False) -> Graph:
    """A :class:`Graph` of a declarative model: species boxes, reaction arrows, modifier links."""
    g = Graph(title or model.description or model.name)
    species = {s.name: s for s in model.species}
    rules = {r.name: r.expression for r in model.rules}
    if input_parameter:
        g.root = input_label
        g.node(input_label, f"{input_parameter} (E/Em)")
    for rx in model.reactions:
        involved = set(rx.reactants) | set(rx.products)
        if keep is not None and not involved & keep:
            continue
        label = rx.name if enzyme_labels else rx.name + (f" [{rx.mechanism}]" if rx.mechanism else "")
        if enzyme_labels and (rx.name, rx.description) not in g.legend:
            g.legend.append((rx.name, rx.description + (f" ({rx.mechanism})" if rx.mechanism else "")))
        srcs = list(rx.reactants) or [f"{rx.name}: source"]
        dsts = list(rx.products) or [f"{rx.name}: removed"]
        for s in srcs:
            g.node(s, species[s].description if s in species else rx.description)
        for d in dsts:
            g.node(d, species[d].description if d in species else rx.description)
        for s in srcs:
            for d in dsts:
                g.edge(s, d, label)
        mods = _species_in(rx.rate, set(species), rules) - set(rx.reactants) if show_modifiers else set()
        for m in sorted(mods):
            if keep is None or m in keep:
                g.node(m, species[m].description)
                g.edge(m, dsts[0], f"modulates {rx.name}", dashed=True)
        if input_parameter and input_parameter in _NAME.findall(rx.rate):
            g.edge(input_label, dsts[0], f"activates {rx.name}", dashed=True)
    for r in (model.rules if show_rules else ()):
        deps = _species_in(r.expression, set(species), rules)
        if keep is not None:
            deps &= keep
        if deps and r.unit not in ("nM/s",) and not r.name.endswith("_rate"):
            g.node(r.name, r.description)
            for dsp in sorted(deps):
                g.edge(dsp, r.name, "", dashed=True)
    if g.root is None and g.nodes:
        g.root = next(iter(g.nodes))
    return g


def _layers(g: Graph) -> list[list[str]]:
    depth = {g.root: 0} if g.root else {}
    q = deque([g.root] if g.root else [])
    adj: dict[str, list[str]] = {}
    for s, d, _, _ in g.edges:
        adj.setdefault(s, []).append(d)
    while q:
        n = q.popleft()
        for m in adj.get(n, []):
            if m not in depth:
                depth[m] = depth[n] + 1
                q.append(m)
    for _ in range(3):  # sources that feed reached nodes sit one column before them
        for s, d, _, _ in g.edges:
            if s not in depth and d in depth:
                depth[s] = max(depth[d] - 1, 0)
            if s in depth and d not in depth:
                depth[d] = depth[s] + 1
    extra = max(depth.values(), default=-1) + 1
    cols: dict[int, list[str]] = {}
    for n in g.nodes:
        cols.setdefault(depth.get(n, extra), []).append(n)
    return [cols[k] for k in sorted(cols)]


def render_svg(g: Graph) -> str:
    """Plain SVG: boxes in columns, arrows with reaction names."""
    cols = _layers(g)
    char_w, box_h, gap_y = 6.6, 40, 26
    widths = [max(max(len(n), min(len(g.nodes[n]), 34)) * char_w + 20 for n in col) for col in cols]
    xs, x = [], 20.0
    for w in widths:
        xs.append(x)
        x += w + 120
    pos = {}
    for ci, col in enumerate(cols):
        for ri, n in enumerate(col):
            pos[n] = (xs[ci], 60 + ri * (box_h + gap_y), widths[ci])
    width = x
    body_h = 60 + max(len(c) for c in cols) * (box_h + gap_y) + 20
    height = body_h + 20 + 14 * ((len(g.legend) + 1) // 2)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
           f'font-family="Helvetica, Arial, sans-serif" font-size="11">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#444"/></marker></defs>',
           f'<text x="20" y="30" font-size="16" font-weight="bold">{html.escape(g.title)}</text>']
    for s, d, label, dashed in g.edges:
        x1, y1, w1 = pos[s]
        x2, y2, w2 = pos[d]
        ax, ay = x1 + w1, y1 + box_h / 2
        bx, by = x2, y2 + box_h / 2
        if x2 <= x1:  # backward or same column: route from the bottom
            ax, ay = x1 + w1 / 2, y1 + box_h
            bx, by = x2 + w2 / 2, y2 + box_h
        dash = ' stroke-dasharray="4 3"' if dashed else ""
        color = "#999" if dashed else "#444"
        out.append(f'<line x1="{ax:.1f}" y1="{ay:.1f}" x2="{bx:.1f}" y2="{by:.1f}" stroke="{color}"{dash} '
                   f'marker-end="url(#arrow)"><title>{html.escape(label)}</title></line>')
        if label and not dashed:
            out.append(f'<text x="{(ax + bx) / 2:.1f}" y="{(ay + by) / 2 - 3:.1f}" font-size="9" fill="#205080" '
                       f'text-anchor="middle">{html.escape(label)}</text>')
    for n, (x0, y0, w) in pos.items():
        fill = "#fde9c9" if n == g.root else "#e8f0fb"
        out.append(f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{w:.1f}" height="{box_h}" rx="6" fill="{fill}" stroke="#335"/>')
        out.append(f'<text x="{x0 + 8:.1f}" y="{y0 + 16:.1f}" font-weight="bold">{html.escape(n)}</text>')
        sub = g.nodes[n]
        if sub:
            short = sub if len(sub) <= 40 else sub[:38] + "..."
            out.append(f'<text x="{x0 + 8:.1f}" y="{y0 + 31:.1f}" font-size="9" fill="#555">{html.escape(short)}'
                       f'<title>{html.escape(sub)}</title></text>')
    for i, (rx, text) in enumerate(g.legend):
        lx = 20 + (i % 2) * width / 2
        ly = body_h + 14 * (i // 2)
        out.append(f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="10"><tspan font-weight="bold" fill="#205080">'
                   f'{html.escape(rx)}</tspan>: {html.escape(text)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def steps_graph(title: str, steps) -> Graph:
    g = Graph(title)
    prev = None
    for i, (name, detail) in enumerate(steps):
        g.node(name, detail)
        if prev is not None:
            g.edge(prev, name, f"step {i + 1}")
        prev = name
    g.root = steps[0][0]
    return g


def render_steps_svg(g: Graph) -> str:
    """A vertical flowchart (one box per protocol step, full detail text)."""
    box_w, box_h, gap = 760, 46, 24
    n = len(g.nodes)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{box_w + 60}" height="{70 + n * (box_h + gap)}" '
           f'font-family="Helvetica, Arial, sans-serif" font-size="11">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#444"/></marker></defs>',
           f'<text x="30" y="30" font-size="16" font-weight="bold">{html.escape(g.title)}</text>']
    for i, (name, detail) in enumerate(g.nodes.items()):
        y = 50 + i * (box_h + gap)
        out.append(f'<rect x="30" y="{y}" width="{box_w}" height="{box_h}" rx="6" fill="#e8f0fb" stroke="#335"/>')
        out.append(f'<text x="40" y="{y + 18}" font-weight="bold">{i + 1}. {html.escape(name)}</text>')
        out.append(f'<text x="40" y="{y + 35}" font-size="9.5" fill="#444">{html.escape(detail)}</text>')
        if i < n - 1:
            out.append(f'<line x1="{30 + box_w / 2}" y1="{y + box_h}" x2="{30 + box_w / 2}" y2="{y + box_h + gap}" '
                       'stroke="#444" marker-end="url(#arrow)"/>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def synthesis_graph(model=None) -> Graph:
    """The synthesis/storage/release/metabolism graph of the terminal model (or the fallback list)."""
    if model is None:
        try:
            from .model.terminal import build_terminal_model
        except ImportError:
            build_terminal_model = None
        if build_terminal_model is not None:
            model = build_terminal_model()
    if model is not None:
        # keep the component of the species graph that contains tyrosine
        names = set(model.species_names)
        start = next((n for n in ("tyr", "tyrosine") if n in names), None)
        if start is not None:
            adj: dict[str, set[str]] = {n: set() for n in names}
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
            g = model_graph(model, keep=keep, title="NE synthesis, storage, release and metabolism (terminal model)",
                            show_rules=False, show_modifiers=False, enzyme_labels=True)
            src = next((n for n in g.nodes if n.startswith("tyr_supply")), start)
            g.root = src
            return g
    g = Graph("NE synthesis, storage, release and metabolism")
    for rx, enzyme, a, b in SYNTHESIS_FALLBACK:
        g.node(a)
        g.node(b)
        g.edge(a, b, f"{rx} [{enzyme}]")
    g.root = SYNTHESIS_FALLBACK[0][2]
    return g


def diagram_svg(name: str, *, model=None) -> str:
    """SVG text of diagram ``name`` (one of :data:`DIAGRAMS`).

    Examples
    --------
    >>> "adenylyl_cyclase" in diagram_svg("beta")
    True
    """
    if name not in DIAGRAMS:
        raise unknown("diagram", name, DIAGRAMS)
    if name == "synthesis":
        return render_svg(synthesis_graph(model))
    if name in ("alpha1", "alpha2", "beta"):
        from .model.cascades import cascade_model

        m = model or cascade_model(name)
        titles = {"alpha1": "alpha1-adrenoceptor (Gq) cascade", "alpha2": "alpha2-adrenoceptor (Gi/o) cascade",
                  "beta": "beta-adrenoceptor (Gs) cascade"}
        return render_svg(model_graph(m, input_parameter="receptor_activation", input_label=f"{name} receptor",
                                      title=titles[name] + f" -- model {m.name}"))
    steps = MICRODIALYSIS_STEPS if name == "microdialysis" else RECORDING_STEPS
    title = "In vivo microdialysis workflow" if name == "microdialysis" else "LC single-unit recording workflow"
    return render_steps_svg(steps_graph(title, steps))
