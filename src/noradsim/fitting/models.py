"""The pharmacologist's models, each a named expression fitted by the same solver.

All concentrations are in one unit (nM inside noradsim); the fits themselves do not care
which, but Cheng-Prusoff needs the substrate (or radioligand) concentration and its Km
(or Kd) in the unit of the concentration axis.

=================  =======================================================================
model              expression
=================  =======================================================================
uptake             :math:`v = V_{max} S / (K_m + S)`
uptake + SI        :math:`v = V_{max} S / (K_m + S (1 + S/K_{si}))` (substrate inhibition)
inhibition         :math:`y = b + (t - b) / (1 + (I/IC_{50})^{h})`;
                   :math:`K_i = IC_{50} / (1 + S/K_m)` (Cheng & Prusoff 1973)
saturation         specific :math:`B = B_{max} L / (K_d + L)`; total = specific + NS L
competition        one site :math:`y = b + (t-b)/(1 + I/IC_{50})`; two sites with fraction
                   ``frac`` of high affinity; compared by the extra-sum-of-squares F test
                   and AICc
dose-response      :math:`E = b + (E_{max} - b) A^h / (EC_{50}^h + A^h)`
operational        :math:`E = E_m \\tau^n A^n / ((K_A + A)^n + \\tau^n A^n)` (Black & Leff 1983)
=================  =======================================================================
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy import stats

from ..errors import InputError
from .solver import FitResult, derived_estimate, least_squares_fit
from .expression import Expression

UPTAKE = "Vmax*x/(Km + x)"
UPTAKE_SUBSTRATE_INHIBITION = "Vmax*x/(Km + x*(1 + x/Ksi))"
INHIBITION = "bottom + (top - bottom)/(1 + (x/IC50)**hill)"
SPECIFIC_BINDING = "Bmax*x/(Kd + x)"
TOTAL_AND_NONSPECIFIC = "is_total*Bmax*x/(Kd + x) + NS*x"
ONE_SITE = "bottom + (top - bottom)/(1 + x/IC50)"
TWO_SITES = "bottom + (top - bottom)*(frac/(1 + x/IC50_high) + (1 - frac)/(1 + x/IC50_low))"
DOSE_RESPONSE = "bottom + (Emax - bottom)*x**hill/(EC50**hill + x**hill)"
OPERATIONAL = "Em*tau**n*x**n/((KA + x)**n + tau**n*x**n)"


#: Parameters that are positive by definition: concentrations (nM) and capacities (response units).
POSITIVE = {"Km": "nM", "Ksi": "nM", "Kd": "nM", "IC50": "nM", "IC50_high": "nM", "IC50_low": "nM", "EC50": "nM",
            "KA": "nM", "Ki": "nM", "Ki_high": "nM", "Ki_low": "nM", "Vmax": "", "Bmax": "", "tau": ""}


def physical(fit: FitResult) -> FitResult:
    """Refuse a fit whose best values are physically impossible.

    A negative (or zero) Km, Vmax, Kd, Bmax, IC50, EC50, KA, Ki or efficacy (tau) cannot
    be a property of a transporter or a receptor: the data do not follow the model, and
    an :class:`InputError` says so instead of returning the numbers. (A positive value
    whose 95 % interval spans zero is already flagged by the engine's warnings.)

    >>> import numpy as np
    >>> s = np.array([1.0, 2, 3, 4, 5])
    >>> physical(fit_uptake(s, 3 * s / (2 + s))).value("Km") > 0
    True
    """
    for group in (fit.params, fit.derived):
        for name, est in group.items():
            if name in POSITIVE and math.isfinite(est.value) and est.value <= 0:
                unit = f" {POSITIVE[name]}" if POSITIVE[name] else ""
                raise InputError(f"fit {fit.model}: best-fit {name} = {est.value:.4g}{unit} is not > 0, which is "
                                 "physically impossible; the data do not follow this model (check the columns, "
                                 "their order and the concentration unit)")
    return fit


def _as_arrays(x, y, sd=None):
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise InputError("data: concentration and response must be 1-D arrays of equal length")
    if np.any(x < 0):
        raise InputError(f"data: concentration {x[x < 0][0]:g} at row {int(np.argmax(x < 0)) + 1} is negative")
    if np.ptp(y) == 0:
        raise InputError(f"data: the response is constant ({y[0]:g}); there is nothing to fit")
    if sd is not None:
        sd = np.asarray(sd, dtype=float)
        if sd.shape != y.shape or np.any(~(sd > 0)):
            raise InputError("data: every SD must be a positive number")
    return x, y, sd


def _need(n: int, n_params: int, model: str):
    if n <= n_params:
        raise InputError(
            f"data: {n} points are too few for the {model} model ({n_params} parameters); need at least {n_params + 1}"
        )


def _half_point(x, y, rising: bool) -> float:
    """Concentration where the response crosses half-way (geometric interpolation)."""
    pos = x > 0
    xs, ys = x[pos], y[pos]
    if xs.size == 0:
        return 1.0
    order = np.argsort(xs)
    xs, ys = xs[order], ys[order]
    mid = 0.5 * (ys.max() + ys.min())
    above = ys >= mid if rising else ys <= mid
    k = int(np.argmax(above)) if np.any(above) else xs.size - 1
    return float(xs[k]) if k == 0 else float(math.sqrt(xs[k] * xs[k - 1]))


def _fit(text, params, x, y, start, sd, name, constants=None, columns=None) -> FitResult:
    expr = Expression.build(text, params, list((columns or {"x": x}).keys()), constants)
    _need(y.size, len(params), name)
    return least_squares_fit(expr, columns or {"x": x}, y, start, sd=sd, model_name=name)


def _with_derived(fit: FitResult, derived: dict, **extra) -> FitResult:
    return replace(fit, derived={**fit.derived, **derived}, extra={**fit.extra, **extra})


def fit_uptake(substrate, velocity, *, sd=None, substrate_inhibition: bool = False) -> FitResult:
    """Michaelis-Menten fit of uptake velocity against substrate concentration.

    Eadie-Hofstee and Lineweaver-Burk transforms are plots only
    (:func:`noradsim.fitting.report.plot_uptake_transforms`); the parameters always come
    from this nonlinear fit.

    Examples
    --------
    >>> s = [30, 100, 300, 1000, 3000]
    >>> v = [5.2 * c / (420 + c) for c in s]
    >>> fit = fit_uptake(s, v)
    >>> round(fit.value("Km"), 3), round(fit.value("Vmax"), 6)
    (420.0, 5.2)
    """
    x, y, sd = _as_arrays(substrate, velocity, sd)
    start = {"Vmax": float(np.max(y)) * 1.2, "Km": _half_point(x, y, True)}
    if not substrate_inhibition:
        return physical(_fit(UPTAKE, ["Vmax", "Km"], x, y, start, sd, "uptake (Michaelis-Menten)"))
    # the velocity peaks at S = sqrt(Km Ksi): start Ksi from the observed peak
    s_peak = float(x[np.argmax(y)])
    rising = x <= s_peak
    km0 = _half_point(x[rising], y[rising], True) if np.count_nonzero(rising) > 1 else start["Km"]
    best = None
    for ksi0 in {max(s_peak**2 / km0, 1e-12), float(np.max(x)) * 10}:
        trial = {"Vmax": 2.0 * float(np.max(y)), "Km": km0, "Ksi": ksi0}
        fit = _fit(UPTAKE_SUBSTRATE_INHIBITION, ["Vmax", "Km", "Ksi"], x, y, trial, sd,
                   "uptake (Michaelis-Menten with substrate inhibition)")
        if best is None or fit.rss < best.rss:
            best = fit
    return physical(best)


def cheng_prusoff(ic50: float, substrate: float, km: float) -> float:
    """Ki from IC50 for a competitive inhibitor: :math:`K_i = IC_{50}/(1 + S/K_m)`.

    Cheng & Prusoff 1973, Biochem Pharmacol 22:3099.

    >>> cheng_prusoff(20.0, 420.0, 420.0)
    10.0
    """
    if km <= 0:
        raise InputError("km: must be > 0 for Cheng-Prusoff")
    return ic50 / (1.0 + substrate / km)


def fit_inhibition(concentration, response, *, sd=None, substrate: float | None = None,
                   km: float | None = None) -> FitResult:
    """Four-parameter logistic inhibition curve (IC50, Hill slope, top, bottom).

    With ``substrate`` and ``km`` (same unit as ``concentration``) the result's
    ``derived["Ki"]`` is the Cheng-Prusoff Ki with its delta-method SE.

    Examples
    --------
    >>> c = [0, 0.1, 1, 3, 10, 30, 100, 1000]
    >>> y = [100 / (1 + ci / 12.0) for ci in c]
    >>> fit = fit_inhibition(c, y, substrate=20, km=420)
    >>> round(fit.value("IC50"), 4), round(fit.value("Ki"), 4)
    (12.0, 11.4545)
    """
    x, y, sd = _as_arrays(concentration, response, sd)
    low, high = y[x == x.min()].mean(), y[x == x.max()].mean()
    start = {"top": float(max(low, high)), "bottom": float(min(low, high)),
             "IC50": _half_point(x, y, False), "hill": 1.0}
    fit = _fit(INHIBITION, ["bottom", "top", "IC50", "hill"], x, y, start, sd, "inhibition (4-parameter logistic)")
    derived = {"log10_IC50": derived_estimate("log10_IC50", fit, "log10(IC50)")}
    if substrate is not None or km is not None:
        if substrate is None or km is None:
            raise InputError("Cheng-Prusoff needs both the substrate concentration and its Km")
        if km <= 0 or substrate < 0:
            raise InputError("Cheng-Prusoff: km must be > 0 and substrate >= 0")
        derived["Ki"] = derived_estimate("Ki", fit, "IC50/(1 + S/Km)", {"S": substrate, "Km": km})
    notes = fit.warnings
    if abs(fit.value("hill") - 1) > 0.3:
        notes = notes + ((f"Hill slope {fit.value('hill'):.2f} differs from 1: Cheng-Prusoff assumes "
                          "competitive inhibition at one site"),)
    return physical(replace(_with_derived(fit, derived), warnings=notes))


def fit_saturation(concentration, *, specific=None, total=None, nonspecific=None, sd=None) -> FitResult:
    """Radioligand saturation binding: Kd and Bmax (and the nonspecific slope NS).

    Give either ``specific`` binding, or ``total`` and ``nonspecific`` binding measured
    at the same concentrations: then both are fitted together (total = specific + NS L,
    nonspecific = NS L), the way GraphPad Prism's global fit does. With total and
    nonspecific, ``sd`` is one SD per concentration (used for both) or a pair
    ``(sd_total, sd_nonspecific)``.

    Examples
    --------
    >>> L = [0.1, 0.3, 1, 3, 10, 30]
    >>> tot = [100 * l / (2 + l) + 5 * l for l in L]
    >>> fit = fit_saturation(L, total=tot, nonspecific=[5 * l for l in L])
    >>> round(fit.value("Kd"), 6), round(fit.value("Bmax"), 4), round(fit.value("NS"), 6)
    (2.0, 100.0, 5.0)
    """
    if specific is not None:
        x, y, sd = _as_arrays(concentration, specific, sd)
        start = {"Bmax": float(np.max(y)) * 1.2, "Kd": _half_point(x, y, True)}
        return physical(_fit(SPECIFIC_BINDING, ["Bmax", "Kd"], x, y, start, sd, "saturation binding (specific)"))
    if total is None or nonspecific is None:
        raise InputError("saturation: give the specific binding, or both total and nonspecific binding")
    x, tot, _ = _as_arrays(concentration, total)
    _, ns, _ = _as_arrays(concentration, nonspecific)
    xs = np.concatenate([x, x])
    ys = np.concatenate([tot, ns])
    flag = np.concatenate([np.ones_like(x), np.zeros_like(x)])
    if sd is not None:
        # per-row SDs: one array for both columns, or (sd_total, sd_nonspecific)
        if isinstance(sd, (tuple, list)) and len(sd) == 2 and np.ndim(sd[0]) == 1:
            sd = np.concatenate([np.asarray(sd[0], dtype=float), np.asarray(sd[1], dtype=float)])
        sd = np.asarray(sd, dtype=float).ravel()
        if sd.size == x.size:
            sd = np.concatenate([sd, sd])
        if sd.size != 2 * x.size:
            raise InputError(f"saturation: {sd.size} SDs for {x.size} concentrations; give one SD per row "
                             "(used for both columns) or one per row for total and for nonspecific")
        if np.any(~(sd > 0)):
            raise InputError("data: every SD must be a positive number")
    slope = float(np.polyfit(x, ns, 1)[0]) if x.size > 1 else 0.0
    spec = tot - ns
    start = {"Bmax": float(np.max(spec)) * 1.2 or 1.0, "Kd": _half_point(x, spec, True), "NS": slope or 1e-3}
    return physical(_fit(TOTAL_AND_NONSPECIFIC, ["Bmax", "Kd", "NS"], xs, ys, start, sd,
                         "saturation binding (total and nonspecific)", columns={"x": xs, "is_total": flag}))


@dataclass(frozen=True)
class CompetitionResult:
    """One-site and two-site competition fits and their comparison."""

    one_site: FitResult
    two_sites: FitResult | None
    f_statistic: float
    p_value: float
    delta_aicc: float  # AICc(two sites) - AICc(one site); negative favours two sites
    preferred: str

    @property
    def best(self) -> FitResult:
        """The preferred fit (two sites only when the comparison favours it)."""
        return self.two_sites if self.preferred == "two sites" else self.one_site

    def comparison(self) -> dict:
        """JSON-able model comparison: preferred model, F statistic, p value, delta AICc."""
        return {"preferred": self.preferred, "f_statistic": _finite(self.f_statistic),
                "p_value": _finite(self.p_value), "delta_aicc": _finite(self.delta_aicc)}


def _finite(v):
    return float(v) if math.isfinite(v) else None


def f_test(simple: FitResult, complex_: FitResult) -> tuple[float, float]:
    """Extra-sum-of-squares F test of nested fits: (F, p)."""
    df1, df2 = simple.n - simple.n_params, complex_.n - complex_.n_params
    if df2 <= 0 or df1 <= df2:
        return math.nan, math.nan
    f = ((simple.rss - complex_.rss) / (df1 - df2)) / (complex_.rss / df2) if complex_.rss > 0 else math.inf
    return f, float(stats.f.sf(f, df1 - df2, df2))


def fit_competition(concentration, response, *, sd=None, radioligand: float | None = None,
                    kd: float | None = None, alpha: float = 0.05) -> CompetitionResult:
    """Competition binding: one site against two sites (F test at ``alpha`` and AICc).

    With ``radioligand`` and ``kd``, each IC50 gets a Cheng-Prusoff Ki.

    Examples
    --------
    >>> c = np.logspace(-2, 4, 13)
    >>> y = 100 * (0.4 / (1 + c / 0.5) + 0.6 / (1 + c / 500))
    >>> r = fit_competition(c, y)
    >>> r.preferred, round(r.two_sites.value("IC50_high"), 4), round(r.two_sites.value("frac"), 6)
    ('two sites', 0.5, 0.4)
    """
    x, y, sd = _as_arrays(concentration, response, sd)
    low, high = y[x == x.min()].mean(), y[x == x.max()].mean()
    ic50 = _half_point(x, y, False)
    start = {"top": float(max(low, high)), "bottom": float(min(low, high)), "IC50": ic50}
    one = physical(_fit(ONE_SITE, ["bottom", "top", "IC50"], x, y, start, sd, "competition (one site)"))
    two = None
    if y.size > 5:
        best = None
        for spread in (10.0, 100.0, 1000.0):
            s2 = {"top": start["top"], "bottom": start["bottom"], "IC50_high": ic50 / spread,
                  "IC50_low": ic50 * spread, "frac": 0.5}
            try:
                cand = _fit(TWO_SITES, ["bottom", "top", "IC50_high", "IC50_low", "frac"], x, y, s2, sd,
                            "competition (two sites)")
            except InputError:
                continue
            if best is None or cand.rss < best.rss:
                best = cand
        two = best
    f, p, d_aicc = math.nan, math.nan, math.nan
    preferred = "one site"
    if two is not None:
        f, p = f_test(one, two)
        d_aicc = two.aicc - one.aicc
        ok = 0 < two.value("frac") < 1 and two.value("IC50_high") > 0 and two.value("IC50_low") > 0
        if ok and math.isfinite(p) and p < alpha:
            preferred = "two sites"
    if radioligand is not None or kd is not None:
        if radioligand is None or kd is None or kd <= 0:
            raise InputError("Cheng-Prusoff needs both the radioligand concentration and its Kd (> 0)")
        cp = {"S": radioligand, "Km": kd}
        one = _with_derived(one, {"Ki": derived_estimate("Ki", one, "IC50/(1 + S/Km)", cp)})
        if two is not None:
            two = _with_derived(two, {
                "Ki_high": derived_estimate("Ki_high", two, "IC50_high/(1 + S/Km)", cp),
                "Ki_low": derived_estimate("Ki_low", two, "IC50_low/(1 + S/Km)", cp),
            })
    one = physical(one)
    if preferred == "two sites":
        two = physical(two)
    return CompetitionResult(one, two, f, p, d_aicc, preferred)


def fit_dose_response(concentration, response, *, sd=None) -> FitResult:
    """Agonist concentration-response: EC50, Emax, Hill slope and bottom.

    Examples
    --------
    >>> a = [0, 1, 3, 10, 30, 100, 300, 1000]
    >>> e = [10 + 90 * c / (25 + c) for c in a]
    >>> fit = fit_dose_response(a, e)
    >>> round(fit.value("EC50"), 6), round(fit.value("Emax"), 6), round(fit.value("hill"), 6)
    (25.0, 100.0, 1.0)
    """
    x, y, sd = _as_arrays(concentration, response, sd)
    low, high = y[x == x.min()].mean(), y[x == x.max()].mean()
    start = {"bottom": float(low), "Emax": float(high), "EC50": _half_point(x, y, high > low), "hill": 1.0}
    fit = _fit(DOSE_RESPONSE, ["bottom", "Emax", "EC50", "hill"], x, y, start, sd, "dose-response (Hill)")
    return physical(_with_derived(fit, {"log10_EC50": derived_estimate("log10_EC50", fit, "log10(EC50)")}))


def fit_operational(concentration, response, *, system_max: float, slope: float = 1.0, sd=None) -> FitResult:
    """Operational model of agonism (Black & Leff 1983): KA and tau.

    One curve determines only its EC50 and maximum, so the system maximum
    ``system_max`` (:math:`E_m`, e.g. the maximum of a full agonist in the same tissue)
    and the transducer slope ``slope`` (:math:`n`) are held fixed. For :math:`n = 1`,
    :math:`EC_{50} = K_A/(1+\\tau)` and :math:`E_{max} = E_m \\tau/(1+\\tau)` (reported
    under ``derived``).

    Examples
    --------
    >>> a = np.logspace(-1, 4, 11)
    >>> e = 100 * 3 * a / (300 + 4 * a)
    >>> fit = fit_operational(a, e, system_max=100)
    >>> round(fit.value("KA"), 6), round(fit.value("tau"), 6), round(fit.value("EC50"), 6)
    (300.0, 3.0, 75.0)
    """
    x, y, sd = _as_arrays(concentration, response, sd)
    if not system_max > 0:
        raise InputError("operational model: the system maximum Em must be > 0")
    emax_obs = float(np.max(y))
    frac = min(max(emax_obs / system_max, 0.05), 0.95)
    tau0 = frac / (1 - frac)
    ec50 = _half_point(x, y, True)
    start = {"KA": ec50 * (1 + tau0), "tau": tau0}
    fit = _fit(OPERATIONAL, ["KA", "tau"], x, y, start, sd, "operational model (Black & Leff)",
               constants={"Em": float(system_max), "n": float(slope)})
    k = {"Em": float(system_max), "n": float(slope)}
    derived = {
        "EC50": derived_estimate("EC50", fit, "KA/((2 + tau**n)**(1/n) - 1)", k),
        "Emax": derived_estimate("Emax", fit, "Em*tau**n/(1 + tau**n)", k),
    }
    return physical(_with_derived(fit, derived, system_max=float(system_max), slope=float(slope)))


def fit_expression(model: str, columns: dict, response, start: dict, *, sd=None) -> FitResult:
    """Fit any user model given as an expression with named parameters and start values.

    Parameters
    ----------
    model : str
        Expression in the column names and the parameters, e.g. ``"b1*(1-exp(-b2*x))"``.
    columns : dict of str to array
        Independent variables by name.
    response : array
        The measured response.
    start : dict of str to float
        Start value of each parameter; its keys name the parameters.

    Examples
    --------
    >>> x = np.arange(1.0, 8.0)
    >>> fit = fit_expression("b1*(1-exp(-b2*x))", {"x": x}, 3 * (1 - np.exp(-0.5 * x)), {"b1": 1, "b2": 1})
    >>> round(fit.value("b1"), 9), round(fit.value("b2"), 9)
    (3.0, 0.5)
    """
    expr = Expression.build(model, list(start), list(columns))
    y = np.asarray(response, dtype=float)
    _need(y.size, len(start), "expression")
    if sd is not None:
        sd = np.asarray(sd, dtype=float)
        if np.any(~(sd > 0)):
            raise InputError("data: every SD must be a positive number")
    return least_squares_fit(expr, columns, y, start, sd=sd, model_name=model)
