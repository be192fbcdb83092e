"""Sweep benchmark: population throughput on 1 and 2 dask workers, and against a plain loop.

One sweep point (atomoxetine 3 mg/kg i.p., prefrontal cortex, 30-min samples over 4 h)
and ``--rats`` virtual rats (8 parameters, 2-fold spread), run three ways on this machine:
(a) ``noradsim.sweep.run_sweep`` on a local cluster of 1 worker process,
(b) the same on 2 worker processes (same tasks, same chunk size),
(c) a plain libroadrunner loop over the same SBML: per rat, the same parameters written,
    the same drug-free state, the same segments simulated (no read-out, no storage).
The sweep times run from the first task submitted to the last result written to
``results.zarr`` (cluster start-up, about 2-4 s, is printed separately). Prints
``per_subject_ms_1_worker:``, ``speedup_2_workers:`` and ``ratio_vs_roadrunner_loop:``.
With ``--sobol N`` it also times a Sobol analysis of the same experiment (8 parameters,
N base samples, N x 10 simulations) on 2 workers and prints ``sobol_wall_s:``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import roadrunner

from noradsim.engine.sbml import to_sbml
from noradsim.sweep import plan_from_document, run_sweep
from noradsim.sweep.compute import prepared

DOC = {"protocol": "microdialysis", "region": "prefrontal_cortex", "sample": "30 min", "probe_length": "4 mm",
       "baseline": ["-90 min", "0 min"], "window": ["0 min", "240 min"],
       "interventions": [{"drug": "atomoxetine", "dose": "3 mg/kg", "route": "ip"}],
       "sweep": {"dose": ["3 mg/kg"]}}


def plain_loop(plan) -> float:
    """Seconds per rat of a bare libroadrunner loop over the same SBML, parameters and segments."""
    model, _, segs, grids, y0 = prepared(plan.configs[0], ())
    rr = roadrunner.RoadRunner(to_sbml(model))
    rr.timeCourseSelections = ["time", "[ne_ecf]", "net_factor", "comt_factor"]
    base = model.parameters.values()
    names = plan.population.parameters
    factors = plan.population.factors()
    species = [f"[{s}]" for s in model.species_names]
    start = [y0[s] for s in model.species_names]
    t0 = time.perf_counter()
    for row in factors:
        rr.setValues(list(names), [base[n] * f for n, f in zip(names, row)])
        rr.setValues(species, start)
        for seg, grid in zip(segs, grids):
            if seg.parameters:
                rr.setValues(list(seg.parameters), list(seg.parameters.values()))
            for s, dv in seg.bumps.items():
                rr[f"[{s}]"] = rr[f"[{s}]"] + dv
            np.array(rr.simulate(times=grid))
        for seg in segs:
            for k in seg.parameters:
                rr[k] = base[k]
    return (time.perf_counter() - t0) / len(factors)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rats", type=int, default=800)
    ap.add_argument("--chunk", type=int, default=50)
    ap.add_argument("--sobol", type=int, default=0, metavar="N", help="also time a Sobol analysis, N base samples")
    args = ap.parse_args()
    plan = plan_from_document({**DOC, "population": {"n": args.rats, "seed": 3}}, "bench")
    per = {}
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, 2):
            s = run_sweep(plan, Path(tmp) / f"w{workers}", workers=workers, chunk=args.chunk)
            assert s.failed == 0, s.line()
            per[workers] = s.task_seconds / args.rats
            print(f"workers_{workers}: {s.task_seconds:.2f} s for {args.rats} rats "
                  f"(+{s.seconds - s.task_seconds:.1f} s start-up and report); {s.line()}")
    loop = plain_loop(plan)
    print(f"plain_roadrunner_loop_ms_per_rat: {1e3 * loop:.2f}")
    print(f"per_subject_ms_1_worker: {1e3 * per[1]:.2f}")
    print(f"speedup_2_workers: {per[1] / per[2]:.2f}")
    print(f"ratio_vs_roadrunner_loop: {per[1] / loop:.2f}")
    if args.sobol:
        sobol_wall(args.sobol, plan.population.parameters)


def sobol_wall(n_base: int, names) -> None:
    """Time first-order and total Sobol indices of the peak: N x (8 + 2) simulations, 2 workers."""
    pop = {"sobol": True, "n": n_base, "seed": 3, "parameters": list(names)}
    plan = plan_from_document({**DOC, "population": pop}, "bench")
    with tempfile.TemporaryDirectory() as tmp:
        s = run_sweep(plan, Path(tmp) / "sobol", workers=2, chunk=256)
    print(f"sobol_simulations: {plan.population.n}; {s.line()}")
    print(f"sobol_wall_s: {s.seconds:.1f} (tasks {s.task_seconds:.1f} s; start-up, SALib analysis and report the rest)")


if __name__ == "__main__":
    main()
