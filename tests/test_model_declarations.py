"""The declarative models are the same before and after the layout refactor (issue #10).

``golden/model_declarations.json`` holds a hash of every shipped model's declaration
(compartments, species, parameters with values and sources, reactions, rules), recorded
before ``build_terminal_model`` was split into builder blocks. The one intended change
since: the bare ``/1000`` in ``tissue_ne`` became the parameter ``tissue_density``
(1000 g/L; a unit fix, same number), which :func:`_as_recorded` undoes.
"""

import ast
import hashlib
import inspect
import json
import textwrap
from pathlib import Path

import pytest

from noradsim.drugs import load_library
from noradsim.model import terminal
from noradsim.model.terminal import REGIONS, DrugUse, build_terminal_model, states
from noradsim.model.cascades import _BUILDERS

GOLDEN = json.loads((Path(__file__).parent / "golden" / "model_declarations.json").read_text())["models"]
DRUG_TOML = Path(terminal.__file__).resolve().parents[1] / "data" / "drugs.toml"
DRUGS = [line.split('"')[1] for line in DRUG_TOML.read_text().splitlines() if line.startswith("name = ")]
COMBO = (DrugUse("atomoxetine", ("ip",)), DrugUse("clonidine", ("iv",)), DrugUse("pargyline", ("ip",)),
         DrugUse("reserpine", ("sc",)), DrugUse("yohimbine", ("ip",)), DrugUse("tolcapone", ("ip",)),
         DrugUse("alpha-methyl-p-tyrosine", ("ip",)))


def _dump(m) -> dict:
    return {
        "name": m.name, "description": m.description,
        "compartments": [[c.name, c.size, c.description] for c in m.compartments],
        "species": [[s.name, s.compartment, s.initial, s.unit, s.description] for s in m.species],
        "parameters": [[p.name, p.value, p.unit, p.species, p.source, p.description, p.min, p.max, p.note]
                       for p in m.parameters],
        "reactions": [[r.name, r.rate, r.reactants, r.products, r.description, r.mechanism] for r in m.reactions],
        "rules": [[r.name, r.expression, r.unit, r.description] for r in m.rules],
    }


def _as_recorded(entry: dict) -> dict:
    """Undo the documented unit fix: ``tissue_density`` back to the literal it replaced."""
    entry = json.loads(json.dumps(entry))
    entry["parameters"] = [p for p in entry["parameters"] if p[0] != "tissue_density"]
    for r in entry["rules"]:
        if r[0] == "tissue_ne":
            r[1] = r[1].replace("/tissue_density", "/1000")
    return entry


def _hash(entry: dict) -> str:
    return hashlib.sha256(json.dumps(entry, sort_keys=True).encode()).hexdigest()[:20]


def _drug_routes(drug) -> tuple[str, ...]:
    pk = drug.pk
    if pk is None:
        return ("reverse_dialysis", "reverse_dialysis", "iontophoresis")
    routes = tuple(r for r in ("iv", "ip", "sc", "po", "sc_minipump", "reverse_dialysis", "iontophoresis")
                   if r in ("iv", "sc_minipump") or r in pk.routes)
    return routes + ("reverse_dialysis", "iontophoresis")


def _cases():
    lib = load_library()
    for region in REGIONS:
        for st in states():
            yield f"{region}|{st}|", lambda region=region, st=st: build_terminal_model(region, state=st)
    for name in DRUGS:
        drug = lib.get(name)
        routes = _drug_routes(drug)
        yield (f"prefrontal_cortex|awake|{name}:{','.join(routes)}",
               lambda drug=drug, routes=routes: build_terminal_model(drugs=(DrugUse(drug.name, routes),)))
    yield "combo", lambda: build_terminal_model("hippocampus", drugs=COMBO)
    for name, build in _BUILDERS.items():
        yield f"cascade|{name}", build


CASES = dict(_cases())


def test_every_recorded_model_is_still_built():
    assert set(CASES) == set(GOLDEN)


@pytest.mark.parametrize("key", sorted(GOLDEN))
def test_declaration_unchanged(key):
    assert _hash(_as_recorded(_dump(CASES[key]()))) == GOLDEN[key]


def test_tissue_density_is_the_measured_brain_density():
    """Was the literal 1000 it replaced; now the measured specific gravity 1.036 (round 4)."""
    m = build_terminal_model()
    p = m.parameters["tissue_density"]
    assert (p.value, p.unit) == (1036.0, "g/L")


def test_builder_blocks_are_short_and_return_their_names():
    src = textwrap.dedent(inspect.getsource(terminal))
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, ast.FunctionDef):
            assert node.end_lineno - node.lineno + 1 <= 80, node.name
    from noradsim.model.core import ModelBuilder

    b = ModelBuilder("t")
    terminal._add_parameters(b, "hippocampus", "awake", "rat")
    terminal._add_compartments(b)
    terminal._add_states(b)
    names = terminal._add_lc(b)
    assert names == ["lc_dendritic_release", "lc_ne_clearance", "lc_rate_dynamics", "stress_dynamics"]
