"""Sobol indices of the peak % of baseline at every sweep point (``[population] sobol = true``).

With ``sobol = true`` the population is not ``n`` independent rats but SALib's Saltelli
design for first-order and total indices (:func:`SALib.sample.sobol.sample`,
``calc_second_order=False``, a scrambled Sobol sequence drawn from ``seed``): ``n`` base
samples x (parameters + 2) parameter sets, each set a "subject" of the sweep, run by the
same distributed tasks as any population. When every subject is done, the driver runs
:func:`SALib.analyze.sobol.analyze` on each sweep point's peaks (confidence intervals by
a bootstrap seeded from ``seed``) and adds ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (dims:
the sweep fields, ``parameter``) to ``results.zarr``. The log factors are uniform within
+-ln(spread), as for an ordinary population. A point where any subject failed gets NaN
indices (the estimators need every set) and the report names it.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import xarray as xr

from . import store
from .compute import PENDING

INDICES = ("S1", "S1_conf", "ST", "ST_conf")
CONF_LEVEL = 0.95
RESAMPLES = 100


def problem(names, spread: float) -> dict:
    """SALib's problem: log multiplicative factors, uniform within +-ln(spread)."""
    half = math.log(spread)
    return {"num_vars": len(names), "names": list(names), "bounds": [[-half, half]] * len(names)}


def saltelli_factors(names, spread: float, n_base: int, seed: int) -> np.ndarray:
    """The ``n_base x (len(names) + 2)`` multiplicative factors of the Saltelli design."""
    import warnings

    from SALib.sample import sobol as sobol_sample

    with warnings.catch_warnings():  # SALib warns when n_base is not a power of 2 (valid, less balanced)
        warnings.simplefilter("ignore", UserWarning)
        x = sobol_sample.sample(problem(names, spread), n_base, calc_second_order=False,
                                seed=np.random.default_rng(seed))
    return np.exp(x)


def analyse(out: Path) -> bool:
    """Add the Sobol indices to ``out/results.zarr`` if the sweep asks for them and is complete."""
    from SALib.analyze import sobol

    ds = store.open_results(out)
    if not ds.attrs.get("sobol_base") or (np.asarray(ds["status"].values) == PENDING).any():
        return False
    dims = [d for d in ds["status"].dims if d != "subject"]
    peak = ds["peak_percent_baseline"].transpose(*dims, "subject").values
    names = [str(p) for p in ds["parameter"].values]
    prob = problem(names, float(ds.attrs["spread"]))
    result = {k: np.full(peak.shape[:-1] + (len(names),), np.nan) for k in INDICES}
    for idx in np.ndindex(peak.shape[:-1]):
        y = peak[idx]
        if not np.all(np.isfinite(y)):
            continue
        res = sobol.analyze(prob, y, calc_second_order=False, num_resamples=RESAMPLES, conf_level=CONF_LEVEL,
                            seed=np.random.default_rng(int(ds.attrs["seed"])))
        for k in INDICES:
            result[k][idx] = res[k]
    long = {"S1": "first-order Sobol index", "ST": "total Sobol index"}
    attrs = {k: {"units": "1", "long_name": (f"{long[k[:2]]} of the peak % of baseline" if k in long else
                                             f"half-width of the {CONF_LEVEL:.0%} bootstrap interval of {k[:2]}"),
                 "method": (f"SALib sobol.analyze, calc_second_order=False, {RESAMPLES} bootstrap resamples, "
                            f"N = {ds.attrs['sobol_base']} base samples")} for k in INDICES}
    new = xr.Dataset({k: (tuple(dims) + ("parameter",), v, attrs[k]) for k, v in result.items()},
                     attrs=dict(ds.attrs))  # appending replaces the store's attrs: keep them
    new.to_zarr(Path(out) / "results.zarr", mode="a", consolidated=True)
    return True
