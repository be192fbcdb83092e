"""Cross-check against lmfit: same data, same model, same covariance formula.

lmfit's ``leastsq`` (MINPACK) reports standard errors from ``s^2 (J^T J)^-1`` with
``s^2 = RSS/(n - p)`` (``scale_covar=True``, the default); noradsim's engine uses the SVD
of the same Jacobian, which is the same matrix. Like for like: unweighted, no bounds
(bounds would make lmfit fit transformed parameters), tight tolerances, and lmfit given
the analytic Jacobian so that its covariance is not from finite differences.
"""

from __future__ import annotations

import numpy as np
import pytest

lmfit = pytest.importorskip("lmfit")

from noradsim.fitting import fit_dose_response, fit_uptake


def _lmfit(residual, jacobian, start: dict):
    params = lmfit.Parameters()
    for name, value in start.items():
        params.add(name, value=value)  # no bounds: no parameter transformation

    def res(p):
        return residual(*(p[k].value for k in start))

    def jac(p):
        return jacobian(*(p[k].value for k in start))

    out = lmfit.minimize(res, params, method="leastsq", Dfun=jac, xtol=1e-15, ftol=1e-15, gtol=0.0,
                         max_nfev=20000)
    assert out.success and out.errorbars
    return out


def _compare(ours, theirs, names):
    for name in names:
        assert ours.value(name) == pytest.approx(theirs.params[name].value, rel=1e-6), name
        assert ours.params[name].stderr == pytest.approx(theirs.params[name].stderr, rel=1e-3), name
    assert ours.rss == pytest.approx(theirs.chisqr, rel=1e-9)


def test_michaelis_menten_agrees_with_lmfit():
    rng = np.random.default_rng(7)
    s = np.repeat(np.geomspace(30, 5000, 8), 3)
    v = 5.2 * s / (420 + s) * (1 + 0.04 * rng.standard_normal(s.size))
    ours = fit_uptake(s, v)

    def residual(vmax, km):
        return vmax * s / (km + s) - v

    def jacobian(vmax, km):
        return np.column_stack([s / (km + s), -vmax * s / (km + s) ** 2])

    theirs = _lmfit(residual, jacobian, {"Vmax": 4.0, "Km": 300.0})
    _compare(ours, theirs, ["Vmax", "Km"])


def test_dose_response_agrees_with_lmfit():
    rng = np.random.default_rng(8)
    a = np.repeat(np.geomspace(0.1, 1e4, 11), 2)
    e = 2 + 78 * a**0.8 / (40**0.8 + a**0.8) + rng.normal(0, 1.5, a.size)
    ours = fit_dose_response(a, e)

    def model_parts(bottom, emax, ec50, hill):
        frac = a**hill / (ec50**hill + a**hill)
        return frac

    def residual(bottom, emax, ec50, hill):
        return bottom + (emax - bottom) * model_parts(bottom, emax, ec50, hill) - e

    def jacobian(bottom, emax, ec50, hill):
        f = model_parts(bottom, emax, ec50, hill)
        d = emax - bottom
        df_dec50 = -f * (1 - f) * hill / ec50
        df_dhill = f * (1 - f) * (np.log(a) - np.log(ec50))
        return np.column_stack([1 - f, f, d * df_dec50, d * df_dhill])

    theirs = _lmfit(residual, jacobian, {"bottom": 0.0, "Emax": 90.0, "EC50": 20.0, "hill": 1.0})
    names = ["bottom", "Emax", "EC50", "hill"]
    _compare(ours, theirs, names)
    # and the covariance formula itself: s^2 (J^T J)^-1 at the solution
    p = [ours.value(k) for k in names]
    j = jacobian(*p)
    cov = np.linalg.inv(j.T @ j) * ours.rss / (a.size - 4)
    np.testing.assert_allclose([ours.params[k].stderr for k in names], np.sqrt(np.diag(cov)), rtol=1e-6)
