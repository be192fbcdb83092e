"""Receptor occupancy and the operational model: analytic limits, Schild, data integrity."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from noradsim.drugs import load_library
from noradsim.errors import InputError
from noradsim.receptors.occupancy import (
    RECEPTORS, SITES, activation, get_receptor, ligand_parameters, ne_ec50, occupancy, receptor_table,
)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(RECEPTORS), st.floats(1e-3, 1e6))
def test_single_ligand_occupancy_is_hyperbolic(receptor, conc):
    ki = get_receptor(receptor).ki("norepinephrine", "rat")
    occ = occupancy(receptor, {"norepinephrine": conc})["norepinephrine"]
    assert occ == pytest.approx(conc / (conc + ki), rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.floats(0, 1e5), st.floats(0, 1e3), st.floats(0, 1e4))
def test_competing_occupancies_sum_below_one(ne, prazosin, epi):
    occ = occupancy("alpha1A", {"norepinephrine": ne, "prazosin": prazosin, "epinephrine": epi})
    total = sum(occ.values())
    assert 0 <= total < 1
    # each occupancy follows x_i / (1 + sum x_j)
    xs = {k: c / ligand_parameters("alpha1A", k)[0] for k, c in
          (("norepinephrine", ne), ("prazosin", prazosin), ("epinephrine", epi))}
    for k, x in xs.items():
        assert occ[k] == pytest.approx(x / (1 + sum(xs.values())), rel=1e-12, abs=1e-300)


def test_operational_model_ec50_and_emax():
    for r in RECEPTORS:
        rec = get_receptor(r)
        tau = rec.tau.value
        emax = tau / (1 + tau)
        ec50 = ne_ec50(r)
        assert activation(r, {"norepinephrine": ec50}) == pytest.approx(emax / 2, rel=1e-12)
        assert activation(r, {"norepinephrine": 1e12}) == pytest.approx(emax, rel=1e-6)


def _agonist_ec50(receptor, antagonist=None, conc_b=0.0):
    extra = {antagonist: conc_b} if antagonist else {}
    top = activation(receptor, {"norepinephrine": 1e13, **extra})
    f = lambda logc: activation(receptor, {"norepinephrine": 10 ** logc, **extra}) - top / 2
    return 10 ** brentq(f, -6, 12, xtol=1e-13)


@pytest.mark.parametrize("receptor,antagonist", [("alpha1A", "prazosin"), ("beta1", "propranolol"),
                                                 ("alpha2A", "atipamezole"), ("alpha2A", "yohimbine")])
@pytest.mark.parametrize("multiple", [1.0, 10.0, 100.0])
def test_schild_dose_ratio(receptor, antagonist, multiple):
    kb = ligand_parameters(receptor, antagonist)[0]
    assert ligand_parameters(receptor, antagonist)[1] == 0.0  # a pure antagonist
    conc_b = multiple * kb
    ratio = _agonist_ec50(receptor, antagonist, conc_b) / _agonist_ec50(receptor)
    assert ratio == pytest.approx(1 + conc_b / kb, rel=1e-6)
    # surmountable: the maximum is unchanged
    assert activation(receptor, {"norepinephrine": 1e13, antagonist: conc_b}) == pytest.approx(
        activation(receptor, {"norepinephrine": 1e13}), rel=1e-4)


def test_partial_agonist_lowers_full_agonist_maximum_and_acts_alone():
    # guanfacine (efficacy < 1) alone activates alpha2A, and at saturating levels caps NE's effect
    alone = activation("alpha2A", {"guanfacine": 1e6})
    ne_max = activation("alpha2A", {"norepinephrine": 1e6})
    assert 0 < alone < ne_max
    assert activation("alpha2A", {"norepinephrine": 1e3, "guanfacine": 1e7}) == pytest.approx(alone, rel=1e-2)


def test_seed_affinities_and_stereoselectivity():
    assert get_receptor("alpha1A").ki("norepinephrine", "guinea_pig") == 1500
    assert get_receptor("beta1").ki("norepinephrine", "rat") == 126
    assert get_receptor("beta1").ki("norepinephrine", "guinea_pig") == 400
    for r in RECEPTORS:
        rec = get_receptor(r)
        ratio = rec.ki("d-norepinephrine") / rec.ki("norepinephrine")
        assert 10 <= ratio <= 500
    # adrenaline about 30x NE at beta2 (UniProt), equal at beta1 (potency order E = NE)
    assert get_receptor("beta2").ki("norepinephrine") / get_receptor("beta2").ki("epinephrine") == pytest.approx(30)
    assert get_receptor("beta1").ki("epinephrine") == get_receptor("beta1").ki("norepinephrine")


def test_every_value_is_cited_and_every_receptor_located():
    table = receptor_table()
    assert set(table) == set(RECEPTORS)
    for rec in table.values():
        assert rec.g_protein in ("Gq", "Gi/o", "Gs")
        assert rec.cascade == {"Gq": "alpha1", "Gi/o": "alpha2", "Gs": "beta"}[rec.g_protein]
        for c in (rec.tau, rec.stereo_ratio, rec.epinephrine_relative_affinity, *rec.ne_affinity):
            assert c.source.strip()
        assert rec.locations and all(loc.site in SITES and loc.source for loc in rec.locations)
    assert "presynaptic" in get_receptor("alpha2A").sites("prefrontal_cortex")
    assert "glia" in get_receptor("beta2").sites("prefrontal_cortex")


def test_aliases_and_drug_names():
    a = activation("beta1", {"noradrenaline": 50.0})
    assert a == activation("beta1", {"norepinephrine": 50.0})
    lib = load_library()
    assert ligand_parameters("alpha2A", "clonidine", library=lib)[0] == lib.get("clonidine").ki("alpha2A")


def test_drug_without_affinity_does_not_bind():
    assert occupancy("beta1", {"atomoxetine": 1e4})["atomoxetine"] == 0.0


@pytest.mark.parametrize("conc", [-1.0, math.nan])
def test_bad_concentration_is_input_error(conc):
    with pytest.raises(InputError, match="concentration"):
        occupancy("beta1", {"norepinephrine": conc})


def test_unknown_names_suggest():
    with pytest.raises(InputError, match="did you mean"):
        activation("beta7", {"norepinephrine": 1.0})
    with pytest.raises(InputError, match="did you mean"):
        activation("beta1", {"guanfacin": 1.0})


def test_arrays_broadcast():
    c = np.logspace(0, 4, 5)
    a = activation("beta2", {"norepinephrine": c})
    assert a.shape == (5,) and np.all(np.diff(a) > 0)
