"""What a recording showed, in sentences a scientist would write: the headline and the
explanation of its statistics, built from the numbers of the summary."""

from __future__ import annotations

from ...lc.analysis import mean_firing_rate

# a unit at or below this rate (Hz) in a drug epoch is "silenced"
SILENT_HZ = 0.1
# rate ratios (epoch / preceding epoch) outside this band are a change
NO_CHANGE = (0.8, 1.25)
# window (s) after a stimulus onset in which the evoked response is read
RESPONSE_WINDOW_S = 0.5

STATISTICS_HTML = (
    "<p><b>Statistics.</b> <i>CV ISI</i> is the coefficient of variation of one unit's interspike intervals "
    "(SD / mean): a measure of regularity. It is 0 for a perfect pacemaker and 1 for a Poisson process; LC "
    "single units fire regularly, with CV ISI below 0.8 (the identification criterion used here). Drug-induced "
    "rate changes and stimulus-evoked bursts raise it. For the multi-unit row the intervals mix several neurons, "
    "so its CV (often above 1) describes the pooled activity, not any one neuron. <i>Fano factor (1 s)</i> is the "
    "variance / mean of the unit's spike counts in consecutive 1 s windows: about 1 for Poisson firing, below 1 "
    "for regular firing at a steady rate, and well above 1 when the rate changes during the recording (bursts, "
    "drug epochs), as expected here.</p>")


def focus_unit(units):
    """The unit the headline is about: the identified LC unit, else the first single unit, else the first unit."""
    for test in (lambda u: u.identified, lambda u: u.single_unit, lambda u: True):
        for u in units:
            if test(u):
                return u
    return None


def _who(u) -> str:
    if u.identified:
        return f"the identified LC unit (unit {u.unit_id})"
    if u.single_unit:
        return f"single unit {u.unit_id} (not identified as LC)"
    return f"the multi-unit activity (unit {u.unit_id}; no single unit was isolated)"


def _change(before: float, after: float) -> str:
    if after <= SILENT_HZ < before:
        return "silenced"
    if before <= 0.0:
        return "did not change" if after <= SILENT_HZ else "excited"
    ratio = after / before
    if ratio < NO_CHANGE[0]:
        return "inhibited"
    if ratio > NO_CHANGE[1]:
        return "excited"
    return "did not change"


def _drug_words(e) -> str:
    if e.route == "iontophoresis":
        return f"{e.name.capitalize()} ({e.current:g} nA iontophoresis)"
    return f"{e.name.capitalize()} ({e.dose:g} mg/kg {e.route})" if e.dose else e.name.capitalize()


def _drug_clauses(u, events, epochs, baseline_hz) -> list[str]:
    """One clause per drug: the rate in the epoch it starts vs the epoch before."""
    rates = [mean_firing_rate(u.spike_times, ep["t_start_s"], ep["t_stop_s"]) for ep in epochs]
    clauses, previous = [], None
    for e in sorted((e for e in events if e.kind == "drug"), key=lambda e: e.at):
        k = next((i for i, ep in enumerate(epochs) if ep["t_start_s"] >= e.at - 1e-9), None)
        if k is None or k == 0:
            continue
        before, after = rates[k - 1], rates[k]
        span = (f"{epochs[k - 1]['t_start_s']:g}-{epochs[k - 1]['t_stop_s']:g} s: {before:.2g} Hz \u2192 "
                f"{epochs[k]['t_start_s']:g}-{epochs[k]['t_stop_s']:g} s: {after:.2g} Hz")
        change = _change(before, after)
        if previous in ("silenced", "inhibited") and change == "excited":
            pct = f", {100 * after / baseline_hz:.0f} % of the {baseline_hz:.2g} Hz baseline" if baseline_hz > 0 else ""
            clauses.append(f"{e.name} ({e.current:g} nA) restored it to {after:.2g} Hz ({span}{pct})"
                           if e.route == "iontophoresis" else f"{e.name} restored it to {after:.2g} Hz ({span}{pct})")
        elif not clauses:
            clauses.append(f"{_drug_words(e)} {change} {{who}} ({span})")
        else:
            clauses.append(f"{e.name} then {change} it ({span})")
        previous = change
    return clauses


def _stimulus_sentence(u, events, baseline_hz) -> str:
    stims = [e for e in events if e.kind == "stimulus"]
    if not stims:
        return ""
    names = " and ".join(dict.fromkeys(e.name for e in stims))
    evoked = sum(mean_firing_rate(u.spike_times, e.at, e.at + RESPONSE_WINDOW_S) for e in stims) / len(stims)
    change = _change(baseline_hz, evoked)
    verb = {"excited": "evoked a burst", "silenced": "silenced it", "inhibited": "inhibited it"}.get(change, "did not change its rate")
    at = ", ".join(f"{e.at:g}" for e in stims)
    return (f" {names.capitalize()} (at {at} s) {verb}: {evoked:.2g} Hz in the {1e3 * RESPONSE_WINDOW_S:g} ms after "
            f"onset vs {baseline_hz:.2g} Hz before the first intervention.")


def headline(units, events, epochs, duration: float) -> str:
    """The report's first sentences, e.g. "Clonidine (1 nA iontophoresis) silenced the identified LC unit
    (unit 0: ...); idazoxan (20 nA) restored it to 1.7 Hz (...)."

    Parameters
    ----------
    units : sequence of SortedUnit
    events : sequence of noradsim.lc.stimuli.Event
    epochs : list of dict
        :func:`~.result.drug_epochs` of the recording.
    duration : float
        Recording duration (s).
    """
    u = focus_unit(units)
    if u is None:
        return "No spikes were detected at the electrode: no unit to describe."
    first = min((e.at for e in events), default=duration)
    baseline_hz = mean_firing_rate(u.spike_times, 0.0, first if first > 0 else duration)
    clauses = _drug_clauses(u, events, epochs, baseline_hz)
    who = _who(u)
    if clauses:
        text = "; ".join(clauses).replace("{who}", who) + "."
    else:
        text = f"{who[0].upper()}{who[1:]} fired at {mean_firing_rate(u.spike_times, 0.0, duration):.2g} Hz."
    return text + _stimulus_sentence(u, events, baseline_hz)
