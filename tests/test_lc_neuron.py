"""LC neuron and population: pacemaking, currents, stability checks, determinism."""

import numpy as np
import pytest

from noradsim.errors import InputError
from noradsim.lc.neuron import load_lc_parameters
from noradsim.lc.population import Inputs, build_population, simulate_population
from noradsim.lc.ratelaw import constant_inputs


@pytest.fixture(scope="module")
def params():
    return load_lc_parameters()


def _rate(params, drive, a2, *, n=40, duration=3.0, seed=0, beta=0.0, **overrides):
    p = params.updated(overrides) if overrides else params
    pop = build_population(p, n, seed=seed)
    return simulate_population(p, pop, constant_inputs(p, drive, a2, int(duration * 1e3), beta=beta), dt=1e-4, seed=seed)


def test_intrinsic_pacemaking_without_input(params):
    # slice condition: no synaptic noise, no coupling, no tonic current, no alpha2 tone
    r = _rate(params, params.value("drive_offset"), 0.0, noise_sigma=0.0, g_gap=0.0, duration=4.0)
    trains = [t[t > 1.0] for t in r.spike_trains()]
    rates = np.array([t.size / 3.0 for t in trains])
    assert 1.0 <= np.median(rates) <= 3.0  # Williams et al. 1984: 1-3 Hz in slices
    cvs = [np.std(np.diff(t)) / np.mean(np.diff(t)) for t in trains if t.size > 3]
    assert np.median(cvs) < 0.1  # clock-like pacemaker


def test_pacemaking_needs_persistent_sodium(params):
    # removing INaP (and leaving no tonic drive) stops the pacemaker: the rhythm comes from the currents
    r = _rate(params, params.value("drive_offset"), 0.0, noise_sigma=0.0, g_gap=0.0, g_nap=0.0, e_leak=-60.0)
    base = _rate(params, params.value("drive_offset"), 0.0, noise_sigma=0.0, g_gap=0.0, e_leak=-60.0)
    assert r.mean_rate() < base.mean_rate()


def test_alpha2_girk_inhibits_monotonically(params):
    # up to full activation by NE (a2 0.95, about the NE maximum tau/(1+tau) = 20/21 with the shared LC tau)
    rates = [_rate(params, 3.3, a2).mean_rate() for a2 in (0.0, 0.4, 0.8, 0.95)]
    assert all(a > b for a, b in zip(rates, rates[1:]))
    assert rates[-1] < 0.2 * rates[0]


def test_beta_activation_reduces_adaptation(params):
    low = _rate(params, 3.3, 0.35, beta=0.0).mean_rate()
    high = _rate(params, 3.3, 0.35, beta=1.0).mean_rate()
    assert high > 1.1 * low


def test_same_seed_same_numbers(params):
    a = _rate(params, 3.0, 0.3, n=30, duration=1.0, seed=5)
    b = _rate(params, 3.0, 0.3, n=30, duration=1.0, seed=5)
    c = _rate(params, 3.0, 0.3, n=30, duration=1.0, seed=6)
    assert np.array_equal(a.spike_time, b.spike_time) and np.array_equal(a.spike_neuron, b.spike_neuron)
    assert not np.array_equal(a.spike_time, c.spike_time)


def test_gap_junction_graph_is_symmetric(params):
    pop = build_population(params, 200, seed=2)
    pairs = {(i, int(j)) for i in range(200) for j in pop.gap_indices[pop.gap_indptr[i]:pop.gap_indptr[i + 1]]}
    assert all((j, i) in pairs for i, j in pairs)
    deg = np.diff(pop.gap_indptr)
    assert 5 <= deg.mean() <= 15


def test_time_step_too_large_is_refused(params):
    pop = build_population(params, 5, seed=0)
    with pytest.raises(InputError, match="dt"):
        simulate_population(params, pop, constant_inputs(params, 3.0, 0.3, 10), dt=5e-4)


def test_negative_conductance_and_count_are_refused(params):
    with pytest.raises(InputError):
        params.updated({"g_na": -1.0})
    with pytest.raises(InputError, match="n_neurons"):
        build_population(params, -3)
    with pytest.raises(InputError):
        params.updated({"g_nope": 1.0})


def test_inputs_of_unequal_length_are_refused(params):
    pop = build_population(params, 5, seed=0)
    z = np.zeros(10)
    with pytest.raises(InputError):
        simulate_population(params, pop, Inputs(z, np.zeros(9), z, z, z), dt=1e-4)
