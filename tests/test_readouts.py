"""Functional read-outs and disease phenotypes (the inverted-U protocol: tests/test_inverted_u.py)."""

import numpy as np
import pytest

from noradsim.errors import InputError
from noradsim.receptors.phenotypes import (
    FACTORS, drug_shifts, get_phenotype, load_phenotypes, phenotype_experiment, phenotype_factors, surrogate_state,
)
from noradsim.receptors.readouts import (
    adaptive_gain, arousal, glia, mood, readout_parameters, readouts, stress_response, working_memory,
)

NE = np.logspace(-2, 2.5, 300)


def _peak(drugs=None):
    wm = working_memory(NE, drugs)["working_memory"]
    return NE[np.argmax(wm)], wm


def test_inverted_u_has_an_interior_maximum_near_basal_ne():
    ne_peak, wm = _peak()
    i = np.argmax(wm)
    assert 0 < i < len(NE) - 1
    assert wm[i] - wm[0] > 0.03 and wm[i] - wm[-1] > 0.1
    # the optimum sits at moderate, waking levels (0.5-2 nM no-net-flux ECF), stress levels impair
    assert 0.3 < ne_peak < 3.0
    basal = readout_parameters()["ne_basal"]
    assert working_memory(3 * basal)["working_memory"] < working_memory(basal)["working_memory"]


def test_receptor_engagement_order():
    # moderate NE engages high-affinity alpha2A; alpha1/beta1 catch up only at high NE (Ramos & Arnsten 2007)
    low = working_memory(1.0)
    assert low["alpha2A"] > 2 * low["alpha1A"] and low["alpha2A"] > 4 * low["beta1"]
    high = working_memory(30.0)
    assert high["alpha1A"] > 3 * low["alpha1A"]


def test_guanfacine_shifts_the_curve_left_and_helps_at_low_ne():
    # Arnsten, Cai & Goldman-Rakic 1988 (aged monkeys), Arnsten 2009: alpha2A agonist improves
    # performance when NE is low; the optimum moves to lower endogenous NE
    peak0, wm0 = _peak()
    peak1, wm1 = _peak({"guanfacine": 30.0})
    assert peak1 < peak0
    low = NE < 0.2
    assert np.all(wm1[low] > wm0[low] + 0.03)


def test_alpha1_antagonist_protects_at_stress_levels():
    # prazosin protects working memory from high (stress) NE (Birnbaum et al. 1999; Arnsten 2009)
    stress = 3 * readout_parameters()["ne_basal"]
    assert working_memory(stress, {"prazosin": 1.0})["working_memory"] > working_memory(stress)["working_memory"] + 0.02
    peak_p, _ = _peak({"prazosin": 1.0})
    assert peak_p > _peak()[0]


def test_arousal_and_adaptive_gain():
    rates = np.array([0.0, 0.3, 0.8, 1.5, 3.0])
    a = arousal(rates)
    assert np.all(np.diff(a["p_wake"]) > 0)
    assert a["p_rem"][0] > 0.9 and a["p_wake"][-1] > 0.95
    total = a["p_wake"] + a["p_sws"] + a["p_rem"]
    assert np.allclose(total, 1.0)
    grid = np.linspace(0, 8, 801)
    g = adaptive_gain(grid)
    i = np.argmax(g["task_performance"])
    assert 0 < i < len(grid) - 1 and g["task_performance"][i] == pytest.approx(1.0, abs=1e-3)
    assert np.all(np.diff(g["exploration"]) >= 0)


def test_stress_response_filters_with_its_time_constant():
    tau = readout_parameters()["stress_time_constant"]
    t = np.linspace(0, 5 * tau, 501)
    ne = np.where(t > 0, 10.0, 1.5)
    ne[0] = 1.5
    s = stress_response(ne, time_s=t)
    s0, s_inf = stress_response(1.5), stress_response(10.0)
    frac = (s - s0) / (s_inf - s0)
    k = np.searchsorted(t, tau)
    assert frac[k] == pytest.approx(1 - np.exp(-1), abs=0.02)
    assert frac[-1] == pytest.approx(1, abs=0.01)


def test_mood_and_glia_monotone_and_drug_sensitive():
    ne = np.array([0.3, 1.5, 6.0])
    m = mood(ne)
    assert np.all(np.diff(m["low_tone_index"]) < 0) and np.all(np.diff(m["anxiety_index"]) > 0)
    assert m["ne_tone"][1] == pytest.approx(1.0)
    g = glia(ne)
    assert np.all(np.diff(g["microglia_inflammation"]) < 0)
    assert np.all(np.diff(g["astrocyte_neurotrophic"]) > 0)
    # propranolol (beta blocker) removes the beta2 suppression of microglia
    blocked = glia(6.0, {"propranolol": 1000.0})["microglia_inflammation"]
    assert blocked > g["microglia_inflammation"][2]


def test_readouts_scalar_and_array():
    r = readouts(1.5, lc_rate_hz=1.5)
    assert isinstance(r["working_memory"], float) and "p_wake" in r and "task_performance" in r
    ra = readouts(np.array([1.0, 2.0]), {"guanfacine": 10.0})
    assert ra["working_memory"].shape == (2,) and "p_wake" not in ra


def test_phenotypes_are_cited_and_complete():
    table = load_phenotypes()
    assert {"control", "alzheimers_lc_loss", "adhd_net_hyperfunction", "depression_low_ne_tone"} <= set(table)
    for ph in table.values():
        for f in FACTORS:
            p = ph.factors[f]
            assert p.source and p.min <= p.value <= p.max
    assert 0.3 <= phenotype_factors("alzheimers_lc_loss")["lc_neuron_fraction"] <= 0.7
    assert phenotype_factors("adhd_net_hyperfunction")["net_vmax_factor"] > 1
    with pytest.raises(InputError, match="adhd_net_hyperfunction"):
        get_phenotype("adhd")


def test_surrogate_limits():
    basal = readout_parameters()["ne_basal"]
    assert surrogate_state("control")["ne_nM"] == pytest.approx(basal, rel=1e-9)
    for ph in ("alzheimers_lc_loss", "adhd_net_hyperfunction", "depression_low_ne_tone"):
        assert surrogate_state(ph)["ne_nM"] < basal  # each phenotype lowers prefrontal NE
    # NET blockade raises NE and, through alpha2 feedback, slows the LC (Szabo & Blier 2001)
    dmi = surrogate_state("control", {"desipramine": 100.0})
    assert dmi["ne_nM"] > 1.5 * basal and dmi["lc_rate_hz"] < 1.5
    clon = surrogate_state("control", {"clonidine": 20.0})
    assert clon["ne_nM"] < basal and clon["lc_rate_hz"] < 1.2
    yoh = surrogate_state("control", {"yohimbine": 100.0})
    assert yoh["ne_nM"] > basal and yoh["lc_rate_hz"] > 1.5


def test_phenotype_experiment_reports_drug_shifts():
    out = phenotype_experiment("adhd_net_hyperfunction")
    assert {"control", "vehicle", "atomoxetine", "desipramine", "guanfacine", "clonidine"} == set(out)
    assert out["vehicle"]["delta_ne_nM"] == 0.0
    assert out["atomoxetine"]["delta_ne_nM"] > 0 and out["clonidine"]["delta_ne_nM"] < 0
    assert out["guanfacine"]["delta_working_memory"] > 0  # guanfacine helps the low-NE phenotype
    assert out["atomoxetine"]["delta_low_tone_index"] < 0  # NET inhibition lifts low tone


def test_drug_shifts_takes_foundation_values():
    table = drug_shifts({"vehicle": (1.0, None, None), "atomoxetine": (3.0, {"atomoxetine": 30.0}, None)})
    assert table["atomoxetine"]["delta_ne_nM"] == pytest.approx(2.0)
    assert table["atomoxetine"]["delta_activation_alpha1A"] > 0
    with pytest.raises(InputError):
        drug_shifts({"a": (1.0, None, None)}, reference="vehicle")


def test_run_phenotype_experiment(tmp_path):
    from noradsim.receptors.phenotypes import run_phenotype

    exp = {"protocol": "phenotype", "phenotype": "alzheimers_lc_loss",
           "drug": [{"name": "atomoxetine", "dose": "1 mg/kg", "route": "ip", "at": "60 min"},
                    {"name": "clonidine", "brain_concentration": "10 nM"}]}
    res = run_phenotype(exp, tmp_path)
    assert set(res["table"]) == {"control", "vehicle", "atomoxetine", "clonidine"}
    for f in res["files"]:
        assert (tmp_path / f).stat().st_size > 0
    with pytest.raises(InputError, match="did you mean"):
        run_phenotype({"protocol": "phenotype", "phenotype": "alzheimers_lc_los"}, tmp_path / "x")
    with pytest.raises(InputError, match="dose or brain_concentration"):
        run_phenotype({"protocol": "phenotype", "drug": [{"name": "guanfacine"}]}, tmp_path / "y")


def test_report_readout_figure_groups_named_curves_with_units():
    """The microdialysis report's read-out figure: grouped panels, curves named in words with units."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import xarray as xr

    from noradsim.protocols.microdialysis.report import READOUTS_SHOWN, readout_figure
    from noradsim.receptors.readouts import READOUT_LABELS

    t = np.linspace(-60, 120, 91)
    ne = np.where(t < 0, 1.5, 4.5)
    ds = xr.Dataset({"ne_ecf": ("time", ne), "lc_firing_rate": ("time", np.where(t < 0, 2.0, 1.0))},
                    coords={"time": t})
    fig, rows = readout_figure(ds)
    panels = [ax for ax in fig.axes if ax.axison]
    assert len(panels) == len({READOUT_LABELS[k][2] for k in READOUTS_SHOWN}) == 4
    names = []
    for ax in panels:
        curves = [ln for ln in ax.get_lines() if ln.get_linestyle() == "-"]
        assert 1 <= len(curves) <= 2  # small groups, never seven under one legend
        assert ax.get_ylabel() and ax.get_title()
        names += [txt.get_text() for txt in ax.get_legend().get_texts()]
    assert len(names) == len(rows) == len(READOUTS_SHOWN)
    for n in names:
        assert "_" not in n and n.endswith(")") and "(" in n, n  # words, then the unit in brackets
    # a rise in NE raises the anxiety-like index and lowers the low-tone index (monotone proxies)
    row = {r[0].split(" (")[0]: (float(r[1]), float(r[2])) for r in rows}
    assert row["anxiety-like"][1] > row["anxiety-like"][0]
    assert row["low NE tone, depression-like"][1] < row["low NE tone, depression-like"][0]
    plt.close(fig)
