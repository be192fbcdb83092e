"""``noradsim fit``: fit uptake, inhibition, binding, dose-response or any expression to a CSV."""

from __future__ import annotations

import json
import math

NAME = "fit"
HELP = "fit lab data (uptake, inhibition, saturation, competition, dose-response, expression) from a CSV file"

_KINDS = {
    "uptake": "Michaelis-Menten uptake (Km, Vmax), optional substrate inhibition",
    "inhibition": "inhibition curve (IC50, Hill, top, bottom); Ki by Cheng-Prusoff with --substrate and --km",
    "saturation": "radioligand saturation binding (Kd, Bmax; total and nonspecific, or specific)",
    "competition": "competition binding, one site vs two sites (F test, AICc); Ki with --radioligand and --kd",
    "dose-response": "agonist dose-response (EC50, Emax, Hill) or, with --em, the operational model (KA, tau)",
    "expression": "any model: --model 'b1*(1-exp(-b2*x))' --start b1=500,b2=1e-4",
}


def _common(p, *, concentration: bool = True):
    p.add_argument("data", metavar="DATA.csv", help="CSV file with named columns, one replicate per row")
    p.add_argument("--x", default="x", metavar="COL", help="independent variable column (default x)")
    p.add_argument("--y", default=None, metavar="COL",
                   help="response column(s), comma-separated for replicate columns (default y)")
    p.add_argument("--sd", default=None, metavar="COL", help="column of response SDs (weights 1/SD^2)")
    p.add_argument("--out", default=None, metavar="DIR", help="write fit.json, summary.txt, residuals.csv, figures")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    if concentration:
        p.add_argument("--x-unit", default="nM", metavar="UNIT",
                       help="concentration unit of the x column (default nM); results are in nM")


def add_arguments(p):
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


def _load(args, ycols: list[str], extra: list[str] = ()):
    import numpy as np

    from ..errors import InputError
    from ..fitting.data import check_response, read_table
    from ..units import to_unit

    cols = [args.x] + ycols + ([args.sd] if args.sd else []) + list(extra)
    table = read_table(args.data, list(dict.fromkeys(cols)), nonnegative=(args.x,) if hasattr(args, "x_unit") else ())
    x = table[args.x]
    if hasattr(args, "x_unit") and args.x_unit != "nM":
        try:
            x = x * to_unit(1.0, args.x_unit.replace("µ", "u"), "nM")
        except Exception:
            raise InputError(f"--x-unit: {args.x_unit!r} is not a concentration unit like nM or uM") from None
    # replicate columns: stack them, repeating x
    xs = np.concatenate([x] * len(ycols))
    ys = np.concatenate([table[c] for c in ycols])
    sd = np.concatenate([table[args.sd]] * len(ycols)) if args.sd else None
    if sd is not None and np.any(sd <= 0):
        raise InputError(f"data: column {args.sd!r} holds an SD <= 0")
    check_response(ys, ",".join(ycols), 1, args.kind)
    return table, xs, ys, sd


def main(args) -> int:
    import numpy as np

    from ..errors import InputError
    from ..fitting import models
    from ..fitting.data import header

    kind = args.kind
    save = getattr(args, "save_drug", None)
    pk_like = None
    if save:
        from ..drugs import load_library

        if not args.drug_file or args.molar_mass is None:
            raise InputError("--save-drug needs --drug-file FILE and --molar-mass G_PER_MOL")
        if args.substrate is None or args.km is None:
            raise InputError("--save-drug needs --substrate and --km so that Ki follows from IC50 (Cheng-Prusoff)")
        pk_like = load_library().get(args.pk_like) if args.pk_like else None
    ycols = [c.strip() for c in (args.y or "y").split(",") if c.strip()]
    plot = {"log_x": kind in ("inhibition", "competition", "dose-response"), "xlabel": f"{args.x} (nM)",
            "ylabel": ",".join(ycols)}
    transforms = None
    comparison = None
    if kind == "uptake":
        _, x, y, sd = _load(args, ycols)
        fit = models.fit_uptake(x, y, sd=sd, substrate_inhibition=args.substrate_inhibition)
        transforms = (x, y)
    elif kind == "inhibition":
        _, x, y, sd = _load(args, ycols)
        fit = models.fit_inhibition(x, y, sd=sd, substrate=_conc(args.substrate, "--substrate"),
                                    km=_conc(args.km, "--km"))
    elif kind == "saturation":
        names = header(args.data)
        total = args.total or ("total" if args.y is None and "total" in names else None)
        nonspec = args.nonspecific or ("nonspecific" if args.y is None and "nonspecific" in names else None)
        if total or nonspec:
            if not (total and nonspec):
                raise InputError("saturation: give both --total and --nonspecific columns, or --y for specific binding")
            if args.sd:
                raise InputError("saturation: --sd is not supported with total and nonspecific columns")
            table, x, y, sd = _load(args, [total, nonspec])
            n = x.size // 2
            fit = models.fit_saturation(x[:n], total=y[:n], nonspecific=y[n:])
            x, y = x, y
            plot["curves"] = {"total": {"is_total": 1.0}, "nonspecific": {"is_total": 0.0}}
            plot["ylabel"] = f"{total}, {nonspec}"
        else:
            _, x, y, sd = _load(args, ycols)
            fit = models.fit_saturation(x, specific=y, sd=sd)
    elif kind == "competition":
        _, x, y, sd = _load(args, ycols)
        res = models.fit_competition(x, y, sd=sd, radioligand=_conc(args.radioligand, "--radioligand"),
                                     kd=_conc(args.kd, "--kd"))
        fit = res.best
        comparison = res.comparison()
        others = {"one_site": res.one_site.to_dict()}
        if res.two_sites is not None:
            others["two_sites"] = res.two_sites.to_dict()
        from dataclasses import replace

        fit = replace(fit, extra={**fit.extra, "comparison": comparison, "fits": others})
    elif kind == "dose-response":
        _, x, y, sd = _load(args, ycols)
        if args.em is not None:
            fit = models.fit_operational(x, y, system_max=args.em, slope=args.slope, sd=sd)
        else:
            fit = models.fit_dose_response(x, y, sd=sd)
    else:
        start = parse_start(args.start)
        names = header(args.data)
        ycol = ycols[0] if len(ycols) == 1 else None
        if ycol is None:
            raise InputError("--y: the expression fit takes one response column")
        from ..fitting.expression import parse, variables

        used = variables(parse(args.model))
        data_cols = [c for c in names if c in used and c not in start and c != ycol]
        unknown_names = used - set(start) - set(names) - {"pi", "e"}
        if unknown_names:
            from ..errors import unknown

            raise unknown("model: name", sorted(unknown_names)[0], list(start) + names)
        if ycol in used:
            raise InputError(f"model: the response column {ycol!r} cannot appear in the model")
        from ..fitting.data import read_table

        table = read_table(args.data, list(dict.fromkeys(data_cols + [ycol] + ([args.sd] if args.sd else []))))
        from ..fitting.data import check_response

        check_response(table[ycol], ycol, len(start), "expression")
        sd = table[args.sd] if args.sd else None
        fit = models.fit_expression(args.model, {c: table[c] for c in data_cols}, table[ycol], start, sd=sd)
        x = table[data_cols[0]] if data_cols else np.arange(table.n_rows, dtype=float)
        y = table[ycol]
        plot = {"log_x": False, "xlabel": data_cols[0] if data_cols else "row", "ylabel": ycol}
        if len(data_cols) != 1:
            plot = None  # several predictors: no single curve to draw
    out = fit.to_dict()
    out["kind"] = kind
    if save:
        from ..protocols.assays import save_fitted_compound

        ki = fit.derived["Ki"]
        ki_value = float(getattr(ki, "value", ki))
        save_fitted_compound(save, ki_value, args.target, args.drug_file,
                             f"Cheng-Prusoff Ki from noradsim fit inhibition of {args.data}", molar_mass=args.molar_mass,
                             species=args.species, pk_like=pk_like)
        out["saved_drug"] = {"name": save, "file": args.drug_file, "ki_nM": ki_value}
    if args.out:
        from ..fitting.report import plot_fit, plot_uptake_transforms, summary_text
        from ..outputs import atomic_dir

        with atomic_dir(args.out) as tmp:
            (tmp / "fit.json").write_text(json.dumps(out, indent=2) + "\n")
            (tmp / "summary.txt").write_text(summary_text(fit) + "\n")
            with (tmp / "residuals.csv").open("w") as fh:
                fh.write("x,y,fitted,residual\n")
                for row in zip(x, y, fit.fitted, fit.residuals):
                    fh.write(",".join(f"{v:.12g}" for v in row) + "\n")
            if plot is not None:
                if kind == "expression":
                    x_name = plot["xlabel"]
                    import matplotlib

                    matplotlib.use("Agg", force=False)
                    _plot_expression(fit, x, y, x_name, tmp / "fit.png")
                else:
                    plot_fit(fit, x, y, tmp / "fit.png", **plot)
            if transforms is not None:
                plot_uptake_transforms(fit, *transforms, tmp / "uptake_transforms.png")
    if args.json:
        print(json.dumps(out))
    else:
        from ..fitting.report import summary_text

        print(summary_text(fit))
        if comparison:
            print(f"one site vs two sites: F = {comparison['f_statistic']}, p = {comparison['p_value']}, "
                  f"dAICc = {comparison['delta_aicc']}; preferred: {comparison['preferred']}")
        if args.out:
            print(f"wrote {args.out}")
    return 0


def _plot_expression(fit, x, y, x_name, path):
    import matplotlib.pyplot as plt
    import numpy as np

    order = np.argsort(x)
    fig, (ax, axr) = plt.subplots(2, 1, figsize=(6, 6), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    ax.plot(x, y, "o", color="k", ms=3, label="data")
    grid = np.linspace(x.min(), x.max(), 400)
    ax.plot(grid, fit.predict({x_name: grid}), "-", label="fit")
    axr.axhline(0, color="0.6", lw=0.8)
    axr.plot(x[order], fit.residuals[order], "o", color="k", ms=3)
    axr.set_xlabel(x_name)
    ax.set_title(fit.model, fontsize=8)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
