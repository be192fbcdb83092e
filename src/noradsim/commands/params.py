"""``noradsim params``: every model parameter with value, unit, species and source."""

from __future__ import annotations

NAME = "params"
HELP = "list model parameters (value, unit, species, source) for a region and state"


def add_arguments(p):
    p.add_argument("--region", default="prefrontal_cortex", help="brain region")
    p.add_argument("--state", default="awake", help="behavioural state")
    p.add_argument("--assumed", action="store_true", help="only the parameters whose source is 'assumed'")
    p.add_argument("--grep", default="", metavar="TEXT", help="only names containing TEXT")


def main(args) -> int:
    from ..model.terminal import build_terminal_model, lc_tables
    from ..protocols.timecourse import stimulus_drives

    model = build_terminal_model(args.region, state=args.state)
    records = list(model.parameters)
    records += [p for s, p in lc_tables()[1].items()]
    records += list(stimulus_drives().values())
    from ..protocols.probe import probe_parameters

    records += list(probe_parameters().values())
    n = 0
    for p in records:
        if args.assumed and not p.assumed:
            continue
        if args.grep and args.grep not in p.name:
            continue
        n += 1
        print(f"{p.name:28s} {p.value:<12.6g} {p.unit:10s} {p.species:8s} {p.source}")
    print(f"{n} parameters ({sum(p.assumed for p in records)} of {len(records)} assumed)")
    return 0
