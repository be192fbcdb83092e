"""SBGN-ML export (Process Description, level 1 version 2) with libsbgnpy.

The map holds the diagram's biology with the coordinates of the dot layout (y pointing
down, as SBGN-ML wants): a compartment glyph per cluster, an entity pool per species
(simple chemical, macromolecule or complex, :data:`CLASSES`), a process glyph per
reaction with consumption and production arcs, SBGN's source-and-sink glyph for a
reaction without reactants or products, stimulation, inhibition and modulation arcs for
modifiers, perturbing agents for the inputs (perfusate, iontophoresis), phenotypes for
read-outs (GIRK, sAHP conductance) and omitted processes for the protocol's steps
(extraction into the dialysate, filtering, sorting). ``noradsim diagram NAME --format
sbgn --out FILE.sbgn`` writes it; the tests validate it against the SBGN-ML schema that
libsbgnpy ships.
"""

from __future__ import annotations

import re

from libsbgnpy import Arc, ArcClass, Bbox, Glyph, GlyphClass, Label, Map, MapVersion, Port, Sbgn, write_sbgn_to_string

from .dot import element_ids
from .graph import Diagram, Node
from .names import CLUSTERS

_MACRO = re.compile(r"^(G|PKA_C|PKC|CREB|pCREB|sAHP|receptor$|vmat_active|mao_active)")
_COMPLEX = {"PKA_R2C2", "PKA_R2cAMP4", "Gi_trimer", "Gs_GDP", "Gq_GDP"}
CLASSES = {"species": GlyphClass.SIMPLE_CHEMICAL, "input": GlyphClass.PERTURBING_AGENT,
           "output": GlyphClass.PHENOTYPE, "step": GlyphClass.UNSPECIFIED_ENTITY,
           "source": GlyphClass.SIMPLE_CHEMICAL}
_NON_CHEMICAL = {"lc_rate", "stress", "a2_desens", "net_expression"}
_SINK_NAMES = {"dopamine terminals"}
ARCS = {"stimulation": ArcClass.STIMULATION, "inhibition": ArcClass.INHIBITION, "modulation": ArcClass.MODULATION}
PD = MapVersion.HTTP_IDENTIFIERS_ORG_COMBINE_SPECIFICATIONS_SBGN_PD_LEVEL_1_VERSION_2_0


def glyph_class(n: Node) -> GlyphClass:
    if n.id in _COMPLEX:
        return GlyphClass.COMPLEX
    if n.kind == "input" and n.id == "receptor" or n.kind == "species" and _MACRO.match(n.id):
        return GlyphClass.MACROMOLECULE
    if n.kind == "source" and n.label in _SINK_NAMES:
        return GlyphClass.SOURCE_AND_SINK
    if n.kind == "input" and n.id == "noradrenaline":
        return GlyphClass.SIMPLE_CHEMICAL
    if n.id in _NON_CHEMICAL:
        return GlyphClass.UNSPECIFIED_ENTITY
    return CLASSES[n.kind]


def _sid(text: str) -> str:
    return "x" + re.sub(r"[^A-Za-z0-9_.-]", "_", text)


class _Builder:
    def __init__(self, d: Diagram, lay: dict):
        self.d, self.map = d, Map(id=_sid("map_" + d.name), version=PD)
        x0, y0, x1, y1 = map(float, lay["bb"].split(","))
        self.height = y1
        self.map.bbox = Bbox(x=x0, y=0.0, w=x1 - x0, h=y1 - y0)
        self.objects = {o["name"]: o for o in lay.get("objects", [])}
        self.edges = lay.get("edges", [])
        self.centres: dict[str, tuple[float, float]] = {}
        self.count = 0
        self.processes: set[str] = set()
        self.classes: dict[str, GlyphClass] = {}
        self.compartment_of: dict[str, str] = {}
        self.sinks: dict[str, tuple[float, float, str]] = {}  # shared source/sink nodes: one glyph per arc

    def box(self, cx: float, cy: float, w: float, h: float) -> Bbox:
        return Bbox(x=cx - w / 2, y=self.height - cy - h / 2, w=w, h=h)

    def glyph(self, gid: str, cls: GlyphClass, cx: float, cy: float, w: float, h: float, text: str = "",
              compartment: str | None = None) -> Glyph:
        g = Glyph(id=gid, class_value=cls, bbox=self.box(cx, cy, w, h), compartment_ref=compartment)
        self.classes[gid] = cls
        if text:
            g.label = Label(text=text)
        self.map.glyph.append(g)
        self.centres[gid] = (cx, self.height - cy)
        return g

    def process(self, pid: str, cls: GlyphClass, cx: float, cy: float) -> None:
        """A process glyph with an input port (``.1``) and an output port (``.2``)."""
        g = self.glyph(pid, cls, cx, cy, 12.0, 12.0)
        x, y = self.centres[pid]
        g.port = [Port(id=f"{pid}.1", x=x - 12.0, y=y), Port(id=f"{pid}.2", x=x + 12.0, y=y)]
        self.centres[f"{pid}.1"], self.centres[f"{pid}.2"] = (x - 12.0, y), (x + 12.0, y)
        self.processes.add(pid)

    def arc(self, cls: ArcClass, src: str, dst: str) -> None:
        """An arc; consumption ends at a process's input port, production starts at its output port."""
        if cls == ArcClass.CONSUMPTION and dst in self.processes:
            dst += ".1"
        if cls == ArcClass.PRODUCTION and src in self.processes:
            src += ".2"
        self.count += 1
        (sx, sy), (tx, ty) = self.centres[src], self.centres[dst]
        self.map.arc.append(Arc(id=f"arc{self.count}", class_value=cls, source=src, target=dst,
                                start=Arc.Start(x=sx, y=sy), end=Arc.End(x=tx, y=ty)))

    def compartments(self) -> None:
        """A compartment glyph per cluster, inside one for the rest of the body (the whole map)."""
        bb = self.map.bbox
        self.glyph(_sid("c_outside"), GlyphClass.COMPARTMENT, bb.x + bb.w / 2, bb.h / 2, bb.w, bb.h, "rest of the body")
        for name, obj in self.objects.items():
            if name.startswith("cluster_") and "bb" in obj:
                x0, y0, x1, y1 = map(float, obj["bb"].split(","))
                key = name[len("cluster_"):]
                self.glyph(_sid("c_" + key), GlyphClass.COMPARTMENT, (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0,
                           CLUSTERS[key][0])

    def nodes(self) -> None:
        for n in self.d.nodes.values():
            obj = self.objects[n.id]
            x, y = map(float, obj["pos"].split(","))
            w, h = float(obj["width"]) * 72, float(obj["height"]) * 72
            comp = _sid("c_" + (n.cluster or "outside"))
            if n.kind == "process":
                self.process(_sid(n.id), GlyphClass.PROCESS, x, y)
                self.compartment_of[_sid(n.id)] = comp
                continue
            cls = glyph_class(n)
            if cls == GlyphClass.SOURCE_AND_SINK:
                self.sinks[_sid(n.id)] = (x, y, comp)
            elif cls == GlyphClass.PHENOTYPE and any(e.src == n.id for e in self.d.edges):
                self.glyph(_sid(n.id), GlyphClass.UNSPECIFIED_ENTITY, x, y, w, h, n.full, comp)
            else:
                self.glyph(_sid(n.id), cls, x, y, w, h, n.full, comp)

    def reactions(self) -> None:
        """Process glyphs and arcs, in the order of the diagram's edges."""
        by_id = {le.get("id"): le for le in self.edges}
        for e, eid in zip(self.d.edges, element_ids(self.d)[1]):
            le = by_id[eid]
            src, dst = self._end(_sid(e.src), eid), self._end(_sid(e.dst), eid)
            if e.kind in ("reaction", "flow"):
                x, y = map(float, (le.get("lp") or _middle(le["pos"])).split(","))
                pid = _sid(f"p_{e.reaction or e.src + '_' + e.dst}")
                cls = GlyphClass.PROCESS if e.kind == "reaction" else GlyphClass.OMITTED_PROCESS
                self.process(pid, cls, x, y)
                self.arc(ArcClass.CONSUMPTION, src, pid)
                self.arc(ArcClass.PRODUCTION, pid, dst)
            elif e.kind == "consumption":
                self.arc(ArcClass.CONSUMPTION, src, dst)
            elif e.kind == "production":
                self.arc(ArcClass.PRODUCTION, src, dst)
            elif self.classes[dst] in (GlyphClass.PROCESS, GlyphClass.PHENOTYPE):
                self.arc(ARCS[e.kind], src, dst)
            else:  # an influence on an entity: a process that makes the entity, under that influence
                (sx, sy), (tx, ty) = self.centres[src], self.centres[dst]
                pid = _sid(f"p_{eid}")
                self.process(pid, GlyphClass.PROCESS, (sx + tx) / 2, self.height - (sy + ty) / 2)
                self.arc(ArcClass.PRODUCTION, pid, dst)
                self.arc(ARCS[e.kind], src, pid)
        self._open_ends()

    def _end(self, gid: str, eid: str) -> str:
        """The glyph at one end of an arc; a shared source or sink gets a glyph of its own per arc."""
        if gid not in self.sinks:
            return gid
        x, y, comp = self.sinks[gid]
        own = _sid(f"{gid}_{eid}")
        self.glyph(own, GlyphClass.SOURCE_AND_SINK, x, y, 14.0, 14.0, compartment=comp)
        return own

    def _open_ends(self) -> None:
        """A source-and-sink glyph for every process without an input or without an output."""
        ins = {a.target[:-2] for a in self.map.arc if a.class_value == ArcClass.CONSUMPTION}
        outs = {a.source[:-2] for a in self.map.arc if a.class_value == ArcClass.PRODUCTION}
        for g in list(self.map.glyph):
            if g.id not in self.processes:
                continue
            cx, cy = self.centres[g.id]
            for missing, dx, cls in ((g.id not in ins, -30.0, ArcClass.CONSUMPTION),
                                     (g.id not in outs, 30.0, ArcClass.PRODUCTION)):
                if missing:
                    sid = f"{g.id}_{'source' if dx < 0 else 'sink'}"
                    self.glyph(sid, GlyphClass.SOURCE_AND_SINK, cx + dx, self.height - cy, 14.0, 14.0,
                               compartment=self.compartment_of.get(g.id, _sid("c_outside")))
                    self.arc(cls, *((sid, g.id) if dx < 0 else (g.id, sid)))


def _middle(pos: str) -> str:
    pts = [p for p in pos.split() if not p.startswith(("e,", "s,"))]
    return pts[len(pts) // 2]


def to_sbgn(d: Diagram, lay: dict) -> str:
    """SBGN-ML text of a diagram laid out by dot (``lay``: dot's JSON output)."""
    b = _Builder(d, lay)
    b.compartments()
    b.nodes()
    b.reactions()
    return write_sbgn_to_string(Sbgn(map=[b.map]))
