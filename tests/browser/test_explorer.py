"""The explorer driven in headless Chromium: every page, a moving curve, scenarios, bad input, downloads.

Each test fails on any browser console error (the ``app`` fixture) and writes its page's
screenshot to docs/screenshots/explorer_<page>.png (referenced in docs/explorer.md).
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PEAK = re.compile(r"Peak (\d+) % of baseline")
LONG_S = 900  # the recording and the validation sets are minutes of work on a busy machine


def _peak(app) -> tuple[str, float]:
    text = app.text(PEAK).text_content()
    return text, float(PEAK.search(text).group(1))


def _set(app, css: str, value: str) -> None:
    box = app.page.locator(f"{css} input")
    box.fill(value)
    box.press("Enter")


def _wait_change(app, before: str, timeout_s: float = 60) -> float:
    """Seconds until the summary line differs from ``before`` (polled inside the browser)."""
    from playwright.sync_api import expect

    t0 = time.monotonic()
    expect(app.text(PEAK)).not_to_have_text(before, timeout=timeout_s * 1000)
    return time.monotonic() - t0


def test_dose_change_moves_the_curve_within_a_second(app):
    before, peak3 = _peak(app)
    plot = app.page.locator(".ns-plot-ne_percent")
    img_before = plot.screenshot()
    _set(app, ".ns-dose-0", "10")
    waited = _wait_change(app, before)
    after, peak10 = _peak(app)
    assert peak10 > peak3, (before, after)  # more atomoxetine, more NET blocked, more NE
    server_s = float(re.search(r"computed in ([\d.]+) s", after).group(1))
    print(f"recompute: {server_s:.3f} s on the server, {waited:.3f} s from Enter to the new numbers in the page")
    assert server_s < 1.0, after
    app.page.wait_for_timeout(500)
    assert plot.screenshot() != img_before, "the NE plot did not change"
    app.shot("experiment")


def test_add_scenario_overlays_a_second_run(app):
    before, _ = _peak(app)
    app.page.locator(".ns-add-scenario").click()
    app.text(re.compile("Saved scenario 1")).wait_for()
    plot = app.page.locator(".ns-plot-ne_percent")
    img_one = plot.screenshot()
    _set(app, ".ns-dose-0", "1")
    _wait_change(app, before)
    app.page.wait_for_timeout(500)
    assert plot.screenshot() != img_one
    app.shot("experiment_scenarios")


@pytest.mark.parametrize("css, value, message", [
    (".ns-dose-0", "-3", "intervention 1 dose: '-3 mg/kg' is negative"),
    (".ns-dose-0", "5000", "intervention 1 dose: 5e+03 mg/kg is above"),
    (".ns-unit-0", "mg/kgg", "intervention 1 dose: cannot read '3 mg/kgg'"),
    (".ns-name-0", "atomoxetin", "intervention 1 drug: unknown value 'atomoxetin'; did you mean 'atomoxetine'"),
    (".ns-sample", "20 minn", "sample: cannot read"),
], ids=["negative-dose", "impossible-dose", "unit-typo", "unknown-drug", "sample-typo"])
def test_bad_input_shows_a_message_naming_the_field(app, css, value, message):
    good = app.page.locator(f"{css} input").input_value()
    _set(app, css, value)
    app.text(message).wait_for()
    assert "Traceback" not in app.page.content()
    _set(app, css, good)  # the app stays usable: the right value runs again and the message goes
    app.page.get_by_text(message).first.wait_for(state="hidden")
    app.text(PEAK).wait_for()


def test_downloaded_toml_runs_with_noradsim_run(app, tmp_path):
    _, peak = _peak(app)
    with app.page.expect_download() as info:
        app.page.locator(".ns-download-toml").click()
    path = tmp_path / "experiment.toml"
    info.value.save_as(path)
    assert 'schema = "noradsim-experiment/1"' in path.read_text()
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-m", "noradsim.cli", "run", str(path), "--out", str(tmp_path / "out")],
                         capture_output=True, text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stderr
    ran = float(re.search(r"peak_percent_baseline: ([\d.]+)", out.stdout).group(1))
    assert ran == pytest.approx(peak, abs=1), "the file runs the experiment the page showed"
    assert (tmp_path / "out" / "report.html").is_file()


def test_results_download_as_csv_and_netcdf(app, tmp_path):
    import xarray as xr

    for label, name in (("Results (CSV)", "results.csv"), ("Results (NetCDF)", "results.nc")):
        with app.page.expect_download() as info:
            app.page.get_by_role("button", name=label).click()
        info.value.save_as(tmp_path / name)
    assert (tmp_path / "results.csv").read_text().startswith("time_min,ne_ecf_nM,")
    ds = xr.open_dataset(tmp_path / "results.nc", engine="h5netcdf")
    assert ds["extracellular_ne"].attrs["units"] == "nM" and ds.sizes["time"] > 10


def test_dose_response_page_draws_a_population_band(app):
    page = app.tab("Dose-response")
    page.locator(".ns-dr-run").click()
    app.text(re.compile(r"Done: 6 doses x 2 regions x 20 rats")).wait_for(timeout=LONG_S * 1000)
    app.text(re.compile(r"prefrontal cortex median \(5-95 %\)")).wait_for()
    app.shot("dose_response")
    _set(app, ".ns-dr-low", "0.1 mg/kgg")
    page.locator(".ns-dr-run").click()
    app.text("lowest dose: cannot read").wait_for()


def test_library_page_is_searchable(app):
    page = app.tab("Drugs and parameters")
    app.text(re.compile(r"\d+ of \d+ drug values")).wait_for()
    _set(app, ".ns-lib-search", "atomoxetine")
    app.text(re.compile(r"model parameters shown")).wait_for()
    assert page.get_by_text("atomoxetine").count() > 1
    app.shot("library")


def test_pathways_page_lists_each_diagrams_parameters(app):
    page = app.tab("Pathways")
    app.text(re.compile(r"parameters of \d+ reactions drawn in synthesis")).wait_for()
    app.shot("pathways")
    page.get_by_role("button", name="alpha2", exact=True).click()
    app.text(re.compile(r"parameters of \d+ reactions drawn in alpha2")).wait_for()


@pytest.mark.slow
def test_validation_page_evaluates_a_set_with_progress(app):
    page = app.tab("Validation")
    page.locator(".ns-val-run-out_of_sample").click()
    app.text(re.compile(r"validated \d+ targets: \d+ within range")).wait_for(timeout=LONG_S * 1000)
    app.shot("validation")


@pytest.mark.slow
def test_recording_page_shows_units_and_figures(app):
    page = app.tab("LC recording")
    page.locator(".ns-rec-run").click()
    app.text("Sorted units and quality metrics").wait_for(timeout=LONG_S * 1000)
    app.text(re.compile("Mean waveforms")).wait_for()
    app.shot("recording")
