"""Per-neuron iontophoresis in the spiking LC kernel (distance shells around the barrels)."""

import dataclasses

import numpy as np
import pytest

from noradsim.errors import InputError
from noradsim.lc.neuron import load_lc_parameters
from noradsim.lc.pharmacology import MIN_PIPETTE_DISTANCE_UM, activation, pipette_tip
from noradsim.lc.population import build_population, simulate_population
from noradsim.lc.stimuli import alpha2_terms, build_inputs, iontophoresis_shells, parse_interventions

STATE = "anesthetized:chloral_hydrate"
CLONIDINE = {"drug": "clonidine", "route": "iontophoresis", "current": "2 nA", "distance": "20 um",
             "at": "2 s", "duration": "6 s"}


@pytest.fixture(scope="module")
def params():
    return load_lc_parameters()


@pytest.fixture(scope="module")
def pop(params):
    return build_population(params, 300, seed=3)


def _rate(trains, neurons, t0, t1):
    return float(np.mean([np.sum((trains[i] >= t0) & (trains[i] < t1)) for i in neurons]) / (t1 - t0))


def test_zero_local_terms_give_identical_spikes(params, pop):
    base = build_inputs(params, STATE, [], 2.0)
    assert base.local_stimulus is None  # no iontophoresis: the kernel's uniform path
    zeros = np.zeros((base.tonic_current.size, 5))
    local = dataclasses.replace(base, local_stimulus=zeros, local_occupancy=zeros,
                                local_column=np.arange(pop.n_neurons) % 5)
    a = simulate_population(params, pop, base, seed=1)
    b = simulate_population(params, pop, local, seed=1)
    assert a.spike_time.size > 100
    np.testing.assert_array_equal(a.spike_neuron, b.spike_neuron)
    np.testing.assert_array_equal(a.spike_time, b.spike_time)
    # positions given but no iontophoresis: still the uniform path, same inputs
    c = build_inputs(params, STATE, parse_interventions([{"stimulus": "footpinch", "at": "1 s"}]), 2.0,
                     positions=pop.positions, electrode=np.zeros(3))
    assert c.local_stimulus is None


def test_shells_approximate_each_neurons_own_concentration(params, pop):
    events = parse_interventions([CLONIDINE])
    n_ms = 8000
    electrode = np.zeros(3)
    s, x, col = iontophoresis_shells(params, events, n_ms, pop.positions, electrode, n_shells=48)
    assert s.shape[1] <= 48 and col.shape == (pop.n_neurons,)
    # exact per-neuron terms (one column per neuron) against the shell each neuron reads
    s_exact, x_exact = alpha2_terms(params, events, n_ms, a2_background=0.0, positions=pop.positions,
                                    electrode=electrode)
    a_shell = activation(s[-1, col], x[-1, col])
    a_exact = activation(s_exact[-1], x_exact[-1])
    d = np.linalg.norm(pop.positions - pipette_tip(electrode, 20.0), axis=1)
    near = d < 150.0
    assert near.sum() > 10
    np.testing.assert_allclose(a_shell[near], a_exact[near], atol=0.01)
    # concentration falls with distance: the nearest shell is the most activated
    assert a_shell[np.argmin(d)] == pytest.approx(a_shell.max())
    assert np.all(d >= 0) and MIN_PIPETTE_DISTANCE_UM > 0


def test_local_clonidine_slows_near_neurons_only(params, pop):
    electrode = np.zeros(3)
    events = parse_interventions([CLONIDINE])
    local = build_inputs(params, STATE, events, 8.0, positions=pop.positions, electrode=electrode)
    assert local.local_stimulus is not None
    sim = simulate_population(params, pop, local, seed=3)
    trains = sim.spike_trains()
    d = np.linalg.norm(pop.positions - pipette_tip(electrode, 20.0), axis=1)
    near = np.argsort(d)[:10]
    far = np.argsort(d)[-150:]
    near_base, near_drug = _rate(trains, near, 0.0, 2.0), _rate(trains, near, 4.0, 8.0)
    far_base, far_drug = _rate(trains, far, 0.0, 2.0), _rate(trains, far, 4.0, 8.0)
    assert near_base > 0.5
    assert near_drug < 0.3 * near_base  # strong alpha2A/GIRK inhibition near the barrels
    assert far_drug > 0.8 * far_base  # hundreds of um away: unaffected (or faster: less local NE)
    # the uniform path (every neuron at the event's distance) slows the far neurons too
    uniform = simulate_population(params, pop, build_inputs(params, STATE, events, 8.0), seed=3).spike_trains()
    assert _rate(uniform, far, 4.0, 8.0) < 0.5 * far_drug


def test_bad_local_terms_are_refused(params, pop):
    base = build_inputs(params, STATE, [], 0.5)
    bad = dataclasses.replace(base, local_stimulus=np.zeros((10, 2)), local_occupancy=np.zeros((10, 2)),
                              local_column=np.zeros(pop.n_neurons, np.int64))
    with pytest.raises(InputError, match="local ligand terms"):
        simulate_population(params, pop, bad)
    bad = dataclasses.replace(base, local_stimulus=np.zeros((500, 2)), local_occupancy=np.zeros((500, 2)),
                              local_column=np.full(pop.n_neurons, 2))
    with pytest.raises(InputError, match="local_column"):
        simulate_population(params, pop, bad)
    with pytest.raises(InputError, match="n_shells"):
        iontophoresis_shells(params, parse_interventions([CLONIDINE]), 100, pop.positions, np.zeros(3), n_shells=0)
