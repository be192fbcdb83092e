"""``noradsim export sbml FILE``: write the model as SBML (libsbml-consistent)."""

from __future__ import annotations

NAME = "export"
HELP = "export the model: 'export sbml FILE' writes SBML Level 3 that plain libroadrunner can simulate"


def add_arguments(p):
    p.add_argument("format", choices=["sbml", "antimony"], help="output format")
    p.add_argument("file", help="output file")
    p.add_argument("--region", default="prefrontal_cortex", help="brain region (default prefrontal_cortex)")
    p.add_argument("--state", default="awake", help="behavioural state (default awake)")
    p.add_argument("--drug", action="append", default=[], metavar="NAME[:ROUTE]",
                   help="include a drug's PK and binding terms, e.g. atomoxetine:ip (repeatable)")


def main(args) -> int:
    from ..drugs import load_library
    from ..engine.sbml import check_sbml, to_antimony, to_sbml
    from ..errors import InputError, unknown
    from ..model.terminal import DrugUse, build_terminal_model
    from ..outputs import atomic_file, check_out_file
    from ..vocabulary import ROUTES

    check_out_file(args.file, "file")
    library = load_library()
    uses = []
    for spec in args.drug:
        name, _, route = spec.partition(":")
        route = route or "ip"
        if route not in ROUTES:
            raise unknown("--drug route", route, ROUTES)
        uses.append(DrugUse(library.get(name).name, (route,)))
    model = build_terminal_model(args.region, state=args.state, drugs=tuple(uses), library=library)
    if args.format == "antimony":
        text = to_antimony(model)
    else:
        text = to_sbml(model)
        errors = check_sbml(text)
        if errors:
            raise InputError(f"SBML failed libsbml consistency checks: {errors[0]}")
    with atomic_file(args.file) as fh:
        fh.write(text)
    print(f"wrote {args.file}: {len(model.species)} species, {len(model.reactions)} reactions, "
          f"{len(model.parameters)} parameters, {len(model.rules)} rules")
    return 0
