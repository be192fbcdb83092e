"""The explorer app: six pages in tabs, served by Panel on Bokeh's server (``noradsim serve``)."""

from __future__ import annotations

import importlib

import panel as pn

PAGES = {"experiment": "Experiment", "dose_response": "Dose-response", "recording": "LC recording",
         "validation": "Validation", "library": "Drugs and parameters", "pathways": "Pathways"}


def _page(module: str):
    """A page, or a one-line message if it cannot be built (never a traceback in the browser)."""
    from .common import explain

    try:
        return importlib.import_module(f"{__package__}.{module}").page()
    except Exception as exc:
        return pn.pane.Alert(f"This page could not be built: {explain(exc)}", alert_type="danger")


def build() -> pn.Column:
    """A new app for one browser session: a header and the pages as tabs (each built when first shown)."""
    header = pn.pane.Markdown("## noradsim explorer: the brain's noradrenergic system, in a rat", margin=(5, 10))
    tabs = pn.Tabs(*[(title, pn.Column(name=key)) for key, title in PAGES.items()], dynamic=True,
                   sizing_mode="stretch_width", css_classes=["ns-tabs"])

    def fill(index: int) -> None:
        holder = tabs[index]
        if not holder.objects:
            holder.objects = [_page(list(PAGES)[index])]

    fill(0)
    tabs.param.watch(lambda e: fill(e.new), "active")
    return pn.Column(header, tabs, sizing_mode="stretch_width")


def warm_up() -> None:
    """Compile the rate model and its baseline once, so the first page opens in well under a second."""
    from .experiment import DEFAULT_ROW
    from .compute import run_experiment
    from .forms import experiment_document

    settings = {"region": "prefrontal_cortex", "sample": "20 min", "window": ["0 min", "240 min"],
                "baseline": ["-60 min", "0 min"], "seed": 1, "name": "explorer experiment", "species": "rat",
                "state": "awake"}
    run_experiment(experiment_document(settings, [DEFAULT_ROW]))


def serve(port: int = 5006, host: str = "127.0.0.1", *, show: bool = False, warm: bool = True) -> None:
    """Serve the explorer on ``host:port`` until interrupted."""
    pn.extension("tabulator", notifications=False)
    if warm:
        warm_up()
    origins = [f"{host}:{port}"] + ([f"localhost:{port}"] if host in ("127.0.0.1", "localhost") else [])
    pn.serve({"/": build}, port=port, address=host, show=show, websocket_origin=origins, title="noradsim explorer",
             threaded=False, print_url=False, liveness=True)
