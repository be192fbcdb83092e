"""The Python API in a few verbs (the CLI is a thin shell over these).

>>> import noradsim.api as ns
>>> ds = ns.microdialysis("atomoxetine", "3 mg/kg", route="ip", region="prefrontal_cortex", sample="30 min")
>>> round(float(ds.attrs["peak_percent_baseline"]))  # doctest: +SKIP
231
>>> ns.drug("desipramine").ki("NET", "rat")
7.36
"""

from __future__ import annotations

from .drugs import Drug, load_library
from .experiment import parse_conditions
from .protocols.microdialysis import bin_samples
from .simulate import simulate_conditions

__all__ = ["microdialysis", "drug", "simulate_conditions", "parse_conditions"]


def drug(name: str, *, extra_files=()) -> Drug:
    """A drug from the library (user files in ``extra_files`` override)."""
    return load_library(list(extra_files)).get(name)


def microdialysis(drug_name: str | None = None, dose: str | None = None, *, route: str = "ip",
                  region: str = "prefrontal_cortex", state: str = "awake", sample: str = "20 min",
                  window=("0 min", "240 min"), baseline=("-60 min", "0 min"), flow: str = "1 uL/min",
                  engine: str = "roadrunner"):
    """One systemic dose, simulated microdialysis; returns the time course with binned statistics.

    ``attrs`` of the returned Dataset gain ``peak_percent_baseline`` and ``min_percent_baseline``
    of the recovery-corrected, binned NE in ``window``.
    """
    doc = {"region": region, "state": state, "sample": sample, "flow": flow,
           "window": list(window), "baseline": list(baseline), "interventions": []}
    if drug_name is not None:
        doc["interventions"].append({"drug": drug_name, "dose": dose, "route": route})
    cond = parse_conditions(doc, "microdialysis")
    ds = simulate_conditions(cond, engine=engine, dt=min(60.0, cond.sample / 10))
    t = ds["time"].values * 60.0
    lo, hi = min(cond.baseline[0], cond.window[0]), max(cond.baseline[1], cond.window[1])
    starts, ends, means = bin_samples(t, ds["extracellular_ne"].values, cond.sample, lo, hi)
    base = means[(starts >= cond.baseline[0] - 1e-6) & (ends <= cond.baseline[1] + 1e-6)].mean()
    win = means[(starts >= cond.window[0] - 1e-6) & (ends <= cond.window[1] + 1e-6)]
    ds.attrs["peak_percent_baseline"] = float(100 * win.max() / base)
    ds.attrs["min_percent_baseline"] = float(100 * win.min() / base)
    return ds
