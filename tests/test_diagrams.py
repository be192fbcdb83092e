"""Diagrams are drawn from the models' and protocols' own structure and name every step."""

import html
import xml.dom.minidom

import pytest

from noradsim.cli import main
from noradsim.diagrams import (
    DIAGRAMS, MICRODIALYSIS_STEPS, RECORDING_STEPS, SYNTHESIS_FALLBACK, diagram_svg, synthesis_graph,
)
from noradsim.model.cascades import cascade_model


@pytest.mark.parametrize("name", DIAGRAMS)
def test_every_diagram_is_valid_svg(name):
    svg = diagram_svg(name)
    doc = xml.dom.minidom.parseString(svg)
    assert doc.documentElement.tagName == "svg"
    assert len(doc.getElementsByTagName("rect")) >= 5


@pytest.mark.parametrize("name", ["alpha1", "alpha2", "beta"])
def test_cascade_diagrams_name_every_species_reaction_and_enzyme(name):
    svg = diagram_svg(name)
    m = cascade_model(name)
    for s in m.species_names:
        assert f">{s}<" in svg, s
    for rx in m.reactions:
        assert rx.name in svg, rx.name
        if rx.mechanism:
            assert rx.mechanism in svg, rx.mechanism


def test_cascade_diagrams_follow_the_model():
    # the messengers of each pathway are present because the model has them
    assert all(x in diagram_svg("alpha1") for x in ("PIP2", "IP3", "DAG", "Ca_er", "PKC_active", "PLC-beta", "IP3R", "SERCA"))
    assert all(x in diagram_svg("alpha2") for x in ("Gai_GTP", "Gbg", "girk_open", "cAMP", "PKA_C"))
    assert all(x in diagram_svg("beta") for x in ("Gs_GTP", "adenylyl_cyclase", "cAMP", "PKA_C", "sAHP_P", "pCREB"))


def test_synthesis_diagram_from_the_terminal_model():
    svg = diagram_svg("synthesis")
    g = synthesis_graph()
    try:
        from noradsim.model.terminal import build_terminal_model
    except ImportError:
        names = [r[0] for r in SYNTHESIS_FALLBACK]
    else:
        model = build_terminal_model()
        names = [rx.name for rx in model.reactions if (set(rx.reactants) | set(rx.products)) & set(g.nodes)]
        assert "lc_rate_dynamics" not in svg  # only the terminal chain, not the LC
    for n in names:
        assert n in svg, n
    for key in ("th", "aadc", "dbh", "release", "net_uptake", "comt", "mao"):
        assert key in svg


def test_synthesis_fallback_names_every_enzyme():
    class Empty:  # a model without tyrosine falls back to the declared list
        species_names = ["x"]
        reactions = ()

    g = synthesis_graph(Empty())
    labels = " ".join(e[2] for e in g.edges)
    for rx, enzyme, a, b in SYNTHESIS_FALLBACK:
        assert rx in labels and enzyme in labels and a in g.nodes and b in g.nodes


@pytest.mark.parametrize("name,steps", [("microdialysis", MICRODIALYSIS_STEPS), ("recording", RECORDING_STEPS)])
def test_protocol_diagrams_name_every_step(name, steps):
    svg = diagram_svg(name)
    for step, detail in steps:
        assert step in svg and html.escape(detail) in svg
    assert "0.5-2 uL/min" in diagram_svg("microdialysis")


def test_cli_writes_svg(tmp_path, capsys):
    out = tmp_path / "beta.svg"
    assert main(["diagram", "beta", "--out", str(out)]) == 0
    assert out.read_text().startswith("<svg")


@pytest.mark.parametrize("args,needle", [
    (["diagram", "bta", "--out", "X.svg"], "did you mean 'beta'"),
    (["diagram", "beta", "--out", "X.png"], ".svg"),
    (["diagram", "beta", "--out", "DIR"], "folder"),
])
def test_cli_bad_input(tmp_path, capsys, args, needle):
    (tmp_path / "DIR").mkdir()
    args = [a if a not in ("X.svg", "X.png", "DIR") else str(tmp_path / a) for a in args]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("noradsim: error:") and needle in err and "Traceback" not in err
    assert not (tmp_path / "X.svg").exists() and not (tmp_path / "X.png").exists()
