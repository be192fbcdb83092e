"""The examples in the API docstrings run."""

import doctest
import importlib

import pytest

MODULES = ["noradsim.units", "noradsim.model.blocks", "noradsim.model.core", "noradsim.drugs",
           "noradsim.engine.sbml_units",
           "noradsim.model.terminal", "noradsim.model.lc_states", "noradsim.api", "noradsim.pk",
           "noradsim.fitting.globalfit", "noradsim.fitting.data", "noradsim.protocols",
           "noradsim.protocols.microdialysis", "noradsim.protocols.recording.sorting",
           "noradsim.protocols.recording.quality", "noradsim.protocols.recording.templates",
           "noradsim.protocols.recording.result", "noradsim.explorer.forms"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    mod = importlib.import_module(name)
    failures, tried = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert failures == 0
