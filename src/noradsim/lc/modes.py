"""Tonic and phasic modes of the LC (adaptive gain theory, Aston-Jones & Cohen 2005).

In the phasic mode LC neurons fire slowly (about 1-2 Hz) and respond to salient stimuli
with a burst that stands far above the tonic rate; in the tonic mode (higher arousal or
stress: higher drive) the baseline rate is high and the evoked response adds little. In
this model the modes are not switched by hand: they emerge from the drive. A higher drive
raises the tonic rate, and with it the Ca2+-activated AHP and the local NE/alpha2A tone,
so the same afferent volley evokes proportionally less.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .neuron import LCParameters, load_lc_parameters
from .population import build_population, simulate_population
from .stimuli import build_inputs, parse_interventions


@dataclass(frozen=True)
class ModeResponse:
    """Tonic rate and evoked response of the population at one drive."""

    extra_drive: float
    tonic_rate_hz: float
    evoked_spikes: float  # per neuron in the 100 ms after the stimulus, baseline subtracted
    signal_to_noise: float  # evoked rate in that window / tonic rate


def mode_responses(state: str = "quiet_wake", extra_drives=(0.0, 1.5, 3.0), *, stimulus: str = "sensory",
                   n_neurons: int = 150, n_trials: int = 4, seed: int = 0,
                   params: LCParameters | None = None) -> list[ModeResponse]:
    """Evoked response versus tonic rate for increasing drive above ``state``.

    Each run gives ``n_trials`` stimuli 1.5 s apart; the response is counted in the
    100 ms after each stimulus onset.
    """
    params = params or load_lc_parameters()
    pop = build_population(params, n_neurons, seed=seed)
    onsets = [1.0 + 1.5 * k for k in range(n_trials)]
    events = parse_interventions([{"stimulus": stimulus, "at": f"{t} s"} for t in onsets])
    duration = onsets[-1] + 1.5
    out = []
    for extra in extra_drives:
        sim = simulate_population(params, pop, build_inputs(params, state, events, duration, extra_drive=extra), dt=1e-4, seed=seed)
        trains = sim.spike_trains()
        base = np.mean([np.sum((t >= 0.0) & (t < onsets[0])) / onsets[0] for t in trains])
        window = 0.1
        evoked = np.mean([np.sum((t >= o) & (t < o + window)) for t in trains for o in onsets])
        out.append(ModeResponse(float(extra), float(base), float(evoked - base * window),
                                float(evoked / window / max(base, 1e-9))))
    return out


__all__ = ["ModeResponse", "mode_responses"]
