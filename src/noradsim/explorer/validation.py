"""The Validation page: every published target, predicted against its accepted range.

The calibration set (``validation/targets.toml``) and the out-of-sample set
(``validation/predictions.toml``, never used to set a number) are shown apart. Each target is
evaluated by :func:`noradsim.validation.evaluate` (what ``noradsim validate`` runs); the
outcomes are cached for the server's life, since evaluating a set takes a while (a progress
bar counts the targets). Picking a target shows the time course behind its prediction.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import panel as pn
from bokeh.plotting import figure

from .common import clear_message, explain, in_thread, message_pane, show_message

SETS = {"calibration": ("targets.toml", "Calibration set: the values the model's calibrated parameters were fitted to"),
        "out_of_sample": ("predictions.toml", "Out-of-sample set: predictions never used to set any number")}
_OUTCOMES: dict[str, dict] = {}


def set_path(which: str) -> Path | None:
    """The file of a target set, beside the calibration set the protocols find (NORADSIM_TARGETS or shared/)."""
    from ..protocols.microdialysis.published import targets_file

    base = targets_file()
    if base is None:
        return None
    path = base if which == "calibration" else base.with_name(SETS[which][0])
    return path if path.is_file() else None


@lru_cache(maxsize=2)
def read_set(which: str):
    """``(targets, errors)`` of a set (errors: ``(id, message)`` of malformed targets); read once."""
    from ..validation import read_targets

    path = set_path(which)
    if path is None:
        return (), (("-", f"{SETS[which][0]} not found beside the calibration set"),)
    good, bad = read_targets(path)
    return tuple(good), tuple(bad)


def evaluate_one(target):
    from ..validation import evaluate
    from .compute import RATE_LOCK

    with RATE_LOCK:
        return evaluate(target)


def rows(targets, outcomes: dict) -> list[dict]:
    """One table row per target: what was measured, the published range and the prediction."""
    out = []
    for t in targets:
        o = outcomes.get(t.id)
        out.append({"id": t.id, "verdict": "not yet evaluated" if o is None else o.verdict,
                    "predicted": None if o is None or o.predicted is None else round(o.predicted, 4),
                    "published": t.expected, "low": t.low, "high": t.high, "unit": t.unit,
                    "measure": t.measure, "statistic": t.statistic, "source": t.source,
                    "reason": "" if o is None else o.reason})
    return out


class TargetSet:
    """One set's table, button, progress bar and time-course plot."""

    def __init__(self, which: str):
        import pandas as pd

        self.which = which
        self.targets, errors = read_set(which)
        self.message = message_pane()
        if errors:
            show_message(self.message, "; ".join(f"{i}: {m}" for i, m in errors), "warning")
        self.go = pn.widgets.Button(name=f"Evaluate all {len(self.targets)} targets", button_type="primary",
                                    width=220, css_classes=[f"ns-val-run-{which}"])
        self.go.on_click(self.run)
        self.progress = pn.indicators.Progress(value=0, max=max(len(self.targets), 1), width=300, visible=False)
        self.status = pn.pane.Markdown("", css_classes=[f"ns-val-status-{which}"])
        self.table = pn.widgets.Tabulator(pd.DataFrame(rows(self.targets, {})), disabled=True, show_index=False,
                                          sizing_mode="stretch_width", height=360, header_filters=True,
                                          layout="fit_data_fill", widths={"source": 320, "reason": 320},
                                          formatters={"source": {"type": "textarea"}, "reason": {"type": "textarea"}})
        self.pick = pn.widgets.Select(name="time course of", options=[t.id for t in self.targets], width=420)
        self.pick.param.watch(lambda _e: self._plot(), "value")
        self.plot = pn.pane.Bokeh(sizing_mode="stretch_width")
        if which in _OUTCOMES:
            self._refresh()

    async def run(self, _event=None) -> None:
        done = _OUTCOMES.setdefault(self.which, {})
        self.go.disabled, self.progress.visible, self.progress.value = True, True, len(done)
        try:
            for t in self.targets:
                if t.id not in done:
                    self.status.object = f"Evaluating {t.id} ({self.progress.value + 1} of {len(self.targets)}) ..."
                    done[t.id] = await in_thread(evaluate_one, t)
                self.progress.value = len(done)
        except Exception as exc:  # a message, never a traceback
            show_message(self.message, explain(exc))
        finally:
            self.go.disabled, self.progress.visible = False, False
        self._refresh()

    def _refresh(self) -> None:
        import pandas as pd

        from ..validation import summary_line

        done = _OUTCOMES.get(self.which, {})
        self.table.value = pd.DataFrame(rows(self.targets, done))
        self.status.object = f"**{summary_line(list(done.values()))}** (cached; re-opening the page is instant)."
        self._plot()

    def _plot(self) -> None:
        o = _OUTCOMES.get(self.which, {}).get(self.pick.value)
        t = next((t for t in self.targets if t.id == self.pick.value), None)
        if o is None or t is None:
            return
        self.plot.object = outcome_figure(t, o)

    def view(self) -> pn.Column:
        return pn.Column(pn.pane.Markdown(f"### {SETS[self.which][1]}"), self.message,
                         pn.Row(self.go, self.progress), self.status, self.table, self.pick, self.plot,
                         sizing_mode="stretch_width")


def outcome_figure(target, outcome):
    """The simulated time course behind a prediction (with its sample bins and window), or a note."""
    pred = "no prediction" if outcome.predicted is None else f"predicted {outcome.predicted:.3g} {outcome.unit}"
    fig = figure(title=f"{target.id}: {pred}; published {target.expected:g} ({target.low:g}-{target.high:g}) "
                       f"{target.unit}, {outcome.verdict}", height=300, sizing_mode="stretch_width",
                 tools="pan,wheel_zoom,box_zoom,reset,save",
                 x_axis_type="log" if "doses" in (outcome.curve or {}) else "linear")
    c = outcome.curve or {}
    if "time_min" in c and "values" in c:
        x, y = np.asarray(c["time_min"], dtype=float), np.asarray(c["values"], dtype=float)
        if x.size == y.size:
            fig.line(x, y, line_width=2, legend_label=f"{target.measure} ({c.get('unit', '')})")
            fig.xaxis.axis_label = "time (min)"
        bins = c.get("bins")
        if bins is not None and len(bins) == 3:
            fig.quad(left=bins[0], right=bins[1], bottom=0, top=bins[2], fill_alpha=0.15, line_alpha=0.4,
                     legend_label="sample bins")
        if "window" in c:
            fig.varea(x=[c["window"][0] / 60, c["window"][1] / 60], y1=0, y2=float(np.nanmax(y)) if y.size else 1,
                      fill_alpha=0.05, fill_color="orange", legend_label="window of the statistic")
    elif "doses" in c and "fractions" in c:
        fig.line(np.asarray(c["doses"], dtype=float), np.asarray(c["fractions"], dtype=float), line_width=2)
        fig.scatter(np.asarray(c["doses"], dtype=float), np.asarray(c["fractions"], dtype=float), size=6)
        fig.xaxis.axis_label, fig.yaxis.axis_label = f"dose ({c.get('unit', '')})", "fraction of baseline"
    else:
        fig.title.text += " (no time course: " + (outcome.reason or "a single number") + ")"
    return fig


def page() -> pn.Column:
    return pn.Column(*(TargetSet(which).view() for which in SETS), sizing_mode="stretch_width")
