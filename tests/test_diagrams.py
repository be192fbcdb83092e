"""Diagrams: drawn from the models' reactions, compartments as clusters, readable, no overlapping text, slide-shaped."""

import re
import xml.dom.minidom
from collections import deque

import pytest

from noradsim.cli import main
from noradsim.diagrams import (
    DIAGRAMS, diagram, diagram_dot, diagram_links, diagram_parameters, diagram_png, diagram_sbgn, diagram_svg, dot,
)
from noradsim.diagrams.build import MICRODIALYSIS_DRUG, RECORDING_DRUG, terminal_model
from noradsim.diagrams.names import CLUSTERS
from noradsim.errors import InputError
from noradsim.model.cascades import cascade_model

needs_dot = pytest.mark.skipif(dot.engine() is None, reason="no Graphviz layout engine: pip install graphviz-pure "
                               "(a dependency of noradsim) or apt-get install graphviz")


def _layout(name):
    return dot.layout(diagram_dot(name))


def _expected_reactions(name):
    """The reactions each diagram must show, worked out here from the model itself."""
    if name in ("alpha1", "alpha2", "beta"):
        return [rx.name for rx in cascade_model(name).reactions]
    model = terminal_model({"synthesis": None, "microdialysis": MICRODIALYSIS_DRUG, "recording": RECORDING_DRUG}[name])
    if name == "synthesis":
        keep, q = {"tyr"}, deque(["tyr"])
        while q:
            s = q.popleft()
            for rx in model.reactions:
                sp = set(rx.reactants) | set(rx.products)
                if s in sp:
                    for m in sp - keep:
                        keep.add(m)
                        q.append(m)
    elif name == "microdialysis":
        keep = {s for s in model.species_names if s.startswith("d_")} | {"ne_ecf"}
    else:
        keep = {s for s in model.species_names if s.startswith("d_")} | {"ne_lc", "lc_rate", "stress"}
    return [rx.name for rx in model.reactions if (set(rx.reactants) | set(rx.products)) & keep]


@needs_dot
@pytest.mark.parametrize("name", DIAGRAMS)
def test_every_diagram_is_svg_with_every_model_reaction(name):
    svg = diagram_svg(name)
    doc = xml.dom.minidom.parseString(svg)
    assert doc.documentElement.tagName == "svg"
    ids = {g.getAttribute("id") for g in doc.getElementsByTagName("g")}
    expected = _expected_reactions(name)
    assert len(expected) >= 6
    missing = [rx for rx in expected if f"r-{rx}" not in ids and f"p-{rx}" not in ids]
    assert not missing, missing
    assert "lc_rate_dynamics" not in set(diagram(name).reactions) or name == "recording"


@needs_dot
@pytest.mark.parametrize("name", DIAGRAMS)
def test_no_two_labels_overlap_and_no_label_covers_another_node(name):
    lay = _layout(name)
    boxes = dot.text_boxes(lay)
    assert len(boxes) >= len(diagram(name).nodes)
    assert dot.overlaps(boxes) == []
    # no label lies on a node other than its own (node labels sit inside their own box)
    nodes = dot.node_boxes(lay)
    for text, (x0, y0, x1, y1) in boxes:
        for node, (a0, b0, a1, b1) in nodes.items():
            inside_own = a0 <= x0 and x1 <= a1 and b0 <= y0 and y1 <= b1
            crossing = min(x1, a1) - max(x0, a0) > 1 and min(y1, b1) - max(y0, b0) > 1
            assert inside_own or not crossing, (text, node)


def test_overlap_check_finds_overlaps():
    boxes = [("a", (0, 0, 10, 10)), ("b", (5, 5, 15, 15)), ("c", (20, 0, 30, 10))]
    assert dot.overlaps(boxes) == [("a", "b")]


@needs_dot
@pytest.mark.parametrize("name", DIAGRAMS)
def test_slide_aspect_ratio_and_little_padding(name):
    svg = diagram_svg(name)
    w, h = (float(x) for x in re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())
    assert 1.2 <= w / h <= 2.0, w / h
    x0, y0, x1, y1 = map(float, _layout(name)["bb"].split(","))
    assert (x1 - x0) * (y1 - y0) / (w * h) >= 0.7  # the drawing, not the padding, fills the slide


@needs_dot
@pytest.mark.parametrize("name", DIAGRAMS)
def test_labels_are_readable_names(name):
    texts = [t for t, _ in dot.text_boxes(_layout(name))]
    assert not [t for t in texts if "_" in t]
    assert not set(texts) & {"tyr", "dopa", "da_cyt", "dhpg", "nmn", "mhpg", "ne_ecf"}


@needs_dot
def test_synthesis_names_enzymes_and_transporters_on_their_reactions():
    lay = _layout("synthesis")
    labels = {e["id"]: e.get("label", "") for e in lay["edges"]}
    labels.update({o["id"]: o.get("label", "") for o in lay["objects"] if "id" in o})
    want = {"th": "TH", "aadc": "AADC", "vmat2_da": "VMAT2", "dbh": "DBH", "net_uptake": "NET",
            "mao_ne": "MAO-A", "comt_ecf": "COMT", "release": "exocytosis"}
    for rx, text in want.items():
        assert labels.get(f"r-{rx}", labels.get(f"p-{rx}")) == text, rx


@needs_dot
@pytest.mark.parametrize("name", DIAGRAMS)
def test_each_compartment_is_a_cluster_holding_its_species(name):
    lay = _layout(name)
    objects = lay["objects"]
    by_gvid = {o["_gvid"]: o["name"] for o in objects}
    clusters = {o["name"][len("cluster_"):]: o for o in objects if o["name"].startswith("cluster_")}
    boxes = dot.node_boxes(lay)
    for node in diagram(name).nodes.values():
        if not node.cluster:
            continue
        c = clusters[node.cluster]
        assert c["label"] == CLUSTERS[node.cluster][0]
        assert node.id in {by_gvid[i] for i in c.get("nodes", [])}, (node.id, node.cluster)
        x0, y0, x1, y1 = map(float, c["bb"].split(","))
        a0, b0, a1, b1 = boxes[node.id]
        assert x0 <= a0 and a1 <= x1 and y0 <= b0 and b1 <= y1, node.id


def test_synthesis_compartments_follow_the_cell():
    nodes = diagram("synthesis").nodes
    where = {n: nodes[n].cluster for n in ("tyr", "dopa", "da_cyt", "da_ves", "ne_ves", "ne_rrp", "ne_cyt", "ne_ecf",
                                            "nmn")}
    assert where == {"tyr": "cytosol", "dopa": "cytosol", "da_cyt": "cytosol", "da_ves": "vesicle",
                     "ne_ves": "vesicle", "ne_rrp": "vesicle", "ne_cyt": "cytosol", "ne_ecf": "ecs", "nmn": "glia"}
    assert CLUSTERS["cytosol"][1] == CLUSTERS["vesicle"][1] == "terminal"


@pytest.mark.parametrize("name,modifier,reaction,kind", [
    ("alpha2", "Gai_GTP", "adenylyl_cyclase", "inhibition"),   # Gi-alpha inhibits AC
    ("beta", "Gs_GTP", "adenylyl_cyclase", "stimulation"),     # Gs-alpha stimulates AC
    ("beta", "receptor", "gs_activation", "stimulation"),
    ("synthesis", "da_cyt", "th", "inhibition"),               # end-product inhibition of TH
    ("synthesis", "ne_ecf", "release", "inhibition"),          # the alpha2 autoreceptor
    ("synthesis", "lc_rate", "release", "stimulation"),
    ("microdialysis", "d_atomoxetine_b", "net_uptake", "inhibition"),
    ("recording", "d_clonidine_b", "lc_rate_dynamics", "inhibition"),  # alpha2 agonist silences the LC
])
def test_modifier_signs_come_from_the_rate_laws(name, modifier, reaction, kind):
    edges = [(e.src, e.kind) for e in diagram(name).edges if e.reaction == reaction and e.kind not in
             ("consumption", "production")]
    assert (modifier, kind) in edges


def test_diagram_parameters_are_the_models_own():
    beta = diagram_parameters("beta")
    assert {"receptor_activation", "k_gs_activation", "pde_vmax", "ac_max"} <= set(beta)
    assert set(beta) <= {p.name for p in cascade_model("beta").parameters}
    syn = diagram_parameters("synthesis")
    assert {"th_vmax", "net_vmax", "net_km", "k_dbh", "vmat_vmax"} <= set(syn)
    assert set(syn) <= {p.name for p in terminal_model().parameters}
    assert "probe_delivery" in diagram_parameters("microdialysis")


@needs_dot
def test_links_name_svg_elements():
    svg = diagram_svg("synthesis")
    links = diagram_links("synthesis")
    assert "th_vmax" in links["p-th"] and "net_km" in links["p-net_uptake"]
    for element in links:
        assert f'id="{element}"' in svg, element


@needs_dot
@pytest.mark.parametrize("name", DIAGRAMS)
def test_sbgn_is_valid_against_the_schema(name, tmp_path):
    from libsbgnpy import validate, validate_schematron, validate_xsd

    f = tmp_path / f"{name}.sbgn"
    f.write_text(diagram_sbgn(name))
    assert validate_xsd(f) == []
    assert validate(f) == []  # plus the SBGN specification's checks beyond the schema
    assert validate_schematron(f) == []  # and the PD rules (ports, arc ends, compartments)
    text = f.read_text()
    assert text.count('class="process"') >= len(_expected_reactions(name))


def test_sbgn_validation_catches_a_broken_map(tmp_path):
    from libsbgnpy import validate_xsd

    f = tmp_path / "bad.sbgn"
    f.write_text('<sbgn xmlns="http://sbgn.org/libsbgn/0.3"><map id="m"><glyph class="no such class" id="g">'
                 '<bbox x="0" y="0" w="1" h="1"/></glyph></map></sbgn>')
    assert validate_xsd(f)


def test_missing_engine_is_one_clear_error(monkeypatch):
    monkeypatch.setenv("NORADSIM_DOT", "/nonexistent/dot")
    with pytest.raises(InputError, match="no Graphviz layout engine"):
        dot.run("digraph missing_engine_test { a -> b }", "json")


@needs_dot
@pytest.mark.parametrize("suffix,fmt,head", [(".svg", None, b"<svg"), (".png", None, b"\x89PNG"),
                                             (".sbgn", None, b"<?xml"), (".out", "sbgn", b"<?xml")])
def test_cli_writes_each_format(tmp_path, capsys, suffix, fmt, head):
    out = tmp_path / f"beta{suffix}"
    assert main(["diagram", "beta", "--out", str(out)] + (["--format", fmt] if fmt else [])) == 0
    assert out.read_bytes().startswith(head)
    if suffix == ".png":
        assert out.read_bytes() == diagram_png("beta")


@pytest.mark.parametrize("args,needle", [
    (["diagram", "bta", "--out", "X.svg"], "did you mean 'beta'"),
    (["diagram", "beta", "--out", "X.pdf"], ".svg, .png or .sbgn"),
    (["diagram", "beta", "--out", "DIR"], "folder"),
])
def test_cli_bad_input(tmp_path, capsys, args, needle):
    (tmp_path / "DIR").mkdir()
    args = [a if a not in ("X.svg", "X.pdf", "DIR") else str(tmp_path / a) for a in args]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("noradsim: error:") and needle in err and "Traceback" not in err
    assert not (tmp_path / "X.svg").exists() and not (tmp_path / "X.pdf").exists()
