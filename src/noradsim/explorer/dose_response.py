"""The Dose-response page: peak NE over a dose range in a few regions, with a population band.

Each dose and region runs a virtual population through the microdialysis protocol's own
population code (:func:`noradsim.protocols.microdialysis.virtual_population`): the least
certain parameters vary log-uniformly within x/spread of their cited values; the band is
the 5th to 95th percentile of the rats' peaks, the line their median.
"""

from __future__ import annotations

import numpy as np
import panel as pn
from bokeh.plotting import figure

from ..checks import check_dose
from ..drugs import load_library
from ..errors import InputError
from ..units import checked_number, parse_quantity
from ..vocabulary import STATES, TERMINAL_REGIONS
from .common import PALETTE, clear_message, explain, in_thread, message_pane, show_message
from .compute import dose_grid, dose_response_point

SYSTEMIC_BOLUS = ("ip", "sc", "po", "iv")


def check_inputs(drug: str, low: str, high: str, n: int, pop: int, spread: float, regions) -> tuple:
    """The page's inputs in internal units, or :class:`InputError` naming the field."""
    load_library().get(drug.strip())
    lo = check_dose(parse_quantity(low, "dose", "lowest dose"), "lowest dose")
    hi = check_dose(parse_quantity(high, "dose", "highest dose"), "highest dose")
    if not 0 < lo < hi:
        raise InputError("lowest dose: must be above 0 and below the highest dose")
    n = int(checked_number(n, "number of doses", integer=True, low=2, high=20))
    pop = int(checked_number(pop, "rats per dose", integer=True, low=1, high=500))
    spread = float(checked_number(spread, "spread", low=1, high=100))
    if not regions:
        raise InputError("regions: tick at least one region")
    return drug.strip(), lo, hi, n, pop, spread


class DoseResponsePage:
    def __init__(self):
        self.drug = pn.widgets.TextInput(name="drug", value="atomoxetine", width=150, css_classes=["ns-dr-drug"])
        self.route = pn.widgets.Select(name="route", options=list(SYSTEMIC_BOLUS), value="ip", width=80)
        self.state = pn.widgets.Select(name="state", options=list(STATES), value="awake", width=200)
        self.low = pn.widgets.TextInput(name="lowest dose", value="0.1 mg/kg", width=110, css_classes=["ns-dr-low"])
        self.high = pn.widgets.TextInput(name="highest dose", value="10 mg/kg", width=110)
        self.n = pn.widgets.IntInput(name="doses", value=6, start=2, end=20, width=80)
        self.pop = pn.widgets.IntInput(name="rats per dose", value=20, start=1, end=500, width=100)
        self.spread = pn.widgets.FloatInput(name="spread (x/)", value=2.0, start=1.0, end=100.0, step=0.5, width=100)
        self.regions = pn.widgets.CheckBoxGroup(name="regions", options=list(TERMINAL_REGIONS),
                                                value=["prefrontal_cortex", "hippocampus"], inline=True)
        self.go = pn.widgets.Button(name="Run dose-response", button_type="primary", width=170,
                                    css_classes=["ns-dr-run"])
        self.go.on_click(self.run)
        self.progress = pn.indicators.Progress(name="progress", value=0, max=1, width=300, visible=False,
                                               css_classes=["ns-dr-progress"])
        self.status = pn.pane.Markdown("", css_classes=["ns-dr-status"])
        self.message = message_pane()
        self.plot = pn.pane.Bokeh(self._figure({}, "Peak extracellular NE by dose (press Run)"),
                                  sizing_mode="stretch_width")
        self.table = pn.pane.Markdown("")

    async def run(self, _event=None) -> None:
        try:
            drug, lo, hi, n, pop, spread = check_inputs(self.drug.value, self.low.value, self.high.value, self.n.value,
                                                        self.pop.value, self.spread.value, self.regions.value)
        except InputError as exc:
            show_message(self.message, str(exc))
            return
        clear_message(self.message)
        doses = dose_grid(lo, hi, n)
        regions = list(self.regions.value)
        self.progress.max, self.progress.value, self.progress.visible = len(doses) * len(regions), 0, True
        self.go.disabled = True
        results: dict[str, np.ndarray] = {}
        try:
            for region in regions:
                rows = []
                for dose in doses:
                    self.status.object = f"Running {pop} virtual rats: {drug} {dose:.3g} mg/kg {self.route.value}, {region}"
                    rows.append(await in_thread(dose_response_point, drug, self.route.value, float(dose), region,
                                                n=pop, spread=spread, state=self.state.value))
                    self.progress.value += 1
                results[region] = np.array(rows)
        except Exception as exc:  # a message, never a traceback
            show_message(self.message, explain(exc))
            return
        finally:
            self.go.disabled = False
            self.progress.visible = False
        self.status.object = (f"Done: {len(doses)} doses x {len(regions)} regions x {pop} rats "
                              f"(parameters x/{spread:g} of their cited values).")
        self.plot.object = self._figure({r: (doses, q) for r, q in results.items()},
                                        f"Peak extracellular NE after {drug} {self.route.value}")
        self.table.object = _table(doses, results)

    @staticmethod
    def _figure(curves: dict, title: str):
        fig = figure(title=title, height=420, sizing_mode="stretch_width", x_axis_type="log",
                     x_axis_label="dose (mg/kg)", y_axis_label="peak NE, % of baseline",
                     tools="pan,wheel_zoom,box_zoom,reset,save")
        fig.title.text_font_size = "12pt"
        for i, (region, (doses, q)) in enumerate(curves.items()):
            color = PALETTE[i % len(PALETTE)]
            label = region.replace("_", " ")
            fig.varea(x=doses, y1=q[:, 0], y2=q[:, 2], fill_color=color, fill_alpha=0.2,
                      legend_label=f"{label}: 5-95 % of rats")
            fig.line(doses, q[:, 1], line_color=color, line_width=2.5, legend_label=f"{label}: median")
            fig.scatter(doses, q[:, 1], color=color, size=6)
        if curves:
            fig.legend.location = "top_left"
        return fig

    def view(self) -> pn.Column:
        return pn.Column(
            pn.pane.Markdown("A virtual population per dose and region (microdialysis protocol's population code): "
                             "the band holds 90 % of the rats, the line is the median."),
            pn.Row(self.drug, self.route, self.state, self.low, self.high, self.n, self.pop, self.spread),
            self.regions, pn.Row(self.go, self.progress), self.message, self.status, self.plot, self.table,
            sizing_mode="stretch_width")


def _table(doses, results) -> str:
    head = "| dose (mg/kg) | " + " | ".join(f"{r.replace('_', ' ')} median (5-95 %)" for r in results) + " |"
    sep = "|---" * (len(results) + 1) + "|"
    rows = [f"| {d:.3g} | " + " | ".join(f"{q[i, 1]:.0f} ({q[i, 0]:.0f}-{q[i, 2]:.0f})" for q in results.values()) + " |"
            for i, d in enumerate(doses)]
    return "\n".join([head, sep, *rows])


def page() -> pn.Column:
    return DoseResponsePage().view()
