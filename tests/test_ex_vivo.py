"""Ex vivo NET binding (protocols/ex_vivo.py) against its closed-form solution."""

import numpy as np
import pytest

from noradsim.drugs import load_library
from noradsim.errors import InputError
from noradsim.parameters import data_path, read_toml
from noradsim.protocols.conditions import parse_conditions
from noradsim.protocols.ex_vivo import (Assay, assay, homogenate_fraction_unbound, homogenate_unbound, measured_occupancy,
                                       tissue_binding_ratio)
from noradsim.protocols.timecourse import simulate_conditions


@pytest.mark.parametrize("ratio", [1.0, 8.4, 170.0, 1e4])
@pytest.mark.parametrize("washes", [0, 1, 2])
def test_homogenate_concentration_is_the_mass_balance(ratio, washes):
    """Linear tissue binding: C_T = R C_u is diluted into D + R - 1 volumes; a wash keeps (R-1)/(W+R-1)."""
    a = Assay(kd=0.8, ligand=1.0, volume=100.0, washes=washes, wash_volume=30.0)
    cu = 37.0
    kept = ((ratio - 1) / (30.0 + ratio - 1)) ** washes
    assert homogenate_unbound(cu, ratio, a) == pytest.approx(cu * ratio * kept / (100.0 + ratio - 1), rel=1e-12)


def kalvass_maurer_undiluted_fu(fu_diluted: float, dilution: float) -> float:
    """Kalvass & Maurer 2002 (Biopharm Drug Dispos 23:327): fu of tissue from fu of its D-fold diluted homogenate."""
    return (1 / dilution) / ((1 / fu_diluted - 1) + 1 / dilution)


@pytest.mark.parametrize("fu_brain", [1.0, 0.205, 0.0123, 1 / 170])
@pytest.mark.parametrize("dilution", [1.0, 3.0, 10.0, 100.0])
def test_homogenate_binding_is_the_published_dilution_relation(fu_brain, dilution):
    """The assay's homogenate is the diluted homogenate of tissue-binding studies: D is homogenate per tissue volume.

    Undiluting the assay's fraction unbound with the published relation returns the tissue fu (R = 1/fu), and the
    unbound concentration in the tube is that fraction of the diluted total C_T / D.
    """
    a = Assay(kd=0.8, ligand=1.0, volume=dilution, washes=0, wash_volume=30.0)
    ratio = 1 / fu_brain
    fu_h = homogenate_fraction_unbound(ratio, a)
    assert kalvass_maurer_undiluted_fu(fu_h, dilution) == pytest.approx(fu_brain, rel=1e-12)
    cu = 12.0
    assert float(homogenate_unbound(cu, ratio, a)) == pytest.approx(fu_h * cu * ratio / dilution, rel=1e-12)
    if dilution == 1.0:  # undiluted homogenate: the tissue itself
        assert fu_h == pytest.approx(fu_brain, rel=1e-12)


def test_limits_unbound_drug_is_diluted_and_bound_drug_buffers_itself():
    a = Assay(kd=0.8, ligand=1.0, volume=100.0, washes=0, wash_volume=30.0)
    assert homogenate_unbound(50.0, 1.0, a) == pytest.approx(0.5)
    assert homogenate_unbound(50.0, 1e9, a) == pytest.approx(50.0, rel=1e-6)
    with pytest.raises(InputError, match="tissue binding ratio"):
        homogenate_unbound(1.0, 0.5, a)


def test_competition_with_the_radioligand_is_cheng_prusoff():
    """One drug: 50 % inhibition where C_u,h = Ki (1 + L/Kd); two drugs add their occupancy terms."""
    a = Assay(kd=0.8, ligand=1.0, volume=100.0, washes=0, wash_volume=30.0)
    ki = 3.0
    c50 = ki * (1 + 1.0 / 0.8) * 100.0  # unbound brain concentration that gives 50 % (R = 1: 100-fold dilution)
    assert float(measured_occupancy([(c50, 1.0, ki)], a)) == pytest.approx(0.5)
    two = float(measured_occupancy([(c50, 1.0, ki), (c50, 1.0, ki)], a))
    assert two == pytest.approx(2 * 2.25 / (2.25 + 2 * 2.25))  # x = 2.25 each: 4.5 / (2.25 + 4.5)


def test_shipped_assay_and_tissue_binding():
    a = assay()
    assert a.kd == pytest.approx(0.8) and a.washes == 0
    lib = load_library()
    assert tissue_binding_ratio(lib.get("atomoxetine"))[0] == pytest.approx(170)
    r, where = tissue_binding_ratio(lib.get("reboxetine"))  # library kp_brain: Kp / (Kp,uu fu)
    pk = lib.get("reboxetine").pk
    assert r == pytest.approx(pk.kp_brain.value / (pk.kpuu_brain.value * pk.fu_plasma.value)) and "kp_brain" in where


def test_tissue_binding_table_has_no_entry_shadowed_by_library_kp_brain():
    """A drug with pk.kp_brain takes R = Kp / (Kp,uu fu) from the library; a table entry for it would never be read."""
    lib = load_library()
    table = read_toml(data_path("ex_vivo.toml"))["tissue_binding"]
    shadowed = [k for k in table if k != "default" and lib.get(k).pk is not None and lib.get(k).pk.kp_brain is not None]
    assert shadowed == []


def test_ex_vivo_occupancy_never_exceeds_the_in_vivo_occupancy():
    """Homogenisation can only dilute the unbound drug and the radioligand competes: measured <= in vivo."""
    cond = parse_conditions({"region": "hypothalamus", "window": ["0 min", "120 min"],
                             "interventions": [{"drug": "venlafaxine", "dose": "30 mg/kg", "route": "ip"}]}, "test")
    ds = simulate_conditions(cond, dt=60.0)
    ex, vivo = ds["net_occupancy_ex_vivo"].values, ds["net_occupancy"].values
    assert np.all(ex <= vivo + 1e-12) and ex.max() > 0


VENLAFAXINE_FU_BRAIN = 0.205  # brain-homogenate fraction unbound (fubrain.csv, clinfo/ADME_MTFT)
TATSUMI_1997_VENLAFAXINE_HNET_KD = 1060.0  # nM, [3H]nisoxetine, human NET
TEJANI_BUTT_1992_NISOXETINE_KD = 0.8  # nM, rat brain homogenate


def test_venlafaxine_is_diluted_as_a_weakly_bound_drug():
    """R = Kp / (Kp,uu fu) = 1/fu,brain; 50 % measured where C_u = Ki (1 + L/Kd)(D + R - 1)/R."""
    lib = load_library()
    ven = lib.get("venlafaxine")
    r, where = tissue_binding_ratio(ven)
    assert r == pytest.approx(1 / VENLAFAXINE_FU_BRAIN, rel=0.005) and "kp_brain" in where
    a = assay()
    assert a.kd == TEJANI_BUTT_1992_NISOXETINE_KD
    ki = ven.ki("NET")
    assert ki == TATSUMI_1997_VENLAFAXINE_HNET_KD
    c50 = ki * (1 + a.ligand / a.kd) * (a.volume + r - 1) / r
    assert float(measured_occupancy([(c50, r, ki)], a)) == pytest.approx(0.5, rel=1e-9)
    # about 21-fold more unbound brain drug than the in vivo half-occupancy (C_u = Ki) at D = 100
    assert 15 < c50 / ki / (1 + a.ligand / a.kd) < 30
