"""Pieces every page uses: line plots updated in place, inline messages, long work with progress."""

from __future__ import annotations

import asyncio
import logging

import numpy as np
import panel as pn
from bokeh.core.properties import field
from bokeh.models import ColumnDataSource, Legend, LegendItem
from bokeh.palettes import Category10_10
from bokeh.plotting import figure
from panel.io.document import unlocked

from ..errors import InputError

PALETTE = Category10_10
LOG = logging.getLogger("noradsim.explorer")


def message_pane(name: str = "message") -> pn.pane.Alert:
    """An inline message (hidden until there is something to say)."""
    return pn.pane.Alert("", alert_type="danger", visible=False, name=name, css_classes=["ns-message"],
                         sizing_mode="stretch_width")


def show_message(pane: pn.pane.Alert, text: str, kind: str = "danger") -> None:
    pane.alert_type = kind
    pane.object = text
    pane.visible = True


def clear_message(pane: pn.pane.Alert) -> None:
    pane.object = ""
    pane.visible = False


def explain(exc: BaseException) -> str:
    """One line for the page: the parser's message for bad input, a short note for anything else."""
    if isinstance(exc, InputError):
        return str(exc)
    LOG.exception("explorer: unexpected error")
    return f"Could not compute this ({type(exc).__name__}: {' '.join(str(exc).split())[:200]}); change the input and try again."


def _lines(curves, colors, suffix: str = "") -> dict:
    xs, ys, labels, cols = [], [], [], []
    for i, c in enumerate(curves):
        xs.append(np.asarray(c.x, dtype=float))
        ys.append(np.asarray(c.y, dtype=float))
        labels.append(c.label + suffix)
        cols.append(colors[i % len(colors)])
    return {"xs": xs, "ys": ys, "label": labels, "color": cols}


class LinePlot:
    """A Bokeh figure with the current run's lines (solid) and saved scenarios (dashed), replaced in place."""

    def __init__(self, title: str, ylabel: str, *, xlabel: str = "time (min)", height: int = 250,
                 key: str = "", y_log: bool = False):
        self.fig = figure(title=title, height=height, sizing_mode="stretch_width", x_axis_label=xlabel,
                          y_axis_label=ylabel, tools="pan,wheel_zoom,box_zoom,reset,save",
                          y_axis_type="log" if y_log else "linear")
        self.fig.title.text_font_size = "12pt"
        empty = {"xs": [], "ys": [], "label": [], "color": []}
        self.band = ColumnDataSource({"left": [], "right": [], "bottom": [], "top": [], "label": []})
        band = self.fig.quad(left="left", right="right", bottom="bottom", top="top", source=self.band,
                             fill_color="green", fill_alpha=0.15, line_color="green", line_alpha=0.5)
        self.live = ColumnDataSource(dict(empty))
        self.saved = ColumnDataSource(dict(empty))
        saved = self.fig.multi_line("xs", "ys", source=self.saved, line_color="color", line_width=1.5,
                                    line_dash="dashed")
        live = self.fig.multi_line("xs", "ys", source=self.live, line_color="color", line_width=2.2)
        # one legend item per renderer: each reads its labels from its own source
        items = [LegendItem(label=field("label"), renderers=[r]) for r in (live, saved, band)]
        self.fig.add_layout(Legend(items=items, location="top_right", label_text_font_size="8pt",
                                   background_fill_alpha=0.6, click_policy="hide"))
        self.pane = pn.Column(pn.pane.Bokeh(self.fig, sizing_mode="stretch_width"), sizing_mode="stretch_width",
                              css_classes=[f"ns-plot-{key}"] if key else [])

    def show(self, curves, scenarios=()) -> None:
        """Draw ``curves`` (the current run) and each ``(name, curves)`` of ``scenarios`` dashed."""
        saved = {"xs": [], "ys": [], "label": [], "color": []}
        for name, cs in scenarios:
            part = _lines(cs, PALETTE, f" ({name})")
            for k in saved:
                saved[k] += part[k]
        with unlocked():  # Bokeh models changed from a Panel callback: Panel sends the change
            self.live.data = _lines(curves, PALETTE)
            self.saved.data = saved

    def show_band(self, left, right, bottom, top, label) -> None:
        """Shaded boxes (e.g. a published range); empty lists remove them."""
        with unlocked():
            self.band.data = {"left": list(left), "right": list(right), "bottom": list(bottom), "top": list(top),
                              "label": list(label)}


async def in_thread(func, *args, **kwargs):
    """Run blocking work off the server's event loop, so the page stays live."""
    return await asyncio.to_thread(func, *args, **kwargs)


def section(title: str, *objects, **kw) -> pn.Column:
    return pn.Column(pn.pane.Markdown(f"### {title}", margin=(0, 5)), *objects, sizing_mode="stretch_width", **kw)
