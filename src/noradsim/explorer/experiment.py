"""The Experiment page: build a microdialysis experiment, see what NE, the LC and the receptors do.

Every change re-runs the experiment through the microdialysis protocol (cached compiled
model and baseline: tens of milliseconds); bad input shows the parser's one-line message
beside the form and keeps the last good results. "Add scenario" keeps the current run as
dashed lines; the experiment downloads as a TOML file ``noradsim run`` accepts, and the
time course as CSV and NetCDF.
"""

from __future__ import annotations

import io
import time

import panel as pn

from ..receptors.phenotypes import load_phenotypes
from ..vocabulary import PERFUSATES, ROUTES, SPECIES, STATES, STIMULI, TERMINAL_REGIONS
from .common import LinePlot, clear_message, explain, message_pane, show_message
from .compute import FIGURES, READOUTS, published_lines, run_experiment
from .forms import experiment_document, results_csv, results_netcdf, to_toml

DEFAULT_ROW = {"kind": "drug", "name": "atomoxetine", "dose": "3", "unit": "mg/kg", "route": "ip", "at": "0 min",
               "duration": ""}
MAX_SCENARIOS = 4
NAMES_HINT = {"drug": "a drug of the library (see Drugs and parameters)", "stimulus": ", ".join(STIMULI),
              "perfusate": ", ".join(PERFUSATES)}


class InterventionRow:
    """One intervention: kind, name, dose and unit, route, time and duration (strings, as typed)."""

    def __init__(self, index: int, values: dict, on_change, on_remove):
        self.kind = pn.widgets.Select(name="kind", options=["drug", "stimulus", "perfusate"], value=values["kind"],
                                      width=95)
        self.name = pn.widgets.TextInput(name="drug / stimulus / perfusate", value=values["name"], width=150,
                                         css_classes=[f"ns-name-{index}"])
        self.dose = pn.widgets.TextInput(name="dose / conc.", value=values["dose"], width=80,
                                         css_classes=[f"ns-dose-{index}"])
        self.unit = pn.widgets.TextInput(name="unit", value=values["unit"], width=80, css_classes=[f"ns-unit-{index}"])
        self.route = pn.widgets.Select(name="route", options=list(ROUTES), value=values["route"] or "ip", width=120)
        self.at = pn.widgets.TextInput(name="time", value=values["at"], width=80)
        self.duration = pn.widgets.TextInput(name="duration", value=values["duration"], width=80,
                                             placeholder="(bolus)")
        self.remove = pn.widgets.Button(name="remove", button_type="light", width=70, margin=(24, 5, 5, 5))
        self.remove.on_click(lambda _e: on_remove(self))
        for w in self.widgets:
            w.param.watch(lambda _e: on_change(), "value")
        self.layout = pn.Row(*self.widgets, self.remove)

    @property
    def widgets(self):
        return (self.kind, self.name, self.dose, self.unit, self.route, self.at, self.duration)

    def values(self) -> dict:
        return {"kind": self.kind.value, "name": self.name.value, "dose": self.dose.value, "unit": self.unit.value,
                "route": self.route.value, "at": self.at.value, "duration": self.duration.value}


class ExperimentPage:
    """Widgets, plots and callbacks of the Experiment page."""

    def __init__(self):
        phenotypes = ["none"] + [p for p in load_phenotypes() if p != "control"]
        self.species = pn.widgets.Select(name="species", options=list(SPECIES), value="rat", width=110)
        self.region = pn.widgets.Select(name="region", options=list(TERMINAL_REGIONS), value="prefrontal_cortex",
                                        width=170)
        self.state = pn.widgets.Select(name="state", options=list(STATES), value="awake", width=210)
        self.phenotype = pn.widgets.Select(name="phenotype", options=phenotypes, value="none", width=190)
        self.sample = pn.widgets.TextInput(name="sample length", value="20 min", width=100,
                                           css_classes=["ns-sample"])
        self.follow = pn.widgets.TextInput(name="follow for", value="240 min", width=100)
        self.rows: list[InterventionRow] = []
        self.rows_box = pn.Column()
        self.add_row = pn.widgets.Button(name="+ intervention", button_type="default", width=130)
        self.add_row.on_click(lambda _e: self._append(dict(DEFAULT_ROW, name="", dose="", at="60 min")))
        self.message = message_pane()
        self.summary = pn.pane.Markdown("", css_classes=["ns-summary"], sizing_mode="stretch_width")
        self.published = pn.pane.Markdown("", css_classes=["ns-published"], sizing_mode="stretch_width")
        self.scenarios: list[tuple[str, dict]] = []
        self.add_scenario = pn.widgets.Button(name="Add scenario", button_type="primary", width=130,
                                              css_classes=["ns-add-scenario"])
        self.add_scenario.on_click(self._save_scenario)
        self.clear_scenarios = pn.widgets.Button(name="Clear scenarios", width=130)
        self.clear_scenarios.on_click(self._clear_scenarios)
        self.plots = {k: LinePlot(t, y, key=k) for k, (t, y) in FIGURES.items()}
        self.readout_plots = {k: LinePlot(t, "index", key=k, height=200) for k, t in READOUTS.items()}
        self.run = None
        self.doc: dict | None = None
        self.last_seconds = float("nan")
        self.downloads = self._downloads()
        for w in (self.species, self.region, self.state, self.phenotype, self.sample, self.follow):
            w.param.watch(lambda _e: self.update(), "value")
        self._append(DEFAULT_ROW, update=False)
        self.update()

    # -- the form ------------------------------------------------------------------------
    def _append(self, values: dict, update: bool = True) -> None:
        row = InterventionRow(len(self.rows), values, self.update, self._remove)
        self.rows.append(row)
        self.rows_box.append(row.layout)
        if update:
            self.update()

    def _remove(self, row: InterventionRow) -> None:
        self.rows.remove(row)
        self.rows_box.objects = [r.layout for r in self.rows]
        self.update()

    def document(self) -> dict:
        """The experiment document the form describes (may be invalid: the parser decides)."""
        settings = {"species": self.species.value, "region": self.region.value, "state": self.state.value,
                    "sample": self.sample.value.strip(), "window": ["0 min", self.follow.value.strip()],
                    "baseline": ["-60 min", "0 min"], "phenotype": self.phenotype.value, "seed": 1,
                    "name": "explorer experiment"}
        return experiment_document(settings, [r.values() for r in self.rows])

    # -- running -------------------------------------------------------------------------
    def update(self) -> None:
        """Re-run after a change; a bad field shows its message and keeps the last results."""
        t0 = time.perf_counter()
        try:
            doc = self.document()
            run = run_experiment(doc)
        except Exception as exc:  # the page must stay usable: the message names the field
            show_message(self.message, explain(exc))
            return
        self.doc, self.run = doc, run
        with pn.io.hold():  # one message to the browser for every plot and text that changed
            clear_message(self.message)
            self._draw()
            self.last_seconds = time.perf_counter() - t0
            s = run.summary()
            self.summary.object = (
                f"**Peak** {s['peak_percent_baseline']:.0f} % of baseline · **trough** {s['min_percent_baseline']:.0f} % "
                f"· **baseline** {s['baseline_nM']:.3g} nM (recovery-corrected) · {s['n_samples']} samples · "
                f"computed in {self.last_seconds:.2f} s\n\n**Mechanism**: {s['mechanism']}")
            lines = published_lines(run)
            self.published.object = ("\n\n".join(lines) if lines
                                     else "*No published measurement matches this experiment.*")

    def _draw(self) -> None:
        saved = [(name, curves) for name, curves in self.scenarios]
        for key, plot in {**self.plots, **self.readout_plots}.items():
            ckey = f"readout:{key}" if key in READOUTS else key
            plot.show(self.run.curves.get(ckey, []), [(n, c.get(ckey, [])) for n, c in saved])
        band = self.plots["ne_percent"]
        pubs = self.run.published
        band.show_band([0] * len(pubs), [float(self.run.dataset["time"].values[-1])] * len(pubs),
                       [p.low for p in pubs], [p.high for p in pubs], [f"published range ({p.target_id})" for p in pubs])

    def _save_scenario(self, _event=None) -> None:
        if self.run is None:
            return
        if len(self.scenarios) >= MAX_SCENARIOS:
            self.scenarios.pop(0)
        n = len(self.scenarios) + 1
        what = "; ".join(_describe(e) for e in self.doc["interventions"]) or "no intervention"
        self.scenarios.append((f"scenario {n}: {what}", self.run.curves))
        self._draw()
        show_message(self.message, f"Saved scenario {n} ({what}); it stays as dashed lines while you change the form.",
                     "info")

    def _clear_scenarios(self, _event=None) -> None:
        self.scenarios = []
        if self.run is not None:
            self._draw()

    # -- downloads -----------------------------------------------------------------------
    def _downloads(self):
        def toml_file():
            return io.StringIO(to_toml(self.doc) if self.doc else "")

        def csv_file():
            return io.StringIO(results_csv(self.run.dataset) if self.run else "")

        def nc_file():
            return io.BytesIO(results_netcdf(self.run.dataset) if self.run else b"")

        kw = {"button_type": "success", "width": 190}
        return pn.Row(pn.widgets.FileDownload(callback=toml_file, filename="experiment.toml", label="Experiment (TOML)",
                                              css_classes=["ns-download-toml"], **kw),
                      pn.widgets.FileDownload(callback=csv_file, filename="results.csv", label="Results (CSV)", **kw),
                      pn.widgets.FileDownload(callback=nc_file, filename="results.nc", label="Results (NetCDF)", **kw))

    def view(self) -> pn.Column:
        form = pn.Column(
            pn.Row(self.species, self.region, self.state, self.phenotype, self.sample, self.follow),
            pn.pane.Markdown("**Interventions** (times from the first post-baseline sample; a dose with its "
                             "unit, e.g. 3 mg/kg, or a concentration for reverse dialysis, e.g. 1 uM; "
                             "names: drugs of the library, stimuli " + ", ".join(STIMULI) + ", perfusates "
                             + ", ".join(PERFUSATES) + ")", margin=(0, 5)),
            self.rows_box, self.add_row, sizing_mode="stretch_width")
        grid = pn.GridBox(*[p.pane for p in self.plots.values()], ncols=2, sizing_mode="stretch_width")
        readouts = pn.GridBox(*[p.pane for p in self.readout_plots.values()], ncols=3, sizing_mode="stretch_width")
        return pn.Column(form, self.message, pn.Row(self.add_scenario, self.clear_scenarios, self.downloads),
                         self.summary, self.published, grid, pn.pane.Markdown("### Functional read-outs"), readouts,
                         sizing_mode="stretch_width")


def _describe(entry: dict) -> str:
    name = entry.get("drug") or entry.get("stimulus") or entry.get("perfusate") or "?"
    amount = entry.get("dose") or entry.get("concentration") or ""
    return " ".join(p for p in (name, amount, entry.get("route", "")) if p)


def page() -> pn.Column:
    """The Experiment page (a new one per browser session)."""
    return ExperimentPage().view()
