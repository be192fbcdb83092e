"""The microdialysis report says what happened in a sentence, saves the population, shows the published value."""

from __future__ import annotations

import numpy as np
import pytest

from noradsim.protocols.conditions import Conditions, Intervention
from noradsim.protocols.microdialysis.sampling import Samples
from noradsim.protocols.microdialysis.story import headline, verb


def _samples(percent):
    percent = np.asarray(percent, dtype=float)
    starts = np.arange(-2, len(percent) - 2) * 1800.0
    return Samples(starts, starts + 1800.0, percent.copy(), starts < 0, starts >= 0)


CLONIDINE = Conditions(region="hippocampus", interventions=(
    Intervention("drug", drug="clonidine", route="ip", dose=0.1),))
ATOMOXETINE = Conditions(interventions=(Intervention("drug", drug="atomoxetine", route="ip", dose=3.0),))


def test_headline_when_ne_rises():
    text = headline(ATOMOXETINE, _samples([100, 100, 180, 238, 200, 150]))
    assert text == ("3 mg/kg atomoxetine i.p. raised dialysate NE in prefrontal cortex to 238 % of baseline "
                    "(peak at 30-60 min).")


def test_headline_says_lowered_when_ne_only_falls():
    text = headline(CLONIDINE, _samples([100, 100, 60, 41, 55, 80]))
    assert text.startswith("0.1 mg/kg clonidine i.p. lowered dialysate NE in hippocampus to 41 % of baseline")
    assert "lowest at 30-60 min" in text and "peak" not in text


def test_headline_no_change():
    assert "did not change" in headline(CLONIDINE, _samples([100, 100, 102, 97, 101, 99]))
    assert verb(104.0, 96.0) == "did not change"


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """One short atomoxetine run with a virtual population of 4 rats (shared by the tests below)."""
    import noradsim.api as ns

    doc = {"region": "prefrontal_cortex", "sample": "30 min", "window": ["0 min", "120 min"],
           "baseline": ["-60 min", "0 min"], "interventions": [{"drug": "atomoxetine", "dose": "3 mg/kg", "route": "ip"}],
           "uncertainty": {"n": 4}}
    result = ns.run({"protocol": "microdialysis", **doc}, seed=2)
    out = tmp_path_factory.mktemp("md")
    result.write(out)
    return result, out


def test_population_is_saved_with_a_subject_dimension(small_run):
    import xarray as xr

    result, out = small_run
    ds = xr.open_dataset(out / "results.nc", engine="h5netcdf")
    assert ds.sizes["subject"] == 4
    assert np.allclose(ds["population_peak_percent_baseline"].values, result.population.peak_percent)
    assert ds["population_percent_baseline"].dims == ("subject", "sample")
    lines = (out / "population.csv").read_text().splitlines()
    assert len(lines) == 5 and lines[0].startswith("subject,net_vmax_factor")


def test_report_explains_baselines_population_and_published_value(small_run):
    result, out = small_run
    html = (out / "report.html").read_text()
    assert "3 mg/kg atomoxetine i.p. raised dialysate NE in prefrontal cortex to" in html
    assert html.count("Two baselines appear") == 1 and "recovery-corrected" in html
    assert "median peak" in html and "is not the average response" in html
    from noradsim.protocols.microdialysis.published import targets_file

    path = targets_file()
    if path is not None and "bymaster2002_atomoxetine_pfc" in path.read_text():
        assert "Bymaster et al. 2002" in html and "accepted range 200-420 %" in html
