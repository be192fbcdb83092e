"""The explorer's pure functions, no browser: documents, TOML round trips, bad-input messages, serve's port."""

from __future__ import annotations

import tomllib

import pytest

from noradsim import protocols
from noradsim.errors import InputError
from noradsim.explorer.forms import check_experiment, experiment_document, friendly, intervention_entry, to_toml

SETTINGS = {"species": "rat", "region": "hippocampus", "state": "awake", "sample": "15 min",
            "window": ["0 min", "180 min"], "baseline": ["-60 min", "0 min"], "phenotype": "none", "seed": 3,
            "name": 'a "quoted" name'}
ROWS = [
    {"kind": "drug", "name": "atomoxetine", "dose": "3", "unit": "mg/kg", "route": "ip", "at": "0 min", "duration": ""},
    {"kind": "drug", "name": "desipramine", "dose": "1", "unit": "uM", "route": "reverse_dialysis", "at": "60 min",
     "duration": "40 min"},
    {"kind": "stimulus", "name": "restraint", "dose": "", "unit": "", "route": "ip", "at": "120 min",
     "duration": "20 min"},
    {"kind": "perfusate", "name": "potassium", "dose": "60", "unit": "mM", "route": "ip", "at": "150 min",
     "duration": "20 min"},
]


def test_toml_round_trips_through_the_experiment_parser(tmp_path):
    doc = experiment_document(SETTINGS, ROWS)
    path = tmp_path / "e.toml"
    path.write_text(to_toml(doc))
    back = protocols.read_experiment(path)  # what `noradsim run` reads
    assert back == doc
    cfg = protocols.get("microdialysis").parse(back, where=path.name)
    ivs = cfg.conditions.interventions
    assert [iv.kind for iv in ivs] == ["drug", "drug", "stimulus", "perfusate"]
    assert ivs[0].dose == 3.0 and ivs[1].concentration == 1000.0 and ivs[1].duration == 2400.0
    assert ivs[3].concentration == 60.0  # mM
    assert cfg.conditions.sample == 900.0 and cfg.name == 'a "quoted" name'
    assert "phenotype" not in back  # "none" leaves the field out


def test_toml_writer_matches_tomllib_on_nested_values():
    doc = {"a": 1, "b": 2.5, "c": True, "d": ["x", "y"], "interventions": [{"k": 'q"uote\\'}],
           "t": {"inner": "v", "n": 0.1}}
    assert tomllib.loads(to_toml(doc)) == doc


@pytest.mark.parametrize("row, field", [
    ({"dose": "-3"}, "intervention 1 dose: '-3 mg/kg' is negative"),
    ({"dose": "5000"}, "intervention 1 dose: 5e+03 mg/kg is above 2000 mg/kg"),
    ({"unit": "mg/kgg"}, "intervention 1 dose: cannot read '3 mg/kgg'"),
    ({"unit": "uM"}, "intervention 1 dose: '3 uM' has the wrong dimension"),
    ({"name": "atomoxetin"}, "intervention 1 drug: unknown value 'atomoxetin'; did you mean 'atomoxetine'"),
    ({"name": ""}, "intervention 1 drug: give a name"),
    ({"route": "intranasal"}, "intervention 1 route: unknown value 'intranasal'"),
    ({"at": "soon"}, "intervention 1 at: cannot read 'soon'"),
], ids=["negative", "impossible", "unit-typo", "wrong-dimension", "unknown-drug", "no-name", "route", "time"])
def test_bad_input_names_the_field(row, field):
    with pytest.raises(InputError) as err:  # building the document or parsing it
        check_experiment(experiment_document(SETTINGS, [dict(ROWS[0], **row)]))
    assert str(err.value).startswith(field), str(err.value)
    assert "\n" not in str(err.value)


def test_bad_settings_name_the_field():
    for key, value, field in (("sample", "20 minn", "sample: cannot read"), ("species", "mouse", "species: the rate model"),
                              ("phenotype", "adhd", "phenotype")):
        with pytest.raises(InputError, match=f"^{field}"):
            check_experiment(experiment_document(dict(SETTINGS, **{key: value}), ROWS[:1]))


def test_friendly_message_numbers_interventions_from_one():
    assert friendly("experiment interventions[2] dose: bad") == "intervention 3 dose: bad"


def test_a_local_route_takes_a_concentration():
    assert intervention_entry(dict(ROWS[0], route="reverse_dialysis", dose="1", unit="uM"), 0)["concentration"] == "1 uM"


def test_serve_port_is_checked_before_anything_starts():
    from noradsim.cli import main

    assert main(["serve", "--port", "99999"]) == 2
    assert main(["serve", "--port", "five"]) == 2


def test_experiment_recompute_is_fast_once_compiled():
    """A changed dose re-runs in well under a second once the model is compiled (the page's promise)."""
    import time

    from noradsim.explorer.compute import run_experiment

    run_experiment(experiment_document(SETTINGS, ROWS[:1]))  # compile and equilibrate once
    t0 = time.perf_counter()
    run = run_experiment(experiment_document(SETTINGS, [dict(ROWS[0], dose="7")]))
    assert time.perf_counter() - t0 < 1.0
    assert run.summary()["peak_percent_baseline"] > 150
