"""The exported SBML carries units and passes libsbml's unit-consistency check."""

import subprocess
import sys

import libsbml
import numpy as np
import pytest
import roadrunner

from noradsim.engine import Segment, integrate
from noradsim.engine.sbml import check_sbml, to_sbml, unit_issues
from noradsim.engine.sbml_units import sbml_units, unit_slug
from noradsim.model.terminal import REGIONS, DrugUse, build_terminal_model
from noradsim.model.cascades import cascade_model
from noradsim.units import dim


def _atomoxetine_ip():
    return build_terminal_model("prefrontal_cortex", drugs=(DrugUse("atomoxetine", ("ip",)),))


def _model(sbml: str) -> tuple[libsbml.SBMLDocument, libsbml.Model]:
    doc = libsbml.readSBMLFromString(sbml)
    return doc, doc.getModel()


def test_terminal_model_with_a_drug_has_no_unit_errors_or_warnings():
    sbml = to_sbml(_atomoxetine_ip())
    doc = libsbml.readSBMLFromString(sbml)
    doc.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, True)
    doc.checkConsistency()
    units = [doc.getError(i) for i in range(doc.getNumErrors())
             if doc.getError(i).getCategory() == libsbml.LIBSBML_CAT_UNITS_CONSISTENCY]
    assert not [e for e in units if e.getSeverity() >= libsbml.LIBSBML_SEV_ERROR]
    assert unit_issues(sbml) == []  # in SBML L3 unit problems are warnings: none of those either
    assert check_sbml(sbml) == []


def test_time_is_in_seconds_and_amounts_in_nmol():
    _, m = _model(to_sbml(_atomoxetine_ip()))
    assert m.getTimeUnits() == "second"
    for attr in (m.getExtentUnits(), m.getSubstanceUnits()):
        units = m.getUnitDefinition(attr).getListOfUnits()
        assert [(u.getKind(), u.getExponent(), u.getScale()) for u in units] == [(libsbml.UNIT_KIND_MOLE, 1, -9)]
    assert m.getVolumeUnits() == "litre"


def test_every_parameter_species_and_compartment_has_a_unit():
    model = _atomoxetine_ip()
    _, m = _model(to_sbml(model))
    for p in m.getListOfParameters():
        assert p.isSetUnits(), p.getId()
    for s in m.getListOfSpecies():
        assert s.isSetSubstanceUnits(), s.getId()
    for c in m.getListOfCompartments():
        assert c.isSetUnits(), c.getId()
    k = m.getParameter("k_aadc")
    assert [(u.getKind(), u.getExponent()) for u in m.getUnitDefinition(k.getUnits()).getListOfUnits()] == \
        [(libsbml.UNIT_KIND_SECOND, -1)]
    assert m.getSpecies("ne_ecf").getSubstanceUnits() == m.getExtentUnits()
    assert m.getCompartment(m.getSpecies("ne_ecf").getCompartment()).getUnits() == "litre"


def test_reference_and_conversion_constants_are_exactly_one():
    _, m = _model(to_sbml(_atomoxetine_ip()))
    added = [p for p in m.getListOfParameters() if p.getId().startswith(("ref_", "cf_"))]
    assert {"ref_L", "ref_kg"} <= {p.getId() for p in added}
    assert all(p.getValue() == 1.0 and p.getConstant() for p in added)


@pytest.mark.parametrize("region", REGIONS)
def test_every_region_exports_unit_consistent(region):
    drugs = (DrugUse("clonidine", ("iv",)), DrugUse("pargyline", ("ip",)), DrugUse("reserpine", ("sc",)))
    assert unit_issues(to_sbml(build_terminal_model(region, drugs=drugs))) == []


@pytest.mark.parametrize("name", ["alpha1", "alpha2", "beta"])
def test_cascades_export_unit_consistent(name):
    assert unit_issues(to_sbml(cascade_model(name))) == []


def test_the_check_sees_a_wrong_unit():
    sbml = to_sbml(_atomoxetine_ip())
    good = '<parameter id="k_aadc" value="0.5" units="u_per_s"'
    bad = sbml.replace(good, good.replace("u_per_s", "litre"))
    assert bad != sbml
    assert any("aadc" in issue for issue in unit_issues(bad))


def test_plain_roadrunner_on_the_unit_sbml_matches_the_engine():
    model = _atomoxetine_ip()
    rr = roadrunner.RoadRunner(to_sbml(model))
    rr.integrator.relative_tolerance = 1e-10
    rr.integrator.absolute_tolerance = 1e-12
    rr["[d_atomoxetine_depot_ip]"] = 3000.0
    rr.timeCourseSelections = ["time", "[d_atomoxetine_p]", "[ne_ecf]", "[lc_rate]", "tissue_ne"]
    plain = rr.simulate(0, 3600, 13)
    ours = integrate(model, [Segment(0, 3600, bumps={"d_atomoxetine_depot_ip": 3000.0})], dt=300.0,
                    engine="scipy", rtol=1e-10)
    for i, name in enumerate(["d_atomoxetine_p", "ne_ecf", "lc_rate", "tissue_ne"], start=1):
        np.testing.assert_allclose(plain[:, i], ours[name], rtol=1e-6)


def test_sbml_unit_forms():
    assert sbml_units(dim("nmol/s/kg")) == [("mole", 1.0, -9, 1.0), ("gram", -1.0, 3, 1.0), ("second", -1.0, 0, 1.0)]
    assert sbml_units(dim("1/min")) == [("second", -1.0, 0, pytest.approx(60.0))]  # (60 s)^-1
    assert unit_slug(dim("nM")) == "nmol_per_L"


def test_cli_export_writes_unit_consistent_sbml(tmp_path):
    out = tmp_path / "model.xml"
    r = subprocess.run([sys.executable, "-m", "noradsim.cli", "export", "sbml", str(out), "--drug", "atomoxetine:ip"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    sbml = out.read_text()
    assert unit_issues(sbml) == []
    assert _model(sbml)[1].getTimeUnits() == "second"
