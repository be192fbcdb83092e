"""Spike-train statistics (plain arrays in s) and conversion to ``neo.SpikeTrain``.

The functions follow Elephant's definitions so that the numbers agree with
``elephant.statistics`` on the same trains (checked in the tests):
mean rate = n / (t_stop - t_start); CV = SD/mean of the ISIs (population SD, ddof 0);
Fano factor = var/mean of the spike counts across trains (ddof 0); PSTH = counts per
bin divided by (number of trains x bin width). :func:`phasic_response` reads the
burst-then-pause of a train after a stimulus (used by the LC modes and the recording's
identification criteria).
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError


def mean_firing_rate(spike_times, t_start: float, t_stop: float) -> float:
    """Mean rate in Hz of one train over ``[t_start, t_stop)``.

    >>> mean_firing_rate([0.1, 0.5, 0.9], 0.0, 1.0)
    3.0
    """
    if t_stop <= t_start:
        raise InputError(f"t_stop ({t_stop}) must be greater than t_start ({t_start})")
    st = np.asarray(spike_times, float)
    return float(np.sum((st >= t_start) & (st <= t_stop)) / (t_stop - t_start))


def cv_isi(spike_times) -> float:
    """Coefficient of variation of the interspike intervals (NaN with < 2 intervals).

    >>> cv_isi([0.0, 1.0, 2.0, 3.0])
    0.0
    """
    isi = np.diff(np.sort(np.asarray(spike_times, float)))
    if isi.size < 2:
        return float("nan")
    return float(np.std(isi) / np.mean(isi))


def fano_factor(trains) -> float:
    """Fano factor of the spike counts across ``trains`` (variance/mean, ddof 0)."""
    counts = np.array([np.asarray(t).size for t in trains], float)
    if counts.size == 0 or counts.mean() == 0:
        return float("nan")
    return float(counts.var() / counts.mean())


def psth(trains, t_start: float, t_stop: float, bin_size: float, *, align=None) -> tuple[np.ndarray, np.ndarray]:
    """Peri-stimulus time histogram in Hz (per train).

    Parameters
    ----------
    trains : list of arrays
        Spike times in s.
    align : sequence of float, optional
        Stimulus times; when given each train is cut around every stimulus and the PSTH is
        over all (train, stimulus) pairs, with ``t_start``/``t_stop`` relative to the stimulus.

    Returns
    -------
    edges : array
        Bin edges (s).
    rate : array
        Rate per bin in Hz.
    """
    if bin_size <= 0:
        raise InputError(f"bin_size: must be > 0 s, got {bin_size}")
    n_bins = int(round((t_stop - t_start) / bin_size))
    edges = t_start + bin_size * np.arange(n_bins + 1)
    counts = np.zeros(n_bins)
    n = 0
    offsets = [0.0] if align is None else list(align)
    for t in trains:
        t = np.asarray(t, float)
        for off in offsets:
            counts += np.histogram(t - off, bins=edges)[0]
            n += 1
    return edges, counts / (max(n, 1) * bin_size)


def isi_histogram(spike_times, bin_size: float = 0.02, t_max: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """Histogram of interspike intervals (edges in s, counts)."""
    isi = np.diff(np.sort(np.asarray(spike_times, float)))
    edges = np.arange(0.0, t_max + bin_size / 2, bin_size)
    return edges, np.histogram(isi, bins=edges)[0]


def to_neo(spike_times, t_stop: float, *, t_start: float = 0.0, name: str = "", waveforms=None, sampling_rate=None):
    """A ``neo.SpikeTrain`` (times in s; waveforms in uV, shape (n, 1, samples)).

    >>> st = to_neo([0.1, 0.2], 1.0, name="unit0")
    >>> float(st.t_stop.magnitude), st.name
    (1.0, 'unit0')
    """
    import neo
    import quantities as pq

    kwargs = {}
    if waveforms is not None:
        w = np.asarray(waveforms, float)
        kwargs["waveforms"] = w[:, None, :] * pq.uV
        if sampling_rate is not None:
            kwargs["sampling_rate"] = float(sampling_rate) * pq.Hz
    return neo.SpikeTrain(np.asarray(spike_times, float) * pq.s, t_start=t_start * pq.s, t_stop=t_stop * pq.s,
                          name=name, **kwargs)


def phasic_response(spike_times, t_stim: float, *, window: float = 0.1, burst_isi: float = 0.1) -> dict:
    """Latency (ms) of the first spike within ``window`` after ``t_stim`` and the silence that follows the burst.

    The burst is the run of spikes after the first one with ISIs < ``burst_isi`` s; the
    inhibition is the interval from the burst's last spike to the next spike.
    """
    st = np.asarray(spike_times, float)
    after = st[(st >= t_stim) & (st < t_stim + window)]
    if after.size == 0:
        return {"latency_ms": float("nan"), "inhibition_ms": float("nan"), "n_burst": 0}
    first = after[0]
    k = int(np.searchsorted(st, first))
    last = k
    while last + 1 < st.size and st[last + 1] - st[last] < burst_isi:
        last += 1
    nxt = st[last + 1] if last + 1 < st.size else float("nan")
    return {"latency_ms": (first - t_stim) * 1e3, "inhibition_ms": (nxt - st[last]) * 1e3, "n_burst": last - k + 1}
