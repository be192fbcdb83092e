"""Spike-train statistics agree with Elephant on the same trains."""

import numpy as np
import pytest
import quantities as pq
from elephant import statistics

from noradsim.lc.analysis import cv_isi, fano_factor, mean_firing_rate, psth, to_neo
from noradsim.lc.neuron import load_lc_parameters
from noradsim.lc.population import build_population, simulate_population
from noradsim.lc.ratelaw import constant_inputs


@pytest.fixture(scope="module")
def trains():
    p = load_lc_parameters()
    pop = build_population(p, 40, seed=4)
    r = simulate_population(p, pop, constant_inputs(p, 3.3, 0.35, 4000), dt=1e-4, seed=4)
    return [t for t in r.spike_trains() if t.size > 3], 4.0


def test_mean_rate_and_cv_match_elephant(trains):
    tr, t_stop = trains
    for t in tr:
        st = to_neo(t, t_stop)
        ours = mean_firing_rate(t, 0.0, t_stop)
        theirs = statistics.mean_firing_rate(st).rescale(pq.Hz).magnitude
        assert ours == pytest.approx(float(theirs), rel=1e-12)
        assert cv_isi(t) == pytest.approx(float(statistics.cv(statistics.isi(st))), rel=1e-12)


def test_fano_factor_matches_elephant(trains):
    tr, t_stop = trains
    neo_trains = [to_neo(t, t_stop) for t in tr]
    assert fano_factor(tr) == pytest.approx(float(statistics.fanofactor(neo_trains)), rel=1e-12)


def test_psth_matches_elephant_time_histogram(trains):
    tr, t_stop = trains
    edges, ours = psth(tr, 0.0, t_stop, 0.1)
    neo_trains = [to_neo(t, t_stop) for t in tr]
    hist = statistics.time_histogram(neo_trains, bin_size=0.1 * pq.s, output="rate")
    theirs = np.asarray(hist.rescale(pq.Hz).magnitude).ravel()
    assert np.allclose(ours, theirs, rtol=1e-9, atol=1e-9)


def test_lc_firing_is_slow_and_fairly_regular(trains):
    tr, t_stop = trains
    rates = [mean_firing_rate(t, 0.0, t_stop) for t in tr]
    cvs = [cv_isi(t) for t in tr]
    assert 0.5 < np.median(rates) < 5.0
    assert np.median(cvs) < 0.8
