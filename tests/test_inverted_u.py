"""The inverted-U experiment protocol (noradsim.protocols.inverted_u)."""

import csv
import dataclasses
import tomllib
from pathlib import Path

import numpy as np
import pytest

from noradsim import protocols
from noradsim.errors import InputError
from noradsim.api import run as run_experiment
from noradsim.protocols.inverted_u import parse, run

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "inverted_u.toml"


def test_inverted_u_example_runs(tmp_path):
    result = run_experiment(EXAMPLE)
    result.write(tmp_path)
    summary = result.to_dict()
    for f in summary["files"]:
        assert (tmp_path / f).stat().st_size > 0
    rows = {r["drug"]: r for r in summary["conditions"]}
    assert rows["guanfacine"]["ne_at_peak_nM"] < rows[None]["ne_at_peak_nM"]
    assert rows["guanfacine"]["drug_nM"] > 1.0
    assert rows["prazosin"]["working_memory_at_stress"] > rows[None]["working_memory_at_stress"]


@pytest.mark.parametrize("patch,match", [
    ({"protocol": "microdialysis"}, "protocol"),
    ({"inverted_u": {"ne_range": ["5 nM", "1 nM"]}}, "ne_range"),
    ({"inverted_u": {"ne_range": ["5 mg/kg", "1 nM"]}}, "ne_range"),
    ({"inverted_u": {"condition": [{"drug": "guanfacin", "brain_concentration": "3 nM"}]}}, "did you mean"),
    ({"inverted_u": {"condition": [{"drug": "guanfacine"}]}}, "dose or brain_concentration"),
    ({"inverted_u": {"condition": [{"drug": "guanfacine", "dose": "-1 mg/kg"}]}}, "dose"),
    ({"inverted_u": {"n_points": 2}}, "n_points"),
    ({"colour": "red"}, "experiment field"),
])
def test_inverted_u_bad_input(patch, match):
    experiment = {"protocol": "inverted_u", **patch}
    with pytest.raises(InputError, match=match):
        parse(experiment)


def test_bad_input_names_the_file():
    with pytest.raises(InputError, match=r"^inverted_u\.toml inverted_u\.n_points"):
        parse({"protocol": "inverted_u", "inverted_u": {"n_points": 2}}, where="inverted_u.toml")


def test_protocol_interface(tmp_path):
    proto = protocols.get("inverted_u")
    experiment = tomllib.loads(EXAMPLE.read_text())
    config = proto.parse(experiment, where=EXAMPLE.name)
    result = proto.run(config, seed=3, progress=True)
    for obj in (config, result, result.curves[0], config.conditions[0]):
        with pytest.raises(dataclasses.FrozenInstanceError):
            obj.title = "changed"
    with pytest.raises(ValueError):
        result.ne_nM[0] = 1.0  # the arrays are read-only too
    assert result.to_dict() == run(config).to_dict()  # deterministic: the seed does not matter
    result.write(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(result.to_dict()["files"])
    report = (tmp_path / "report.html").read_text()
    assert report.startswith("<!doctype html>") and config.title in report and "guanfacine" in report
    with open(tmp_path / "inverted_u.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == config.n_points + 1 and rows[0][1:] == [c.label for c in config.conditions]
    np.testing.assert_allclose([float(v) for v in rows[1][1:]], [c.working_memory[0] for c in result.curves], rtol=1e-5)


@pytest.mark.parametrize("name", ["noradsim.protocols.inverted_u.config", "noradsim.protocols.inverted_u.run"])
def test_docstring_examples(name):
    import doctest
    import importlib
    import sys

    importlib.import_module(name)
    mod = sys.modules[name]  # the package re-exports a function named run: take the module itself
    failures, tried = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert failures == 0 and tried > 0
