"""``noradsim sweep``: an experiment over a grid of doses/regions/... in a virtual population."""

from __future__ import annotations

NAME = "sweep"
HELP = ("run an experiment file's [sweep] x [population] on dask and write results.zarr and report.html "
        "(docs/scaling.md)")


def add_arguments(p):
    p.add_argument("experiment", help="experiment TOML file with [sweep] and [population] tables")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (results.zarr, done/, report.html)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=None, metavar="N",
                       help="worker processes of a local dask cluster (default: one per core)")
    where.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="an existing dask scheduler, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--resume", action="store_true", help="keep DIR's finished tasks and run the rest")
    p.add_argument("--chunk", type=int, default=64, metavar="RATS", help="virtual rats per task (default 64)")
    p.add_argument("--drugs", action="append", default=[], metavar="FILE", help="user drug file(s)")


def main(args) -> int:
    import sys

    from ..outputs import check_out_dir
    from ..sweep import read_plan, run_sweep

    check_out_dir(args.out)
    plan = read_plan(args.experiment, drugs=args.drugs)  # every sweep point checked before any simulation
    summary = run_sweep(plan, args.out, workers=args.workers, scheduler=args.scheduler, resume=args.resume,
                        chunk=args.chunk, progress=sys.stderr.isatty())
    print(f"sweep points: {len(plan.configs)} ({' x '.join(f'{len(a.values)} {a.field}' for a in plan.axes)}); "
          + (f"subjects: {plan.population.n} Saltelli parameter sets (N = {plan.population.sobol_base})"
             if plan.population.sobol_base else f"rats: {plan.population.n}"))
    print(f"tasks: {summary.tasks_run} run, {summary.tasks_skipped} already done")
    print(summary.line())
    print(f"wall time: {summary.seconds:.1f} s")
    print(f"results: {args.out}/results.zarr")
    print(f"report: {args.out}/report.html")
    return 0
