"""Layout and rendering with Graphviz ``dot`` (clusters for compartments).

The engine is ``graphviz-pure`` (a PyPI wheel: a port of Graphviz's ``dot`` in one
self-contained program with its own fonts, so the layout, and the text widths it
measures, are the same on every machine and need no system package); Graphviz's own
``dot`` (Debian package ``graphviz``) is used when graphviz-pure is not installed, and
``NORADSIM_DOT`` names another executable. :func:`layout` returns dot's JSON output,
from which :func:`text_boxes` computes the box of every piece of text, so tests can
check that no two labels overlap.

The layout direction (left-to-right or top-to-bottom) and the spacing are chosen among a
few candidates as the layout without overlapping text whose aspect ratio is nearest 16:9;
if none lies within 4:3..16:9 the canvas is padded to the nearest bound (the figure is
then centred on a slide-shaped canvas).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

from ..errors import InputError
from .build import clusters_used
from .graph import Diagram
from .names import CLUSTERS

FONT = "Arimo"
ASPECT = (4 / 3, 16 / 9)
TARGET = 16 / 9
COLUMN_EDGE = os.environ.get("NORADSIM_COLUMN_EDGE", "minlen=0")
NODE_STYLE = {
    "species": 'shape=box, style="rounded,filled", fillcolor="white", color="#34495e"',
    "process": 'shape=box, style="rounded,filled,dashed", fillcolor="#fffbe6", color="#8a6d3b", fontsize=11, '
               'fontcolor="#5b3f00", margin="0.06,0.03", height=0.3',
    "source": 'shape=box, style="rounded,filled", fillcolor="#f5f5f5", color="#9e9e9e", fontcolor="#555555", fontsize=12',
    "input": 'shape=box, style="rounded,filled,bold", fillcolor="#fde9c9", color="#b35900"',
    "output": 'shape=box, style="rounded,filled", fillcolor="#e3f2e1", color="#2e7d32"',
    "step": 'shape=box, style="filled", fillcolor="white", color="#616161"',
}
EDGE_STYLE = {
    "reaction": 'color="#263238", fontcolor="#0d47a1", fontsize=12',
    "consumption": 'color="#263238", arrowhead=none',
    "production": 'color="#263238"',
    "stimulation": 'color="#2e7d32", style=dashed, arrowhead=empty, constraint=false',
    "inhibition": 'color="#c62828", style=dashed, arrowhead=tee, constraint=false',
    "modulation": 'color="#757575", style=dashed, arrowhead=odiamond, constraint=false',
    "flow": 'color="#616161", fontcolor="#424242", fontsize=11, style=bold',
}
LEGEND = ('<FONT POINT-SIZE="12" COLOR="#424242">solid arrow: reaction, with its enzyme or transporter'
          '     <FONT COLOR="#2e7d32">dashed, open head: activates</FONT>'
          '     <FONT COLOR="#c62828">dashed, bar: inhibits</FONT>'
          '     <FONT COLOR="#616161">dashed, diamond: modulates</FONT></FONT>')


def engine() -> str | None:
    """The dot executable used: ``NORADSIM_DOT``, graphviz-pure, or Graphviz's dot; None if none is found."""
    env = os.environ.get("NORADSIM_DOT")
    if env:
        return shutil.which(env) or (env if Path(env).is_file() else None)
    beside = Path(sys.executable).parent / "graphviz-pure"
    if beside.is_file():
        return str(beside)
    return shutil.which("graphviz-pure") or shutil.which("dot")


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def element_ids(d: Diagram) -> tuple[dict[str, str], list[str]]:
    """SVG ids of the nodes (by node id) and of the edges (in order): ``s-``, ``p-``, ``r-``, ``a-`` prefixes."""
    nodes = {n.id: ("p-" + n.id[len("process_"):] if n.kind == "process" else "s-" + n.id) for n in d.nodes.values()}
    edges, count = [], {}
    for e in d.edges:
        if e.kind == "reaction":
            edges.append("r-" + e.reaction)
            continue
        key = e.reaction or f"{e.src}-{e.dst}"
        count[key] = count.get(key, 0) + 1
        edges.append(f"a-{key}-{count[key]}")
    return nodes, edges


def to_dot(d: Diagram, *, rankdir: str = "LR", ranksep: float = 0.45, nodesep: float = 0.25,
           pad: tuple[float, float] = (0.15, 0.15), columns: bool = False) -> str:
    """DOT text of a diagram: nested clusters for compartments, styles by node and arc kind."""
    ids, edge_ids = element_ids(d)
    title = f'<<FONT POINT-SIZE="22"><B>{_html(d.title)}</B></FONT><BR/>{LEGEND}>'
    out = [f"digraph {_q(d.name)} {{",
           f'  graph [rankdir={rankdir}, fontname="{FONT}", label={title}, labelloc=t, labeljust=c, '
           f'ranksep={ranksep}, nodesep={nodesep}, pad="{pad[0]:.3f},{pad[1]:.3f}", newrank=true, '
           f'bgcolor="white", id={_q(d.name)}];',
           f'  node [fontname="{FONT}", fontsize=13, margin="0.12,0.06", height=0.4, penwidth=1.2];',
           f'  edge [fontname="{FONT}", fontsize=12, penwidth=1.3, arrowsize=0.8];']
    children: dict[str | None, list[str]] = {}
    for k in clusters_used(d):
        children.setdefault(CLUSTERS[k][1], []).append(k)

    def emit(key: str | None, indent: str) -> None:
        for n in d.nodes.values():
            if (n.cluster or None) == key:
                tip = n.full + (" | parameters: " + ", ".join(n.parameters) if n.parameters else "")
                out.append(f"{indent}{_q(n.id)} [label={_q(n.label)}, id={_q(ids[n.id])}, tooltip={_q(tip)}, "
                           f"{NODE_STYLE[n.kind]}];")
        for child in children.get(key, []):
            label, _, fill = CLUSTERS[child]
            out.append(f'{indent}subgraph {_q("cluster_" + child)} {{')
            out.append(f'{indent}  label={_q(label)}; fontsize=15; fontcolor="#37474f"; style="rounded,filled"; '
                       f'fillcolor="{fill}"; color="#90a4ae"; penwidth=1.2; margin=10;')
            emit(child, indent + "  ")
            out.append(f"{indent}}}")

    emit(None, "  ")
    for e, eid in zip(d.edges, edge_ids):
        attrs = [EDGE_STYLE[e.kind], f"id={_q(eid)}"]
        if columns and d.nodes[e.src].cluster != d.nodes[e.dst].cluster and "constraint" not in attrs[0]:
            attrs.append(COLUMN_EDGE)
        if e.label:
            attrs.append(f"label={_q(e.label)}")
        if e.reaction:
            attrs.append(f"tooltip={_q('reaction ' + e.reaction + ': ' + ', '.join(d.reactions.get(e.reaction, ())))}")
        out.append(f"  {_q(e.src)} -> {_q(e.dst)} [{', '.join(attrs)}];")
    out.append("}")
    return "\n".join(out) + "\n"


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@lru_cache(maxsize=64)
def run(dot_text: str, fmt: str) -> bytes:
    """Run the engine on DOT text; ``fmt`` is ``json``, ``svg`` or ``png``."""
    exe = engine()
    if exe is None:
        raise InputError("diagram: no Graphviz layout engine found: pip install graphviz-pure, "
                         "or install Graphviz's dot (apt-get install graphviz)")
    args = [exe, f"-T{fmt}"] + (["-Gdpi=144"] if fmt == "png" else [])
    proc = subprocess.run(args, input=dot_text.encode(), capture_output=True, timeout=120, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{Path(exe).name} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')[:400]}")
    return proc.stdout


def layout(dot_text: str) -> dict:
    return json.loads(run(dot_text, "json"))


def text_boxes(lay: dict) -> list[tuple[str, tuple[float, float, float, float]]]:
    """``(text, (x0, y0, x1, y1))`` in points of every label drawn (nodes, edges, clusters, title)."""
    out = []
    items = [lay] + list(lay.get("objects", [])) + list(lay.get("edges", []))
    for obj in items:
        for key, ops in obj.items():
            if not key.endswith("ldraw_"):
                continue
            size = 14.0
            for op in ops:
                if op["op"] == "F":
                    size = float(op["size"])
                elif op["op"] == "T" and op["text"].strip():
                    x, y = op["pt"]
                    w = float(op["width"])
                    x0 = x - w / 2 if op["align"] == "c" else (x - w if op["align"] == "r" else x)
                    out.append((op["text"], (x0, y - 0.21 * size, x0 + w, y + 0.72 * size)))
    return out


def node_boxes(lay: dict) -> dict[str, tuple[float, float, float, float]]:
    """Box (points) of every node, by its name in the DOT text."""
    out = {}
    for obj in lay.get("objects", []):
        if "pos" in obj and "width" in obj:
            x, y = map(float, obj["pos"].split(","))
            w, h = float(obj["width"]) * 36, float(obj["height"]) * 36
            out[obj["name"]] = (x - w, y - h, x + w, y + h)
    return out


def overlaps(boxes, tol: float = 0.5) -> list[tuple[str, str]]:
    """Pairs of labels whose boxes intersect by more than ``tol`` points."""
    bad = []
    for i, (ta, a) in enumerate(boxes):
        for tb, b in boxes[i + 1:]:
            if min(a[2], b[2]) - max(a[0], b[0]) > tol and min(a[3], b[3]) - max(a[1], b[1]) > tol:
                bad.append((ta, tb))
    return bad


def _aspect(lay: dict) -> float:
    x0, y0, x1, y1 = map(float, lay["bb"].split(","))
    return (x1 - x0) / max(y1 - y0, 1e-9)


def _density(lay: dict) -> float:
    """Fraction of the drawing covered by nodes (low: much empty space)."""
    x0, y0, x1, y1 = map(float, lay["bb"].split(","))
    return sum((b[2] - b[0]) * (b[3] - b[1]) for b in node_boxes(lay).values()) / ((x1 - x0) * (y1 - y0))


CANDIDATES = tuple((rankdir, columns, ranksep, nodesep) for rankdir in ("LR", "TB") for columns in (False, True)
                   for ranksep, nodesep in ((0.45, 0.25), (0.35, 0.5), (0.3, 0.8)))


def best_dot(d: Diagram) -> str:
    """DOT text of the best candidate layout, padded into 4:3..16:9 if it is not.

    Candidates (:data:`CANDIDATES`): direction, compartments side by side (``columns``:
    arcs between compartments may join nodes of one rank) or not, and spacing. Best: no
    overlapping text, then an aspect ratio within 1.3..1.95, then the least empty space
    (or, when no candidate is in range, the aspect nearest 16:9).
    """
    best = None
    for rankdir, columns, ranksep, nodesep in CANDIDATES:
        try:
            lay = layout(to_dot(d, rankdir=rankdir, ranksep=ranksep, nodesep=nodesep, columns=columns))
        except RuntimeError:  # dot's spline router fails on some graphs: try the next candidate
            continue
        aspect = _aspect(lay)
        fits = 1.3 <= aspect <= 1.95
        score = (bool(overlaps(text_boxes(lay))), not fits, -_density(lay) if fits else abs(math.log(aspect / TARGET)))
        if best is None or score < best[0]:
            best = (score, (rankdir, ranksep, nodesep, columns), lay)
    if best is None:
        raise RuntimeError(f"diagram {d.name}: no layout candidate could be routed")
    _, (rankdir, ranksep, nodesep, columns), lay = best
    x0, y0, x1, y1 = map(float, lay["bb"].split(","))
    w, h = (x1 - x0) / 72 + 0.3, (y1 - y0) / 72 + 0.3
    padx, pady = 0.15, 0.15
    if w / h < ASPECT[0]:
        padx += (ASPECT[0] * h - w) / 2
    elif w / h > ASPECT[1]:
        pady += (w / ASPECT[1] - h) / 2
    return to_dot(d, rankdir=rankdir, ranksep=ranksep, nodesep=nodesep, pad=(padx, pady), columns=columns)


def svg(dot_text: str) -> str:
    """The SVG from the engine, without the XML prolog and comments (ready to inline in HTML)."""
    text = run(dot_text, "svg").decode()
    text = text[text.index("<svg"):]
    while "<!--" in text:
        a = text.index("<!--")
        text = text[:a] + text[text.index("-->", a) + 3:]
    text = text.replace("&#45;", "-")  # dot escapes hyphens (for comments, now gone): ids read as written
    # Arimo (bundled with graphviz-pure, which measured the text) is metric-compatible with these
    return text.replace(f'font-family="{FONT}"', f'font-family="{FONT},Liberation Sans,Arial,Helvetica,sans-serif"')
