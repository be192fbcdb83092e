"""The Python API in a few verbs (the CLI is a thin shell over these).

``run``       an experiment file or document, any protocol, to a frozen result
``simulate``  the rate model under conditions, to an :class:`xarray.Dataset`
``microdialysis``  one systemic dose, sampled as a microdialysis experiment
``record``    a virtual LC recording experiment
``fit``       a model fitted to a table of lab data
``validate``  a targets file (``noradsim-targets/1``), to outcomes
``drug``      a drug from the library

>>> import noradsim.api as ns
>>> ds = ns.microdialysis("atomoxetine", "3 mg/kg", route="ip", region="prefrontal_cortex", sample="30 min")
>>> 150 < ds.attrs["peak_percent_baseline"] < 400
True
>>> ns.drug("desipramine").ki("NET", "rat")
7.36
>>> ds = ns.simulate(region="hippocampus", state="sws", window=("0 min", "60 min"))
>>> round(float(ds["lc_firing_rate"].mean()), 1) < 2.0
True
"""

from __future__ import annotations

from pathlib import Path

from . import protocols
from .drugs import Drug, DrugLibrary, load_library
from .errors import InputError
from .checks import check_finite, check_measurable, check_sample, describe, solver_guard
from .protocols.conditions import parse_conditions
from .protocols.microdialysis.sampling import collect
from .protocols.timecourse import simulate_conditions

__all__ = ["drug", "fit", "microdialysis", "record", "run", "simulate", "validate"]


def drug(name: str, *, extra_files=()) -> Drug:
    """A drug from the library (user files in ``extra_files`` override)."""
    return load_library(list(extra_files)).get(name)


def run(experiment, *, seed: int | None = None, drugs=(), progress: bool = False):
    """Run an experiment (a file path or an already-read document) through its protocol.

    Parameters
    ----------
    experiment : str, Path or dict
        A ``noradsim-experiment/1`` file (docs/experiment_format.md) or its content.
    seed : int, optional
        Random seed (default: the experiment's ``seed``, else 0); a whole number >= 0.
    drugs : sequence of paths
        User drug files, in addition to those the experiment names.

    Returns
    -------
    The protocol's frozen result, with ``to_dict()`` and ``write(out_dir)``.
    """
    doc, where, base = _experiment(experiment)
    library = load_library([base / f for f in doc.get("drugs", [])] + list(drugs))
    seed = _seed(doc.get("seed", 0) if seed is None else seed)
    proto = protocols.get(doc["protocol"])
    config = proto.parse(doc, where=where, library=library)
    ivs = getattr(getattr(config, "conditions", None), "interventions", None)
    what = f"{where} ({describe(ivs) if ivs is not None else doc['protocol']}"
    what += "".join(f"; parameters.{k} = {v:g}" for k, v in dict(doc.get("parameters") or {}).items()
                    if isinstance(v, (int, float))) + ")"
    with solver_guard(what):
        result = proto.run(config, seed=seed, library=library, progress=progress)
    summary = result.to_dict()
    check_finite(summary, ("baseline_nM", "peak_percent_baseline", "min_percent_baseline"), what)
    cond = getattr(config, "conditions", None)
    if isinstance(summary.get("baseline_nM"), float) and cond is not None and getattr(cond, "flow", None):
        check_measurable(summary["baseline_nM"], cond.flow * cond.sample / 60.0, what)
    return result


def _experiment(experiment) -> tuple[dict, str, Path]:
    if isinstance(experiment, dict):
        doc = {"schema": protocols.SCHEMA, **experiment}
        if doc.get("protocol") not in protocols.PROTOCOLS:
            raise InputError(f"experiment protocol: one of {', '.join(protocols.PROTOCOLS)}, "
                             f"got {doc.get('protocol')!r}")
        return doc, "experiment", Path(".")
    path = Path(experiment)
    return protocols.read_experiment(path), path.name, path.parent


def _seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise InputError(f"seed: a whole number from 0 to 2**63-1, got {seed!r}")
    return seed


def simulate(*, region: str = "prefrontal_cortex", state: str = "awake", interventions=(),
             window=("0 min", "240 min"), baseline=("-60 min", "0 min"), sample: str = "20 min",
             parameters: dict[str, float] | None = None, engine: str = "roadrunner",
             library: DrugLibrary | None = None):
    """The rate model (terminal field, LC, PK) under these conditions, as a labelled Dataset.

    ``interventions`` are inline tables as in an experiment file, e.g.
    ``[{"drug": "clonidine", "dose": "0.1 mg/kg", "route": "ip"}]``.
    """
    doc = {"region": region, "state": state, "sample": sample, "window": list(window), "baseline": list(baseline),
           "interventions": [dict(iv) for iv in interventions]}
    cond = parse_conditions(doc, "simulate")
    with solver_guard(f"simulate ({describe(cond.interventions)})"):
        return simulate_conditions(cond, library=library, engine=engine, parameters=parameters,
                                   dt=min(60.0, cond.sample / 10))


def microdialysis(drug_name: str | None = None, dose: str | None = None, *, route: str = "ip",
                  region: str = "prefrontal_cortex", state: str = "awake", sample: str = "20 min",
                  window=("0 min", "240 min"), baseline=("-60 min", "0 min"), flow: str = "1 uL/min",
                  engine: str = "roadrunner"):
    """One systemic dose, simulated microdialysis; returns the time course with binned statistics.

    ``attrs`` of the returned Dataset gain ``peak_percent_baseline`` and ``min_percent_baseline``
    of the recovery-corrected, binned NE in ``window`` (noise-free; ``run`` adds HPLC noise).
    """
    doc = {"region": region, "state": state, "sample": sample, "flow": flow,
           "window": list(window), "baseline": list(baseline), "interventions": []}
    if drug_name is not None:
        doc["interventions"].append({"drug": drug_name, "dose": dose, "route": route})
    cond = parse_conditions(doc, "microdialysis")
    check_sample(cond.sample, cond.window, "microdialysis sample")
    with solver_guard(f"microdialysis ({describe(cond.interventions)})"):
        ds = simulate_conditions(cond, engine=engine, dt=min(60.0, cond.sample / 10))
    samples = collect(ds["time"].values * 60.0, ds["extracellular_ne"].values, cond.sample, cond.baseline, cond.window)
    ds.attrs["peak_percent_baseline"] = samples.peak_percent()
    ds.attrs["min_percent_baseline"] = samples.min_percent()
    return ds


def record(experiment, *, seed: int | None = None, progress: bool = False):
    """A virtual LC recording (``protocol = "recording"``, file or document), to a frozen result."""
    doc = {"protocol": "recording", **experiment} if isinstance(experiment, dict) else experiment
    if isinstance(doc, dict) and doc["protocol"] != "recording":
        raise InputError(f"experiment protocol: record() runs 'recording' experiments, got {doc['protocol']!r}")
    return run(doc, seed=seed, progress=progress)


def fit(model: str, x, y, **options):
    """Fit a named model (``uptake``, ``inhibition``, ``saturation``, ``competition``,
    ``dose_response``, ``operational``) to arrays ``x``, ``y``; returns a :class:`FitResult`.

    >>> import numpy as np
    >>> s = np.array([50, 100, 200, 400, 800, 1600, 3200.0])
    >>> r = fit("uptake", s, 10 * s / (420 + s))
    >>> round(r.params["Km"].value)
    420
    """
    from . import fitting

    verbs = {"uptake": fitting.fit_uptake, "inhibition": fitting.fit_inhibition,
             "saturation": fitting.fit_saturation, "competition": fitting.fit_competition,
             "dose_response": fitting.fit_dose_response, "operational": fitting.fit_operational}
    if model not in verbs:
        raise InputError(f"fit model: one of {', '.join(verbs)}, got {model!r}")
    return verbs[model](x, y, **options)


def validate(targets, *, drugs=(), explain: bool = False) -> list:
    """Evaluate every target of a ``noradsim-targets/1`` file; returns the outcomes in file order."""
    from .validation import run_targets

    outcomes, _good, _bad = run_targets(targets, library=load_library(list(drugs)), explain_parameters=explain)
    return outcomes
