"""Virtual NET uptake and inhibition assays, and the round trip of a fitted compound."""

from __future__ import annotations

import math

import numpy as np
import pytest

from noradsim.drugs import load_library
from noradsim.errors import InputError
from noradsim.protocols.assays import (
    assay_target,
    get_preparation,
    inhibition_assay,
    load_preparations,
    net_uptake_rate,
    save_fitted_compound,
    simulate_uptake,
    uptake_assay,
)


def test_preparations_are_cited():
    preps = load_preparations()
    assert {"cells:hNET", "cells:SK-N-BE(2)C", "cells:C6-hNET"} <= set(preps)
    assert preps["cells:hNET"].km.value == 420 and preps["cells:SK-N-BE(2)C"].km.value == 416
    assert preps["cells:C6-hNET"].km.value == pytest.approx(280)
    for p in preps.values():
        for f in (p.km, p.vmax, p.amount, p.volume, p.tracer):
            assert f.source and f.unit


def test_rate_law_competitive_inhibition():
    # with an inhibitor at its Ki, the apparent Km doubles: v(2 Km) = Vmax/2
    assert float(net_uptake_rate(840.0, 1.0, 420.0, [(7.0, 7.0)])) == pytest.approx(0.5)
    assert float(net_uptake_rate(0.0, 1.0, 420.0)) == 0.0


def test_short_incubation_gives_initial_velocity():
    prep = get_preparation("cells:hNET")
    s = np.array([10.0, 420.0, 5000.0])
    v = simulate_uptake(prep, s)
    exact = net_uptake_rate(s, prep.vmax.value, prep.km.value)
    np.testing.assert_allclose(v, exact, rtol=0.01)  # depletion kept under 1 %
    assert np.all(v < exact)  # and it can only lower the velocity


@pytest.mark.parametrize("name", ["cells:hNET", "cells:SK-N-BE(2)C", "cells:C6-hNET"])
def test_uptake_assay_recovers_km_and_vmax_within_2_percent(name):
    prep = get_preparation(name)
    fit, _, _ = uptake_assay(name)
    assert fit.value("Km") == pytest.approx(prep.km.value, rel=0.02)
    assert fit.value("Vmax") == pytest.approx(prep.vmax.value, rel=0.02)


def test_noisy_uptake_assay_is_seeded():
    a, _, ya = uptake_assay("cells:hNET", noise_cv=0.05, seed=7)
    b, _, yb = uptake_assay("cells:hNET", noise_cv=0.05, seed=7)
    c, _, yc = uptake_assay("cells:hNET", noise_cv=0.05, seed=8)
    np.testing.assert_array_equal(ya, yb)
    assert not np.array_equal(ya, yc)
    lo, hi = a.params["Km"].ci95
    assert lo < 420 < hi


@pytest.mark.parametrize("ki", [0.46, 5.0, 7.36, 300.0])
def test_inhibition_assay_recovers_ki_within_5_percent(ki):
    fit = inhibition_assay("cells:hNET", ki)
    assert fit.value("Ki") == pytest.approx(ki, rel=0.05)
    assert fit.value("hill") == pytest.approx(1.0, abs=0.01)


def test_assay_target_uptake_and_inhibition():
    lib = load_library()
    km, why = assay_target("net_uptake", "km", "cells:SK-N-BE(2)C", "human", [], lib)
    assert km == pytest.approx(416, rel=0.02) and "Km" in why and "\n" not in why
    ki, why = assay_target("net_inhibition", "ki", "cells:hNET", "human",
                           [{"drug": "atomoxetine", "concentration": "scan", "route": "bath"}], lib)
    assert ki == pytest.approx(lib.get("atomoxetine").ki("NET", "human"), rel=0.05)
    assert "Cheng-Prusoff" in why


def test_assay_target_errors():
    lib = load_library()
    with pytest.raises(InputError, match="did you mean 'cells:hNET'"):
        assay_target("net_uptake", "km", "cells:hNETT", "human", [], lib)
    with pytest.raises(InputError):
        assay_target("net_uptake", "ki", "cells:hNET", "human", [], lib)
    with pytest.raises(InputError, match="scan"):
        assay_target("net_inhibition", "ki", "cells:hNET", "human", [], lib)


def test_fitted_compound_round_trip(tmp_path):
    fit = inhibition_assay("cells:hNET", 3.0)
    path = tmp_path / "my_drugs.toml"
    save_fitted_compound("NX-101", fit.value("Ki"), "NET", path, "virtual inhibition assay, cells:hNET",
                         molar_mass=301.4)
    save_fitted_compound("NX-102", 40.0, "SERT", path, "lab CSV fit", molar_mass=250.0, species="rat")
    lib = load_library([path])
    assert lib.get("NX-101").ki("NET", "human") == pytest.approx(3.0, rel=0.05)
    assert lib.get("nx-102").ki("SERT", "rat") == 40.0
    assert math.isinf(lib.get("NX-101").ki("DAT"))
    # the saved compound drives the assay again
    ki, _ = assay_target("net_inhibition", "ki", "cells:hNET", "human",
                         [{"drug": "NX-101", "concentration": "scan", "route": "bath"}], lib)
    assert ki == pytest.approx(3.0, rel=0.05)
    with pytest.raises(InputError, match="already"):
        save_fitted_compound("NX-101", 1.0, "NET", path, "again", molar_mass=301.4)
    with pytest.raises(InputError):
        save_fitted_compound("NX-103", -1.0, "NET", path, "bad", molar_mass=301.4)
    assert "NX-103" not in path.read_text()
