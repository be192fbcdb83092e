"""LC state drives derived from measured state rates (noradsim.model.lc_states)."""

import math

import pytest

from noradsim.errors import InputError
from noradsim.model.lc_states import (
    drive_for_rate, drive_inputs, inverse_rate_law, state_drive_records, state_rates, steady_alpha2,
)

LAW = {"lc_rate_scale": 0.647, "lc_threshold": -1.015, "lc_softness": 0.591, "lc_alpha2_weight": 4.34}


def test_inverse_rate_law_is_the_inverse_of_the_softplus():
    for rate in (0.01, 0.5, 2.0, 12.0):
        for a2 in (0.0, 0.3, 0.9):
            d = inverse_rate_law(rate, a2, **LAW)
            z = (d - LAW["lc_alpha2_weight"] * a2 - LAW["lc_threshold"]) / LAW["lc_softness"]
            back = LAW["lc_rate_scale"] * LAW["lc_softness"] * math.log1p(math.exp(z))
            assert back == pytest.approx(rate, rel=1e-12)


def test_steady_alpha2_is_the_operational_model_at_the_steady_lc_ne():
    # hand calculation: NE_LC = g r / (k_net + k_other) = 0.2 x 1 / 0.1 = 2 nM; x = 2 x 2 / 4 = 1;
    # tau = 3 x 2 = 6; E = tau x / (1 + x + tau x) = 6 / 8
    a2 = steady_alpha2(1.0, lc_release_gain=0.2, k_lc_net=0.08, k_lc_other=0.02, lc_autoreceptor_enrichment=2.0,
                       lc_alpha2_reserve=2.0, ne_k=4.0, ne_tau=3.0)
    assert a2 == pytest.approx(0.75, rel=1e-12)


def test_rate_model_rests_at_the_measured_rate():
    """The full rate model (SBML engine) with the derived drive settles at the measured rate."""
    from noradsim.model.terminal import build_terminal_model
    from noradsim.protocols.timecourse import steady_state

    for state, rate in state_rates().items():
        model = build_terminal_model(state=state)
        assert steady_state(model)["lc_rate"] == pytest.approx(rate.value, rel=1e-3), state
        assert model.parameters["state_drive"].value == pytest.approx(
            drive_for_rate(rate.value, drive_inputs()), rel=1e-12)


def test_derived_drive_records_name_their_inputs():
    drives = state_drive_records()
    for state in state_rates():
        p = drives[state]
        assert p.kind == "derived"
        assert f"state.{state}.rate" in p.provenance.derivation and "lc_alpha2_weight" in p.provenance.derivation


def test_state_alpha2_is_the_rate_models_fixed_point():
    from noradsim.model.lc_states import state_alpha2

    inputs = drive_inputs()
    a2_of = {k: inputs[k] for k in ("lc_release_gain", "k_lc_net", "k_lc_other", "lc_autoreceptor_enrichment",
                                    "lc_alpha2_reserve", "ne_k", "ne_tau")}
    for state, rate in state_rates().items():
        assert state_alpha2(state) == pytest.approx(steady_alpha2(rate.value, **a2_of), rel=1e-9)
    assert state_alpha2("rem") < state_alpha2("sws") < state_alpha2("awake") < state_alpha2("active_wake")


def test_a_state_rate_must_be_positive():
    with pytest.raises(InputError, match="rate must be > 0"):
        inverse_rate_law(0.0, 0.1, **LAW)


def test_each_derived_drive_gives_its_measured_rate_through_the_rate_law():
    """Forward check of every derived drive: law(d, a2(r)) = r at the measured rate r (inside its range)."""
    from noradsim.model.lc_states import ALPHA2_INPUTS, LAW as LAW_NAMES, rate_law

    inputs = drive_inputs()
    a2_of = {k: inputs[k] for k in (*ALPHA2_INPUTS, "ne_k", "ne_tau")}
    law = {k: inputs[k] for k in LAW_NAMES}
    drives = state_drive_records()
    for state, rate in state_rates().items():
        assert rate.kind == "measured" and rate.source, state
        low, high = rate.provenance.range
        assert low <= rate.value <= high, state
        a2 = steady_alpha2(rate.value, **a2_of)
        assert float(rate_law(drives[state].value, a2, **law)) == pytest.approx(rate.value, rel=1e-9), state


def test_anaesthetised_states_rest_at_the_measured_anaesthetised_rat_rate():
    """Korf, Bunney & Aghajanian 1974: anaesthetised rat LC neurons fire at 0.5-2 Hz (middle 1.25 Hz)."""
    rates = state_rates()
    drives = state_drive_records()
    for agent in ("halothane", "isoflurane", "urethane"):
        state = f"anesthetized:{agent}"
        assert rates[state].value == pytest.approx(1.25) and tuple(rates[state].provenance.range) == (0.5, 2.0)
        assert drives[state].kind == "derived"
