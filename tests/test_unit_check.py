"""Units are checked when a model is built (Brian2's check_dimensions for rate laws)."""

import pytest

from noradsim.drugs import load_library
from noradsim.errors import InputError
from noradsim.model import terminal
from noradsim.model.core import ModelBuilder
from noradsim.model.terminal import REGIONS, DrugUse, build_terminal_model, states
from noradsim.parameters import Parameter
from noradsim.model.cascades import _BUILDERS
from noradsim.units import ONE, UnitError, dim, expression_dim


def _decay(k_unit="1/s", a_unit="nM", rule_unit="nM/s", rate="k*A"):
    b = ModelBuilder("decay")
    b.compartment("cell")
    b.parameter("k", 0.1, k_unit, "any", "assumed: test")
    b.species("A", "cell", 10.0, a_unit)
    b.rule("flux", "k*A", rule_unit)
    b.reaction("J_decay", rate, reactants={"A": 1})
    return b.build()


def test_a_consistent_model_builds():
    assert _decay().species_names == ["A"]


def test_wrong_dimension_names_the_reaction_and_both_dimensions():
    with pytest.raises(UnitError) as exc:
        _decay(k_unit="1/s", rule_unit="nM/s", rate="k")
    msg = str(exc.value)
    assert "reaction J_decay" in msg
    assert "1 / [time]" in msg and "[substance] / [length] ** 3 / [time]" in msg


def test_unit_error_is_an_input_error():
    with pytest.raises(InputError, match="reaction J_decay"):
        _decay(rate="k*A*k")


def test_wrong_scale_is_an_error_too():
    # same dimension, but 60x off: the numbers are plain floats in fixed units
    with pytest.raises(UnitError, match="reaction J_decay.*scale factor"):
        _decay(k_unit="1/min", rule_unit="nM/min")


def test_rule_unit_is_checked_and_named():
    with pytest.raises(UnitError, match="rule flux.*'Hz'"):
        _decay(rule_unit="Hz")


def test_rule_without_unit_is_refused():
    with pytest.raises(UnitError, match="rule flux declares no unit"):
        _decay(rule_unit="")


def test_species_with_different_amounts_in_one_reaction():
    b = ModelBuilder("mixed")
    b.compartment("cell")
    b.parameter("k", 0.1, "1/s", "any", "assumed: test")
    b.species("A", "cell", 1.0, "nM")
    b.species("R", "cell", 1.0, "Hz")
    b.reaction("convert", "k*A", {"A": 1}, {"R": 1})
    with pytest.raises(UnitError, match="reaction convert moves A .* and R"):
        b.build()


def test_compartment_sized_by_a_volume_makes_rates_amounts():
    b = ModelBuilder("cell")
    b.parameter("V", 0.5, "L", "any", "assumed: test")
    b.parameter("k", 0.1, "1/s", "any", "assumed: test")
    b.compartment("cell", "V")
    b.species("A", "cell", 10.0)
    b.reaction("J", "k*A*V", {"A": 1})
    b.build()
    b.reaction("J2", "k*A", {"A": 1})
    with pytest.raises(UnitError, match="reaction J2"):
        b.build()


def test_a_deliberately_wrong_unit_in_the_terminal_model_fails_at_build(monkeypatch):
    table = dict(terminal.terminal_parameters())
    p = table["k_aadc"]
    table["k_aadc"] = Parameter(p.name, p.value, "1/min", p.species, p.source)
    monkeypatch.setattr(terminal, "terminal_parameters", lambda: table)
    with pytest.raises(UnitError, match=r"reaction aadc: rate 'k_aadc\*dopa'"):
        build_terminal_model("hippocampus")


def test_a_deliberately_wrong_unit_in_a_rule_of_the_terminal_model(monkeypatch):
    table = dict(terminal.terminal_parameters())
    p = table["ca_k_release"]
    table["ca_k_release"] = Parameter(p.name, p.value, "uM", p.species, p.source)
    monkeypatch.setattr(terminal, "terminal_parameters", lambda: table)
    with pytest.raises(UnitError, match="rule ca_gate.*scale factor"):
        build_terminal_model("hippocampus")


@pytest.mark.parametrize("region", REGIONS)
def test_every_region_and_state_passes(region):
    for st in states():
        build_terminal_model(region, state=st).check_units()


def test_every_drug_with_every_route_passes():
    lib = load_library()
    names = [d for d in ("atomoxetine", "desipramine", "clonidine", "dexmedetomidine", "guanfacine", "yohimbine",
                         "idazoxan", "atipamezole", "prazosin", "propranolol", "pargyline", "tolcapone", "reserpine",
                         "alpha-methyl-p-tyrosine", "reboxetine", "clorgyline", "befloxatone", "cocaine")]
    for name in names:
        drug = lib.get(name)
        routes = ("reverse_dialysis", "iontophoresis")
        if drug.pk is not None:
            routes += ("iv", "sc_minipump") + tuple(drug.pk.routes)
        build_terminal_model("prefrontal_cortex", drugs=(DrugUse(drug.name, routes),)).check_units()
    together = tuple(DrugUse(n, ("ip",)) for n in ("atomoxetine", "clonidine", "pargyline", "tolcapone", "yohimbine"))
    build_terminal_model("hippocampus", drugs=together).check_units()


@pytest.mark.parametrize("name", sorted(_BUILDERS))
def test_cascades_pass(name):
    _BUILDERS[name]().check_units()


# ---- the expression walker


def test_hill_with_a_symbolic_coefficient_is_dimensionless_only_for_equal_units():
    sym = {"x": dim("mM"), "k": dim("mM"), "n": ONE, "ku": dim("uM")}
    assert expression_dim("x^n/(x^n + k^n)", sym).same(ONE)
    with pytest.raises(UnitError, match="scale factor"):
        expression_dim("x^n/(x^n + ku^n)", sym)


def test_functions_need_dimensionless_or_equal_arguments():
    sym = {"v": dim("mV"), "w": dim("mV"), "t": dim("s")}
    assert expression_dim("exp(v/w) + ln(2) + tanh(1)", sym).same(ONE)
    assert expression_dim("max(v, w) - min(w, v)", sym).same(dim("mV"))
    assert expression_dim("sqrt(v*w) + abs(v)", sym).same(dim("mV"))
    assert expression_dim("pow(t, 2)", sym).same(dim("s^2"))
    for bad in ("exp(v)", "max(v, t)", "v^t", "t^(v/w) + t", "(t^(v/w))^(v/w)"):
        with pytest.raises(UnitError):
            expression_dim(bad, sym)


@pytest.mark.parametrize("text", ["__import__('os').system('true')", "v.real", "v if v else w", "[v]",
                                  "lambda: v", "v < w", "foo(v)"])
def test_only_arithmetic_is_read(text):
    with pytest.raises(UnitError):
        expression_dim(text, {"v": dim("mV"), "w": dim("mV")})


def test_unreadable_units_are_refused():
    with pytest.raises(UnitError, match="cannot read"):
        dim("blorps/s")
