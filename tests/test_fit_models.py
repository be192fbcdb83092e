"""Built-in pharmacology models against synthetic data and analytic facts."""

from __future__ import annotations

import math

import numpy as np
import pytest

from noradsim.errors import InputError
from noradsim.fitting import (
    Expression,
    cheng_prusoff,
    fit_competition,
    fit_dose_response,
    fit_inhibition,
    fit_operational,
    fit_saturation,
    fit_uptake,
    least_squares_fit,
)


def test_uptake_exact_and_ci_contains_truth_with_noise():
    s = np.repeat(np.geomspace(30, 5000, 8), 3)
    v = 5.2 * s / (420 + s)
    fit = fit_uptake(s, v)
    assert fit.value("Km") == pytest.approx(420, rel=1e-9)
    assert fit.value("Vmax") == pytest.approx(5.2, rel=1e-9)
    rng = np.random.default_rng(3)
    noisy = v * (1 + 0.03 * rng.standard_normal(v.size))
    fit = fit_uptake(s, noisy)
    lo, hi = fit.params["Km"].ci95
    assert lo < 420 < hi and fit.params["Km"].stderr > 0
    assert 0.99 < fit.r2 < 1 and np.isfinite(fit.aic)
    assert fit.residuals.shape == s.shape


def test_uptake_substrate_inhibition():
    s = np.geomspace(10, 1e5, 14)
    v = 3.0 * s / (300 + s * (1 + s / 20000))
    fit = fit_uptake(s, v, substrate_inhibition=True)
    assert fit.value("Ksi") == pytest.approx(20000, rel=1e-7)
    assert fit.value("Km") == pytest.approx(300, rel=1e-7)


def test_standard_errors_match_linear_regression_for_a_linear_model():
    # for a linear model the nonlinear SEs must equal OLS textbook SEs
    rng = np.random.default_rng(0)
    x = np.linspace(0, 10, 25)
    y = 2 + 0.5 * x + rng.standard_normal(x.size) * 0.3
    fit = least_squares_fit(Expression.build("a + b*x", ["a", "b"], ["x"]), {"x": x}, y, {"a": 1, "b": 1})
    X = np.column_stack([np.ones_like(x), x])
    beta, rss, *_ = np.linalg.lstsq(X, y, rcond=None)
    cov = np.linalg.inv(X.T @ X) * rss[0] / (x.size - 2)
    assert fit.value("b") == pytest.approx(beta[1], rel=1e-12)
    assert fit.params["b"].stderr == pytest.approx(math.sqrt(cov[1, 1]), rel=1e-9)
    from scipy import stats

    t = stats.t.ppf(0.975, x.size - 2)
    assert fit.params["a"].ci95[1] == pytest.approx(beta[0] + t * math.sqrt(cov[0, 0]), rel=1e-9)


def test_cheng_prusoff_analytic():
    assert cheng_prusoff(20, 420, 420) == 10
    assert cheng_prusoff(20, 0, 420) == 20


def test_inhibition_recovers_ic50_and_ki():
    c = np.concatenate([[0], np.geomspace(0.01, 1e4, 13)])
    y = 5 + 95 / (1 + (c / 30.0) ** 1.2)
    fit = fit_inhibition(c, y, substrate=50, km=420)
    assert fit.value("IC50") == pytest.approx(30, rel=1e-8)
    assert fit.value("hill") == pytest.approx(1.2, rel=1e-8)
    assert fit.value("Ki") == pytest.approx(30 / (1 + 50 / 420), rel=1e-8)
    assert any("Hill slope" in w for w in fit.warnings) is False or fit.value("hill") != 1


def test_one_site_competition_ic50_relation():
    # occupancy theory: a competitor with Ki against a radioligand at L with Kd gives
    # IC50 = Ki (1 + L/Kd); the fit's Cheng-Prusoff Ki must return the Ki used
    ki, L, kd, bmax = 3.0, 1.0, 0.5, 1000.0
    c = np.concatenate([[0], np.geomspace(0.01, 1e4, 13)])
    bound = bmax * L / (L + kd * (1 + c / ki))
    r = fit_competition(c, bound, radioligand=L, kd=kd)
    assert r.preferred == "one site"
    assert r.one_site.value("IC50") == pytest.approx(ki * (1 + L / kd), rel=1e-8)
    assert r.one_site.value("Ki") == pytest.approx(ki, rel=1e-8)


def test_two_sites_preferred_when_present():
    c = np.geomspace(1e-3, 1e5, 17)
    y = 100 * (0.3 / (1 + c / 1.0) + 0.7 / (1 + c / 3000.0))
    rng = np.random.default_rng(1)
    y = y + rng.standard_normal(c.size) * 0.5
    r = fit_competition(c, y)
    assert r.preferred == "two sites" and r.p_value < 1e-6 and r.delta_aicc < 0
    assert r.two_sites.value("frac") == pytest.approx(0.3, abs=0.03)


def test_saturation_total_and_nonspecific_and_specific():
    L = np.geomspace(0.05, 20, 9)
    tot = 800 * L / (1.5 + L) + 12 * L
    fit = fit_saturation(L, total=tot, nonspecific=12 * L)
    assert fit.value("Kd") == pytest.approx(1.5, rel=1e-9)
    assert fit.value("Bmax") == pytest.approx(800, rel=1e-9)
    spec = fit_saturation(L, specific=800 * L / (1.5 + L))
    assert spec.value("Kd") == pytest.approx(1.5, rel=1e-9)


def test_dose_response_and_operational_model():
    a = np.concatenate([[0], np.geomspace(0.1, 1e4, 11)])
    e = 2 + 78 * a**0.8 / (40**0.8 + a**0.8)
    fit = fit_dose_response(a, e)
    assert fit.value("EC50") == pytest.approx(40, rel=1e-8)
    assert fit.value("hill") == pytest.approx(0.8, rel=1e-8)
    # operational model, n = 1: EC50 = KA/(1+tau), Emax = Em tau/(1+tau)
    KA, tau, Em = 500.0, 9.0, 100.0
    e = Em * tau * a / (KA + (1 + tau) * a)
    op = fit_operational(a, e, system_max=Em)
    assert op.value("KA") == pytest.approx(KA, rel=1e-8)
    assert op.value("tau") == pytest.approx(tau, rel=1e-8)
    hill = fit_dose_response(a, e)
    assert hill.value("EC50") == pytest.approx(KA / (1 + tau), rel=1e-7)
    assert op.value("EC50") == pytest.approx(KA / (1 + tau), rel=1e-8)
    assert hill.value("Emax") == pytest.approx(Em * tau / (1 + tau), rel=1e-7)
    # general slope n: derived EC50 matches the Hill fit of the same curve
    n = 1.7
    e = Em * tau**n * a**n / ((KA + a) ** n + tau**n * a**n)
    op = fit_operational(a, e, system_max=Em, slope=n)
    assert op.value("tau") == pytest.approx(tau, rel=1e-7)
    half = op.value("Emax") / 2
    ec50 = op.value("EC50")
    assert Em * tau**n * ec50**n / ((KA + ec50) ** n + tau**n * ec50**n) == pytest.approx(half, rel=1e-9)


def test_poorly_determined_parameter_warns():
    s = np.array([1.0, 2, 3, 4, 5])  # far below Km: only Vmax/Km is determined
    v = 5.2 * s / (4200 + s) * np.array([1, 0.99, 1.0, 0.995, 0.99])
    fit = fit_uptake(s, v)
    assert fit.value("Km") > 0 and fit.value("Vmax") > 0
    assert any("poorly determined" in w for w in fit.warnings)


def test_physically_impossible_fit_is_refused():
    """With this noise the least-squares optimum has Vmax < 0 and Km < 0: refused, not returned."""
    s = np.array([1.0, 2, 3, 4, 5])
    v = 5.2 * s / (4200 + s) * np.array([1, 1.01, 0.99, 1.0, 1.02])
    with pytest.raises(InputError, match=r"best-fit (Vmax|Km) = -.* is not > 0, which is physically impossible"):
        fit_uptake(s, v)


@pytest.mark.parametrize("case", ["negative", "constant", "few"])
def test_bad_input(case):
    with pytest.raises(InputError):
        if case == "negative":
            fit_uptake([-1, 2, 3, 4], [1, 2, 3, 4])
        elif case == "constant":
            fit_uptake([1, 2, 3, 4], [2, 2, 2, 2])
        else:
            fit_inhibition([1, 2, 3, 4], [5, 4, 3, 2])
