"""The Pathways page: the diagrams of :mod:`noradsim.diagrams`, each beside its parameters.

The drawing is :func:`noradsim.diagrams.diagram_svg`; the table lists every reaction the
diagram is drawn from (the terminal model's tyrosine-connected part for ``synthesis``, the
cascade models for ``alpha1``, ``alpha2``, ``beta``) with each parameter its rate law uses,
directly or through assignment rules, and that parameter's value, unit and provenance. The
protocol diagrams list their protocol's parameters (the probe's ``microdialysis.toml``,
the spiking LC neuron's ``lc_neuron.toml``).
"""

from __future__ import annotations

import re
from functools import lru_cache

import panel as pn

from .common import explain

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
PROTOCOL_FILES = {"microdialysis": "microdialysis.toml", "recording": "lc_neuron.toml"}


def diagram_names() -> tuple[str, ...]:
    """The names :func:`noradsim.diagrams.diagram_svg` accepts."""
    from .. import diagrams

    return tuple(getattr(diagrams, "DIAGRAMS", ()))


def _model(name: str):
    if name == "synthesis":
        from ..model.terminal import build_terminal_model

        return build_terminal_model()
    if name in ("alpha1", "alpha2", "beta"):
        from ..model.cascades import cascade_model

        return cascade_model(name)
    return None


def _synthesis_reactions(model) -> list:
    """The reactions connected to tyrosine through shared species (what the synthesis diagram draws)."""
    names = set(model.species_names)
    start = next((n for n in ("tyr", "tyrosine") if n in names), None)
    if start is None:
        return list(model.reactions)
    species = [set(rx.reactants) | set(rx.products) for rx in model.reactions]
    reached, grown = {start}, True
    while grown:  # grow the set of reached species until no reaction adds one
        before = len(reached)
        for sp in species:
            if sp & reached:
                reached |= sp
        grown = len(reached) > before
    return [rx for rx, sp in zip(model.reactions, species) if sp & reached]


def _parameters_of(expr: str, params: set, rules: dict, seen=None) -> list[str]:
    """Parameters named in ``expr``, following assignment rules, in order of appearance."""
    seen = set() if seen is None else seen
    out = []
    for n in _NAME.findall(expr):
        if n in seen:
            continue
        seen.add(n)
        if n in params:
            out.append(n)
        elif n in rules:
            out += _parameters_of(rules[n], params, rules, seen)
    return out


@lru_cache(maxsize=16)
def parameter_rows(name: str) -> tuple[dict, ...]:
    """One row per (reaction, parameter) of a diagram, with value, unit, kind and source."""
    if name in PROTOCOL_FILES:
        from ..provenance import model_records

        fname = PROTOCOL_FILES[name]
        return tuple({"element": "protocol", "parameter": q.partition(":")[2], "value": p.value, "unit": p.unit,
                      "kind": p.provenance.kind if p.provenance else "", "source": p.source}
                     for q, p in model_records() if q.startswith(fname + ":"))
    model = _model(name)
    if model is None:
        return ()
    reactions = _synthesis_reactions(model) if name == "synthesis" else list(model.reactions)
    params = {p.name for p in model.parameters}
    rules = {r.name: r.expression for r in model.rules}
    rows = []
    for rx in reactions:
        label = rx.name + (f" ({rx.mechanism or rx.description})" if (rx.mechanism or rx.description) else "")
        for pname in _parameters_of(rx.rate, params, rules):
            p = model.parameters[pname]
            rows.append({"element": label, "parameter": pname, "value": p.value, "unit": p.unit,
                         "kind": p.provenance.kind if p.provenance else "", "source": p.source})
    return tuple(rows)


def fit_width(svg: str) -> str:
    """The SVG scaled to its container's width (when it has a viewBox), scrolling otherwise."""
    head_end = svg.find(">", svg.find("<svg"))
    head = svg[:head_end]
    size = re.search(r'\swidth="([\d.]+)(?:px)?"[^>]*?\sheight="([\d.]+)(?:px)?"', head)
    if "viewBox" not in head and size:
        head += f' viewBox="0 0 {size.group(1)} {size.group(2)}"'
    if "viewBox" in head:
        head = re.sub(r'\s(width|height)="[^"]*"', "", head) + ' width="100%"'
    return f'<div style="max-width:100%;overflow-x:auto">{head}{svg[head_end:]}</div>'


class PathwaysPage:
    def __init__(self):
        import pandas as pd

        self.pd = pd
        names = diagram_names()
        self.pick = pn.widgets.RadioButtonGroup(name="diagram", options=list(names), value=names[0] if names else None,
                                                button_type="primary", button_style="outline",
                                                css_classes=["ns-path-pick"])
        self.svg = pn.pane.HTML("", sizing_mode="stretch_width", css_classes=["ns-path-svg"])
        self.element = pn.widgets.Select(name="element", options=[], width=380)
        self.table = pn.widgets.Tabulator(pd.DataFrame(), disabled=True, show_index=False, sizing_mode="stretch_width",
                                          height=520, header_filters=True, layout="fit_data_table",
                                          groupby=["element"], css_classes=["ns-path-params"])
        self.note = pn.pane.Markdown("")
        self.pick.param.watch(lambda _e: self.show(), "value")
        self.element.param.watch(lambda _e: self._filter(), "value")
        self.show()

    def show(self) -> None:
        from ..diagrams import diagram_svg

        name = self.pick.value
        if name is None:
            return
        try:
            self.svg.object = fit_width(diagram_svg(name))
            rows = list(parameter_rows(name))
        except Exception as exc:  # a message, never a traceback
            self.note.object = explain(exc)
            return
        self.rows = rows
        elements = sorted({r["element"] for r in rows})
        self.element.options = ["(all)"] + elements
        self.element.value = "(all)"
        self._filter()
        self.note.object = (f"**{len(rows)} parameters** of {len(elements)} "
                            f"{'reactions' if name not in PROTOCOL_FILES else 'protocol elements'} drawn in "
                            f"*{name}*; pick an element to see its parameters only.")

    def _filter(self) -> None:
        rows = [r for r in getattr(self, "rows", []) if self.element.value in ("(all)", None, r["element"])]
        self.table.value = self.pd.DataFrame(rows, columns=["element", "parameter", "value", "unit", "kind", "source"])

    def view(self) -> pn.Column:
        return pn.Column(self.pick, pn.Row(pn.Column(self.svg, sizing_mode="stretch_width"),
                                           pn.Column(self.note, self.element, self.table, width=600),
                                           sizing_mode="stretch_width"),
                         sizing_mode="stretch_width")


def page() -> pn.Column:
    return PathwaysPage().view()
