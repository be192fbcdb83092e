"""Pharmacokinetics of the alpha-adrenergic, MAO and COMT drugs (issue 8, part 2, round 4).

Values read in a source must equal the published numbers and say their species (a human
number in a rat PK set is labelled ``species = "human"`` and HUMAN in its source); the
numbers the reasons compute from read inputs must follow from those inputs; the route
bioavailabilities must respect the first pass (an i.p. dose meets the liver first, so
F_po <= F_ip <= 1); and the one-compartment brain lag of ``noradsim.pk`` must give the
brain peak the clonidine reason quotes.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from noradsim.drugs import load_library
from noradsim.pk import brain_concentration

# (drug, field) -> (value, author named in the source); every one a HUMAN measurement
HUMAN_MEASURED = {
    ("clonidine", "po.bioavailability"): (0.752, "Davies"),  # Clin Pharmacol Ther 1977;21:593: 75.2 %
    ("guanfacine", "volume"): (6.0, "Carchman"),  # J Clin Pharmacol 1987;27:762: about 6 L/kg
    ("guanfacine", "po.bioavailability"): (0.811, "Carchman"),  # 81.1 %
    ("yohimbine", "po.bioavailability"): (0.33, "Guthrie"),  # Eur J Clin Pharmacol 1990;39:409: mean 33 %
    ("dexmedetomidine", "po.bioavailability"): (0.16, "Anttila"),  # Br J Clin Pharmacol 2003;56:691: 16 %
    ("tolcapone", "po.bioavailability"): (0.65, "Tasmar"),  # 65 %
    ("brimonidine", "fu_plasma"): (1 - 0.29, "Swiss"),  # about 29 % bound
}
DRUGS = ("clonidine", "dexmedetomidine", "guanfacine", "yohimbine", "idazoxan", "prazosin",
         "pargyline", "tolcapone", "brimonidine", "rx821002", "atipamezole")

KINT_2020_INFUSION_UG_KG_H = 80.0  # 0.08 mg/kg/h s.c. medetomidine, Sprague-Dawley rats
KINT_2020_SERUM_UG_L = 14.4  # 14.4 ng/mL at 0.5 % isoflurane
SALONEN_1989_T_HALF_H = 1.0  # lower end of 0.97-1.60 h (medetomidine, rat/dog/cat)
LEWIS_1988_ORAL_F = {10.0: 0.01, 100.0: 0.23}  # idazoxan, male rats, mg/kg -> F
CURET_1994_IDAZOXAN_DOSE = 20.0  # mg/kg i.p., targets.toml
JPET_1978_CLONIDINE_BRAIN_PEAK_MIN = 2.0  # rat, 100 ug/kg i.v.: brain peak within 2 min


@pytest.fixture(scope="module")
def library():
    return load_library()


def _field(pk, path):
    if "." in path:
        route, name = path.split(".")
        return getattr(pk.routes[route], name)
    return getattr(pk, path)


@pytest.mark.parametrize(("key", "expected"), sorted(HUMAN_MEASURED.items()))
def test_human_measurements_are_the_published_numbers(library, key, expected):
    drug, path = key
    value, author = expected
    v = _field(library.get(drug).pk, path)
    assert v.value == pytest.approx(value, rel=1e-3)
    assert v.provenance.kind == "measured" and v.provenance.verified is True
    assert v.species == "human" and "HUMAN" in v.source and author in v.source


@pytest.mark.parametrize("drug", DRUGS)
def test_a_non_rat_pk_measurement_says_its_species(library, drug):
    """In a rat PK set, a measured value of another species names it in capitals."""
    pk = library.get(drug).pk
    values = [pk.clearance, pk.volume, pk.fu_plasma, pk.kpuu_brain, pk.brain_equilibration]
    values += [x for r in pk.routes.values() for x in (r.bioavailability, r.absorption_halflife)]
    for v in values:
        if v.provenance.kind == "measured" and v.species not in ("", "rat"):
            assert v.species.upper() in v.source, (drug, v.source)


@pytest.mark.parametrize("drug", DRUGS)
def test_first_pass_orders_the_routes(library, drug):
    """An i.p. dose is absorbed through the portal vein (Lukas et al. 1971): F_po <= F_ip <= 1."""
    routes = library.get(drug).pk.routes
    if "po" in routes and "ip" in routes:
        assert routes["po"].bioavailability.value <= routes["ip"].bioavailability.value <= 1.0


def test_dexmedetomidine_clearance_agrees_with_the_rat_medetomidine_infusion(library):
    """Two rat sources: CL/F = infusion rate / steady-state serum concentration of racemic
    medetomidine (Kint et al. 2020) lies within a factor 2 of the compiled rat i.v. CL of
    dexmedetomidine (round 5, tests/test_rat_pk_compiled.py), and the one-compartment
    half-life ln 2 V / CL lies between half the lower end and the upper end of the
    0.97-1.60 h medetomidine half-lives (Salonen 1989; rat, dog and cat not separated)."""
    pk = library.get("dexmedetomidine").pk
    cl = KINT_2020_INFUSION_UG_KG_H / KINT_2020_SERUM_UG_L  # L/h/kg
    assert cl == pytest.approx(5.556, rel=1e-3)
    assert 0.5 <= pk.clearance.value / cl <= 2.0
    assert 0.5 * SALONEN_1989_T_HALF_H <= math.log(2) * pk.volume.value / pk.clearance.value <= 1.6


def test_idazoxan_ip_range_starts_at_the_interpolated_oral_f(library):
    """Saturable first pass: log-log interpolation of the rat oral F to the target's 20 mg/kg."""
    (d1, f1), (d2, f2) = sorted(LEWIS_1988_ORAL_F.items())
    slope = math.log(f2 / f1) / math.log(d2 / d1)
    f20 = f1 * (CURET_1994_IDAZOXAN_DOSE / d1) ** slope
    assert f20 == pytest.approx(0.026, abs=0.001)
    ip = library.get("idazoxan").pk.routes["ip"].bioavailability
    low, high = ip.provenance.range
    assert low == pytest.approx(f20, abs=0.005) and low <= ip.value <= high


def _peak_min(kb_per_min: float, ke_per_min: float) -> float:
    """Peak time of a first-order effect compartment after an i.v. bolus (one compartment)."""
    return math.log(kb_per_min / ke_per_min) / (kb_per_min - ke_per_min)


def test_clonidine_brain_peak_in_the_one_compartment_model(library):
    """The brain lag of noradsim.pk peaks where the analytic formula says; a 2-min peak (rat,
    J Pharmacol Exp Ther 1978;207:195) needs an equilibration half-time under 0.3 min."""
    pk = library.get("clonidine").pk
    ke = pk.clearance.value / pk.volume.value / 60  # 1/min
    kb = math.log(2) / (pk.brain_equilibration.value / 60)
    t = np.arange(0.0, 3600.0, 1.0)
    c = brain_concentration("clonidine", 0.1, "iv", t, library=library)
    assert t[int(np.argmax(c))] / 60 == pytest.approx(_peak_min(kb, ke), abs=1 / 60)
    assert _peak_min(kb, ke) > 5 * JPET_1978_CLONIDINE_BRAIN_PEAK_MIN  # the model peaks late
    lo, hi = 1e-3, 3.0  # equilibration half-time (min) whose brain peak is at 2 min: bisection
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _peak_min(math.log(2) / mid, ke) < JPET_1978_CLONIDINE_BRAIN_PEAK_MIN else (lo, mid)
    assert 0.2 < lo < 0.3
