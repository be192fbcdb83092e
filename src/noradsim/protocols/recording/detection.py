"""Filtering and threshold detection: the first stages of a real rig after the amplifier.

Band-pass (Butterworth, zero phase), then threshold detection at ``k`` robust SDs of the
noise (Quiroga, Nadasdy & Ben-Shaul 2004) with trough alignment.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from ...errors import InputError


def bandpass(trace, fs: float, band=(300.0, 5000.0), order: int = 3) -> np.ndarray:
    """Zero-phase Butterworth band-pass (scipy ``sosfiltfilt``)."""
    lo, hi = float(band[0]), float(band[1])
    if not (0 < lo < hi < fs / 2):
        raise InputError(f"recording.filter: band {band} Hz must satisfy 0 < low < high < {fs / 2:g} Hz (Nyquist)")
    sos = signal.butter(order, [lo, hi], btype="bandpass", fs=fs, output="sos")
    return signal.sosfiltfilt(sos, trace, axis=-1)


def detect_spikes(trace, fs: float, *, threshold_sd: float = 4.5, dead_time_ms: float = 0.75,
                  window_ms=(1.0, 2.0)) -> tuple[np.ndarray, np.ndarray, float]:
    """Negative threshold crossings at ``threshold_sd`` robust SDs; aligned waveforms.

    The noise SD is estimated as median(|x|)/0.6745 (Quiroga, Nadasdy & Ben-Shaul 2004).

    Returns
    -------
    peaks : array of int
        Sample index of each detected trough.
    waveforms : array (n_spikes, n_samples)
    threshold : float
        The threshold in uV (negative).
    """
    if threshold_sd <= 0:
        raise InputError(f"recording.threshold: must be > 0 SD, got {threshold_sd}")
    sd = np.median(np.abs(trace)) / 0.6745
    thr = -threshold_sd * sd
    below = trace < thr
    onsets = np.flatnonzero(below[1:] & ~below[:-1]) + 1
    pre = int(round(window_ms[0] * 1e-3 * fs))
    post = int(round(window_ms[1] * 1e-3 * fs))
    search = int(round(0.5e-3 * fs))
    dead = int(round(dead_time_ms * 1e-3 * fs))
    peaks = []
    last = -dead - 1
    for o in onsets:
        if o - last <= dead:
            continue
        seg = trace[o : o + search]
        p = o + int(np.argmin(seg))
        if p - pre < 0 or p + post >= trace.size:
            continue
        peaks.append(p)
        last = p
    peaks = np.array(peaks, np.int64)
    if peaks.size:
        idx = peaks[:, None] + np.arange(-pre, post)[None, :]
        waves = trace[idx]
    else:
        waves = np.zeros((0, pre + post))
    return peaks, waves, float(thr)
