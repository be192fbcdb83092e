"""``DIR/results.zarr``: the sweep's results, written one task at a time, readable at any time.

The store is created in full before the first task runs (every value NaN, every rat
``status = -1``, pending), one zarr chunk per task. Each finished task writes its region
(:meth:`xarray.Dataset.to_zarr` with ``region=``) and then a marker ``DIR/done/<task>.json``;
the marker is written only after the region, so a task with a marker is durable and
``--resume`` skips it. ``xr.open_zarr(DIR/"results.zarr")`` works while the sweep runs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import xarray as xr

from .. import __version__
from ..errors import InputError
from .compute import PENDING, TaskResult, sample_times

REASON_WIDTH = 200  # characters kept of a failure reason


def task_name(point: int, start: int) -> str:
    return f"p{point:05d}_s{start:09d}"


def create(out: Path, plan, chunk: int) -> None:
    """Write the empty store (coordinates, attrs, the rats' parameter factors)."""
    dims = tuple(a.field for a in plan.axes)
    shape = plan.shape + (plan.population.n,)
    starts = sample_times(plan.configs[0])
    cond = plan.configs[0].conditions
    coords = {a.field: (a.field, np.array(a.values), {"units": a.unit} if a.unit else {}) for a in plan.axes}
    coords["subject"] = ("subject", np.arange(plan.population.n))
    coords["sample_start"] = ("sample", starts / 60.0, {"units": "min", "long_name": "start of each dialysate sample"})
    coords["parameter"] = ("parameter", np.array(plan.population.parameters))
    nan = np.full(shape, np.nan)
    pct = {"units": "% of baseline", "long_name": "dialysate NE, % of the rat's own baseline samples"}
    ds = xr.Dataset({
        "percent_baseline": (dims + ("subject", "sample"), np.full(shape + (len(starts),), np.nan), pct),
        "peak_percent_baseline": (dims + ("subject",), nan, {**pct, "long_name": "largest sample in the window"}),
        "min_percent_baseline": (dims + ("subject",), nan.copy(), {**pct, "long_name": "smallest sample in the window"}),
        "status": (dims + ("subject",), np.full(shape, PENDING, dtype=np.int8),
                   {"flag_values": [-1, 0, 1], "flag_meanings": "pending ok failed"}),
        "failure_reason": (dims + ("subject",), np.full(shape, "", dtype=f"<U{REASON_WIDTH}")),
        "factor": (("subject", "parameter"), plan.population.factors(),
                   {"units": "1", "long_name": "multiplicative factor on the cited parameter value"}),
    }, coords=coords, attrs=_attrs(plan, chunk, cond))
    enc_chunks = {v: (1,) * len(dims) + (chunk,) + ((len(starts),) if v == "percent_baseline" else ())
                  for v in ("percent_baseline", "peak_percent_baseline", "min_percent_baseline", "status",
                            "failure_reason")}
    encoding = {v: {"chunks": c} for v, c in enc_chunks.items()}
    ds.to_zarr(out / "results.zarr", mode="w", encoding=encoding, zarr_format=2, consolidated=True)
    (out / "done").mkdir(exist_ok=True)


def _attrs(plan, chunk: int, cond) -> dict:
    pop = plan.population
    return {"title": plan.name, "protocol": "microdialysis", "noradsim_version": __version__,
            "sweep_fingerprint": plan.fingerprint, "chunk": chunk, "seed": pop.seed, "spread": pop.spread,
            "population": _population_text(pop), "sobol_base": pop.sobol_base,
            "provenance": ("simulated: noradsim rate model (model/terminal.py, data/*.toml with sources), "
                           "Bungay probe, samples binned by protocols/microdialysis/sampling.collect"),
            "sample_s": cond.sample, "baseline_s": list(cond.baseline), "window_s": list(cond.window),
            "drug_files": json.dumps(list(plan.library_files))}


def _population_text(pop) -> str:
    names, spread = ", ".join(pop.parameters), f"x1/{pop.spread:g}..x{pop.spread:g} of the cited values (assumed spread)"
    if pop.sobol_base:
        return (f"{pop.n} parameter sets (subjects): SALib's Saltelli design for first-order and total Sobol "
                f"indices, N = {pop.sobol_base} base samples x ({len(pop.parameters)} parameters + 2), scrambled "
                f"Sobol sequence from seed {pop.seed}; {names} log-uniform within {spread}")
    return (f"{pop.n} virtual rats; {names} log-uniform within {spread}; "
            f"rat i drawn from SeedSequence({pop.seed}, spawn_key=(i,))")


def check_resumable(out: Path, plan, chunk: int) -> int:
    """The chunk size of an existing store for the same sweep (else :class:`InputError`)."""
    path = out / "results.zarr"
    if not path.exists():
        raise InputError(f"--resume: {str(path)!r} does not exist; run without --resume first")
    attrs = xr.open_zarr(path).attrs
    if attrs.get("sweep_fingerprint") != plan.fingerprint:
        raise InputError(f"--resume: {str(path)!r} holds a different sweep (the experiment file changed)")
    return int(attrs["chunk"])


def done_tasks(out: Path) -> set[str]:
    """Names of the tasks whose results are durable."""
    return {p.stem for p in (out / "done").glob("*.json")}


def write_task(out: Path, plan, res: TaskResult) -> None:
    """Write one finished task's region, then its marker."""
    dims = tuple(a.field for a in plan.axes)
    idx = plan.index(res.point)
    n = len(res.peak)
    lead = (1,) * len(dims)
    reason = np.array([r[:REASON_WIDTH] for r in res.reason], dtype=f"<U{REASON_WIDTH}")
    part = xr.Dataset({
        "percent_baseline": (dims + ("subject", "sample"), res.percent.reshape(lead + res.percent.shape)),
        "peak_percent_baseline": (dims + ("subject",), res.peak.reshape(lead + (n,))),
        "min_percent_baseline": (dims + ("subject",), res.trough.reshape(lead + (n,))),
        "status": (dims + ("subject",), res.status.reshape(lead + (n,))),
        "failure_reason": (dims + ("subject",), reason.reshape(lead + (n,))),
    })
    region = {d: slice(i, i + 1) for d, i in zip(dims, idx)}
    region["subject"] = slice(res.start, res.start + n)
    region["sample"] = slice(None)
    part.to_zarr(out / "results.zarr", region=region)
    marker = out / "done" / f"{task_name(res.point, res.start)}.json"
    tmp = marker.with_suffix(".tmp")
    tmp.write_text(json.dumps({"point": res.point, "start": res.start, "n": n,
                               "failed": int((res.status != 0).sum())}))
    os.replace(tmp, marker)


def open_results(out: Path) -> xr.Dataset:
    """The results as a lazy xarray Dataset."""
    return xr.open_zarr(Path(out) / "results.zarr")
