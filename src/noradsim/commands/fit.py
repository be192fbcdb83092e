"""``noradsim fit``: fit uptake, inhibition, binding, dose-response or any expression to a CSV."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

NAME = "fit"
HELP = ("fit lab data (uptake, inhibition, saturation, competition, dose-response, schild, operational, "
        "expression) from a CSV file")

_KINDS = {
    "uptake": "Michaelis-Menten uptake (Km, Vmax), optional substrate inhibition",
    "inhibition": "inhibition curve (IC50, Hill, top, bottom); Ki by Cheng-Prusoff with --substrate and --km",
    "saturation": "radioligand saturation binding (Kd, Bmax; total and nonspecific, or specific)",
    "competition": "competition binding, one site vs two sites (F test, AICc); Ki with --radioligand and --kd",
    "dose-response": "agonist dose-response (EC50, Emax, Hill) or, with --em, the operational model (KA, tau)",
    "schild": "Schild analysis: agonist curves at several antagonist concentrations fitted globally "
              "(pA2/pKB, Schild slope); --group names the antagonist concentration column",
    "operational": "operational model fitted globally to a Furchgott receptor-inactivation series "
                   "(shared KA, Em, n; one tau per curve); --group names the curve column",
    "expression": "any model: --model 'b1*(1-exp(-b2*x))' --start b1=500,b2=1e-4",
}


def _common(p, *, concentration: bool = True):
    p.add_argument("data", metavar="DATA.csv", help="CSV file with named columns, one replicate per row")
    p.add_argument("--x", default="x", metavar="COL", help="independent variable column (default x)")
    p.add_argument("--y", default=None, metavar="COL",
                   help="response column(s), comma-separated for replicate columns (default y)")
    p.add_argument("--sd", default=None, metavar="COL",
                   help="column of response SDs (weights 1/SD^2); comma-separated, one per --y column")
    p.add_argument("--replicates", choices=("all", "mean", "mean-unweighted"), default="all",
                   help="fit every replicate (default), the mean at each concentration weighted by 1/SEM^2 "
                        "from the replicates (mean), or the unweighted means (mean-unweighted)")
    p.add_argument("--out", default=None, metavar="DIR", help="write fit.json, summary.txt, residuals.csv, figures, report.html")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    if concentration:
        p.add_argument("--x-unit", default="nM", metavar="UNIT",
                       help="concentration unit of the x column (default nM); results are in nM")


def add_arguments(p):
    """One subparser per fit kind, with the shared data options and the kind's own."""
    sub = p.add_subparsers(dest="kind", metavar="KIND")
    sub.required = True
    for kind, text in _KINDS.items():
        s = sub.add_parser(kind, help=text, description=text)
        _common(s, concentration=kind != "expression")
        if kind == "uptake":
            s.add_argument("--substrate-inhibition", action="store_true", help="add substrate inhibition (Ksi)")
        elif kind == "inhibition":
            s.add_argument("--substrate", metavar="CONC", help="substrate concentration, e.g. 20nM")
            s.add_argument("--km", metavar="CONC", help="Km of the substrate, e.g. 420nM")
            s.add_argument("--save-drug", metavar="NAME", help="save the fitted Ki as a new compound in --drug-file")
            s.add_argument("--drug-file", metavar="FILE", help="user drug file to create or extend (noradsim-drugs/1)")
            s.add_argument("--target", default="NET", help="target of the Ki (default NET)")
            s.add_argument("--molar-mass", type=float, metavar="G_PER_MOL", help="molar mass of the compound")
            s.add_argument("--species", default="human", help="species of the assay (default human)")
            s.add_argument("--pk-like", metavar="DRUG", help="borrow the rat PK of a library drug (assumed)")
        elif kind == "saturation":
            s.add_argument("--total", metavar="COL", help="total binding column (default 'total' if present)")
            s.add_argument("--nonspecific", metavar="COL",
                           help="nonspecific binding column (default 'nonspecific' if present)")
        elif kind == "competition":
            s.add_argument("--radioligand", metavar="CONC", help="radioligand concentration, e.g. 1nM")
            s.add_argument("--kd", metavar="CONC", help="Kd of the radioligand, e.g. 0.5nM")
        elif kind == "dose-response":
            s.add_argument("--em", type=float, default=None, metavar="VALUE",
                           help="system maximum Em (response units): fit the operational model (KA, tau)")
            s.add_argument("--slope", type=float, default=1.0, help="operational transducer slope n (default 1)")
        elif kind == "schild":
            s.add_argument("--group", metavar="COL", help="antagonist concentration of each row's curve (0 = control)")
            s.add_argument("--group-unit", default="nM", metavar="UNIT",
                           help="concentration unit of the --group column (default nM)")
            s.add_argument("--schild-slope", type=float, default=None, metavar="S",
                           help="hold the Schild slope at S (1 gives pKB); default: fitted")
        elif kind == "operational":
            s.add_argument("--group", metavar="COL", help="curve label of each row (e.g. control, pbz_10nM)")
            s.add_argument("--slope", type=float, default=None, metavar="N",
                           help="hold the transducer slope n (default: fitted)")
        elif kind == "expression":
            s.add_argument("--model", required=True, metavar="EXPR", help="model expression in columns and parameters")
            s.add_argument("--start", required=True, metavar="NAME=VALUE,...", help="start values, e.g. b1=500,b2=1e-4")


def parse_start(text: str) -> dict[str, float]:
    """``"b1=500,b2=1e-4"`` to ``{"b1": 500.0, "b2": 0.0001}``."""
    from ..errors import InputError

    out: dict[str, float] = {}
    for item in filter(None, (s.strip() for s in str(text).split(","))):
        if "=" not in item:
            raise InputError(f"--start: {item!r} is not NAME=VALUE")
        name, value = (s.strip() for s in item.split("=", 1))
        if not name.isidentifier():
            raise InputError(f"--start: {name!r} is not a valid parameter name")
        try:
            v = float(value)
        except ValueError:
            raise InputError(f"--start: value of {name} {value!r} is not a number") from None
        if not math.isfinite(v):
            raise InputError(f"--start: value of {name} must be finite")
        if name in out:
            raise InputError(f"--start: {name} given twice")
        out[name] = v
    if not out:
        raise InputError("--start: give at least one NAME=VALUE")
    return out


def _conc(text, field):
    from ..units import parse_quantity

    return None if text is None else parse_quantity(text, "concentration", field)


def _conc_factor(unit: str, option: str) -> float:
    from ..errors import InputError
    from ..units import to_unit

    if unit == "nM":
        return 1.0
    try:
        return float(to_unit(1.0, unit.replace("µ", "u"), "nM"))
    except (ValueError, TypeError, AttributeError, KeyError):
        raise InputError(f"{option}: {unit!r} is not a concentration unit like nM or uM") from None


MAX_CONCENTRATION_NM = 1e9  # 1 M: no drug or substrate is soluble beyond this


def _note(notes) -> None:
    """Notes about the data (rows left out, with their line numbers) go to stderr, once each."""
    import sys

    for n in notes:
        print(f"noradsim: note: {n}", file=sys.stderr)


def _check_response(y, column, n_params, kind, notes) -> None:
    """Too few points or a constant response, said once, with the rows that were left out."""
    from ..errors import InputError
    from ..fitting.data import check_response

    try:
        check_response(y, column, n_params, kind)
    except InputError as exc:
        raise InputError(f"{exc}" + "".join(f" ({n})" for n in notes)) from None


def _split(text):
    return [c.strip() for c in str(text).split(",") if c.strip()]


def _load(args, ycols: list[str], extra: list[str] = (), *, group: str | None = None, group_text: bool = False,
          n_params: int = 1, separate_columns: bool = False):
    """Read x, the stacked response columns, SDs and group labels; pool replicates if asked.

    Returns ``table, x, y, sd, groups, column`` where ``column`` is the index of the
    response column each row came from (replicate columns are stacked). With
    ``separate_columns`` the response columns are different quantities (total and
    nonspecific binding), not replicates, and are never pooled together.
    """
    import numpy as np

    from ..errors import InputError
    from ..fitting.data import read_table, replicate_means

    sdcols = _split(args.sd) if args.sd else []
    if sdcols and len(sdcols) not in (1, len(ycols)):
        raise InputError(f"--sd: {len(sdcols)} SD columns for {len(ycols)} response columns; give one, or one "
                         f"per response column ({', '.join(ycols)})")
    if sdcols and args.replicates != "all":
        raise InputError("--sd and --replicates mean are exclusive: the SDs come either from a column or from "
                         "the replicates")
    groups_cols = [group] if group else []
    cols = [args.x] + ycols + sdcols + groups_cols + list(extra)
    nonneg = ((args.x,) if hasattr(args, "x_unit") else ()) + (() if group_text or not group else (group,))
    table = read_table(args.data, list(dict.fromkeys(cols)), nonnegative=nonneg,
                       text=(group,) if group and group_text else ())
    x = table[args.x]
    if hasattr(args, "x_unit"):
        x = x * _conc_factor(args.x_unit, "--x-unit")
        if x.size and x.max() > MAX_CONCENTRATION_NM:
            raise InputError(f"data: column {args.x!r}: concentration {x.max():.3g} nM is above 1 M, beyond any "
                             "solution; check the column and --x-unit")
    args._notes = table.notes
    # replicate columns: stack them, repeating x
    xs = np.concatenate([x] * len(ycols))
    ys = np.concatenate([table[c] for c in ycols])
    column = np.repeat(np.arange(len(ycols)), x.size)
    sd = None
    if sdcols:
        sd = np.concatenate([table[sdcols[0 if len(sdcols) == 1 else i]] for i in range(len(ycols))])
        bad = [c for c in sdcols if np.any(~(table[c] > 0))]
        if bad:
            raise InputError(f"data: column {bad[0]!r} holds an SD <= 0")
    groups = None
    if group:
        g = table[group]
        if not group_text:
            g = g * _conc_factor(args.group_unit, "--group-unit")
        groups = np.concatenate([g] * len(ycols))
    if args.replicates != "all":
        # pool replicates within (response column, curve, x): total and nonspecific stay apart
        which = column if separate_columns else np.zeros_like(column)
        pairs = list(zip(which.tolist(), [None] * column.size if groups is None else list(groups)))
        code = {}
        key = np.array([code.setdefault(pr, len(code)) for pr in pairs])
        xs, ys, sd, key_m = replicate_means(xs, ys, key, weighted=args.replicates == "mean")
        back = {v: k for k, v in code.items()}
        column = np.array([back[k][0] for k in key_m])
        if groups is not None:
            groups = np.array([back[k][1] for k in key_m], dtype=groups.dtype)
    _check_response(ys, ",".join(ycols), n_params, args.kind, table.notes)
    return table, xs, ys, sd, groups, column


@dataclass
class _Fitted:
    """What one kind of fit hands to the output writers (x, y as plotted; plot options or None)."""

    fit: object
    x: object
    y: object
    plot: dict | None
    groups: object = None
    transforms: tuple | None = None
    comparison: dict | None = None
    schild_plot: bool = False


def _check_save_drug(args):
    """Check the ``--save-drug`` options before any fitting; returns the ``--pk-like`` drug or None."""
    from ..errors import InputError

    if not getattr(args, "save_drug", None):
        return None
    from ..drugs import load_library

    if not args.drug_file or args.molar_mass is None:
        raise InputError("--save-drug needs --drug-file FILE and --molar-mass G_PER_MOL")
    if args.substrate is None or args.km is None:
        raise InputError("--save-drug needs --substrate and --km so that Ki follows from IC50 (Cheng-Prusoff)")
    return load_library().get(args.pk_like) if args.pk_like else None


def _fit_uptake(args, ycols, plot) -> _Fitted:
    from ..fitting import models

    _, x, y, sd, _, _ = _load(args, ycols, n_params=3 if args.substrate_inhibition else 2)
    fit = models.fit_uptake(x, y, sd=sd, substrate_inhibition=args.substrate_inhibition)
    return _Fitted(fit, x, y, plot, transforms=(x, y))


def _fit_inhibition(args, ycols, plot) -> _Fitted:
    from ..fitting import models

    substrate, km = _conc(args.substrate, "--substrate"), _conc(args.km, "--km")  # options before data
    _, x, y, sd, _, _ = _load(args, ycols, n_params=4)
    fit = models.fit_inhibition(x, y, sd=sd, substrate=substrate, km=km)
    return _Fitted(fit, x, y, plot)


def _fit_saturation(args, ycols, plot) -> _Fitted:
    """Specific binding (``--y``), or total and nonspecific columns fitted together."""
    import numpy as np

    from ..errors import InputError
    from ..fitting import models
    from ..fitting.data import header

    names = header(args.data)
    total = args.total or ("total" if args.y is None and "total" in names else None)
    nonspec = args.nonspecific or ("nonspecific" if args.y is None and "nonspecific" in names else None)
    if not (total or nonspec):
        _, x, y, sd, _, _ = _load(args, ycols)
        return _Fitted(models.fit_saturation(x, specific=y, sd=sd), x, y, plot)
    if not (total and nonspec):
        raise InputError("saturation: give both --total and --nonspecific columns, or --y for specific binding")
    _, x, y, sd, _, column = _load(args, [total, nonspec], separate_columns=True, n_params=3)
    is_total = column == 0
    if not np.array_equal(x[is_total], x[~is_total]):
        raise InputError(f"saturation: columns {total!r} and {nonspec!r} must be measured at the same "
                         "concentrations")
    fit = models.fit_saturation(x[is_total], total=y[is_total], nonspecific=y[~is_total],
                                sd=None if sd is None else (sd[is_total], sd[~is_total]))
    plot["curves"] = {"total": {"is_total": 1.0}, "nonspecific": {"is_total": 0.0}}
    plot["ylabel"] = f"{total}, {nonspec}"
    return _Fitted(fit, x, y, plot)


def _fit_competition(args, ycols, plot) -> _Fitted:
    """One site against two sites; the preferred fit carries the comparison and both fits."""
    from dataclasses import replace

    from ..fitting import models

    radioligand, kd = _conc(args.radioligand, "--radioligand"), _conc(args.kd, "--kd")  # options before data
    _, x, y, sd, _, _ = _load(args, ycols, n_params=3)
    res = models.fit_competition(x, y, sd=sd, radioligand=radioligand, kd=kd)
    best = res.best
    comparison = res.comparison()
    others = {"one_site": res.one_site.to_dict()}
    if res.two_sites is not None:
        others["two_sites"] = res.two_sites.to_dict()
    fit = replace(best, extra={**best.extra, "comparison": comparison, "fits": others})
    return _Fitted(fit, x, y, plot, comparison=comparison)


def _fit_dose_response(args, ycols, plot) -> _Fitted:
    from ..fitting import models

    _, x, y, sd, _, _ = _load(args, ycols, n_params=4 if args.em is None else 2)
    if args.em is not None:
        fit = models.fit_operational(x, y, system_max=args.em, slope=args.slope, sd=sd)
    else:
        fit = models.fit_dose_response(x, y, sd=sd)
    return _Fitted(fit, x, y, plot)


def _fit_family(args, ycols, plot) -> _Fitted:
    """``schild`` and ``operational``: a global fit of curves told apart by ``--group``."""
    from ..errors import InputError
    from ..fitting import globalfit

    kind = args.kind
    if not args.group:
        raise InputError(f"--group: name the column that says which curve each row belongs to "
                         f"({'antagonist concentration' if kind == 'schild' else 'curve label'})")
    _, x, y, sd, groups, _ = _load(args, ycols, group=args.group, group_text=kind == "operational", n_params=4)
    if kind == "schild":
        fit = globalfit.fit_schild(x, y, groups, sd=sd, slope=args.schild_slope, group_column=args.group)
        levels = list(dict.fromkeys(groups.tolist()))
        plot["curves"] = {f"{args.group} = {lev:g}": {"B": lev} for lev in levels}
        return _Fitted(fit, x, y, plot, groups=groups, schild_plot=True)
    fit = globalfit.fit_operational_global(x, y, groups, sd=sd, slope=args.slope, group_column=args.group)
    labels = list(dict.fromkeys(groups.tolist()))
    plot["curves"] = {f"{args.group} = {lab}": {f"in_grp_{j}": float(j == k) for j in range(len(labels))}
                      for k, lab in enumerate(labels)}
    return _Fitted(fit, x, y, plot, groups=groups)


def _fit_expression(args, ycols, plot) -> _Fitted:
    """Any model typed on the command line; data columns are the model's names that are not parameters."""
    import numpy as np

    from ..errors import InputError, unknown
    from ..fitting import models
    from ..fitting.data import header, read_table
    from ..fitting.expression import parse, variables

    start = parse_start(args.start)
    names = header(args.data)
    ycol = ycols[0] if len(ycols) == 1 else None
    if ycol is None:
        raise InputError("--y: the expression fit takes one response column")
    used = variables(parse(args.model))
    data_cols = [c for c in names if c in used and c not in start and c != ycol]
    unknown_names = used - set(start) - set(names) - {"pi", "e"}
    if unknown_names:
        raise unknown("model: name", min(unknown_names), list(start) + names)
    if ycol in used:
        raise InputError(f"model: the response column {ycol!r} cannot appear in the model")
    if args.replicates != "all":
        raise InputError("--replicates: the expression fit takes every row as it is; use --replicates all")
    table = read_table(args.data, list(dict.fromkeys(data_cols + [ycol] + ([args.sd] if args.sd else []))))
    args._notes = table.notes
    _check_response(table[ycol], ycol, len(start), "expression", table.notes)
    sd = table[args.sd] if args.sd else None
    fit = models.fit_expression(args.model, {c: table[c] for c in data_cols}, table[ycol], start, sd=sd)
    x = table[data_cols[0]] if data_cols else np.arange(table.n_rows, dtype=float)
    plot = {"log_x": False, "xlabel": data_cols[0] if data_cols else "row", "ylabel": ycol}
    # several predictors: no single curve to draw
    return _Fitted(fit, x, table[ycol], plot if len(data_cols) == 1 else None)


_FITTERS = {"uptake": _fit_uptake, "inhibition": _fit_inhibition, "saturation": _fit_saturation,
            "competition": _fit_competition, "dose-response": _fit_dose_response, "schild": _fit_family,
            "operational": _fit_family, "expression": _fit_expression}


def _summary(args, res: _Fitted, pk_like) -> dict:
    """The JSON summary; with ``--save-drug`` the fitted Ki is also written to the drug file."""
    out = res.fit.to_dict()
    out["kind"] = args.kind
    if getattr(args, "_notes", ()):
        out["notes"] = list(args._notes)
    if args.replicates != "all":
        out["replicates"] = args.replicates
    save = getattr(args, "save_drug", None)
    if save:
        from ..protocols.assays import save_fitted_compound

        ki = res.fit.derived["Ki"]
        ki_value = float(getattr(ki, "value", ki))
        save_fitted_compound(save, ki_value, args.target, args.drug_file,
                             f"Cheng-Prusoff Ki from noradsim fit inhibition of {args.data}", molar_mass=args.molar_mass,
                             species=args.species, pk_like=pk_like)
        out["saved_drug"] = {"name": save, "file": args.drug_file, "ki_nM": ki_value}
    return out


def _write_residuals(path, res: _Fitted, group_column: str | None) -> None:
    fit = res.fit
    with path.open("w") as fh:
        if res.groups is None:
            fh.write("x,y,fitted,residual\n")
            for row in zip(res.x, res.y, fit.fitted, fit.residuals):
                fh.write(",".join(f"{v:.12g}" for v in row) + "\n")
        else:
            fh.write(f"{group_column},x,y,fitted,residual\n")
            for g, *row in zip(res.groups, res.x, res.y, fit.fitted, fit.residuals):
                label = f"{g:.12g}" if isinstance(g, float) else str(g)
                fh.write(label + "," + ",".join(f"{v:.12g}" for v in row) + "\n")


def _write_outputs(args, res: _Fitted, out: dict) -> None:
    """fit.json, summary.txt, residuals.csv and the figures, all or nothing (``--out``)."""
    from ..fitting.report import summary_with_units
    from ..fitting.html_report import fit_report_html
    from ..fitting.report import plot_expression, plot_fit, plot_schild, plot_uptake_transforms
    from ..outputs import atomic_dir

    with atomic_dir(args.out) as tmp:
        (tmp / "fit.json").write_text(json.dumps(out, indent=2) + "\n")
        (tmp / "summary.txt").write_text(summary_with_units(res.fit, args.kind, ",".join(_ycols(args))) + "\n")
        _write_residuals(tmp / "residuals.csv", res, getattr(args, "group", None))
        if res.schild_plot:
            plot_schild(res.fit, tmp / "schild.png")
        if res.plot is not None:
            if args.kind == "expression":
                plot_expression(res.fit, res.x, res.y, res.plot["xlabel"], tmp / "fit.png")
            else:
                plot_fit(res.fit, res.x, res.y, tmp / "fit.png", **res.plot)
        if res.transforms is not None:
            plot_uptake_transforms(res.fit, *res.transforms, tmp / "uptake_transforms.png")
        figures = [f for f in ("fit.png", "uptake_transforms.png", "schild.png") if (tmp / f).is_file()]
        (tmp / "report.html").write_text(fit_report_html(res.fit, args.kind, ",".join(_ycols(args)), figures,
                                                         str(getattr(args, "data", "") or "")))


def _print_text(args, res: _Fitted) -> None:
    from ..fitting.report import format_statistic as _g
    from ..fitting.report import summary_with_units

    fit, comparison = res.fit, res.comparison
    print(summary_with_units(fit, args.kind, ",".join(_ycols(args))))
    if "slope_test" in fit.extra:
        t = fit.extra["slope_test"]
        print(f"Schild slope free vs held at 1: F = {_g(t['f_statistic'])}, p = {_g(t['p_value'])}; "
              f"pKB with the slope held at 1 = {t['pKB_slope_1']:.4g}")
    if comparison:
        print(f"one site vs two sites: F = {_g(comparison['f_statistic'])}, p = {_g(comparison['p_value'])}, "
              f"dAICc = {_g(comparison['delta_aicc'])}; preferred: {comparison['preferred']}")
    if args.out:
        print(f"wrote {args.out}")


def main(args) -> int:
    """Run ``noradsim fit KIND``: fit, print the table (or JSON) and write ``--out``."""
    from ..outputs import check_out_dir, check_out_file

    if args.out:
        check_out_dir(args.out)  # before the data are read or fitted
    if getattr(args, "save_drug", None) and args.drug_file:
        check_out_file(args.drug_file, "--drug-file")
    pk_like = _check_save_drug(args)
    ycols = _ycols(args)
    plot = {"log_x": args.kind in ("inhibition", "competition", "dose-response", "schild", "operational"),
            "xlabel": f"{args.x} (nM)",
            "ylabel": ",".join(ycols)}
    res = _FITTERS[args.kind](args, ycols, plot)
    _note(getattr(args, "_notes", ()))
    out = _summary(args, res, pk_like)
    if args.out:
        _write_outputs(args, res, out)
    if args.json:
        print(json.dumps(out))
    else:
        _print_text(args, res)
    return 0


def _ycols(args) -> list[str]:
    return [c.strip() for c in (args.y or "y").split(",") if c.strip()]
