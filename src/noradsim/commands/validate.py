"""``noradsim validate``: run a targets file (noradsim-targets/1) against the simulator."""

from __future__ import annotations

import json
import sys

NAME = "validate"
HELP = "run published measurements (noradsim-targets/1 file) through the simulator"


def add_arguments(p):
    p.add_argument("targets", help="targets TOML file (format: ../shared/validation/SCHEMA.md)")
    p.add_argument("--out", metavar="DIR", help="write an HTML report with one figure per target")
    p.add_argument("--json", metavar="FILE", help="write one JSON object per target")
    p.add_argument("--drugs", action="append", default=[], metavar="FILE", help="user drug file(s)")
    p.add_argument("--explain", action="store_true",
                   help="add the parameters each prediction is most sensitive to (elasticities; slower)")
    p.add_argument("--uncertainty", action="store_true",
                   help="90 %% prediction interval per target from the calibrated parameters' profile intervals")
    p.add_argument("--samples", type=int, default=40, help="parameter sets for --uncertainty (default 40)")
    p.add_argument("--seed", type=int, default=0, help="seed of the --uncertainty parameter sets (default 0)")
    p.add_argument("--calibration", metavar="FILE",
                   help="calibration overlay for --uncertainty (default: the shipped noradsim/data/calibrated.toml)")


def main(args) -> int:
    from ..drugs import load_library
    from ..errors import InputError
    from ..outputs import atomic_dir, atomic_file
    from ..outputs import check_out_dir, check_out_file
    from ..validation import format_row, run_targets, summary_line

    if args.out:
        check_out_dir(args.out)
    if args.json:
        check_out_file(args.json, "--json")
    library = load_library(args.drugs)
    show = lambda o: print(format_row(o), flush=True)  # noqa: E731
    if args.uncertainty and args.samples < 2:
        raise InputError("--samples must be at least 2")
    outcomes, good, bad = run_targets(args.targets, library=library, progress=None if args.uncertainty else show,
                                      explain_parameters=args.explain)
    if args.uncertainty:
        from ..validation.calibration import prediction_intervals

        outcomes = prediction_intervals(outcomes, good, library, overlay=args.calibration, samples=args.samples,
                                        seed=args.seed)
        for o in outcomes:
            show(o)
    for tid, msg in bad:
        print(f"noradsim: error: {msg}", file=sys.stderr)
    if args.json:
        with atomic_file(args.json) as fh:
            json.dump([o.to_dict() for o in outcomes if o.verdict != "error"], fh, indent=1)
    if args.out:
        from ..validation import validation_report

        with atomic_dir(args.out) as tmp:
            validation_report(outcomes, tmp)
    print(summary_line(outcomes))
    if args.uncertainty:
        from ..validation import coverage_line

        print(coverage_line(outcomes))
    return 2 if bad else 0
