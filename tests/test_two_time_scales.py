"""One parameter set, two time scales: the rate model's LC and the spiking population agree
in mean rate across states and clonidine doses (issue #3, section 4)."""

import pytest

from noradsim.protocols.conditions import parse_conditions
from noradsim.lc.ratelaw import population_rate, state_drive
from noradsim.protocols.timecourse import simulate_conditions


@pytest.mark.parametrize("state,dose_ug", [("awake", 0.0), ("anesthetized:chloral_hydrate", 0.0),
                                           ("anesthetized:chloral_hydrate", 2.0), ("anesthetized:chloral_hydrate", 4.0),
                                           ("quiet_wake", 0.0)])
def test_rate_model_and_spiking_population_agree(state, dose_ug):
    doc = {"state": state, "window": ["0 min", "6 min"]}
    if dose_ug:
        doc["interventions"] = [{"drug": "clonidine", "dose": f"{dose_ug} ug/kg", "route": "iv"}]
    ds = simulate_conditions(parse_conditions(doc, "t"), dt=10.0)
    at = ds.sel(time=5.0)
    rate_model = float(at["lc_firing_rate"])
    a2 = float(at["alpha2_lc_activation"])
    spiking = population_rate(state_drive(state), a2, n_neurons=150, duration=3.0, seed=1)
    assert rate_model > 0.3
    assert abs(spiking - rate_model) / rate_model <= 0.15, (rate_model, spiking, a2)
