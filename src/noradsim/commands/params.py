"""``noradsim params``: every model parameter with value, unit, species and provenance."""

from __future__ import annotations

NAME = "params"
HELP = "list model parameters (value, unit, species, kind, source) for a region and state"


def add_arguments(p):
    p.add_argument("--region", default="prefrontal_cortex", help="brain region")
    p.add_argument("--state", default="awake", help="behavioural state")
    p.add_argument("--assumed", action="store_true",
                   help="only the assumed parameters, with the reason and the plausible range")
    p.add_argument("--grep", default="", metavar="TEXT", help="only names containing TEXT")
    p.add_argument("--summary", action="store_true",
                   help="one line per set: how many parameters (and drug values) are measured, derived, "
                        "calibrated, assumed; a third line counts the settings (not parameters)")
    p.add_argument("--settings", action="store_true",
                   help="only the settings: protocol choices and numerical settings of the simulation, "
                        "which are not model parameters (with the reason)")


def _summary() -> int:
    from ..provenance import count_kinds, library_values, model_records, setting_records, settings_line, summary_line

    print(summary_line("parameters", count_kinds(p for _, p in model_records())))
    print(summary_line("drug values", count_kinds(v for _, v in library_values())))
    print(settings_line(len(setting_records())))
    return 0


def _settings(grep: str) -> int:
    from ..provenance import setting_records

    rows = [(name, p) for name, p in setting_records() if grep in name]
    print("settings (protocol choices and numerical settings; not model parameters, not counted):")
    for name, p in rows:
        rng = p.provenance.range
        tested = f" [{rng[0]:g} to {rng[1]:g} {p.unit}]" if rng is not None else ""
        print(f"{name:40s} {p.value:<10.6g} {p.unit:6s} {p.provenance.reason}{tested}")
    print(f"{len(rows)} settings")
    return 0


def _line(p) -> str:
    line = f"{p.name:28s} {p.value:<12.6g} {p.unit:10s} {p.species:8s} {p.kind:10s} {p.source}"
    rng = p.provenance.range
    if p.assumed and rng is not None:
        line += f" [plausible {rng[0]:g} to {rng[1]:g} {p.unit}]"
    return line


def main(args) -> int:
    if args.summary:
        return _summary()
    if args.settings:
        return _settings(args.grep)
    from ..model.terminal import build_terminal_model, lc_tables
    from ..protocols.probe import probe_parameters
    from ..protocols.timecourse import medullary_drives, stimulus_drives

    model = build_terminal_model(args.region, state=args.state)
    records = list(model.parameters)
    records += [p for s, p in lc_tables()[1].items()]
    records += list(stimulus_drives().values())
    records += list(medullary_drives().values())
    records += list(probe_parameters().values())
    n = 0
    records = [p for p in records if not p.is_setting]
    for p in records:
        if args.assumed and not p.assumed:
            continue
        if args.grep and args.grep not in p.name:
            continue
        n += 1
        print(_line(p))
    print(f"{n} parameters ({sum(p.assumed for p in records)} of {len(records)} assumed)")
    return 0
