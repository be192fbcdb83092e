"""Alpha2A operational model, iontophoresis and drug reversal at LC neurons."""

import math

import numpy as np
import pytest

from noradsim.errors import InputError
from noradsim.lc.neuron import load_lc_parameters
from noradsim.lc.pharmacology import (
    activation,
    drug_terms,
    iontophoresis_concentration,
    terms_from_a2,
)
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


def test_interventions_use_the_shared_vocabulary_and_parser():
    from noradsim import vocabulary
    from noradsim.lc.stimuli import DRUG_ROUTES, NOXIOUS, STIMULI

    assert set(STIMULI) <= set(vocabulary.STIMULI) and set(DRUG_ROUTES) <= set(vocabulary.ROUTES)
    assert vocabulary.STIMULUS_SYNONYMS["paw_pinch"] == "footpinch" and "paw_pinch" in NOXIOUS
    pinch, drug, ionto = parse_interventions([
        {"stimulus": "paw_pinch", "at": "2 s"},
        {"drug": "clonidine", "dose": "10 ug/kg", "at": "1 s"},  # route defaults to iv in the recording protocol
        {"drug": "clonidine", "route": "iontophoresis", "current": "5 nA", "at": "0 s"},
    ])
    assert (pinch.kind, pinch.name, pinch.at, pinch.duration) == ("stimulus", "paw_pinch", 2.0, 1.0)
    assert drug.route == "iv" and drug.dose == pytest.approx(0.01) and math.isinf(drug.duration)
    assert ionto.distance == 50.0 and ionto.duration == 10.0 and ionto.current == 5.0
    # in the vocabulary but not simulated by the spiking model; errors name the entry and the field
    with pytest.raises(InputError, match=r"interventions\[0\]\.stimulus"):
        parse_interventions([{"stimulus": "restraint"}])
    with pytest.raises(InputError, match=r"interventions\[1\]\.route"):
        parse_interventions([{"stimulus": "sensory"}, {"drug": "clonidine", "route": "bath", "concentration": "1 uM"}])
    with pytest.raises(InputError, match=r"interventions\[0\]\.at"):
        parse_interventions([{"stimulus": "footpinch", "at": "-1 s"}])
    with pytest.raises(InputError, match="perfusate"):
        parse_interventions([{"perfusate": "potassium", "concentration": "30 mM"}])


def test_iontophoresis_concentration_per_distance_matches_scalar():
    t = np.arange(0, 20.0, 1e-3)
    r = np.array([10.0, 50.0, 200.0])
    c = iontophoresis_concentration(5.0, r, t, t_on=2.0, t_off=12.0)
    assert c.shape == (t.size, 3)
    for k, rk in enumerate(r):
        assert np.allclose(c[:, k], iontophoresis_concentration(5.0, float(rk), t, t_on=2.0, t_off=12.0),
                           rtol=1e-6, atol=1e-9)
    assert np.all(c[-1000, :-1] > c[-1000, 1:])  # falls with distance from the tip
    with pytest.raises(InputError, match="distance"):
        iontophoresis_concentration(5.0, np.array([10.0, 0.0]), t)


def test_clonidine_iontophoresis_inhibits_neurons_near_the_tip_more():
    from noradsim.lc.pharmacology import pipette_tip
    from noradsim.lc.population import build_population
    from noradsim.protocols.recording.electrode import units_in_reach

    params = load_lc_parameters()
    pop = build_population(params, 600, seed=3)
    electrode = np.zeros(3)
    events = parse_interventions([{"drug": "clonidine", "route": "iontophoresis", "current": "2 nA",
                                   "distance": "20 um", "at": "1 s", "duration": "20 s"}])
    recorded = units_in_reach(params, pop, electrode)
    far = np.argsort(np.linalg.norm(pop.positions - electrode, axis=1))[-20:]
    neurons = np.r_[recorded, far]
    n_ms = 21_000
    s, x = alpha2_terms(params, events, n_ms, a2_background=0.35, positions=pop.positions[neurons], electrode=electrode)
    a2 = activation(s, x)
    assert a2.shape == (n_ms, neurons.size)
    assert np.allclose(a2[500], 0.35)  # before the ejection: background only
    end = a2[-1]
    dist = np.linalg.norm(pop.positions[neurons] - pipette_tip(electrode, 20.0), axis=1)
    # recorded units (tens of um from the tip) are inhibited more than the distant neurons (hundreds of um)
    assert end[: recorded.size].min() > end[recorded.size:].max() + 0.1
    assert np.allclose(end[recorded.size:], 0.35, atol=0.01)
    # monotone in distance: more alpha2A activation (GIRK inhibition) nearer the tip
    order = np.argsort(dist)
    assert np.all(np.diff(end[order]) <= 1e-12)
    # cross-check: a neuron at the event's distance gets the same terms as the population-wide path
    s1, x1 = alpha2_terms(params, events, n_ms, a2_background=0.35)
    s2, x2 = alpha2_terms(params, events, n_ms, a2_background=0.35, positions=electrode[None, :], electrode=electrode)
    assert np.allclose(activation(s1, x1), activation(s2, x2)[:, 0], rtol=1e-6)
