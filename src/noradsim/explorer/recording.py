"""The LC recording page: a virtual single-unit recording, with the protocol's own figures.

The document follows ``examples/lc_footpinch_recording.toml`` (electrode search on drug-free
recording, footpinches, clonidine by iontophoresis); the page sets the state, the length,
the footpinch times, the clonidine current and the seed. The run goes through
``protocols.get("recording").parse/run``; the raster, rate histogram (PSTH), interspike
intervals, waveforms (with the LC spike's notch) and rate figures are the ones
``noradsim run`` writes (:meth:`RecordingResult.write`); the sorted units and their
quality metrics come from the result's summary. Results are cached by document.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import panel as pn

from ..vocabulary import STATES
from .common import clear_message, explain, in_thread, message_pane, show_message
from .forms import to_toml

FIGURE_TITLES = {"raster": "Raster of the sorted units", "psth": "Rate histogram around the footpinches (PSTH)",
                 "waveforms": "Mean waveforms (the LC spike's notch on the rising phase)",
                 "isi": "Interspike intervals", "rate": "Firing rate over the recording"}
_CACHE: dict[str, tuple[dict, dict[str, bytes]]] = {}
_LOCK = threading.Lock()


def recording_document(state: str, duration: str, pinches: str, current: str, seed: int) -> dict:
    """A ``protocol = "recording"`` document from the page's fields (checked by the protocol's parser)."""
    ivs = []
    for at in (p.strip() for p in pinches.split(",") if p.strip()):
        ivs.append({"stimulus": "footpinch", "at": at, "duration": "1 s"})
    if current.strip():
        ivs.append({"drug": "clonidine", "route": "iontophoresis", "current": current.strip(), "distance": "50 um",
                    "at": "12 s", "duration": "18 s"})
    return {"schema": "noradsim-experiment/1", "protocol": "recording", "name": "explorer_recording",
            "species": "rat", "region": "locus_coeruleus", "state": state, "seed": int(seed), "interventions": ivs,
            "recording": {"electrode": ["0 um", "20 um", "0 um"],
                          "search": {"step": "5 um", "max_travel": "100 um", "baseline": "20 s"},
                          "duration": duration.strip(), "dt": "0.05 ms", "threshold": 4.5, "n_units": 3,
                          "noise": "8 uV", "a2": 0.35}}


def run_recording(doc: dict) -> tuple[dict, dict[str, bytes]]:
    """The summary and the PNG figures of one recording (parse, run, write; cached)."""
    from .. import protocols

    key = to_toml(doc)
    if key in _CACHE:
        return _CACHE[key]
    proto = protocols.get("recording")
    with _LOCK:
        config = proto.parse(doc, where="recording")
        result = proto.run(config, seed=int(doc.get("seed", 0)))
        with tempfile.TemporaryDirectory() as tmp:
            result.write(tmp)
            figs = {name: (Path(tmp) / f"{name}.png").read_bytes() for name in FIGURE_TITLES
                    if (Path(tmp) / f"{name}.png").is_file()}
    _CACHE[key] = (result.to_dict(), figs)
    return _CACHE[key]


def units_table(summary: dict) -> list[dict]:
    """One row per sorted unit: spikes, rate, identification and isolation metrics."""
    rows = []
    for u in summary.get("units", []):
        iso = u.get("isolation", {}) or {}
        row = {"unit": u["unit"], "spikes": u["n_spikes"], "rate (Hz)": round(u["mean_rate_hz"], 2),
               "CV of ISI": round(u["cv_isi"], 2), "LC unit": u["identified"], "single unit": u["single_unit"]}
        row.update({k: (round(v, 3) if isinstance(v, float) else v) for k, v in iso.items()
                    if isinstance(v, (int, float, bool))})
        row.update({f"LC criterion: {k}": "pass" if c.get("pass") else "fail"
                    for k, c in (u.get("criteria") or {}).items()})
        rows.append(row)
    return rows


class RecordingPage:
    def __init__(self):
        self.state = pn.widgets.Select(name="state", options=[s for s in STATES if s.startswith("anesthetized")] +
                                       ["awake"], value="anesthetized:chloral_hydrate", width=230)
        self.duration = pn.widgets.TextInput(name="recording length", value="30 s", width=120)
        self.pinches = pn.widgets.TextInput(name="footpinches at (comma-separated)", value="5 s, 9 s", width=220)
        self.current = pn.widgets.TextInput(name="clonidine iontophoresis current (empty: none)", value="1 nA",
                                            width=260)
        self.seed = pn.widgets.IntInput(name="seed", value=1, start=0, end=10**9, width=90)
        self.go = pn.widgets.Button(name="Record", button_type="primary", width=120, css_classes=["ns-rec-run"])
        self.go.on_click(self.run)
        self.spinner = pn.indicators.LoadingSpinner(value=False, size=30, visible=False)
        self.status = pn.pane.Markdown("Press **Record**: the electrode search and the recording take about a "
                                       "minute or two (a spiking LC network at 20 kHz).", css_classes=["ns-rec-status"])
        self.message = message_pane()
        self.figures = pn.Column(sizing_mode="stretch_width")

    async def run(self, _event=None) -> None:
        doc = recording_document(self.state.value, self.duration.value, self.pinches.value, self.current.value,
                                 self.seed.value)
        self.go.disabled, self.spinner.value, self.spinner.visible = True, True, True
        self.status.object = "Recording: searching for a unit, then recording the protocol ..."
        try:
            summary, figs = await in_thread(run_recording, doc)
        except Exception as exc:  # the parser's message for bad input; never a traceback
            show_message(self.message, explain(exc))
            self.status.object = ""
            return
        finally:
            self.go.disabled, self.spinner.value, self.spinner.visible = False, False, False
        clear_message(self.message)
        self._show(summary, figs)

    def _show(self, summary: dict, figs: dict[str, bytes]) -> None:
        import pandas as pd

        search = summary.get("electrode_search", {}) or {}
        self.status.object = (f"**{summary['headline']}**\n\nElectrode inside the LC: {summary['electrode_inside_lc']}; "
                              f"{summary['n_neurons_in_reach']} neurons in reach; {summary['n_units']} units sorted; "
                              f"placement check **{summary['placement_check']}**; population rate "
                              f"{summary['population_rate_hz']:.2f} Hz. Search: {search.get('note', '') or ''}")
        rows = units_table(summary)
        table = pn.widgets.Tabulator(pd.DataFrame(rows), disabled=True, show_index=False, sizing_mode="stretch_width",
                                     css_classes=["ns-rec-units"]) if rows else pn.pane.Markdown("*No unit sorted.*")
        panes = [pn.pane.Markdown("### Sorted units and quality metrics"), table]
        for name, title in FIGURE_TITLES.items():
            if name in figs:
                panes += [pn.pane.Markdown(f"### {title}"), pn.pane.PNG(figs[name], width=760)]
        self.figures.objects = panes

    def view(self) -> pn.Column:
        return pn.Column(pn.Row(self.state, self.duration, self.pinches, self.current, self.seed),
                         pn.Row(self.go, self.spinner), self.message, self.status, self.figures,
                         sizing_mode="stretch_width")


def page() -> pn.Column:
    return RecordingPage().view()
