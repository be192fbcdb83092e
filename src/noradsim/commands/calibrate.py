"""``noradsim calibrate``: fit named parameters to a targets file, with identifiability."""

from __future__ import annotations

NAME = "calibrate"
HELP = "fit named model parameters to a targets file (multi-start, profile likelihood, overlay)"


def add_arguments(p):
    p.add_argument("targets", nargs="?", help="targets TOML file (never predictions.toml: refused); "
                   "default: the spec's targets")
    p.add_argument("--spec", metavar="FILE", help="calibration spec (TOML; the shipped one is "
                   "noradsim/data/calibration_spec.toml, or give 'shipped'); options below override it")
    p.add_argument("--parameters", metavar="A,B,C",
                   help="comma-separated parameter names (terminal.toml or lc.toml [parameters], state.S.drive, "
                        "stimulus.X.drive; see noradsim params)")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="write report.html, calibration.json, calibrated.toml (the overlay) and calibration_spec.toml")
    p.add_argument("--starts", type=int, help="multi-start size, a seeded Latin hypercube (default 20)")
    p.add_argument("--seed", type=int, help="seed of the Latin hypercube (default 0)")
    p.add_argument("--max-nfev", type=int, metavar="N",
                   help="residual evaluations per local fit, Jacobians not counted (default 20)")
    p.add_argument("--workers", type=int, metavar="N", help="processes for the starts and profiles (default 1)")
    p.add_argument("--targets-only", metavar="ID,ID", help="use only these target ids (the others are not fitted)")
    p.add_argument("--no-profiles", action="store_true", help="skip the profile likelihood (no identifiability)")
    p.add_argument("--drugs", action="append", default=[], metavar="FILE", help="user drug file(s)")


def build_spec(args):
    """The run's :class:`~noradsim.calibration.spec.Spec`: the spec file, then the options."""
    from ..calibration.spec import SHIPPED_SPEC, Spec, read_spec, resolve_targets
    from ..errors import InputError
    from ..parameters import data_path

    if args.spec:
        spec = read_spec(data_path(SHIPPED_SPEC) if args.spec == "shipped" else args.spec)
    else:
        spec = Spec()
    for opt, attr in (("starts", "starts"), ("seed", "seed"), ("max_nfev", "max_nfev"), ("workers", "workers")):
        v = getattr(args, opt)
        if v is not None:
            setattr(spec, attr, v)
    if args.parameters:  # a command-line run is one stage
        spec.parameters = [n.strip() for n in args.parameters.split(",")]
        spec.search_ranges = {k: v for k, v in spec.search_ranges.items() if k in spec.parameters}
        spec.stages = []
    if args.targets_only:
        spec.targets_only = [t.strip() for t in args.targets_only.split(",")]
        spec.stages = []
    if args.no_profiles:
        spec.profiles = False
    spec.drugs = spec.drugs + list(args.drugs)
    if args.targets:
        spec.targets = args.targets
    if not spec.targets:
        raise InputError("targets: give a targets file or --spec FILE")
    if not spec.parameters:
        raise InputError("--parameters: give a comma-separated list of parameter names (or --spec FILE)")
    if spec.starts < 1 or spec.max_nfev < 1 or spec.workers < 1:
        raise InputError("--starts, --max-nfev and --workers must be at least 1")
    path = resolve_targets(spec.targets, spec.path) if not args.targets else args.targets
    return spec, path


def command_line(args, spec) -> str:
    """The command that reproduces this calibration (paths as given)."""
    if args.spec and not any((args.targets, args.parameters, args.starts, args.seed, args.max_nfev,
                              args.targets_only, args.no_profiles, args.drugs)):
        return f"noradsim calibrate --spec {args.spec} --out DIR"
    parts = ["noradsim calibrate", str(spec.targets), "--parameters " + ",".join(spec.parameters),
             f"--starts {spec.starts}", f"--seed {spec.seed}", f"--max-nfev {spec.max_nfev}"]
    if spec.targets_only:
        parts.append("--targets-only " + ",".join(spec.targets_only))
    if not spec.profiles:
        parts.append("--no-profiles")
    return " ".join(parts + ["--out DIR"])


def _print_result(data: dict, out) -> None:
    t = data["timings"]
    print(f"objective 0.5*SSR = {data['fit']:g} ({data['evaluations']} parameter sets simulated in this process; "
          f"{t['per_evaluation_s']:.2f} s per objective evaluation; starts {t['starts_s']:.0f} s, "
          f"profiles {t.get('profiles_s', 0):.0f} s, total {t['total_s']:.0f} s)")
    for p in data["parameters"]:
        ci = p.get("interval90")
        extra = "" if ci is None else f"  90 % [{ci[0]:.4g}, {ci[1]:.4g}]  {p['identifiability']}: {p['detail']}"
        print(f"{p['name']:28s} {p['value']:<10.4g} {p['unit']:6s}{extra}")
    for t in data["targets"]:
        pred = "-" if t["predicted"] is None else f"{t['predicted']:.4g}"
        print(f"{t['id']:40s} predicted {pred} {t['unit']}  published {t['expected']:g} "
              f"[{t['range'][0]:g}, {t['range'][1]:g}]  residual {t['residual']:+.2f}")
    print(f"wrote {out}/report.html, calibration.json, calibrated.toml, calibration_spec.toml")


def _run_stage(spec, stage, path, library, fixed: dict, label: str):
    """Fit one stage (its parameters to its targets, ``fixed`` held): the stage's summary data."""
    import time

    from ..calibration.fit import calibrate
    from ..calibration.report import summary
    from ..validation.calibration import calibration_setup, time_evaluation

    clock = time.perf_counter()
    setup = calibration_setup(path, stage.parameters, library, only=stage.targets_only or None,
                              ranges=stage.search_ranges, fixed=fixed)
    for tid, why in setup.excluded:
        print(f"{label}left out {tid}: {why}")
    for f in setup.residuals.free:
        print(f"{label}{f.name}: search [{f.low:.4g}, {f.high:.4g}] {f.unit} ({'log' if f.log else 'linear'}), "
              f"from {f.range_source}")
    if fixed:
        print(f"{label}held at the other stages' values: " + ", ".join(f"{k} = {v:.4g}" for k, v in fixed.items()))
    per_eval = time_evaluation(setup.residuals)
    print(f"{label}fitting {len(stage.parameters)} parameters to {len(setup.targets)} targets, {spec.starts} starts, "
          f"{spec.workers} worker(s); {per_eval:.2f} s per objective evaluation ...", flush=True)
    result = calibrate(setup.residuals, starts=spec.starts, seed=spec.seed, max_nfev=spec.max_nfev,
                       profile=spec.profiles, workers=spec.workers, profile_nfev=spec.profile_nfev or None,
                       progress=lambda m: print(label + m, flush=True))
    timings = {"per_evaluation_s": round(per_eval, 3), **{k: round(v, 1) for k, v in result.timings.items()},
               "total_s": round(time.perf_counter() - clock, 1), "workers": spec.workers}
    return summary(result, setup.residuals, excluded=setup.excluded, before=setup.before,
                   meta={"timings": timings, "fixed": dict(fixed)})


# Relative change of every value over a pass at which the stages have converged: the overlay
# keeps 6 significant digits and the narrowest 90 % profile interval shipped so far spans a
# factor of 2 or more, so 1e-3 is far inside the values' own uncertainty.
SWEEP_TOLERANCE = 1e-3


def _largest_change(before: dict[str, float], after: dict[str, float]) -> float:
    """Largest relative change from ``before`` to ``after`` (absolute where a value was 0; inf if new)."""
    def change(n: str) -> float:
        if n not in before:
            return float("inf")
        return abs(after[n] - before[n]) / abs(before[n]) if before[n] else abs(after[n])
    return max(change(n) for n in after)


def _sweep_stages(spec, path, library) -> tuple[list[dict], dict]:
    """Run the stages in order, ``spec.sweeps`` passes at most: each stage holds the others' latest values.

    Returns the last pass's stage summaries and ``{"sweeps": n, "converged": bool}`` (one
    stage: one pass, nothing to converge).
    """
    stages = spec.all_stages()
    current: dict[str, float] = {}
    for sweep in range(1, spec.sweeps + 1):
        before = dict(current)
        results = []
        for k, stage in enumerate(stages, start=1):
            label = "" if len(stages) == 1 else (f"stage {k}: " if spec.sweeps == 1 else f"pass {sweep}, stage {k}: ")
            fixed = {n: v for n, v in current.items() if n not in stage.parameters}
            results.append(_run_stage(spec, stage, path, library, fixed, label))
            current |= {p["name"]: p["value"] for p in results[-1]["parameters"]}
        if len(stages) == 1:
            return results, {}
        change = _largest_change(before, current)
        if sweep > 1:
            print(f"pass {sweep}: largest relative change of a value over the pass {change:.2g}", flush=True)
        if change <= SWEEP_TOLERANCE:
            return results, {"sweeps": sweep, "converged": True}
    if spec.sweeps > 1:
        print(f"not converged after {spec.sweeps} passes (tolerance {SWEEP_TOLERANCE:g})", flush=True)
    return results, {"sweeps": spec.sweeps, "converged": False}


def main(args) -> int:
    from pathlib import Path

    from ..calibration.overlay import use_shipped_overlay
    from ..calibration.report import merge_stages, write_outputs
    from ..drugs import load_library
    from ..outputs import atomic_dir, check_out_dir

    use_shipped_overlay(False)  # start from the data files, whatever overlay is shipped
    spec, path = build_spec(args)
    check_out_dir(args.out)
    library = load_library(spec.drugs)
    results, sweeps = _sweep_stages(spec, path, library)
    data = merge_stages(results, {"command": command_line(args, spec), "targets_file": Path(path).name,
                                  "spec": spec.to_toml(), "spec_sha256": spec.sha256()} | sweeps)
    with atomic_dir(args.out) as tmp:
        write_outputs(tmp, data)
        (Path(tmp) / "calibration_spec.toml").write_text(spec.to_toml())
    _print_result(data, args.out)
    return 0
