"""Replicates (--replicates all|mean|mean-unweighted) and per-column SDs for saturation binding."""

from __future__ import annotations

import json

import numpy as np
import pytest

from noradsim.cli import main
from noradsim.errors import InputError
from noradsim.fitting import Expression, fit_saturation, least_squares_fit, replicate_means

CONC = np.geomspace(0.1, 1e4, 11)


def _hill(a):
    return 2 + 78 * a**0.8 / (40**0.8 + a**0.8)


def _write(path, header, rows):
    path.write_text(header + "\n" + "".join(",".join(str(v) for v in r) + "\n" for r in rows))
    return path


def _run(capsys, argv):
    assert main(["fit", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_replicate_means_and_sem():
    x = np.array([1.0, 2, 1, 2, 1, 2])
    y = np.array([1.0, 10, 2, 12, 3, 14])
    xm, ym, sem, _ = replicate_means(x, y)
    assert xm.tolist() == [1, 2] and ym.tolist() == [2, 12]
    assert sem == pytest.approx([1 / np.sqrt(3), 2 / np.sqrt(3)])
    with pytest.raises(InputError, match="x = 3 has one replicate"):
        replicate_means(np.array([1.0, 1, 3]), np.array([1.0, 2, 3]))


def test_balanced_replicates_same_estimates_all_vs_means(tmp_path, capsys):
    rng = np.random.default_rng(4)
    reps = [_hill(CONC) + rng.normal(0, 2, CONC.size) for _ in range(3)]
    path = _write(tmp_path / "d.csv", "x,r1,r2,r3", zip(CONC, *reps))
    base = ["dose-response", str(path), "--y", "r1,r2,r3"]
    every = _run(capsys, base)
    means = _run(capsys, base + ["--replicates", "mean-unweighted"])
    assert every["n"] == 33 and means["n"] == 11 and means["replicates"] == "mean-unweighted"
    for name, est in every["params"].items():
        assert means["params"][name]["value"] == pytest.approx(est["value"], rel=1e-8), name
    # SD-weighted means: same estimates when the scatter is the same at every concentration
    offsets = np.array([-1.5, 0.3, 1.2])
    centre = _hill(CONC) + rng.normal(0, 2, CONC.size)
    path = _write(tmp_path / "e.csv", "x,y", [(c, m + o) for o in offsets for c, m in zip(CONC, centre)])
    every = _run(capsys, ["dose-response", str(path)])
    weighted = _run(capsys, ["dose-response", str(path), "--replicates", "mean"])
    for name, est in every["params"].items():
        assert weighted["params"][name]["value"] == pytest.approx(est["value"], rel=1e-8), name
    # ... and different estimates when the scatter differs (1/SD^2 weights do something)
    reps = [_hill(CONC) + rng.normal(0, 1, CONC.size) * (0.2 + CONC / 1e3) for _ in range(3)]
    path = _write(tmp_path / "f.csv", "x,r1,r2,r3", zip(CONC, *reps))
    every = _run(capsys, ["dose-response", str(path), "--y", "r1,r2,r3"])
    weighted = _run(capsys, ["dose-response", str(path), "--y", "r1,r2,r3", "--replicates", "mean"])
    assert weighted["params"]["EC50"]["value"] != pytest.approx(every["params"]["EC50"]["value"], rel=1e-6)


def test_balanced_replicates_global_schild(tmp_path, capsys):
    rng = np.random.default_rng(9)
    rows = []
    for b in (0, 10, 100):
        for _ in range(2):
            for a in CONC:
                rows.append((a, b, 100 * a / (a + 10 * (1 + b / 2.5)) + rng.normal(0, 1)))
    path = _write(tmp_path / "s.csv", "x,b,y", rows)
    every = _run(capsys, ["schild", str(path), "--group", "b"])
    means = _run(capsys, ["schild", str(path), "--group", "b", "--replicates", "mean-unweighted"])
    assert every["n"] == 66 and means["n"] == 33
    for name, est in every["params"].items():
        assert means["params"][name]["value"] == pytest.approx(est["value"], rel=1e-7), name


def test_saturation_total_nonspecific_with_sd_columns(tmp_path, capsys):
    L = np.geomspace(0.05, 20, 9)
    rng = np.random.default_rng(3)
    sd_t, sd_n = 5 + 0.05 * (800 * L / (1.5 + L)), 1 + 0.1 * 12 * L
    tot = 800 * L / (1.5 + L) + 12 * L + rng.normal(0, 1, L.size) * sd_t
    ns = 12 * L + rng.normal(0, 1, L.size) * sd_n
    path = _write(tmp_path / "sat.csv", "x,total,nonspecific,sd_total,sd_ns", zip(L, tot, ns, sd_t, sd_n))
    doc = _run(capsys, ["saturation", str(path), "--sd", "sd_total,sd_ns"])
    # reference: the same weighted global fit built by hand
    expr = Expression.build("is_total*Bmax*x/(Kd + x) + NS*x", ["Bmax", "Kd", "NS"], ["x", "is_total"])
    ref = least_squares_fit(expr, {"x": np.r_[L, L], "is_total": np.r_[np.ones(9), np.zeros(9)]}, np.r_[tot, ns],
                            {"Bmax": 700, "Kd": 1, "NS": 10}, sd=np.r_[sd_t, sd_n])
    for name in ("Bmax", "Kd", "NS"):
        assert doc["params"][name]["value"] == pytest.approx(ref.value(name), rel=1e-8)
        assert doc["params"][name]["stderr"] == pytest.approx(ref.params[name].stderr, rel=1e-6)
    unweighted = fit_saturation(L, total=tot, nonspecific=ns)
    assert unweighted.value("Kd") != pytest.approx(ref.value("Kd"), rel=1e-6)
    # one SD column serves both
    one = _run(capsys, ["saturation", str(path), "--sd", "sd_total"])
    same = fit_saturation(L, total=tot, nonspecific=ns, sd=sd_t)
    assert one["params"]["Kd"]["value"] == pytest.approx(same.value("Kd"), rel=1e-8)


@pytest.mark.parametrize("argv, message", [
    (["saturation", "--sd", "sd_total,sd_ns,sd_total"], "3 SD columns for 2 response columns"),
    (["saturation", "--sd", "sd_total", "--replicates", "mean"], "exclusive"),
    (["saturation", "--replicates", "mean"], "has one replicate"),
])
def test_bad_sd_and_replicates(tmp_path, capsys, argv, message):
    L = np.geomspace(0.05, 20, 9)
    path = _write(tmp_path / "d.csv", "x,total,nonspecific,sd_total,sd_ns",
                  zip(L, 800 * L / (1.5 + L) + 12 * L, 12 * L, L + 1, L + 1))
    rc = main(["fit", argv[0], str(path), *argv[1:]])
    err = capsys.readouterr().err
    assert rc == 2 and message in err, err
