"""The LC neuron's channel constants against the published model they are derived from.

Carter et al. 2012 (PNAS 109:E2635; ModelDB 145162, file LC_SFO.c) define the LC cell
with Traub-Miles rate functions and sigmoids and give conductances in nS for an 8 pF
soma and a 4 pF axon. ``lc_neuron.toml`` holds densities (g / C x the specific membrane
capacitance, 0.9 uF/cm2 as measured by Gentet et al. 2000) and
Boltzmann^p fits of those gates. Here the LC_SFO.c formulae are written out again and the
shipped values are checked against them: the conversions exactly, each fitted gate to the
maximum error stated in its derivation, over -100..40 mV.
"""

import numpy as np
import pytest

from noradsim.lc.neuron import boltzmann, gate_tau, load_lc_parameters

V = np.linspace(-100.0, 40.0, 2801)
VT = -57.0  # LC_SFO.c: 'double Vt=-57.0;'
CS, CA = 8.0, 4.0  # pF
NS = {"gsl": 0.90, "gal": 0.45, "gAS": 40.0, "gNa": 260.0, "gKd": 80.0, "gCa": 1.76, "gKCa": 40.0, "gA": 40.0}
RTF = 24.42002442


def _lin(x, a, d):
    """a x / (exp(x/d) - 1), Carter's form of the Traub-Miles opening rates."""
    x = np.where(np.abs(x) < 1e-9, 1e-9, x)
    return a * x / np.expm1(x / d)


def _carter_gates():
    am, bm = _lin(18 + VT - V, 0.32, 4.0), _lin(V - VT - 40, 0.28, 5.0)
    ah, bh = 0.128 * np.exp((17 + VT - V) / 18), 4.0 / (1 + np.exp((40 + VT - V) / 5))
    an, bn = _lin(35 + VT - V, 0.016, 5.0), 0.25 * np.exp((20 + VT - V) / 40)
    return {
        "m2": (am / (am + bm)) ** 2, "h": ah / (ah + bh), "n": an / (an + bn),
        "tau_h": 1 / (ah + bh), "tau_n": 1 / (an + bn),
        "s3": (1 / (1 + np.exp(-(V + 38) / 0.5))) ** 3, "a": 1 / (1 + np.exp(-(V + 41) / 1.0)),
    }


@pytest.fixture(scope="module")
def p():
    return load_lc_parameters().neuron.values()


def test_capacitance_is_the_measured_value(p):
    # Gentet, Stuart & Clements 2000 (Biophys J 79:314): 0.88-0.9 uF/cm2 in rat neurons
    assert 0.88 <= p["capacitance"] <= 0.9


def test_densities_are_carters_conductances_per_capacitance(p):
    # nS / pF x uF/cm2 = mS/cm2: Carter's 8 pF soma is 8 pF / capacitance of membrane
    cm = p["capacitance"]
    assert p["g_leak"] == pytest.approx(cm * NS["gsl"] / CS)
    assert p["g_leak_ais"] == pytest.approx(cm * NS["gal"] / CA)
    assert p["g_couple"] == pytest.approx(cm * NS["gAS"] / CS)
    assert p["ais_area_ratio"] == pytest.approx(CA / CS)
    assert p["g_na_ais"] == pytest.approx(cm * NS["gNa"] / CA)
    assert p["g_k_ais"] == pytest.approx(cm * NS["gKd"] / CA)
    assert p["g_a"] == pytest.approx(cm * NS["gA"] / CS)
    assert p["g_ahp"] == pytest.approx(cm * NS["gKCa"] / CS)
    assert p["g_na"] == 0.0 and p["g_k"] == 0.0  # Carter: Na+ and Kd on the axon only
    assert p["e_na"] == 50.0 and p["e_leak"] == -60.0


def test_ohmic_calcium_conductance_matches_the_ghk_current_at_minus_20_mv(p):
    v = -20.0
    ghk = p["capacitance"] * NS["gCa"] / CS * v / (1 - np.exp(2 * v / RTF))  # uA/cm2 per unit s^3
    assert p["g_ca"] * (v - p["e_ca"]) == pytest.approx(ghk, rel=0.01)


@pytest.mark.parametrize("key,vhalf,slope,power,max_err", [
    ("m2", "na_m_vhalf", "na_m_slope", 3, 0.012),
    ("h", "na_h_vhalf", "na_h_slope", 1, 0.008),
    ("n", "k_n_vhalf", "k_n_slope", 4, 0.027),
    ("s3", "ca_s_vhalf", "ca_s_slope", 2, 0.009),
    ("a", "a_a_vhalf", "a_a_slope", 3, 0.029),
])
def test_fitted_gates_follow_carters_steady_states(p, key, vhalf, slope, power, max_err):
    ours = boltzmann(V, p[vhalf], p[slope]) ** power
    assert np.max(np.abs(ours - _carter_gates()[key])) <= max_err


@pytest.mark.parametrize("key,gate,max_err_ms", [("tau_h", "na_h", 2.3), ("tau_n", "k_n", 0.68)])
def test_fitted_time_constants_follow_carters(p, key, gate, max_err_ms):
    # noradsim's bell-shaped tau is centred on the gate's own vhalf and |slope|
    ours = gate_tau(V, p[f"{gate}_vhalf"], abs(p[f"{gate}_slope"]), p[f"{gate}_tau_min"], p[f"{gate}_tau_amp"])
    assert np.max(np.abs(ours - _carter_gates()[key])) <= max_err_ms
    assert p["ca_s_tau"] == pytest.approx(1 / 0.4)  # ds/dt = 0.4 (s_inf - s)
