"""The Drugs and parameters page: every number of the drug library and the model, searchable.

Rows come from :func:`noradsim.provenance.library_values` and
:func:`noradsim.provenance.model_records`: each value with its unit, species, provenance
kind (measured, derived, calibrated, assumed; docs/provenance.md), source and whether the
number was seen in its source. Each column has a filter; the search box filters every column.
"""

from __future__ import annotations

from functools import lru_cache

import panel as pn

KINDS = ("measured", "derived", "calibrated", "assumed")


def _prov_fields(record) -> dict:
    prov = getattr(record, "provenance", None)
    return {"kind": record.kind if hasattr(record, "kind") else (prov.kind if prov else ""),
            "source": record.source,
            "derivation / reason": "" if prov is None else (prov.derivation or prov.reason or prov.fit),
            "verified": "" if prov is None or prov.verified is None else ("yes" if prov.verified else "no"),
            "note": "" if prov is None else prov.note}


@lru_cache(maxsize=1)
def drug_rows() -> tuple[dict, ...]:
    """One row per number of the drug library."""
    from ..provenance import library_values

    out = []
    for name, v in library_values():
        drug, _, field = name.partition(".")
        out.append({"drug": drug, "field": field, "value": v.value, "unit": v.unit, "species": v.species,
                    **_prov_fields(v)})
    return tuple(out)


@lru_cache(maxsize=1)
def parameter_rows() -> tuple[dict, ...]:
    """One row per model parameter (data file, name, value, unit, species, provenance)."""
    from ..provenance import model_records

    out = []
    for qualified, p in model_records():
        fname, _, name = qualified.partition(":")
        kind = p.provenance.kind if p.provenance else ""
        row = {"file": fname, "parameter": name, "value": p.value, "unit": p.unit, "species": p.species,
               **_prov_fields(p)}
        row["kind"] = kind or row["kind"]
        out.append(row)
    return tuple(out)


def search(rows, text: str, kinds=KINDS) -> list[dict]:
    """Rows whose any column contains ``text`` (case-insensitive) and whose kind is in ``kinds``."""
    needle = text.strip().lower()
    return [r for r in rows if r["kind"] in kinds and (not needle or any(needle in str(v).lower() for v in r.values()))]


class LibraryPage:
    def __init__(self):
        import pandas as pd

        self.pd = pd
        self.text = pn.widgets.TextInput(name="search (any column)", placeholder="e.g. atomoxetine, net_vmax, Km",
                                         width=320, css_classes=["ns-lib-search"])
        self.kinds = pn.widgets.CheckBoxGroup(name="kinds", options=list(KINDS), value=list(KINDS), inline=True)
        wrap = {"type": "textarea"}  # long citations wrap inside their column
        opts = {"disabled": True, "show_index": False, "sizing_mode": "stretch_width", "height": 420,
                "header_filters": True, "pagination": "local", "page_size": 50, "layout": "fit_data_fill",
                "widths": {"source": 380, "derivation / reason": 300, "note": 220},
                "formatters": {"source": wrap, "derivation / reason": wrap, "note": wrap}}
        self.drugs = pn.widgets.Tabulator(pd.DataFrame(list(drug_rows())), css_classes=["ns-lib-drugs"], **opts)
        self.params = pn.widgets.Tabulator(pd.DataFrame(list(parameter_rows())), css_classes=["ns-lib-params"], **opts)
        self.counts = pn.pane.Markdown("")
        for w in (self.text, self.kinds):
            w.param.watch(lambda _e: self.filter(), "value")
        self.filter()

    def filter(self) -> None:
        d = search(drug_rows(), self.text.value, tuple(self.kinds.value))
        p = search(parameter_rows(), self.text.value, tuple(self.kinds.value))
        self.drugs.value = self.pd.DataFrame(d, columns=list(drug_rows()[0]))
        self.params.value = self.pd.DataFrame(p, columns=list(parameter_rows()[0]))
        self.counts.object = (f"{len(d)} of {len(drug_rows())} drug values, {len(p)} of {len(parameter_rows())} "
                              "model parameters shown.")

    def view(self) -> pn.Column:
        return pn.Column(pn.Row(self.text, self.kinds), self.counts,
                         pn.pane.Markdown("### Drug library (affinities, efficacies, pharmacokinetics)"), self.drugs,
                         pn.pane.Markdown("### Model parameters (terminal field, LC, probe, regions, stimuli)"),
                         self.params, sizing_mode="stretch_width")


def page() -> pn.Column:
    return LibraryPage().view()
