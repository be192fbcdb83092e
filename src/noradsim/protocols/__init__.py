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

from pathlib import Path

from ..errors import InputError, unknown
from ..parameters import read_toml
from ..vocabulary import PROTOCOLS as _NAMES

SCHEMA = "noradsim-experiment/1"
PROTOCOLS = {name: f"{__name__}.{name}" for name in _NAMES}


def get(name: str) -> ModuleType:
    """The protocol package registered as ``name`` (an unknown name is an input error)."""
    if name not in PROTOCOLS:
        raise unknown("protocol", name, tuple(PROTOCOLS))
    return importlib.import_module(PROTOCOLS[name])


def read_experiment(path: str | Path) -> dict:
    """Read an experiment file and check its schema and protocol (nothing is simulated)."""
    doc = read_toml(path)
    where = Path(path).name
    if doc.get("schema") != SCHEMA:
        raise InputError(f"{where}: schema must be {SCHEMA!r}, got {doc.get('schema')!r}")
    if doc.get("protocol") not in PROTOCOLS:
        raise unknown(f"{where} protocol", doc.get("protocol"), tuple(PROTOCOLS))
    return doc
