"""Pathway and protocol diagrams drawn from the models' own reactions, laid out by Graphviz dot.

``noradsim diagram NAME --out FILE.svg`` (or ``.png``, or ``--format sbgn``); see
docs/diagrams.md. Names: :data:`DIAGRAMS`.

* :func:`diagram_svg` -- the slide figure (SVG text, inline-ready: no XML prolog); its
  elements carry ids ``s-<species>``, ``p-<reaction>`` (process nodes), ``r-<reaction>``
  (reaction arrows) and ``a-<reaction>-<n>`` (arcs of a process node);
* :func:`diagram_parameters` -- the model parameters on the diagram's reactions and
  inputs; :func:`diagram_links` -- the same per SVG element id;
* :func:`diagram_png` -- the same figure as PNG bytes;
* :func:`diagram_sbgn` -- SBGN-ML (Process Description) text, with the layout's
  coordinates (:mod:`.sbgn`).

How each diagram is derived from its model: :mod:`.build`, :mod:`.graph`; readable
names: :mod:`.names`; layout engine and checks: :mod:`.dot`.
"""

from __future__ import annotations

from functools import lru_cache

from ..errors import unknown
from . import dot
from .build import build
from .graph import Diagram

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


def _check(name: str) -> None:
    if name not in DIAGRAMS:
        raise unknown("diagram", name, DIAGRAMS)


def diagram(name: str, *, model=None) -> Diagram:
    """The :class:`~.graph.Diagram` (nodes, arcs, reactions and their parameters) of ``name``."""
    _check(name)
    if model is None:
        return _default(name)
    return build(name, model)


@lru_cache(maxsize=None)
def _default(name: str) -> Diagram:
    return build(name)


def diagram_dot(name: str, *, model=None) -> str:
    """DOT text of the chosen layout (direction, spacing, slide padding)."""
    if model is None:
        _check(name)
        return _default_dot(name)
    return dot.best_dot(diagram(name, model=model))


@lru_cache(maxsize=None)
def _default_dot(name: str) -> str:
    return dot.best_dot(_default(name))


def diagram_svg(name: str, *, model=None) -> str:
    """SVG text of diagram ``name`` (one of :data:`DIAGRAMS`).

    Examples
    --------
    >>> "adenylyl cyclase" in diagram_svg("beta")
    True
    """
    return dot.svg(diagram_dot(name, model=model))


def diagram_png(name: str, *, model=None) -> bytes:
    """PNG bytes of diagram ``name`` (144 dpi)."""
    return dot.run(diagram_dot(name, model=model), "png")


def diagram_parameters(name: str, *, model=None) -> list[str]:
    """Model parameter names on the diagram's reactions and inputs, sorted.

    >>> "th_vmax" in diagram_parameters("synthesis")
    True
    """
    return diagram(name, model=model).parameters()


def diagram_links(name: str, *, model=None) -> dict[str, list[str]]:
    """``{SVG element id: model parameters}`` for every reaction arrow, process node and input."""
    d = diagram(name, model=model)
    nodes, edges = dot.element_ids(d)
    out = {}
    for e, eid in zip(d.edges, edges):
        if e.reaction:
            out[eid] = list(d.reactions[e.reaction])
    for n in d.nodes.values():
        params = d.reactions.get(n.id[len("process_"):], ()) if n.kind == "process" else n.parameters
        if params:
            out[nodes[n.id]] = list(params)
    return out


def diagram_sbgn(name: str, *, model=None) -> str:
    """SBGN-ML (Process Description level 1 version 2) text of diagram ``name``."""
    from .sbgn import to_sbgn

    return to_sbgn(diagram(name, model=model), dot.layout(diagram_dot(name, model=model)))


__all__ = ["DIAGRAMS", "MICRODIALYSIS_STEPS", "RECORDING_STEPS", "diagram", "diagram_dot", "diagram_links",
           "diagram_parameters", "diagram_png", "diagram_sbgn", "diagram_svg"]
