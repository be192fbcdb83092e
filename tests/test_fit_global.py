"""Global fits of curve families: Schild analysis and the Furchgott operational-model series."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from noradsim.cli import main
from noradsim.errors import InputError
from noradsim.fitting import fit_global, fit_operational_global, fit_schild

AGONIST = np.geomspace(0.1, 1e5, 13)  # nM


def _family(levels, response, replicates=1):
    a = np.tile(AGONIST, len(levels) * replicates)
    g = np.repeat(np.asarray(levels, dtype=object if isinstance(levels[0], str) else float),
                  AGONIST.size * replicates)
    return a, g, response(a, g)


def _gaddum(a, b, *, em=100.0, tau=20.0, ka=300.0, kb=2.5, n=1.0):
    """Operational model with a competitive antagonist (Gaddum: KA -> KA (1 + [B]/KB))."""
    ka_app = ka * (1 + b / kb)
    return em * tau**n * a**n / ((ka_app + a) ** n + tau**n * a**n)


def test_schild_recovers_parameters_with_noise_within_2_percent():
    truth = {"bottom": 5.0, "Emax": 100.0, "EC50": 10.0, "hill": 0.9, "KB": 2.5, "s": 1.0}
    rng = np.random.default_rng(11)
    a, b, _ = _family([0, 3, 30, 300], lambda a, g: 0 * a, replicates=3)
    ec50 = truth["EC50"] * (1 + (b / truth["KB"]) ** truth["s"])
    e = truth["bottom"] + (truth["Emax"] - truth["bottom"]) * a**0.9 / (ec50**0.9 + a**0.9)
    fit = fit_schild(a, e + rng.normal(0, 0.2, a.size), b)
    for name, value in truth.items():
        assert fit.value(name) == pytest.approx(value, rel=0.02), name
        assert abs(fit.value(name) - value) < 4 * fit.params[name].stderr, name
    assert fit.value("pA2") == pytest.approx(9 - math.log10(2.5), abs=0.01)
    assert fit.derived["pA2"].stderr > 0
    # the exact curves give the parameters to solver precision
    exact = fit_schild(a, e, b)
    assert exact.value("KB") == pytest.approx(2.5, rel=1e-8)
    assert exact.value("s") == pytest.approx(1.0, rel=1e-8)


@pytest.mark.parametrize("n", [1.0, 2.0])
def test_schild_slope_of_a_competitive_antagonist_is_one(n):
    # data from receptor theory, not from the fitted model: the operational model with a
    # Gaddum competitive antagonist shifts curves in parallel by DR = 1 + [B]/KB exactly
    a, b, e = _family([0, 1, 10, 100, 1000], lambda a, g: _gaddum(a, g, n=n))
    fit = fit_schild(a, e, b)
    assert fit.value("s") == pytest.approx(1.0, abs=0.01)
    assert fit.value("KB") == pytest.approx(2.5, rel=0.02)
    plot = fit.extra["schild_plot"]
    slope = np.polyfit(plot["log10_antagonist_M"], plot["log10_dr_minus_1"], 1)[0]
    assert slope == pytest.approx(1.0, abs=0.01)
    for lev, dr in plot["dose_ratio"].items():
        assert dr == pytest.approx(1 + float(lev) / 2.5, rel=0.02)


def test_schild_slope_below_one_is_flagged():
    a, b, _ = _family([0, 3, 30, 300, 3000], lambda a, g: 0 * a)
    e = 100 * a / (a + 10 * (1 + (b / 2.5) ** 0.7))
    e = e + np.random.default_rng(2).normal(0, 0.3, a.size)
    fit = fit_schild(a, e, b)
    assert fit.value("s") == pytest.approx(0.7, rel=0.02)
    assert fit.extra["slope_test"]["p_value"] < 1e-6
    assert any("Schild slope" in w for w in fit.warnings)


def test_schild_one_antagonist_concentration_holds_slope_and_reports_pkb():
    a, b, e = _family([0, 30], lambda a, g: 100 * a / (a + 10 * (1 + g / 2.5)))
    fit = fit_schild(a, e, b)
    assert "s" not in fit.params and fit.extra["slope_held"] == 1.0
    assert fit.value("pKB") == pytest.approx(9 - math.log10(2.5), abs=1e-8)
    assert any("held at 1" in w for w in fit.warnings)


def test_operational_furchgott_series_recovers_ka_and_tau_without_em():
    truth = {"Em": 100.0, "KA": 200.0, "n": 1.0}
    taus = {"control": 30.0, "pbz_1": 3.0, "pbz_2": 0.6}
    a, g, _ = _family(list(taus), lambda a, g: 0 * a, replicates=2)
    tau = np.array([taus[k] for k in g])
    e = truth["Em"] * tau * a / (truth["KA"] + a + tau * a)
    exact = fit_operational_global(a, e, g, group_column="curve")
    assert exact.value("KA") == pytest.approx(200, rel=1e-7)
    assert exact.value("tau_pbz_2") == pytest.approx(0.6, rel=1e-7)
    fit = fit_operational_global(a, e + np.random.default_rng(5).normal(0, 0.1, a.size), g)
    for name, value in {**truth, **{f"tau_{k}": v for k, v in taus.items()}}.items():
        assert fit.value(name) == pytest.approx(value, rel=0.02), name
        assert abs(fit.value(name) - value) < 4 * fit.params[name].stderr, name
    # Furchgott: fraction of receptors left = tau ratio
    assert fit.value("q_pbz_1") == pytest.approx(0.1, rel=0.02)
    assert fit.value("pKA") == pytest.approx(9 - math.log10(200), abs=0.01)


def test_operational_with_held_slope_and_n_not_one():
    taus = {"c": 50.0, "x1": 5.0, "x2": 1.0}
    a, g, _ = _family(list(taus), lambda a, g: 0 * a)
    tau = np.array([taus[k] for k in g])
    e = 80 * tau**1.5 * a**1.5 / ((300 + a) ** 1.5 + tau**1.5 * a**1.5)
    fit = fit_operational_global(a, e, g)
    assert fit.value("n") == pytest.approx(1.5, rel=1e-6)
    assert fit.value("KA") == pytest.approx(300, rel=1e-6)
    held = fit_operational_global(a, e, g, slope=1.5)
    assert "n" not in held.params and held.value("Em") == pytest.approx(80, rel=1e-7)


def test_fit_global_generic_shares_and_splits():
    x = np.tile([1.0, 3, 10, 30, 100, 300], 3)
    g = np.repeat(["a", "b", "c"], 6)
    top = np.select([g == "a", g == "b"], [80.0, 40.0], 20.0)
    fit = fit_global("top*x/(K + x)", shared=["K"], per_group=["top"], columns={"x": x},
                     response=top * x / (20 + x), groups=g, start={"K": 5, "top": 50})
    assert fit.n_params == 4 and fit.extra["groups"] == {"top_a": "a", "top_b": "b", "top_c": "c"}
    assert fit.value("top_c") == pytest.approx(20, rel=1e-9)


def test_bad_family_input():
    a, b, e = _family([0.0], lambda a, g: 100 * a / (a + 10))
    with pytest.raises(InputError, match="'antagonist_nM' has 1 curve"):
        fit_schild(a, e, b, group_column="antagonist_nM")
    a, b, e = _family([1.0, 10.0], lambda a, g: 100 * a / (a + 10 * (1 + g)))
    with pytest.raises(InputError, match="no control curve"):
        fit_schild(a, e, b)
    a, g, e = _family(["only"], lambda a, g: 100 * a / (a + 10))
    with pytest.raises(InputError, match="'curve' has 1 curve"):
        fit_operational_global(a, e, g, group_column="curve")


def _write(path, header, rows):
    path.write_text(header + "\n" + "".join(",".join(str(v) for v in r) + "\n" for r in rows))
    return path


def test_cli_schild_json_and_files(tmp_path, capsys):
    a, b, e = _family([0, 3, 30, 300], lambda a, g: 100 * a / (a + 10 * (1 + g / 2.5)))
    path = _write(tmp_path / "s.csv", "conc,antagonist_uM,response", zip(a, b / 1000, e))
    out = tmp_path / "o"
    assert main(["fit", "schild", str(path), "--x", "conc", "--y", "response", "--group", "antagonist_uM",
                 "--group-unit", "uM", "--json", "--out", str(out)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["kind"] == "schild"
    assert doc["params"]["KB"]["value"] == pytest.approx(2.5, rel=1e-7)
    assert doc["params"]["s"]["value"] == pytest.approx(1.0, rel=1e-7)
    assert set(doc["derived"]["pA2"]) == {"value", "stderr", "ci95"}
    assert {"fit.json", "fit.png", "schild.png", "summary.txt", "residuals.csv"} <= {p.name for p in out.iterdir()}
    assert (out / "residuals.csv").read_text().startswith("antagonist_uM,x,y,fitted,residual")


def test_cli_operational_global(tmp_path, capsys):
    taus = {"control": 30.0, "pbz": 1.0}
    a, g, _ = _family(list(taus), lambda a, g: 0 * a)
    tau = np.array([taus[k] for k in g])
    path = _write(tmp_path / "o.csv", "x,curve,y", zip(a, g, 100 * tau * a / (200 + a + tau * a)))
    assert main(["fit", "operational", str(path), "--group", "curve", "--slope", "1", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["params"]["KA"]["value"] == pytest.approx(200, rel=1e-7)
    assert doc["params"]["tau_pbz"]["value"] == pytest.approx(1.0, rel=1e-7)


@pytest.mark.parametrize("argv, rows, message", [
    (["schild", "--group", "antagonist_nM"], "x,y,antagonist\n", "column: unknown value 'antagonist_nM'"),
    (["schild", "--group", "antagonist"], "x,y,antagonist\n", "'antagonist' has 1 curve"),
    (["schild"], "x,y,antagonist\n", "--group: name the column"),
    (["operational", "--group", "curve"], "x,y,curve\n", "'curve' has 1 curve"),
])
def test_cli_bad_family_input_exit_2(tmp_path, capsys, argv, rows, message):
    path = tmp_path / "d.csv"
    path.write_text(rows + "".join(f"{c},{100 * c / (c + 10)},0\n" for c in AGONIST))
    rc = main(["fit", argv[0], str(path), *argv[1:], "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert rc == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
