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


def main(args) -> int:
    from ..drugs import load_library
    from ..outputs import atomic_dir, atomic_file
    from ..outputs import check_out_dir, check_out_file
    from ..validation import format_row, run_targets, summary_line

    if args.out:
        check_out_dir(args.out)
    if args.json:
        check_out_file(args.json, "--json")
    library = load_library(args.drugs)
    outcomes, good, bad = run_targets(args.targets, library=library,
                                      progress=lambda o: print(format_row(o), flush=True),
                                      explain_parameters=args.explain)
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
    return 2 if bad else 0
