"""Experiment interventions turned into the population's input time courses (1 ms grid).

Stimuli: noxious pinch (footpinch, paw pinch, tail pinch) and footshock reach the LC as
a glutamatergic volley from the nucleus paragigantocellularis after a conduction delay
(Ennis & Aston-Jones 1988), modelled as a decaying current pulse at onset plus a weak
sustained component while the stimulus lasts; non-noxious ``sensory`` stimuli give a
weaker volley. Drugs: systemic (PK of the drug library) and local iontophoresis act
through the alpha2A operational model (:mod:`noradsim.lc.pharmacology`); iontophoresis
can be resolved per neuron from each neuron's distance to the barrel tip.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..drugs import load_library
from ..errors import InputError, unknown
from ..interventions import parse_intervention
from ..units import parse_quantity
from .neuron import LCParameters
from .pharmacology import (
    MIN_PIPETTE_DISTANCE_UM,
    drug_terms,
    iontophoresis_concentration,
    pipette_tip,
    systemic_brain_concentration,
    terms_from_a2,
)
from .population import Inputs
from .ratelaw import state_drive

# What the spiking model simulates, named as in noradsim.vocabulary (STIMULI, ROUTES); paw_pinch is
# the vocabulary's synonym of footpinch and gets the same afferent volley.
STIMULI = ("footpinch", "paw_pinch", "tail_pinch", "footshock", "sensory")
NOXIOUS = ("footpinch", "paw_pinch", "tail_pinch", "footshock")
DRUG_ROUTES = ("iv", "ip", "sc", "po", "iontophoresis")
DEFAULT_IONTOPHORESIS_DISTANCE_UM = 50.0


@dataclass(frozen=True)
class Event:
    """One parsed intervention (times in s)."""

    kind: str  # "stimulus" or "drug"
    name: str
    at: float
    duration: float
    route: str = ""
    dose: float = 0.0  # mg/kg for systemic
    current: float = 0.0  # nA for iontophoresis
    distance: float = DEFAULT_IONTOPHORESIS_DISTANCE_UM


def parse_interventions(interventions, *, library=None) -> list[Event]:
    """Parse the experiment's ``interventions`` list (SCHEMA vocabulary) into events.

    Each entry is read by the shared parser (:func:`noradsim.interventions.parse_intervention`)
    and then checked against what the spiking LC model simulates: the stimuli of
    :data:`STIMULI`, drugs of ``library`` (default: the built-in one) by a route of
    :data:`DRUG_ROUTES`. Recording-only details: a drug without ``route`` is given ``iv``;
    iontophoresis needs ``current`` and takes the barrel-to-tip ``distance`` (default 50 um).
    """
    if interventions is None:
        return []
    if not isinstance(interventions, list):
        raise InputError("interventions: must be a list of tables")
    return [_event(item, f"interventions[{k}]", library) for k, item in enumerate(interventions)]


def _event(item, where: str, library) -> Event:
    """One intervention entry as the LC model's :class:`Event`; errors name ``where`` and the field."""
    if not isinstance(item, dict):
        raise InputError(f"{where}: must be a table")
    entry = dict(item)
    distance = None
    if "drug" in entry:
        entry.setdefault("route", "iv")
        # the barrels' distance from the recording tip exists only in the recording protocol
        distance = entry.pop("distance", None)
    iv = parse_intervention(entry, where)
    if iv.at < 0:
        raise InputError(f"{where}.at: must be >= 0 s (the recording starts at 0 s), got {iv.at:g} s")
    if iv.kind == "stimulus":
        return _stimulus_event(iv, where)
    if iv.kind == "drug":
        return _drug_event(iv, distance, where, library)
    raise InputError(f"{where}: needs 'stimulus' or 'drug' for the recording protocol (perfusate changes are not modelled here)")


def _stimulus_event(iv, where: str) -> Event:
    """A stimulus the LC model simulates, with its default duration."""
    name = iv.stimulus
    if name not in STIMULI:
        raise unknown(f"{where}.stimulus (not simulated by the spiking LC model)", name, STIMULI)
    default = "20 ms" if name == "footshock" else ("100 ms" if name == "sensory" else "1 s")
    dur = iv.duration if iv.duration is not None else parse_quantity(default, "time", f"{where}.duration")
    return Event("stimulus", name, iv.at, dur)


def _drug_event(iv, distance, where: str, library) -> Event:
    """A drug of the library by a route the LC model simulates (systemic or iontophoresis)."""
    lib = library if library is not None else load_library()
    drug = lib.get(iv.drug)
    if iv.route not in DRUG_ROUTES:
        raise unknown(f"{where}.route (routes of the recording protocol)", iv.route, DRUG_ROUTES)
    if iv.scan:
        raise InputError(f"{where}: dose/concentration 'scan' is not supported by the recording protocol")
    if iv.route == "iontophoresis":
        if iv.current is None:
            raise InputError(f"{where}: iontophoresis needs 'current' (ejection current, e.g. '20 nA')")
        text = distance if distance is not None else f"{DEFAULT_IONTOPHORESIS_DISTANCE_UM} um"
        dist = parse_quantity(text, "length", f"{where}.distance")
        if dist <= 0:
            raise InputError(f"{where}.distance: must be > 0 um")
        dur = iv.duration if iv.duration is not None else parse_quantity("10 s", "time", f"{where}.duration")
        return Event("drug", drug.name, iv.at, dur, route=iv.route, current=iv.current, distance=dist)
    if iv.dose is None:
        raise InputError(f"{where}: systemic drug needs 'dose' (e.g. '10 ug/kg')")
    return Event("drug", drug.name, iv.at, math.inf, route=iv.route, dose=iv.dose)


def stimulus_current(params: LCParameters, events, n_ms: int) -> np.ndarray:
    """Stimulus current (uA/cm2) on the 1 ms grid."""
    t = np.arange(n_ms) * 1e-3
    out = np.zeros(n_ms)
    for ev in events:
        if ev.kind != "stimulus":
            continue
        if ev.name == "sensory":
            amp, delay, tonic = params.value("sensory_amplitude"), params.value("sensory_delay"), 0.0
        else:
            amp, delay, tonic = (params.value("footpinch_amplitude"), params.value("footpinch_delay"),
                                 params.value("footpinch_tonic"))
        tau = params.value("footpinch_tau") * 1e-3
        t0 = ev.at + delay * 1e-3
        on = (t >= t0) & (t < ev.at + max(ev.duration, 1e-3) + delay * 1e-3)
        out += np.where(t >= t0, amp * np.exp(-(t - t0) / tau), 0.0)
        out += tonic * on
    return out


def alpha2_terms(params: LCParameters, events, n_ms: int, *, a2_background=0.35, species: str = "rat",
                 positions=None, electrode=None, library=None):
    """Operational-model terms (stimulus, occupancy) of background NE plus drugs on the 1 ms grid.

    Without ``positions`` every neuron sees one concentration: an iontophoretic drug at
    the event's ``distance`` from the barrels (what the neurons at the recording tip see).
    With ``positions`` (um, shape (n, 3)) and the recording ``electrode`` (um), each
    neuron sees the point-source concentration at its own distance from the barrel tip
    (:func:`~noradsim.lc.pharmacology.pipette_tip`), and the terms have shape (n_ms, n):
    neurons near the pipette are inhibited more. Systemic drugs are uniform either way.
    Drugs are looked up in ``library`` (default: the built-in drug library).

    Examples
    --------
    >>> from noradsim.lc.neuron import load_lc_parameters
    >>> from noradsim.lc.pharmacology import activation
    >>> ev = parse_interventions([{"drug": "clonidine", "route": "iontophoresis", "current": "5 nA",
    ...                            "distance": "30 um", "at": "0 s", "duration": "5 s"}])
    >>> pos = np.array([[0.0, 0.0, 40.0], [0.0, 0.0, -200.0]])
    >>> s, x = alpha2_terms(load_lc_parameters(), ev, 5000, positions=pos, electrode=[0.0, 0.0, 0.0])
    >>> a = activation(s, x)[-1]
    >>> bool(a[0] > a[1] > 0.35)
    True
    """
    tau_ne = params.value("tau_ne_alpha2a")
    a2b = np.broadcast_to(np.asarray(a2_background, float), (n_ms,)) if np.ndim(a2_background) == 0 else np.asarray(a2_background, float)
    if a2b.size != n_ms:
        raise InputError(f"a2: time series must have {n_ms} samples (1 ms grid), got {a2b.size}")
    s, x = terms_from_a2(a2b, tau_ne)
    s = np.array(s, float)
    x = np.array(x, float)
    per_neuron = positions is not None
    if per_neuron:
        pos = np.asarray(positions, float).reshape(-1, 3)
        if electrode is None:
            raise InputError("alpha2_terms: per-neuron iontophoresis needs the recording electrode position")
        s = np.repeat(s[:, None], pos.shape[0], axis=1)
        x = np.repeat(x[:, None], pos.shape[0], axis=1)
    t = np.arange(n_ms) * 1e-3
    lib = library if library is not None else load_library()
    for ev in events:
        if ev.kind != "drug":
            continue
        drug = lib.get(ev.name)
        if ev.route == "iontophoresis":
            if per_neuron:
                r = np.linalg.norm(pos - pipette_tip(electrode, ev.distance), axis=1)
                r = np.maximum(r, MIN_PIPETTE_DISTANCE_UM)
                conc = iontophoresis_concentration(ev.current, r, t, t_on=ev.at, t_off=ev.at + ev.duration)
            else:
                conc = iontophoresis_concentration(ev.current, ev.distance, t, t_on=ev.at, t_off=ev.at + ev.duration)
        else:
            conc = systemic_brain_concentration(drug, ev.dose, ev.route, t, ev.at)
            if per_neuron:
                conc = conc[:, None]
        ds, dx = drug_terms(conc, drug.ka("alpha2A", species), _epsilon(drug, species), tau_ne)
        s = s + ds
        x = x + dx
    return s, x


DEFAULT_N_SHELLS = 48


def iontophoresis_shells(params: LCParameters, events, n_ms: int, positions, electrode, *, n_shells: int = DEFAULT_N_SHELLS,
                         species: str = "rat", library=None):
    """Per-neuron alpha2A terms of the iontophoretic drugs, grouped into distance shells around the barrels.

    Storing one time course per neuron would take ``n_ms * n_neurons`` values per array
    (about 400 MB for 1643 neurons and 30 s), so neurons are grouped by their distance to
    the barrel tip (:func:`~noradsim.lc.pharmacology.pipette_tip`) into ``n_shells`` shells
    with logarithmically spaced edges (fine near the tip, where the concentration changes
    fastest); each shell's time course is the point-source concentration at the shell's
    mean distance. Ejections with different ``distance`` (different tips) get shells on
    the product of their distance bins. Drugs are looked up in ``library`` (default: the
    built-in drug library).

    Returns
    -------
    (stimulus, occupancy, column)
        Terms of shape (n_ms, n_columns) and each neuron's column, shape (n_neurons,);
        ``None`` for all three when there is no iontophoresis.

    Examples
    --------
    >>> from noradsim.lc.neuron import load_lc_parameters
    >>> ev = parse_interventions([{"drug": "clonidine", "route": "iontophoresis", "current": "5 nA",
    ...                            "distance": "30 um", "at": "0 s", "duration": "5 s"}])
    >>> pos = np.array([[0.0, 0.0, 40.0], [0.0, 0.0, -200.0], [0.0, 0.0, -210.0]])
    >>> s, x, col = iontophoresis_shells(load_lc_parameters(), ev, 5000, pos, [0.0, 0.0, 0.0], n_shells=8)
    >>> bool(s[-1, col[0]] > s[-1, col[1]] > 0), s.shape[1] <= 8
    (True, True)
    """
    ionto = [e for e in events if e.kind == "drug" and e.route == "iontophoresis"]
    if not ionto:
        return None, None, None
    if isinstance(n_shells, bool) or not isinstance(n_shells, (int, np.integer)) or not 1 <= n_shells <= 256:
        raise InputError(f"n_shells: must be a whole number within 1-256, got {n_shells!r}")
    pos = np.asarray(positions, float).reshape(-1, 3)
    distances = sorted({e.distance for e in ionto})
    d = np.column_stack([np.maximum(np.linalg.norm(pos - pipette_tip(electrode, dist), axis=1), MIN_PIPETTE_DISTANCE_UM)
                         for dist in distances])
    per_tip = max(1, int(math.floor(n_shells ** (1.0 / len(distances)) + 1e-9)))
    key = np.zeros(pos.shape[0], np.int64)
    for k in range(len(distances)):
        edges = np.geomspace(MIN_PIPETTE_DISTANCE_UM, d[:, k].max() * (1 + 1e-9) + 1e-9, per_tip + 1)
        b = np.clip(np.searchsorted(edges, d[:, k], side="right") - 1, 0, per_tip - 1)
        key = key * per_tip + b
    shells, column = np.unique(key, return_inverse=True)
    rep = np.array([d[column == c].mean(axis=0) for c in range(shells.size)])  # (n_columns, n_tips)
    tau_ne = params.value("tau_ne_alpha2a")
    t = np.arange(n_ms) * 1e-3
    lib = library if library is not None else load_library()
    s = np.zeros((n_ms, shells.size))
    x = np.zeros((n_ms, shells.size))
    for ev in ionto:
        drug = lib.get(ev.name)
        r = rep[:, distances.index(ev.distance)]
        conc = iontophoresis_concentration(ev.current, r, t, t_on=ev.at, t_off=ev.at + ev.duration)
        ds, dx = drug_terms(conc, drug.ka("alpha2A", species), _epsilon(drug, species), tau_ne)
        s += ds
        x += dx
    return s, x, column.astype(np.int64)


def build_inputs(params: LCParameters, state: str, events, duration: float, *, a2_background=0.35,
                 beta_activation=0.0, species: str = "rat", extra_drive: float = 0.0, positions=None,
                 electrode=None, n_shells: int = DEFAULT_N_SHELLS, library=None) -> Inputs:
    """All inputs for ``duration`` s of recording in ``state`` with ``events``.

    Without ``positions`` every neuron sees an iontophoretic drug at the event's
    ``distance`` from the barrels. With the neurons' ``positions`` and the recording
    ``electrode`` (um), iontophoresis is resolved per neuron by distance shells
    (:func:`iontophoresis_shells`): neurons near the barrels get more drug. Drugs are
    looked up in ``library`` (default: the built-in drug library).
    """
    n_ms = int(round(duration * 1e3))
    if n_ms < 1:
        raise InputError(f"recording.duration: must be > 0, got {duration} s")
    drive = state_drive(state) + extra_drive
    tonic = np.full(n_ms, params.value("drive_gain") * (drive - params.value("drive_offset")))
    local = (None, None, None)
    uniform_events = list(events)
    if positions is not None:
        if electrode is None:
            raise InputError("build_inputs: per-neuron iontophoresis needs the recording electrode position")
        local = iontophoresis_shells(params, events, n_ms, positions, electrode, n_shells=n_shells, species=species,
                                     library=library)
        if local[0] is not None:
            uniform_events = [e for e in events if not (e.kind == "drug" and e.route == "iontophoresis")]
    s, x = alpha2_terms(params, uniform_events, n_ms, a2_background=a2_background, species=species, library=library)
    beta = np.broadcast_to(np.asarray(beta_activation, float), (n_ms,)).copy() if np.ndim(beta_activation) == 0 else np.asarray(beta_activation, float)
    if np.any(beta < 0) or np.any(beta > 1):
        raise InputError("beta_activation: must be within [0, 1]")
    return Inputs(tonic, stimulus_current(params, events, n_ms), s, x, beta,
                  local_stimulus=local[0], local_occupancy=local[1], local_column=local[2])


def _epsilon(drug, species: str) -> float:
    """Operational efficacy at alpha2A from the library's intrinsic activity (reference tau of receptors.toml)."""
    from ..receptors.occupancy import get_receptor, operational_efficacy

    return operational_efficacy(drug.efficacy("alpha2A", species), get_receptor("alpha2A").tau.value)
