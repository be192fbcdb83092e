"""Virtual experiment protocols, one package each, reached through one registry.

Every protocol package exposes the same verbs (PySB's exporter registry is the model):

``parse(doc, *, where="experiment", library=None) -> Config``
    check an experiment document (``noradsim-experiment/1``) and return a frozen config;
    bad input raises :class:`noradsim.errors.InputError` before any computation.
``run(config, *, seed=0, library=None, progress=False) -> Result``
    run it; the result is frozen and has ``to_dict()`` (a JSON-able summary) and
    ``write(out_dir)`` (report.html and data files).

>>> sorted(PROTOCOLS)
['inverted_u', 'microdialysis', 'recording']
>>> get("microdialysis").__name__
'noradsim.protocols.microdialysis'
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ..errors import unknown

PROTOCOLS = {
    "microdialysis": "noradsim.protocols.microdialysis",
    "recording": "noradsim.protocols.recording",
    "inverted_u": "noradsim.protocols.inverted_u",
}


def get(name: str) -> ModuleType:
    """The protocol package registered as ``name`` (an unknown name is an input error)."""
    if name not in PROTOCOLS:
        raise unknown("protocol", name, tuple(PROTOCOLS))
    return importlib.import_module(PROTOCOLS[name])
