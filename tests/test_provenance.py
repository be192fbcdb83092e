"""Provenance of every number: schema, shipped data, CLI summary, and the out-of-sample rule."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from noradsim.cli import main as cli_main
from noradsim.drugs import load_library, read_drug_file
from noradsim.errors import InputError
from noradsim.parameters import RECORD_KINDS, data_path, load_parameter_table, read_provenance
from noradsim.provenance import count_kinds, library_values, model_records, summary_line

ROOT = Path(__file__).resolve().parents[1]
DATA_FILES = ("terminal.toml", "lc.toml", "lc_neuron.toml", "regions.toml", "stimuli.toml", "microdialysis.toml",
              "receptors.toml", "phenotypes.toml", "preparations.toml", "drugs.toml", "design.toml")
PREDICTIONS = ROOT.parent / "shared" / "validation" / "predictions.toml"
WORKING_NOTES = re.compile(r"\[(verified|recalled|read|unverified|GUIDE\.md seed)|to verify|parameter_sources|recalled, to", re.I)


def _value_tables(node, where=""):
    """Every inline table with a ``value`` in a parsed TOML document."""
    if isinstance(node, dict):
        if "value" in node:
            yield where, node
            return
        for k, v in node.items():
            yield from _value_tables(v, f"{where}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _value_tables(v, f"{where}[{i}]")


def _shipped_tables():
    for fname in DATA_FILES:
        with data_path(fname).open("rb") as fh:
            yield from ((f"{fname}{w}", t) for w, t in _value_tables(tomllib.load(fh)))


# ---------------------------------------------------------------- schema

@pytest.mark.parametrize(("entry", "field"), [
    ({"kind": "measured", "source": ""}, "source"),
    ({"kind": "measured"}, "source"),
    ({"kind": "guessed", "source": "x"}, "kind"),
    ({"kind": "assumed", "reason": "typical"}, "range"),
    ({"kind": "assumed", "reason": "typical", "range": [3, 1]}, "range"),
    ({"kind": "assumed", "reason": "", "range": [0, 1]}, "reason"),
    ({"kind": "derived"}, "derivation"),
    ({"kind": "calibrated", "fit": "wls"}, "targets"),
    ({"kind": "calibrated", "targets": ["a"]}, "fit"),
    ({"source": "   "}, "source"),
])
def test_bad_provenance_is_rejected_naming_the_field(entry, field):
    with pytest.raises(InputError, match=field):
        read_provenance(entry, "file.toml x", 0.5)


def test_assumed_range_must_contain_the_value():
    with pytest.raises(InputError, match="range"):
        read_provenance({"kind": "assumed", "reason": "r", "range": [1, 2]}, "x", 5.0)


def test_calibrated_kind_carries_targets_and_fit():
    p = read_provenance({"kind": "calibrated", "targets": ["t1", "t2"], "fit": "weighted least squares"}, "x", 1.0)
    assert p.kind == "calibrated" and p.targets == ("t1", "t2")
    assert "t1, t2" in p.text()


def test_parameter_table_rejects_unknown_kind(tmp_path):
    f = tmp_path / "p.toml"
    f.write_text('[parameters]\nk = { value = 1, unit = "1/s", species = "rat", kind = "guess", source = "x" }\n')
    with pytest.raises(InputError, match=r"p.toml \[parameters\]: parameter k: kind"):
        load_parameter_table(f)


def test_user_drug_file_without_kind_still_loads(tmp_path):
    """docs/drug_format.md: a source alone is measured unless it starts with 'assumed:'."""
    f = tmp_path / "mine.toml"
    f.write_text('schema = "noradsim-drugs/1"\n[[drug]]\nname = "cx"\n'
                 'molar_mass = { value = 300, unit = "g/mol", source = "in-house registry" }\n'
                 '[[drug.binding]]\ntarget = "NET"\nspecies = "rat"\n'
                 'ki = { value = 2, unit = "nM", source = "assumed: like desipramine" }\n')
    cx = read_drug_file(f)["cx"]
    assert cx.molar_mass.kind == "measured" and cx.bindings[0].ki.kind == "assumed"


def test_user_drug_file_with_assumed_kind_needs_a_range(tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text('schema = "noradsim-drugs/1"\n[[drug]]\nname = "cx"\n'
                 'molar_mass = { value = 300, unit = "g/mol", kind = "assumed", reason = "guess" }\n')
    with pytest.raises(InputError, match="drug cx molar_mass: range"):
        read_drug_file(f)


# ---------------------------------------------------------------- shipped data

def test_every_shipped_value_states_its_kind_explicitly():
    # a setting is an explicit record kind too; which names may be settings is whitelisted by
    # tests/test_settings.py (a setting anywhere else fails there)
    bad = [w for w, t in _shipped_tables() if t.get("kind") not in RECORD_KINDS]
    assert not bad, bad[:10]


def test_every_shipped_assumed_value_has_a_reason_and_a_range():
    bad = [w for w, t in _shipped_tables()
           if t["kind"] == "assumed" and not (t.get("reason") and len(t.get("range", ())) == 2
                                              and t["range"][0] <= t["value"] <= t["range"][1])]
    assert not bad, bad[:10]


def test_working_notes_are_not_in_the_citation():
    bad = [(w, k) for w, t in _shipped_tables() for k in ("source", "derivation", "reason")
           if WORKING_NOTES.search(str(t.get(k, "")))]
    assert not bad, bad[:10]


def test_only_verified_numbers_are_measured_unless_seeded():
    """measured = read in the source (verified) or taken from the project's seed table."""
    bad = [w for w, t in _shipped_tables() if t["kind"] == "measured" and t.get("verified") is False]
    assert not bad, bad[:10]


def test_rat_pk_values_read_in_rat_studies():
    lib = load_library()
    assert lib.get("idazoxan").pk.clearance.kind == "measured"
    assert lib.get("idazoxan").pk.clearance.value == pytest.approx(119 * 0.06)  # 94-144 mL/min/kg midpoint
    assert lib.get("venlafaxine").pk.routes["po"].bioavailability.value == pytest.approx(0.126)
    assert lib.get("prazosin").pk.fu_plasma.value == pytest.approx(0.238)
    assert lib.get("prazosin").pk.volume.value == pytest.approx(0.238 * 12.4, rel=0.01)
    assert lib.get("atomoxetine").pk.kpuu_brain.kind == "measured"


# ---------------------------------------------------------------- the two sets stay apart

def _prediction_citations() -> list[re.Pattern]:
    """First author + year (or the title where no author is given) of every predictions.toml source."""
    with PREDICTIONS.open("rb") as fh:
        doc = tomllib.load(fh)
    sources = [str(t["source"]) for w, t in _sources(doc)]
    pats = set()
    for s in sources:
        m = re.match(r"\s*([A-Z][A-Za-z'\-]+)(?:[^,;:(]*?)[, ]+(\d{4})\b", s)
        if m:
            pats.add(rf"\b{re.escape(m.group(1))}\b[^;|]{{0,80}}?\b{m.group(2)}\b")
        else:
            title = re.split(r"\s*[(:]", s, maxsplit=1)[0]
            pats.add(re.escape(title[:50]))
    return [re.compile(p, re.I) for p in sorted(pats)]


def _sources(node, where=""):
    if isinstance(node, dict):
        if "source" in node and isinstance(node["source"], str):
            yield where, node
        for k, v in node.items():
            yield from _sources(v, f"{where}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _sources(v, f"{where}[{i}]")


@pytest.mark.skipif(not PREDICTIONS.is_file(), reason="../shared/validation/predictions.toml not present")
def test_no_value_cites_a_paper_of_the_out_of_sample_set():
    pats = _prediction_citations()
    assert len(pats) >= 8
    records = [(f"model {w}", p) for w, p in model_records()] + [(f"drug {w}", v) for w, v in library_values()]
    hits = [(w, p.pattern) for w, rec in records for p in pats if p.search(rec.provenance.cited_text())]
    assert not hits, hits[:10]


def test_the_citation_check_catches_a_forbidden_source():
    pats = _prediction_citations() if PREDICTIONS.is_file() else []
    if not pats:
        pytest.skip("no predictions.toml")
    text = read_provenance({"kind": "measured", "source": "Mateo, Pineda & Meana 1998, J Neurochem 71:790"}, "x").cited_text()
    assert any(p.search(text) for p in pats)


# ---------------------------------------------------------------- command line

def test_params_summary_prints_two_exact_lines_and_the_settings(capsys):
    from noradsim.provenance import setting_records

    assert cli_main(["params", "--summary"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    form = r"{}: (\d+) total, (\d+) measured, (\d+) derived, (\d+) calibrated, (\d+) assumed"
    m1, m2 = re.fullmatch(form.format("parameters"), out[0]), re.fullmatch(form.format("drug values"), out[1])
    assert len(out) == 3 and m1 and m2
    assert out[2] == f"settings: {len(setting_records())} (not counted as parameters)"
    for m in (m1, m2):
        n = [int(x) for x in m.groups()]
        assert n[0] == sum(n[1:])
    assert out[0] == summary_line("parameters", count_kinds(p for _, p in model_records()))
    assert int(m1.group(1)) >= 150 and int(m2.group(1)) > 400


def test_params_assumed_shows_reason_and_range(capsys):
    assert cli_main(["params", "--assumed", "--grep", "varicosity_radius"]) == 0
    out = capsys.readouterr().out
    assert "assumed: " in out and "[plausible 0.25 to 1 um]" in out


def test_drugs_shows_kind_and_source(capsys):
    assert cli_main(["drugs", "idazoxan"]) == 0
    out = capsys.readouterr().out
    assert "clearance: 7.14 L/h/kg [measured] -- Lewis" in out
    assert "[assumed] -- assumed:" in out
