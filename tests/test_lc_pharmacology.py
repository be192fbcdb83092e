"""Alpha2A operational model, iontophoresis and drug reversal at LC neurons."""

import math

import numpy as np
import pytest

from noradsim.errors import InputError
from noradsim.lc.neuron import load_lc_parameters
from noradsim.lc.pharmacology import activation, drug_terms, iontophoresis_concentration, terms_from_a2
from noradsim.lc.stimuli import alpha2_terms, parse_interventions


def test_terms_from_a2_round_trip():
    a = np.linspace(0.0, 0.9, 10)
    s, x = terms_from_a2(a, 19.0)
    assert np.allclose(activation(s, x), a)
    with pytest.raises(InputError):
        terms_from_a2(0.99, 19.0)


def test_operational_model_antagonist_shifts_agonist_curve():
    # Gaddum/Schild: an antagonist at [B] = K_B shifts the agonist curve 2-fold
    c = np.logspace(-1, 4, 200)
    s, x = drug_terms(c, 10.0, 0.6, 19.0)
    a_alone = activation(s, x)
    a_block = activation(s, x + 1.0)
    half = a_alone.max() / 2
    ec_alone = np.interp(half, a_alone, c)
    ec_block = np.interp(half, a_block, c)
    assert ec_block / ec_alone == pytest.approx(2.0, rel=0.02)


def test_iontophoresis_matches_point_source_solution():
    # continuous point source in a porous medium, no clearance:
    # C(r, t) = Q / (4 pi D* alpha r) erfc(r / (2 sqrt(D* t)))  (Nicholson & Phillips 1981)
    from scipy.special import erfc

    t = np.arange(0, 120.0, 0.01)
    r_um, i_na, n_t, alpha, lam, d = 30.0, 10.0, 0.2, 0.2, 1.6, 500.0
    c = iontophoresis_concentration(i_na, r_um, t, transport_number=n_t, diffusion_um2_s=d, tortuosity=lam,
                                    volume_fraction=alpha, clearance_s=1e12)
    q = n_t * i_na * 1e-9 / 96485.332
    d_eff = d / lam**2 * 1e-12
    r = r_um * 1e-6
    for k in (1000, 5000, 11999):
        tk = t[k] + (t[1] - t[0])
        expected = q / (4 * math.pi * d_eff * alpha * r) * erfc(r / (2 * math.sqrt(d_eff * tk))) * 1e6
        assert c[k] == pytest.approx(expected, rel=0.02)
    with pytest.raises(InputError):
        iontophoresis_concentration(-1.0, 30.0, t)


def test_clonidine_activates_and_idazoxan_reverses():
    params = load_lc_parameters()
    events = parse_interventions([
        {"drug": "clonidine", "dose": "10 ug/kg", "route": "iv", "at": "1 s"},
        {"drug": "idazoxan", "dose": "1 mg/kg", "route": "iv", "at": "200 s"},
    ])
    n_ms = 400_000
    s, x = alpha2_terms(params, events, n_ms, a2_background=0.35)
    a2 = activation(s, x)
    assert a2[500] == pytest.approx(0.35, abs=1e-9)
    assert a2[190_000] > 0.6  # clonidine in the brain: strong alpha2A activation
    assert a2[-1] < a2[190_000] - 0.3  # idazoxan reverses it


def test_unknown_drug_and_route_are_refused():
    with pytest.raises(InputError, match="did you mean"):
        parse_interventions([{"drug": "clonidin", "dose": "10 ug/kg", "route": "iv"}])
    with pytest.raises(InputError, match="route"):
        parse_interventions([{"drug": "clonidine", "dose": "10 ug/kg", "route": "ivv"}])
    with pytest.raises(InputError, match="current"):
        parse_interventions([{"drug": "clonidine", "route": "iontophoresis"}])
