"""What a recording showed, in sentences a scientist would write: the headline and the
explanation of its statistics, built from the numbers of the summary."""

from __future__ import annotations

from ...lc.analysis import mean_firing_rate

# a unit at or below this rate (Hz) in a drug epoch is "silenced"
SILENT_HZ = 0.1
# rate ratios (epoch / preceding epoch) outside this band are a change
NO_CHANGE = (0.8, 1.25)
# window (s) after a stimulus onset in which the evoked burst is read (LC burst latency
# 20-50 ms to a pinch, Foote et al. 1980); a burst is a rate above BURST_FACTOR x the spontaneous one
RESPONSE_WINDOW_S = 0.1
BURST_FACTOR = 2.0

STATISTICS_HTML = (
    "<p><b>Statistics.</b> <i>CV ISI</i> is the coefficient of variation of one unit's interspike intervals "
    "(SD / mean), a measure of regularity: 0 for a perfect pacemaker, 1 for a Poisson process. Spontaneous LC "
    "single units fire regularly, with a CV below 0.8; that is the <i>regular</i> identification criterion, "
    "computed on the spontaneous window only (before any stimulus or drug). The table's CV ISI is over the whole "
    "recording, where drug epochs and pinch responses change the rate, so it is higher than the criterion's value. "
    "For the multi-unit row the intervals mix several neurons, so its CV describes the pooled activity, not any "
    "one neuron. <i>Fano factor (1 s)</i> is the "
    "variance / mean of the unit's spike counts in consecutive 1 s windows: about 1 for Poisson firing, below 1 "
    "for regular firing at a steady rate, and well above 1 when the rate changes during the recording (bursts, "
    "drug epochs).</p>")


def focus_unit(units):
    """The unit the headline is about: the identified LC unit, else the first single unit, else the first unit."""
    for test in (lambda u: u.identified, lambda u: u.single_unit, lambda u: True):
        for u in units:
            if test(u):
                return u
    return None


def _who(u) -> str:
    if u.identified:
        return f"the identified LC unit {u.unit_id}"
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


def _drug_clauses(u, events, epochs) -> list[str]:
    """One clause per drug: the rate in the epoch it starts vs the epoch before (the rates of the
    table's "rate by drug epoch"); a reversal is given as % of the rate before the first drug."""
    rates = [mean_firing_rate(u.spike_times, ep["t_start_s"], ep["t_stop_s"]) for ep in epochs]
    clauses, previous, baseline_hz = [], None, None
    for e in sorted((e for e in events if e.kind == "drug"), key=lambda e: e.at):
        k = next((i for i, ep in enumerate(epochs) if ep["t_start_s"] >= e.at - 1e-9), None)
        if k is None or k == 0:
            continue
        before, after = rates[k - 1], rates[k]
        span = (f"{epochs[k - 1]['t_start_s']:g}-{epochs[k - 1]['t_stop_s']:g} s: {before:.2g} Hz \u2192 "
                f"{epochs[k]['t_start_s']:g}-{epochs[k]['t_stop_s']:g} s: {after:.2g} Hz")
        change = _change(before, after)
        baseline_hz = before if baseline_hz is None else baseline_hz
        if previous in ("silenced", "inhibited") and change == "excited":
            pct = f"; {100 * after / baseline_hz:.0f} % of the rate before the first drug" if baseline_hz > 0 else ""
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
    st = u.spike_times
    n = sum(int(((st >= e.at) & (st < e.at + RESPONSE_WINDOW_S)).sum()) for e in stims)
    evoked = n / (len(stims) * RESPONSE_WINDOW_S)
    burst = evoked > BURST_FACTOR * baseline_hz and n >= len(stims)
    at = " and ".join(f"{e.at:g}" for e in stims) if len(stims) <= 3 else f"{len(stims)} times"
    return (f" {names.capitalize()} (at {at} s) {'evoked a burst in' if burst else 'evoked no burst in'} this unit: "
            f"{n} spike{'s' if n != 1 else ''} in the {1e3 * RESPONSE_WINDOW_S:g} ms after {len(stims)} onset"
            f"{'s' if len(stims) != 1 else ''} ({evoked:.2g} Hz, spontaneous rate {baseline_hz:.2g} Hz)"
            + (_mua_note(u) if not burst else "") + ".")


def _mua_note(u) -> str:
    """Where the pinch criterion was read on the multi-unit activity, say so."""
    c = getattr(u, "criteria", {}).get("pinch_excitation_inhibition", {})
    if c.get("pass") and "multi-unit" in str(c.get("evaluated_on", "")):
        return "; the burst then pause appears in the multi-unit activity at the electrode, where the identification read it"
    return ""


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
        return "No unit was recorded: the electrode detected no spikes that could be sorted (see the electrode search and placement check)."
    first = min((e.at for e in events), default=duration)
    baseline_hz = mean_firing_rate(u.spike_times, 0.0, first if first > 0 else duration)
    clauses = _drug_clauses(u, events, epochs)
    who = _who(u)
    if clauses:
        text = "; ".join(clauses).replace("{who}", who) + "."
    else:
        text = f"{who[0].upper()}{who[1:]} fired at {mean_firing_rate(u.spike_times, 0.0, duration):.2g} Hz."
    return text + _stimulus_sentence(u, events, baseline_hz)
