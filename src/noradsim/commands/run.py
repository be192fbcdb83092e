"""``noradsim run``: run an experiment file and write its report and data."""

from __future__ import annotations

NAME = "run"
HELP = "run an experiment file (noradsim-experiment/1) and write report.html, results.nc, results.csv"


def add_arguments(p):
    p.add_argument("experiment", help="experiment TOML file (docs/experiment_format.md)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the file's, else 0)")
    p.add_argument("--drugs", action="append", default=[], metavar="FILE", help="user drug file(s)")


def main(args) -> int:
    import sys

    from ..api import run
    from ..outputs import atomic_dir, check_out_dir

    check_out_dir(args.out)  # before anything is read or simulated
    result = run(args.experiment, seed=args.seed, drugs=args.drugs, progress=sys.stderr.isatty())
    with atomic_dir(args.out) as tmp:
        result.write(tmp)
    for k, v in result.to_dict().items():
        if isinstance(v, float):
            print(f"{k}: {v:.4g}")
        elif isinstance(v, (int, str, bool)):
            print(f"{k}: {v}")
    print(f"report: {args.out}/report.html")
    return 0
