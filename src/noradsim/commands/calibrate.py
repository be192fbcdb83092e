"""``noradsim calibrate``: fit named parameters to a targets file, with identifiability."""

from __future__ import annotations

NAME = "calibrate"
HELP = "fit named model parameters to a targets file (multi-start, profile likelihood, overlay)"


def add_arguments(p):
    p.add_argument("targets", help="targets TOML file (never predictions.toml: refused)")
    p.add_argument("--parameters", required=True, metavar="A,B,C",
                   help="comma-separated parameter names (terminal.toml or lc.toml; see noradsim params)")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="write report.html, calibration.json and calibrated.toml (the overlay)")
    p.add_argument("--starts", type=int, default=20, help="multi-start size, a seeded Latin hypercube (default 20)")
    p.add_argument("--seed", type=int, default=0, help="seed of the Latin hypercube (default 0)")
    p.add_argument("--max-nfev", type=int, default=20, metavar="N",
                   help="residual evaluations per local fit, Jacobians not counted (default 20)")
    p.add_argument("--targets-only", default="", metavar="ID,ID",
                   help="use only these target ids (the others are not fitted)")
    p.add_argument("--no-profiles", action="store_true", help="skip the profile likelihood (no identifiability)")
    p.add_argument("--drugs", action="append", default=[], metavar="FILE", help="user drug file(s)")


def command_line(args) -> str:
    """The command that reproduces this calibration (paths as given)."""
    parts = ["noradsim calibrate", args.targets, f"--parameters {args.parameters}", f"--starts {args.starts}",
             f"--seed {args.seed}", f"--max-nfev {args.max_nfev}"]
    if args.targets_only:
        parts.append(f"--targets-only {args.targets_only}")
    if args.no_profiles:
        parts.append("--no-profiles")
    return " ".join(parts + ["--out DIR"])


def main(args) -> int:
    from pathlib import Path

    from ..calibration.fit import calibrate
    from ..calibration.report import summary, write_outputs
    from ..drugs import load_library
    from ..errors import InputError
    from ..outputs import atomic_dir
    from ..validation.calibration import calibration_setup

    if args.starts < 1 or args.max_nfev < 1:
        raise InputError("--starts and --max-nfev must be at least 1")
    names = [n.strip() for n in args.parameters.split(",")]
    only = [t.strip() for t in args.targets_only.split(",")] if args.targets_only else None
    setup = calibration_setup(args.targets, names, load_library(args.drugs), only=only)
    for tid, why in setup.excluded:
        print(f"left out {tid}: {why}")
    for f in setup.residuals.free:
        print(f"{f.name}: search [{f.low:.4g}, {f.high:.4g}] {f.unit}, from {f.range_source}")
    print(f"fitting {len(names)} parameters to {len(setup.targets)} targets, {args.starts} starts ...", flush=True)
    result = calibrate(setup.residuals, starts=args.starts, seed=args.seed, max_nfev=args.max_nfev,
                       profile=not args.no_profiles)
    data = summary(result, setup.residuals, excluded=setup.excluded, before=setup.before,
                   meta={"command": command_line(args), "targets_file": Path(args.targets).name})
    with atomic_dir(args.out) as tmp:
        write_outputs(tmp, data)
    print(f"objective 0.5*SSR = {data['fit']:g} ({data['evaluations']} parameter sets simulated)")
    for p in data["parameters"]:
        ci = p.get("interval90")
        extra = "" if ci is None else f"  90 % [{ci[0]:.4g}, {ci[1]:.4g}]  {p['identifiability']}: {p['detail']}"
        print(f"{p['name']:28s} {p['value']:<10.4g} {p['unit']:6s}{extra}")
    for t in data["targets"]:
        pred = "-" if t["predicted"] is None else f"{t['predicted']:.4g}"
        print(f"{t['id']:40s} predicted {pred} {t['unit']}  published {t['expected']:g} "
              f"[{t['range'][0]:g}, {t['range'][1]:g}]  residual {t['residual']:+.2f}")
    print(f"wrote {args.out}/report.html, calibration.json, calibrated.toml")
    return 0
