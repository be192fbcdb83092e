"""Validation hooks of the recording protocol, called by ``noradsim validate``.

:func:`lc_target` answers the measures ``lc_phasic_response`` (latency, inhibition
duration after a noxious stimulus) and ``lc_spike_width`` from simulated LC neurons.
"""

from __future__ import annotations

import numpy as np

from ...errors import InputError, unknown
from ...lc.analysis import phasic_response
from ...lc.neuron import LCParameters, load_lc_parameters
from ...lc.population import build_population, simulate_population
from ...lc.ratelaw import state_drives
from ...lc.stimuli import NOXIOUS, Event, build_inputs, parse_interventions
from .detection import bandpass
from .electrode import unit_signals, units_in_reach
from .identification import waveform_width_ms


def lc_target(measure: str, statistic: str, state: str, interventions: list[dict], species: str) -> tuple[float, str]:
    """Simulated value (ms) and mechanism for an LC validation target.

    Parameters
    ----------
    measure : {"lc_phasic_response", "lc_spike_width"}
    statistic : {"latency", "inhibition_duration"} for the first, {"width"} for the second
    state : str
        SCHEMA state (default awake when empty).
    interventions : list of dict
        SCHEMA interventions; ``lc_phasic_response`` needs a noxious stimulus.
    species : str
        Only ``"rat"`` is modelled.

    Returns
    -------
    (float, str)
        Value in ms and a one-line mechanism.
    """
    measures = {"lc_phasic_response": ("latency", "inhibition_duration"), "lc_spike_width": ("width",)}
    if measure not in measures:
        raise unknown("measure", measure, measures)
    if statistic not in measures[measure]:
        raise unknown(f"statistic for {measure}", statistic, measures[measure])
    if species != "rat":
        raise unknown("species (the LC neuron model is parameterised for rat)", species, ["rat"])
    state = state or "awake"
    if state not in state_drives():
        raise unknown("state", state, state_drives())
    params = load_lc_parameters()
    if measure == "lc_spike_width":
        return _spike_width(params, state)
    events = parse_interventions(list(interventions or []))
    stims = [e for e in events if e.kind == "stimulus" and e.name in NOXIOUS + ("sensory",)]
    if not stims:
        raise InputError("interventions: lc_phasic_response needs a stimulus (footpinch, paw_pinch, tail_pinch, footshock or sensory)")
    lead = 1.5
    shifted = [Event(e.kind, e.name, e.at + lead, e.duration, e.route, e.dose, e.current, e.distance) for e in events]
    stim = min(e.at for e in shifted if e.kind == "stimulus")
    pop = build_population(params, 300, seed=0)
    duration = stim + 2.0
    sim = simulate_population(params, pop, build_inputs(params, state, shifted, duration), dt=1e-4, seed=0)
    lat, inh = [], []
    for st in sim.spike_trains():
        r = phasic_response(st, stim)
        lat.append(r["latency_ms"])
        inh.append(r["inhibition_ms"])
    lat, inh = np.array(lat), np.array(inh)
    responders = float(np.mean(np.isfinite(lat)))
    if statistic == "latency":
        value = float(np.nanmedian(lat)) if responders > 0 else float("nan")
        why = (f"median first-spike latency of {responders:.0%} of 300 simulated LC neurons: afferent delay "
               f"{params.value('footpinch_delay'):g} ms + charging to threshold by the PGi-like volley")
    else:
        value = float(np.nanmedian(inh)) if np.any(np.isfinite(inh)) else float("nan")
        why = ("median silence after the evoked burst in 300 simulated LC neurons: Ca2+-activated K+ AHP plus "
               "alpha2A/GIRK activation by somatodendritically released NE")
    return value, why


def _spike_width(params: LCParameters, state: str) -> tuple[float, str]:
    """Median total width (ms) of the mean extracellular spike of a few simulated neurons, 50 um away."""
    dt = 5e-5
    fs = 1.0 / dt
    pop = build_population(params, 60, seed=0)
    centre = pop.positions.mean(axis=0)
    rec = units_in_reach(params, pop, centre, max_units=5)
    sim = simulate_population(params, pop, build_inputs(params, state, [], 3.0), dt=dt, seed=0, record=rec)
    widths = []
    for k, i in enumerate(rec):
        soma = pop.positions[i]
        electrode = soma + np.array([40.0, 30.0, 0.0])
        sig = unit_signals(params, pop, sim, electrode)[k]
        wide = bandpass(sig, fs, (100.0, 8000.0))
        st = sim.spike_trains()[i]
        idx = np.round(st * fs).astype(int)
        idx = idx[(idx > 40) & (idx < wide.size - 80)]
        if idx.size == 0:
            continue
        waves = wide[idx[:, None] + np.arange(-40, 80)[None, :]]
        widths.append(waveform_width_ms(waves.mean(axis=0), fs))
    value = float(np.median(widths)) if widths else float("nan")
    return value, ("total duration (10 % of trough) of the 0.1-8 kHz extracellular spike computed from the membrane "
                   "currents of simulated LC neurons at 50 um: broad Na+/K+ spike with Ca2+ shoulder and IS-SD delay")
