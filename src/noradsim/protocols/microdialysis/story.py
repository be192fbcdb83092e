"""What happened, in sentences a scientist would write: the headline, the baselines, the population.

>>> from noradsim.protocols.conditions import Conditions, Intervention
>>> c = Conditions(interventions=(Intervention("drug", drug="atomoxetine", route="ip", dose=3.0),))
>>> treatment(c)
'3 mg/kg atomoxetine i.p.'
>>> verb(238.0, 96.0)
'raised'
>>> verb(104.0, 41.0)
'lowered'
"""

from __future__ import annotations

import numpy as np

ROUTE_WORDS = {"iv": "i.v.", "ip": "i.p.", "sc": "s.c.", "po": "p.o.", "sc_minipump": "by s.c. minipump",
               "reverse_dialysis": "by reverse dialysis", "bath": "in the bath", "iontophoresis": "by iontophoresis"}
#: A change smaller than this (percentage points of baseline) is described as no change: about
#: twice the sample-to-sample scatter of HPLC-ECD (CV 5 %), so noise alone rarely crosses it.
NO_CHANGE_PP = 10.0


def region_words(region: str) -> str:
    """``prefrontal_cortex`` -> ``prefrontal cortex``."""
    return region.replace("_", " ")


def _one(iv) -> str:
    route = ROUTE_WORDS.get(iv.route, iv.route)
    if iv.kind == "drug":
        if iv.dose is not None:
            unit = "mg/kg/day" if iv.route == "sc_minipump" else "mg/kg"
            return f"{iv.dose:g} {unit} {iv.drug} {route}"
        if iv.concentration is not None:
            return f"{iv.drug} {iv.concentration:g} nM {route}"
        return f"{iv.drug} {route}"
    if iv.kind == "perfusate":
        conc = f" ({iv.concentration:g} mM)" if iv.perfusate in ("potassium", "calcium") else ""
        return f"{iv.perfusate.replace('_', '-')} perfusate{conc}"
    return f"{iv.stimulus.replace('_', ' ')}"


def treatment(cond) -> str:
    """The interventions in words (``"3 mg/kg atomoxetine i.p."``), or ``""`` for none."""
    parts = [_one(iv) for iv in cond.interventions]
    return " followed by ".join(parts)


def verb(peak: float, trough: float) -> str:
    """``raised``, ``lowered`` or ``did not change``, from the peak and trough % of baseline."""
    up, down = peak - 100.0, 100.0 - trough
    if max(up, down) < NO_CHANGE_PP:
        return "did not change"
    return "raised" if up >= down else "lowered"


def headline(cond, samples) -> str:
    """The first sentence of the report, e.g. "3 mg/kg atomoxetine i.p. raised dialysate NE in
    prefrontal cortex to 238 % of baseline (peak at 60-90 min)."."""
    peak, trough = samples.peak_percent(), samples.min_percent()
    what = treatment(cond) or "With no intervention, the experiment"
    v = verb(peak, trough)
    where = f"dialysate NE in {region_words(cond.region)}"
    win = samples.in_window
    if v == "did not change":
        return (f"{what} did not change {where}: every sample stayed within {trough:.0f}-{peak:.0f} % of "
                "baseline.")
    pct = samples.percent()
    k = int(np.flatnonzero(win)[np.argmax(pct[win]) if v == "raised" else np.argmin(pct[win])])
    value = peak if v == "raised" else trough
    when = f"{'peak' if v == 'raised' else 'lowest'} at {samples.starts[k] / 60:g}-{samples.ends[k] / 60:g} min"
    return f"{what} {v} {where} to {value:.0f} % of baseline ({when})."


def baselines_text(ecf_nm: float, dialysate_nm: float, corrected_nm: float, recovery: float,
                   extraction: float) -> str:
    """Why the report shows two baseline concentrations, said once."""
    return (f"Two baselines appear in this report. <b>True extracellular NE</b> ({ecf_nm:.3g} nM) is the model's "
            f"concentration in the brain's extracellular fluid. The probe collects only part of it: the dialysate "
            f"holds {dialysate_nm:.3g} nM ({dialysate_nm / ecf_nm:.1%} of it; a perfusate calibration would measure an "
            f"extraction fraction of {extraction:.1%}, higher because the damaged tissue next to the probe releases no NE, "
            "Bungay et al. 2003). Experimenters divide the dialysate "
            f"by the probe's <i>in vitro</i> recovery ({recovery:.1%}), which gives the <b>recovery-corrected "
            f"dialysate</b> baseline of {corrected_nm:.3g} nM used for every % of baseline here. It differs "
            f"from the true value ({'lower' if corrected_nm < ecf_nm else 'higher'}) because extraction in tissue "
            "differs from recovery in a beaker (Bungay et al. 1990); % of baseline is the same whichever of the "
            "two is used.")


def population_text(n: int, spread: float, parameters, median: float, p5: float, p95: float, headline_value: float,
                    seed: int) -> str:
    """The population summary and why its median differs from the headline value."""
    return (f"{n} virtual rats, with the least certain parameters ({', '.join(parameters)}) varied log-uniformly "
            f"within &times;/&divide;{spread:g} of their cited values (seed {seed}): median peak {median:.0f} % of "
            f"baseline, 90 % of rats between {p5:.0f} and {p95:.0f} %. The headline value ({headline_value:.0f} %) "
            "is one rat with every parameter at its cited value, measured with HPLC noise; the median differs "
            "because the response is not a linear function of the parameters (the response of the average rat "
            "is not the average response). The shaded band in the first figure is this population.")
