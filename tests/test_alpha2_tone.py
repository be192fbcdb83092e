"""Round-6 checks on what can set the tonic terminal alpha2 activation, each against an analytic result.

* Release-site transients: the closed-form periodic steady state of first-order binding
  driven by brief pulses (``model.alpha2.pulsed_occupancy``) against a direct numerical
  integration, and the bound it implies: for the same time-averaged concentration, pulsatile
  exposure never gives a higher mean occupancy than steady exposure (so the time-averaged
  volume-transmission estimate is an upper bound on the tone, docs/mechanisms.md).
* The terminal rule: the model's tonic ``a2_terminal`` is the operational model
  ``tau x/(1 + (1 + tau) x)`` at the NE the autoreceptors see (x = NE/KA), with the
  terminal tau and the NE constant of the data files.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from noradsim.engine.scipy_engine import compile_rhs
from noradsim.model.alpha2 import pulsed_occupancy
from noradsim.model.terminal import build_terminal_model, terminal_parameters


def _numerical_mean_occupancy(kon: float, koff: float, area: float, period: float, width: float) -> float:
    """Integrate d rho/dt = kon C (1 - rho) - koff rho with square pulses of the given area."""
    height = area / width

    def rhs(t, y):
        c = height if (t % period) < width else 0.0
        return [kon * c * (1.0 - y[0]) - koff * y[0]]

    cycles = int(math.ceil(8.0 / (koff * period))) + 2  # relax to the periodic steady state
    rho = [0.0]
    for _ in range(cycles):
        rho = solve_ivp(rhs, (0.0, width), rho, rtol=1e-10, atol=1e-12, max_step=width / 20).y[:, -1]
        rho = [rho[0] * math.exp(-koff * (period - width))]
    # one more cycle, averaged: the pulse part numerically, the decay part exactly
    pulse = solve_ivp(rhs, (0.0, width), rho, rtol=1e-10, atol=1e-12, max_step=width / 20, dense_output=True)
    t = np.linspace(0.0, width, 2001)
    during = float(np.trapezoid(pulse.sol(t)[0], t))
    after = pulse.y[0, -1]
    decay = after * (1.0 - math.exp(-koff * (period - width))) / koff
    return (during + decay) / period


@pytest.mark.parametrize("kon, koff, area, period", [(0.01, 3.0, 50.0, 1.0), (0.01, 3.0, 500.0, 5.0),
                                                      (0.001, 0.5, 20.0, 0.5)])
def test_pulsed_occupancy_closed_form_matches_integration(kon, koff, area, period):
    numeric = _numerical_mean_occupancy(kon, koff, area, period, width=period * 1e-4)
    assert pulsed_occupancy(kon, koff, area, period) == pytest.approx(numeric, rel=2e-3)


def test_pulses_never_beat_the_mean_concentration():
    rng = np.random.default_rng(6)
    for _ in range(2000):
        kon, koff = 10 ** rng.uniform(-4, 0), 10 ** rng.uniform(-2, 2)
        area, period = 10 ** rng.uniform(-3, 4), 10 ** rng.uniform(-3, 3)
        mean = area / period
        steady = mean / (mean + koff / kon)
        assert pulsed_occupancy(kon, koff, area, period) <= steady * (1 + 1e-9)


def test_small_frequent_pulses_reach_the_mean_field():
    kon, koff, mean = 0.01, 3.0, 20.0
    period = 1e-5
    steady = mean / (mean + koff / kon)
    assert pulsed_occupancy(kon, koff, mean * period, period) == pytest.approx(steady, rel=1e-4)


def test_tonic_terminal_activation_is_the_operational_model_at_the_autoreceptor_ne():
    model = build_terminal_model("prefrontal_cortex")
    _, observe, names = compile_rhs(model)
    p = [model.parameters[n].value for n in names]
    y = model.initial_state()
    v = dict(zip(model.rule_names, observe([y[s] for s in model.species_names], p)))
    t = terminal_parameters()
    tau = v["ne_alpha2_tau_terminal"]
    assert tau == pytest.approx(t["terminal_alpha2_tau"].value, rel=1e-12)  # no desensitisation at rest
    x = v["ne_autoreceptor"] / model.parameters["ne_alpha2_k"].value
    assert v["a2_terminal"] == pytest.approx(tau * x / (1 + (1 + tau) * x), rel=1e-9)
