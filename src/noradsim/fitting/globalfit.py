"""Global (shared-parameter) fits of curve families: Schild analysis and the Furchgott
receptor-inactivation series fitted with the operational model.

A family of curves is one data set with a group column (antagonist concentration, or a
label per curve). :func:`fit_global` fits one expression to all curves at once; some
parameters are shared by every curve and the others (``per_group``) get one value per
curve. This is GraphPad Prism's "global fit with shared parameters": the per-group
parameters are written into the expression as ``(p_a*in_a + p_b*in_b + ...)`` with
indicator columns, so the solver (:func:`~noradsim.fitting.solver.least_squares_fit`) and
its exact symbolic Jacobian, standard errors and confidence intervals are used unchanged.

=============  ============================================================================
model          expression
=============  ============================================================================
Schild         :math:`E = b + (E_{max} - b) A^h / ((EC_{50}(1 + ([B]/K_B)^s))^h + A^h)`;
               :math:`pA_2 = -\\log_{10} K_B` (M), Schild slope :math:`s`
               (Arunlakshana & Schild 1959; Lew & Angus 1995 fit it globally)
operational    :math:`E = E_m \\tau_g^n A^n / ((K_A + A)^n + \\tau_g^n A^n)` with :math:`K_A`,
(Furchgott)    :math:`E_m`, :math:`n` shared and one :math:`\\tau_g` per curve
               (Black & Leff 1983; Furchgott 1966)
=============  ============================================================================
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

import numpy as np

from ..errors import InputError
from .solver import FitResult, derived_estimate, least_squares_fit
from .expression import Expression

SCHILD = "bottom + (Emax - bottom)*x**hill/((EC50*(1 + (B/KB)**s))**hill + x**hill)"
SHIFTED_CURVES = "bottom + (Emax - bottom)*x**hill/(EC50**hill + x**hill)"
OPERATIONAL = "Em*tau**n*x**n/((KA + x)**n + tau**n*x**n)"
#: Concentrations are in nM inside noradsim; pA2 and pKB are -log10 of a molar value.
_LOG10_NM_PER_M = 9.0


def _label_names(labels) -> list[str]:
    """Parameter-name suffixes for group labels: the label itself when it is tidy, else 1, 2, ..."""
    out = []
    for lab in labels:
        text = f"{lab:g}" if isinstance(lab, (float, np.floating)) else str(lab)
        out.append(re.sub(r"\W+", "_", text.strip()).strip("_") or "g")
    if len(set(out)) != len(out):
        out = [str(i + 1) for i in range(len(labels))]
    return out


def group_index(groups, column: str = "group", *, min_groups: int = 2):
    """Integer index of each row's group and the group labels (in order of first appearance).

    Raises :class:`~noradsim.errors.InputError` naming ``column`` when fewer than
    ``min_groups`` curves are present.
    """
    groups = np.asarray(groups)
    labels, first, index = np.unique(groups, return_index=True, return_inverse=True)
    order = np.argsort(first)
    remap = np.empty_like(order)
    remap[order] = np.arange(order.size)
    labels = [labels[i].item() if hasattr(labels[i], "item") else labels[i] for i in order]
    if len(labels) < min_groups:
        shown = ", ".join(str(v) for v in labels) or "none"
        raise InputError(f"data: group column {column!r} has {len(labels)} curve(s) ({shown}); a global fit "
                         f"needs at least {min_groups}")
    return remap[index.ravel()], labels


def fit_global(model: str, *, shared, per_group, columns: dict, response, groups, start: dict,
               sd=None, constants: dict | None = None, group_column: str = "group",
               model_name: str | None = None) -> FitResult:
    """Fit one model to a family of curves with shared and per-curve parameters.

    Parameters
    ----------
    model : str
        Expression in ``columns``, ``constants`` and the parameter names.
    shared : list of str
        Parameters common to every curve.
    per_group : list of str
        Parameters fitted separately for each curve; reported as ``name_label``.
    columns : dict of str to array
        Independent variables.
    response : array
        Measured response.
    groups : array
        Curve label of each row.
    start : dict
        Start value of each parameter; a per-group parameter takes one value for all
        curves or a dict label -> value.
    sd : array, optional
        SD of each response (weights 1/SD^2).

    Returns
    -------
    FitResult
        ``extra["groups"]`` maps each per-group parameter name to its curve label.

    Examples
    --------
    >>> x = np.tile([1.0, 3, 10, 30, 100, 300], 2)
    >>> g = np.repeat(["a", "b"], 6)
    >>> y = np.where(g == "a", 80.0, 40.0) * x / (20 + x)
    >>> fit = fit_global("top*x/(K + x)", shared=["K"], per_group=["top"], columns={"x": x},
    ...                  response=y, groups=g, start={"K": 5, "top": 50})
    >>> round(fit.value("K"), 9), round(fit.value("top_a"), 9), round(fit.value("top_b"), 9)
    (20.0, 80.0, 40.0)
    """
    y = np.asarray(response, dtype=float)
    idx, labels = group_index(groups, group_column)
    suffix = _label_names(labels)
    text = model
    names = list(shared)
    group_of = {}
    cols = {k: np.asarray(v, dtype=float) for k, v in columns.items()}
    for k in range(len(labels)):
        cols[f"in_grp_{k}"] = (idx == k).astype(float)
    start_all = {p: float(start[p]) for p in shared}
    for p in per_group:
        terms = []
        for k, sfx in enumerate(suffix):
            name = f"{p}_{sfx}"
            names.append(name)
            group_of[name] = labels[k]
            terms.append(f"{name}*in_grp_{k}")
            s = start[p]
            start_all[name] = float(s[labels[k]] if isinstance(s, dict) else s)
        text = re.sub(rf"\b{re.escape(p)}\b", "(" + " + ".join(terms) + ")", text)
    if y.size <= len(names):
        raise InputError(f"data: {y.size} points are too few for {len(names)} parameters of the global "
                         f"{model_name or model} fit; need at least {len(names) + 1}")
    expr = Expression.build(text, names, list(cols), constants)
    fit = least_squares_fit(expr, cols, y, start_all, sd=sd, model_name=model_name or model)
    return replace(fit, extra={**fit.extra, "groups": {k: _jsonable(v) for k, v in group_of.items()},
                               "group_column": group_column})


def _jsonable(v):
    if isinstance(v, (np.floating, float)):
        return float(v)
    if isinstance(v, (np.integer, int)):
        return int(v)
    return str(v)


def _half_point(x, y, rising: bool = True) -> float:
    from .models import _half_point as hp

    return hp(x, y, rising)


def _check_family(x, y, sd, groups, group_column):
    from .models import _as_arrays

    groups = np.asarray(groups)
    if groups.shape != np.shape(x):
        raise InputError("data: concentration, response and group must be 1-D arrays of equal length")
    x, y, sd = _as_arrays(x, y, sd)
    return x, y, sd, groups


def fit_schild(agonist, response, antagonist, *, sd=None, slope: float | None = None,
               group_column: str = "antagonist") -> FitResult:
    """Schild analysis by a global fit of agonist curves at several antagonist concentrations.

    All curves share bottom, Emax and the Hill slope; the control EC50 is shifted by the
    dose ratio :math:`DR = 1 + ([B]/K_B)^s` (Lew & Angus 1995, Trends Pharmacol Sci
    16:328, the global-fit form of Arunlakshana & Schild 1959). Concentrations are in nM.

    Parameters
    ----------
    agonist, response : array
        Agonist concentration (nM) and response of every point.
    antagonist : array
        Antagonist concentration (nM) of the curve each point belongs to; one curve must
        be the control (0).
    slope : float, optional
        Hold the Schild slope ``s`` at this value (1 gives pKB for a competitive
        antagonist). By default ``s`` is fitted when there are two or more antagonist
        concentrations.

    Returns
    -------
    FitResult
        Parameters bottom, Emax, EC50 (control), hill, KB (nM) and s; ``derived`` holds
        ``pA2`` (= -log10 KB in M; pKB when s is held at 1) and ``log10_EC50``.
        ``extra["schild_plot"]`` holds log10 [B] and log10(DR - 1) of each curve from a
        fit with one EC50 per curve (for the Schild plot only), and
        ``extra["slope_test"]`` compares s free against s = 1 (extra-sum-of-squares F).

    Examples
    --------
    >>> a = np.tile(np.geomspace(0.1, 1e5, 13), 3)
    >>> b = np.repeat([0.0, 10.0, 100.0], 13)
    >>> e = 100 * a / (a + 5 * (1 + b / 2.0))
    >>> fit = fit_schild(a, e, b)
    >>> round(fit.value("KB"), 6), round(fit.value("s"), 6), round(fit.value("pA2"), 6)
    (2.0, 1.0, 8.69897)
    """
    x, y, sd, b = _check_family(agonist, response, sd, antagonist, group_column)
    b = b.astype(float)
    labels, levels = _schild_levels(b, group_column)
    notes = []
    if slope is None and np.count_nonzero(levels > 0) < 2:
        slope = 1.0
        notes.append("one antagonist concentration: the Schild slope is held at 1 (pKB); give two or more "
                     "to fit it")
    per, start, dr, ok = _schild_starts(x, y, sd, b, labels, levels, group_column)
    cols = {"x": x, "B": b}
    fit = _schild_run(cols, y, sd, start, slope)
    derived = {"pA2": derived_estimate("pA2", fit, f"{_LOG10_NM_PER_M} - log10(KB)"),
               "log10_EC50": derived_estimate("log10_EC50", fit, "log10(EC50)")}
    extra = {"schild_plot": {
        "log10_antagonist_M": [float(math.log10(v) - _LOG10_NM_PER_M) for v in levels[ok]],
        "log10_dr_minus_1": [float(math.log10(d - 1)) for d in dr[ok]],
        "dose_ratio": {} if per is None else {str(_jsonable(lev)): float(d) for lev, d in zip(labels, dr)},
    }, "group_column": group_column}
    if slope is None:
        extra["slope_test"], note = _schild_slope_test(fit, cols, y, sd, start)
        notes.extend(note)
    else:
        if slope == 1:
            derived = {"pKB": replace(derived.pop("pA2"), name="pKB"), **derived}
        extra["slope_held"] = float(slope)
    return replace(fit, derived=derived, extra={**fit.extra, **extra}, warnings=fit.warnings + tuple(notes))


def _schild_levels(b: np.ndarray, group_column: str):
    """The curves' antagonist concentrations (labels and as floats); a control (0) must be among them."""
    if np.any(b < 0):
        raise InputError(f"data: group column {group_column!r}: antagonist concentration {b[b < 0][0]:g} is negative")
    _, labels = group_index(b, group_column)
    levels = np.array(labels, dtype=float)
    if not np.any(levels == 0):
        raise InputError(f"data: group column {group_column!r} has no control curve (antagonist concentration 0); "
                         "Schild analysis needs one")
    return labels, levels


def _schild_half_point_starts(x, y, b, levels):
    """Start values from the curves' half-points: control curve shape, and KB from each curve's shift."""
    ctrl = b == 0
    low = float(np.mean(y[x == x.min()]))
    high = float(np.mean(y[ctrl][x[ctrl] == x[ctrl].max()]))
    rising = high > low
    ec50_0 = _half_point(x[ctrl], y[ctrl], rising)
    kb_guesses = []
    for lev in levels[levels > 0]:
        sel = b == lev
        dr = _half_point(x[sel], y[sel], rising) / ec50_0
        if dr > 1.05:
            kb_guesses.append(lev / (dr - 1))
    kb0 = float(np.exp(np.mean(np.log(kb_guesses)))) if kb_guesses else float(np.median(levels[levels > 0]))
    return {"bottom": low, "Emax": high, "EC50": ec50_0, "hill": 1.0}, kb0


def _schild_starts(x, y, sd, b, labels, levels, group_column):
    """Per-curve EC50 fit (shared bottom, Emax, hill): the Schild-plot dose ratios and the global fit's start.

    Returns ``per`` (that fit, or None when it failed), ``start``, the dose ratios ``dr``
    and the mask ``ok`` of antagonist curves shifted to the right (the plotted points).
    """
    shared_start, kb0 = _schild_half_point_starts(x, y, b, levels)
    ec50_0 = shared_start["EC50"]
    try:
        per = fit_global(SHIFTED_CURVES, shared=["bottom", "Emax", "hill"], per_group=["EC50"],
                         columns={"x": x}, response=y, groups=b, sd=sd, group_column=group_column,
                         start={**shared_start, "EC50": {lev: ec50_0 * (1 + lev / kb0) for lev in labels}},
                         model_name="dose-response, one EC50 per curve")
    except InputError:
        per = None
    if per is None:  # the per-curve fit failed: no Schild plot points, start from the half-points
        return None, {**shared_start, "KB": kb0, "s": 1.0}, np.ones(levels.size), np.zeros(levels.size, bool)
    sfx = _label_names(labels)
    ec50s = np.array([per.value(f"EC50_{s_}") for s_ in sfx])
    ec50_ctrl = float(ec50s[levels == 0][0])
    dr = ec50s / ec50_ctrl
    ok = (levels > 0) & (dr > 1)
    if np.count_nonzero(ok):
        kb0 = float(np.exp(np.mean(np.log(levels[ok] / (dr[ok] - 1)))))
    start = {"bottom": per.value("bottom"), "Emax": per.value("Emax"), "EC50": ec50_ctrl,
             "hill": per.value("hill"), "KB": kb0, "s": 1.0}
    return per, start, dr, ok


def _schild_run(cols, y, sd, start, fixed_slope) -> FitResult:
    """The global Schild fit, with the slope fitted (``fixed_slope=None``) or held."""
    names = ["bottom", "Emax", "EC50", "hill", "KB"] + ([] if fixed_slope is not None else ["s"])
    consts = {} if fixed_slope is None else {"s": float(fixed_slope)}
    expr = Expression.build(SCHILD, names, ["x", "B"], consts)
    label = "Schild (global fit" + ("" if fixed_slope is None else f", slope held at {fixed_slope:g}") + ")"
    return least_squares_fit(expr, cols, y, {k: start[k] for k in names}, sd=sd, model_name=label)


def _schild_slope_test(fit: FitResult, cols, y, sd, start):
    """Free slope against s = 1 (extra-sum-of-squares F): the ``slope_test`` record and any warning."""
    from .models import f_test

    held = _schild_run(cols, y, sd, start, 1.0)
    f, p = f_test(held, fit)
    test = {"f_statistic": _finite(f), "p_value": _finite(p),
            "pKB_slope_1": float(_LOG10_NM_PER_M - math.log10(held.value("KB")))}
    notes = []
    if math.isfinite(p) and p < 0.05:
        notes.append(f"the Schild slope {fit.value('s'):.3g} differs from 1 (F test p = {p:.3g}): "
                     "pA2 is not a pKB; the antagonism may not be simple competitive")
    return test, notes


def _finite(v):
    return float(v) if v is not None and math.isfinite(v) else None


def fit_operational_global(agonist, response, groups, *, sd=None, slope: float | None = None,
                           group_column: str = "curve") -> FitResult:
    """Operational model fitted globally to a Furchgott receptor-inactivation series.

    Each curve (e.g. before and after increasing exposure to an irreversible antagonist
    such as phenoxybenzamine) has its own efficacy :math:`\\tau_g`; the agonist's
    affinity :math:`K_A`, the system maximum :math:`E_m` and the transducer slope
    :math:`n` are shared (Black & Leff 1983, Proc R Soc B 220:141; Furchgott 1966).
    With a curve whose maximum is depressed, :math:`K_A` and every :math:`\\tau_g` are
    determined without fixing :math:`E_m`.

    Parameters
    ----------
    agonist, response : array
        Agonist concentration (nM) and response.
    groups : array
        Curve label of each point.
    slope : float, optional
        Hold the transducer slope ``n`` at this value (default: fitted).

    Returns
    -------
    FitResult
        Parameters Em, KA (nM), n and ``tau_<label>``; ``derived`` holds pKA (-log10 KA in
        M) and ``q_<label>``, the fraction of receptors left relative to the curve with the
        largest tau (:math:`q = \\tau_g/\\tau_{max}`).

    Examples
    --------
    >>> a = np.tile(np.geomspace(0.1, 1e5, 13), 3)
    >>> g = np.repeat(["ctrl", "pbz1", "pbz2"], 13)
    >>> tau = np.select([g == "ctrl", g == "pbz1"], [30.0, 3.0], 0.5)
    >>> e = 100 * tau * a / (200 + a + tau * a)
    >>> fit = fit_operational_global(a, e, g)
    >>> round(fit.value("KA"), 6), round(fit.value("tau_pbz2"), 6), round(fit.value("n"), 6)
    (200.0, 0.5, 1.0)
    """
    x, y, sd, groups = _check_family(agonist, response, sd, groups, group_column)
    idx, labels = group_index(groups, group_column)
    if not np.any(x > 0):
        raise InputError("data: no agonist concentration above 0")
    emax_g = np.array([float(np.max(y[idx == k])) for k in range(len(labels))])
    ec50_g = np.array([_half_point(x[idx == k], y[idx == k], True) for k in range(len(labels))])
    if np.max(emax_g) <= 0:
        raise InputError("data: the responses are not positive; the operational model needs an agonist effect")
    names_shared = ["Em", "KA"] + (["n"] if slope is None else [])
    consts = {} if slope is None else {"n": float(slope)}
    best = None
    for factor in (1.05, 1.3, 2.0, 5.0):
        em = factor * float(np.max(emax_g))
        frac = np.clip(emax_g / em, 0.02, 0.98)
        tau = frac / (1 - frac)
        ka = float(np.exp(np.mean(np.log(ec50_g * (1 + tau)))))
        start = {"Em": em, "KA": ka, "n": 1.0, "tau": {lab: float(t) for lab, t in zip(labels, tau)}}
        try:
            cand = fit_global(OPERATIONAL, shared=names_shared, per_group=["tau"], columns={"x": x},
                              response=y, groups=groups, start=start, sd=sd, constants=consts,
                              group_column=group_column, model_name="operational model (global, Furchgott)")
        except InputError:
            continue
        if best is None or cand.rss < best.rss:
            best = cand
    if best is None:
        raise InputError("operational model: the global fit failed from every start; check the data")
    fit = best
    taus = [p for p in fit.params if p.startswith("tau_")]
    top = max(taus, key=fit.value)
    derived = {"pKA": derived_estimate("pKA", fit, f"{_LOG10_NM_PER_M} - log10(KA)")}
    for p in taus:
        derived["q_" + p[4:]] = derived_estimate("q_" + p[4:], fit, f"{p}/{top}" if p != top else "1 + 0*" + p)
    notes = []
    if np.ptp([fit.value(p) for p in taus]) == 0 or min(fit.value(p) for p in taus) > 10:
        notes.append("no curve has a clearly depressed maximum: KA and tau are poorly separated")
    extra = {} if slope is None else {"slope_held": float(slope)}
    return replace(fit, derived=derived, extra={**fit.extra, **extra}, warnings=fit.warnings + tuple(notes))
