"""The shipped drug library (``noradsim/data/drugs.toml``) and user drug files.

Checks that the issue's compounds are present with cited affinities and rat PK, that the
seed-table values sit in the file with their species, that every PK set is internally
consistent (t1/2 = ln 2 V / CL against the half-life named in the clearance source),
that molar masses match the molecular formulas the sources name, and that user files
add, override and are rejected with one-line errors naming the field.
"""

from __future__ import annotations

import math
import re
import textwrap

import pytest

from noradsim.cli import main as cli_main
from noradsim.drugs import TARGETS, load_library, read_drug_file
from noradsim.errors import InputError

REQUIRED = (
    "atomoxetine", "desipramine", "reboxetine", "nisoxetine", "nortriptyline", "duloxetine",
    "venlafaxine", "clonidine", "dexmedetomidine", "guanfacine", "yohimbine", "idazoxan",
    "atipamezole", "prazosin", "propranolol", "pargyline", "clorgyline", "befloxatone",
    "tolcapone", "reserpine", "alpha-methyl-p-tyrosine",
)
AGONISTS = ("clonidine", "dexmedetomidine", "guanfacine")
RECEPTORS = tuple(t for t in TARGETS if t.startswith(("alpha", "beta")))

# Seed document (GUIDE.md "Science") and parameter_sources.md section 3b: (drug, target,
# species) -> Ki/Kd in nM, exactly as published.
SEED = {
    ("nisoxetine", "NET", "rat"): 0.46,
    ("desipramine", "NET", "rat"): 7.36,
    ("desipramine", "NET", "human"): 0.8,
    ("nortriptyline", "NET", "any"): 3.4,
    ("nortriptyline", "NET", "human"): 4.4,
}
TATSUMI_1997 = {  # human NET / SERT / DAT Kd, nM (Tatsumi et al. 1997, Eur J Pharmacol 340:249)
    "desipramine": (0.8, 17.6, 3190),
    "nortriptyline": (4.4, 18, 1140),
    "venlafaxine": (1060, 8.9, 9300),
}
ATOMIC_MASS = {"C": 12.011, "H": 1.008, "N": 14.007, "O": 15.999, "S": 32.06, "Cl": 35.45, "F": 18.998}


@pytest.fixture(scope="module")
def library():
    return load_library()


def _values(drug):
    """Every cited value of a drug, labelled by where it sits."""
    yield "molar_mass", drug.molar_mass
    for b in drug.bindings:
        yield f"{b.target} ki", b.ki
        if b.efficacy:
            yield f"{b.target} efficacy", b.efficacy
        if b.kinact:
            yield f"{b.target} kinact", b.kinact
    if drug.pk:
        for key in ("clearance", "volume", "fu_plasma", "kpuu_brain", "brain_equilibration"):
            yield f"pk {key}", getattr(drug.pk, key)
        for route, r in drug.pk.routes.items():
            yield f"pk {route} bioavailability", r.bioavailability
            yield f"pk {route} absorption_halflife", r.absorption_halflife


def _formula_mass(formula: str) -> float:
    return sum(ATOMIC_MASS[el] * int(n or 1) for el, n in re.findall(r"(Cl|[CHNOSF])(\d*)", formula))


@pytest.mark.parametrize("name", REQUIRED)
def test_required_drug_is_complete(library, name):
    drug = library.get(name)
    assert drug.molar_mass.value > 50
    assert drug.bindings, f"{name} has no binding"
    assert drug.pk is not None and drug.pk.species == "rat"
    assert {"ip", "sc", "po"} <= set(drug.pk.routes)
    for where, value in _values(drug):
        assert value.source.strip(), f"{name} {where} has no source"
        assert math.isfinite(value.value), f"{name} {where}"


def test_every_value_in_the_library_is_cited(library):
    n_values = 0
    for drug in library.drugs.values():
        for where, value in _values(drug):
            assert len(value.source.strip()) > 10, f"{drug.name} {where}: source {value.source!r}"
            n_values += 1
    assert n_values > 300


def test_synonyms_resolve(library):
    assert library.get("AMPT").name == "alpha-methyl-p-tyrosine"
    assert library.get("metirosine").name == "alpha-methyl-p-tyrosine"
    assert library.get("(R)-tomoxetine").name == "atomoxetine"
    assert library.get("DMI").name == "desipramine"


@pytest.mark.parametrize(("key", "ki"), sorted(SEED.items()))
def test_seed_values_with_species(library, key, ki):
    name, target, species = key
    hits = [b for b in library.get(name).bindings if b.target == target and b.species == species]
    assert len(hits) == 1, f"{key}: {len(hits)} entries"
    assert hits[0].ki.value == pytest.approx(ki, rel=1e-12)


@pytest.mark.parametrize("name", sorted(TATSUMI_1997))
def test_tatsumi_table(library, name):
    drug = library.get(name)
    for target, kd in zip(("NET", "SERT", "DAT"), TATSUMI_1997[name]):
        assert drug.ki(target, "human") == pytest.approx(kd, rel=1e-12)
        assert "Tatsumi" in drug.binding(target, "human").ki.source


def test_species_preference(library):
    dmi = library.get("desipramine")
    assert dmi.ki("NET") == 7.36  # rat first
    assert dmi.ki("NET", "human") == 0.8
    assert dmi.ki("SERT") == 17.6  # no rat entry: human
    assert dmi.ki("beta1") == math.inf


def test_yohimbine_rat_alpha2a_species_shift(library):
    """Rat alpha2A (alpha2D) binds yohimbine about 20-fold less tightly than human alpha2A."""
    yoh = library.get("yohimbine")
    ratio = yoh.ki("alpha2A", "rat") / yoh.ki("alpha2A", "human")
    assert 10 <= ratio <= 40
    assert yoh.ki("alpha2C", "rat") < yoh.ki("alpha2A", "rat")


@pytest.mark.parametrize("name", sorted(load_library().drugs))
def test_pk_half_life_is_consistent(library, name):
    """t1/2 = ln2 V / CL reproduces the half-life that the clearance or volume provenance states."""
    pk = library.get(name).pk
    text = " ".join(v.provenance.cited_text() for v in (pk.clearance, pk.volume))
    match = re.search(r"t1/2 = ([\d.]+) (h|min)", text)
    assert match, f"{name}: neither clearance nor volume names the half-life (t1/2 = X h)"
    aimed_h = float(match.group(1)) / (60.0 if match.group(2) == "min" else 1.0)
    half_life_h = math.log(2) * pk.volume.value / pk.clearance.value
    assert half_life_h == pytest.approx(aimed_h, rel=0.02)


def test_pk_values_are_physical(library):
    for drug in library.drugs.values():
        pk = drug.pk
        assert 0 < pk.fu_plasma.value <= 1, drug.name
        assert 0 < pk.kpuu_brain.value <= 3, drug.name
        assert 0.1 <= pk.volume.value <= 100, drug.name
        assert 0 < pk.clearance.value <= 10, drug.name  # L/h/kg; rat cardiac output about 15
        assert 10 <= pk.brain_equilibration.value <= 3600, drug.name  # s
        for route, r in pk.routes.items():
            assert 0 < r.bioavailability.value <= 1, (drug.name, route)
            assert 60 <= r.absorption_halflife.value <= 3 * 3600, (drug.name, route)
        assert "iv" not in pk.routes or pk.routes["iv"].bioavailability.value == 1


def test_molar_mass_matches_formula(library):
    """The molecular formula named in each molar_mass source gives the stated mass."""
    for drug in library.drugs.values():
        match = re.search(r"\b(C\d+H\d+(?:(?:Cl|[NOSF])\d*)*)\b", drug.molar_mass.source)
        if match is None:
            continue
        assert drug.molar_mass.value == pytest.approx(_formula_mass(match.group(1)), abs=0.05), drug.name


def test_mechanisms_and_efficacy(library):
    par = library.get("pargyline")
    assert par.binding("MAO_B").mechanism == "irreversible"
    assert par.binding("MAO_A").mechanism == "irreversible"
    assert par.ki("MAO_B") < par.ki("MAO_A")
    assert par.binding("MAO_B").kinact.value == pytest.approx(0.2 / 60)  # 1/min -> 1/s
    assert library.get("clorgyline").ki("MAO_A") < library.get("clorgyline").ki("MAO_B")
    assert library.get("befloxatone").binding("MAO_A").mechanism == "competitive"
    assert library.get("reserpine").binding("VMAT2").mechanism == "irreversible"
    assert library.get("tolcapone").binding("COMT").mechanism == "competitive"
    assert library.get("tolcapone").ki("COMT") < 10
    assert library.get("AMPT").binding("TH") is not None
    for name in AGONISTS:
        assert 0 < library.get(name).efficacy("alpha2A") <= 1, name
    for drug in library.drugs.values():
        for b in drug.bindings:
            if b.efficacy is not None:
                assert b.target in RECEPTORS and 0 <= b.efficacy.value <= 1.5, (drug.name, b.target)
    for name in ("yohimbine", "idazoxan", "atipamezole", "prazosin", "propranolol"):
        assert all(b.efficacy is None for b in library.get(name).bindings), name


def test_alpha2_agonist_selectivity(library):
    """Guanfacine prefers alpha2A; dexmedetomidine is more alpha2-selective than clonidine."""
    guan = library.get("guanfacine")
    assert guan.ki("alpha2B") / guan.ki("alpha2A") >= 15
    dex, clo = library.get("dexmedetomidine"), library.get("clonidine")
    assert dex.ki("alpha1A") / dex.ki("alpha2A") > clo.ki("alpha1A") / clo.ki("alpha2A")


# ---------------------------------------------------------------- user files

USER_DRUG = """
schema = "noradsim-drugs/1"

[[drug]]
name = "{name}"
class = "test compound"
molar_mass = {{ value = 300, unit = "g/mol", source = "test" }}

[[drug.binding]]
target = "NET"
species = "rat"
ki = {{ value = {ki}, unit = "{unit}", source = "test" }}

[drug.pk]
species = "rat"
clearance = {{ value = 60, unit = "mL/min/kg", source = "test" }}
volume = {{ value = 2, unit = "L/kg", source = "test" }}
fu_plasma = {{ value = 0.5, unit = "1", source = "test" }}
kpuu_brain = {{ value = 1, unit = "1", source = "test" }}
brain_equilibration = {{ value = 2, unit = "min", source = "test" }}

[drug.pk.route.ip]
bioavailability = {{ value = 0.9, unit = "1", source = "test" }}
absorption_halflife = {{ value = 5, unit = "min", source = "test" }}
"""


def _write(tmp_path, text, name="user_drugs.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_user_file_adds_a_compound(tmp_path):
    path = _write(tmp_path, USER_DRUG.format(name="compound-x", ki=2, unit="uM"))
    lib = load_library([path])
    drug = lib.get("compound-x")
    assert drug.ki("NET") == pytest.approx(2000)  # uM -> nM
    assert drug.pk.clearance.value == pytest.approx(3.6)  # mL/min/kg -> L/h/kg
    assert drug.pk.brain_equilibration.value == pytest.approx(120)  # min -> s
    assert drug.origin == str(path)
    assert "atomoxetine" in lib  # the shipped library is still there
    assert "compound-x" not in load_library()  # and was not changed


def test_user_file_overrides_a_shipped_compound(tmp_path):
    path = _write(tmp_path, USER_DRUG.format(name="Desipramine", ki=99, unit="nM"))
    lib = load_library([path])
    assert lib.get("desipramine").ki("NET") == 99
    assert lib.get("desipramine").ki("SERT") == math.inf  # the whole entry is replaced
    assert load_library().get("desipramine").ki("NET") == 7.36


def test_cli_lists_user_compound(tmp_path, capsys):
    path = _write(tmp_path, USER_DRUG.format(name="compound-x", ki=3, unit="nM"))
    assert cli_main(["drugs", "--drugs", str(path), "compound-x"]) == 0
    out = capsys.readouterr().out
    assert "compound-x" in out and "3 nM" in out


def test_cli_lists_all_drugs_with_sources(capsys):
    assert cli_main(["drugs"]) == 0
    out = capsys.readouterr().out
    for name in REQUIRED:
        assert name in out, name
    assert "Tatsumi et al. 1997" in out


@pytest.mark.parametrize(
    ("old", "new", "pattern"),
    [
        ('ki = { value = 3, unit = "nM", source = "test" }\n', "", r"binding\[0\].*'ki'"),
        ('target = "NET"', 'target = "NETT"', r"binding\[0\] target.*'NETT'.*'NET'"),
        ("value = 3,", "value = -3,", r"binding\[0\] ki: value must be a non-negative number, got -3"),
        ('unit = "nM"', 'unit = "mg/kg"', r"binding\[0\] ki: unit 'mg/kg' cannot be converted to nM"),
        ('species = "rat"\nki', 'species = "rats"\nki', r"binding\[0\] species.*'rats'"),
        ("value = 2, unit = \"L/kg\"", "value = nan, unit = \"L/kg\"", r"pk volume: value must be"),
        ("[drug.pk.route.ip]", "[drug.pk.route.intraperitoneal]", r"pk route.*'intraperitoneal'.*\bip\b"),
        ('target = "NET"', 'target = "MAO_B"\nmechanism = "irreversible"', r"binding\[0\].*'kinact'"),
        ('molar_mass = { value = 300, unit = "g/mol", source = "test" }\n', "", r"lacks field 'molar_mass'"),
        ('schema = "noradsim-drugs/1"', 'schema = "noradsim-drugs/2"', r"schema must be 'noradsim-drugs/1'"),
        ('ki = { value = 3, unit = "nM", source = "test" }', "ki = 3", r"binding\[0\] ki: must be a table"),
    ],
)
def test_malformed_user_file_names_the_field(tmp_path, old, new, pattern):
    text = textwrap.dedent(USER_DRUG.format(name="compound-x", ki=3, unit="nM"))
    assert old in text, old
    path = _write(tmp_path, text.replace(old, new, 1))
    with pytest.raises(InputError, match=pattern) as info:
        load_library([path])
    assert "\n" not in str(info.value)
    assert "compound-x" in str(info.value) or "schema" in str(info.value)


def test_malformed_toml_names_the_line(tmp_path):
    path = _write(tmp_path, 'schema = "noradsim-drugs/1"\n[[drug]]\nname = "x\n')
    with pytest.raises(InputError, match=r"line 3"):
        read_drug_file(path)


def test_cli_rejects_bad_user_file(tmp_path, capsys):
    text = textwrap.dedent(USER_DRUG.format(name="compound-x", ki=3, unit="nM"))
    path = _write(tmp_path, text.replace('target = "NET"', 'target = "NETT"'))
    assert cli_main(["drugs", "--drugs", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("noradsim: error:") and "NETT" in err and "Traceback" not in err


def test_documented_example_loads(tmp_path):
    """The complete minimal example in docs/drug_format.md is a valid user file."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "drug_format.md").read_text()
    section = doc.split("## A complete minimal user file", 1)[1]
    example = section.split("```toml\n", 1)[1].split("\n```", 1)[0]
    lib = load_library([_write(tmp_path, example)])
    drug = lib.get("CX-1")
    assert drug.ki("NET") == pytest.approx(2.1)
    assert drug.ki("alpha2A") == pytest.approx(400)
    assert drug.efficacy("alpha2A") == pytest.approx(0.3)
    assert drug.pk.clearance.value == pytest.approx(3.0)
    assert math.log(2) * drug.pk.volume.value / drug.pk.clearance.value == pytest.approx(1.4, rel=0.02)
