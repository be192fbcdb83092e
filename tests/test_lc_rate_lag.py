"""lc_tau is a numerical setting: the LC rate has no lag at the rate model's time scales.

The rate model relaxes the LC rate to the rate law with time constant ``lc_tau``
(``data/lc.toml``). The spiking population, given the same drive, shows no first-order
lag: its mean rate overshoots at once and adapts to the law within about half a second.
The physical limit is therefore ``lc_tau -> 0``, and the rate model's results are
converged in ``lc_tau`` over the stated range (docs/provenance.md, round 7).
"""

from dataclasses import replace

import numpy as np
import pytest

from noradsim.lc.neuron import load_lc_parameters
from noradsim.lc.population import build_population, simulate_population
from noradsim.lc.ratelaw import constant_inputs, state_drive
from noradsim.model.lc_states import state_alpha2
from noradsim.parameters import read_toml, data_path
from noradsim.protocols.conditions import parse_conditions
from noradsim.protocols.timecourse import simulate_conditions


def _step_response(step: float, *, n_neurons: int = 150, seeds=(0, 1), before_ms: int = 1500, after_ms: int = 2000):
    """Mean population rate (Hz, 1 ms grid) around a step of ``step`` drive units from the awake state."""
    params = load_lc_parameters()
    pop = build_population(params, n_neurons, seed=0)
    d0, a2 = state_drive("awake"), state_alpha2("awake")
    base = constant_inputs(params, d0, a2, before_ms + after_ms)
    tonic = base.tonic_current.copy()
    tonic[before_ms:] = params.value("drive_gain") * (d0 + step - params.value("drive_offset"))
    inputs = replace(base, tonic_current=tonic)
    return np.mean([simulate_population(params, pop, inputs, dt=1e-4, seed=s, record_voltage=False).rate_per_ms
                    for s in seeds], axis=0), before_ms


@pytest.mark.parametrize("step", [2.0, -2.0])
def test_spiking_population_follows_a_drive_step_without_lag(step):
    rate, t0 = _step_response(step)
    base, final = rate[t0 - 1000:t0].mean(), rate[t0 + 1000:].mean()
    assert np.sign(final - base) == np.sign(step)
    first_50ms = rate[t0:t0 + 50].mean()
    # a first-order lag of time constant tau would give at most 1 - tau/50ms (1 - exp(-50/tau)) of the
    # change on average over the first 50 ms; the population already exceeds the whole change there
    assert (first_50ms - base) / (final - base) > 1.0
    # and it has adapted to about the new steady rate half a second after the step
    assert abs(rate[t0 + 500:t0 + 1000].mean() - final) < 0.5 * abs(final - base)


def _clonidine_lc_rate(lc_tau: float) -> float:
    doc = {"state": "anesthetized:chloral_hydrate", "window": ["0 min", "6 min"],
           "interventions": [{"drug": "clonidine", "dose": "4 ug/kg", "route": "iv"}]}
    ds = simulate_conditions(parse_conditions(doc, "t"), dt=10.0, parameters={"lc_tau": lc_tau})
    return float(ds["lc_firing_rate"].sel(time=slice(1.0, 5.0)).mean())


def _restraint_peak(lc_tau: float) -> float:
    doc = {"region": "prefrontal_cortex", "window": ["0 min", "60 min"],
           "interventions": [{"stimulus": "restraint", "duration": "20 min"}]}
    ne = simulate_conditions(parse_conditions(doc, "t"), dt=60.0, parameters={"lc_tau": lc_tau})["ne_ecf"]
    return float(ne.sel(time=slice(0, 60)).max() / ne.sel(time=-10))


def test_rate_model_results_are_converged_in_lc_tau():
    entry = read_toml(data_path("lc.toml"))["parameters"]["lc_tau"]
    assert entry["kind"] == "setting"
    low, high = entry["range"]
    assert low <= entry["value"] <= high
    # the clonidine response of the LC (the fastest drug input of the targets) within 1 %
    limit = _clonidine_lc_rate(low)
    assert _clonidine_lc_rate(5 * low) == pytest.approx(limit, rel=1e-3)  # converged towards lc_tau -> 0
    assert _clonidine_lc_rate(high) == pytest.approx(limit, rel=0.01)
    # a stressor response sampled over minutes does not see it at all
    assert _restraint_peak(high) == pytest.approx(_restraint_peak(low), rel=1e-4)
