"""Adaptive gain: phasic responses stand out at low tonic rates, less so in the tonic mode."""

from noradsim.lc.modes import mode_responses


def test_signal_to_noise_falls_as_tonic_rate_rises():
    low, mid, high = mode_responses("quiet_wake", (0.0, 1.5, 3.0), n_neurons=120, n_trials=4)
    assert low.tonic_rate_hz < mid.tonic_rate_hz < high.tonic_rate_hz
    assert high.tonic_rate_hz > 4.0 and low.tonic_rate_hz < 2.5  # tonic vs phasic mode baselines
    assert low.evoked_spikes > 0.1  # sensory stimuli do evoke spikes
    assert low.signal_to_noise > mid.signal_to_noise > high.signal_to_noise
