"""What the explorer's forms mean, without the browser: documents, checks, TOML, downloads.

The Experiment page's widgets hold plain strings; :func:`experiment_document` turns them
into a ``noradsim-experiment/1`` document (docs/experiment_format.md), :func:`check_experiment`
checks it with the protocol's own parser (the one ``noradsim run`` uses), :func:`to_toml`
writes it as a file ``noradsim run`` accepts, and :func:`results_csv` / :func:`results_netcdf`
give the results as files. Nothing here imports Panel, so the tests call it directly.

>>> rows = [{"kind": "drug", "name": "atomoxetine", "dose": "3", "unit": "mg/kg", "route": "ip", "at": "0 min"}]
>>> doc = experiment_document({"region": "prefrontal_cortex", "sample": "20 min"}, rows)
>>> doc["interventions"]
[{'drug': 'atomoxetine', 'dose': '3 mg/kg', 'route': 'ip', 'at': '0 min'}]
>>> 'dose = "3 mg/kg"' in to_toml(doc)
True
"""

from __future__ import annotations

import io
import math
import re

from ..errors import InputError

SCHEMA = "noradsim-experiment/1"
LOCAL_ROUTES = ("reverse_dialysis", "bath", "iontophoresis")  # a concentration, not a dose
SETTINGS = ("name", "species", "region", "state", "sample", "window", "baseline", "phenotype", "seed")


def intervention_entry(row: dict, index: int) -> dict:
    """One row of the interventions list (strings from the form) as an experiment inline table.

    ``row`` has ``kind`` (drug, stimulus or perfusate), ``name``, ``dose``, ``unit``,
    ``route``, ``at`` and ``duration``; empty fields are left out so that the parser's
    defaults and messages apply.
    """
    field = f"intervention {index + 1}"
    kind = str(row.get("kind", "drug")).strip()
    name = str(row.get("name", "")).strip()
    if kind not in ("drug", "stimulus", "perfusate"):
        raise InputError(f"{field} kind: one of drug, stimulus, perfusate, got {kind!r}")
    if not name:
        raise InputError(f"{field} {kind}: give a name")
    amount = " ".join(p for p in (str(row.get("dose", "")).strip(), str(row.get("unit", "")).strip()) if p)
    entry: dict = {kind: name}
    if kind == "drug":
        route = str(row.get("route", "")).strip()
        if amount:
            entry["concentration" if route in LOCAL_ROUTES else "dose"] = amount
        entry["route"] = route
    elif kind == "perfusate" and amount:
        entry["concentration"] = amount
    for key in ("at", "duration"):
        value = str(row.get(key, "") or "").strip()
        if value:
            entry[key] = value
    return entry


def experiment_document(settings: dict, rows: list[dict]) -> dict:
    """A ``protocol = "microdialysis"`` experiment document from the page's settings and rows."""
    doc: dict = {"schema": SCHEMA, "protocol": "microdialysis"}
    for key in SETTINGS:
        value = settings.get(key)
        if value not in (None, "", "none"):
            doc[key] = value
    doc["interventions"] = [intervention_entry(r, i) for i, r in enumerate(rows)]
    return doc


def friendly(message: str) -> str:
    """A parser message in the page's words: ``interventions[0]`` becomes ``intervention 1``."""
    text = re.sub(r"interventions\[(\d+)\]", lambda m: f"intervention {int(m.group(1)) + 1}", str(message))
    return text.removeprefix("experiment ").removeprefix("experiment: ")


def check_experiment(doc: dict, library=None):
    """The protocol's config for ``doc``, or :class:`InputError` with a message naming the field.

    Drug names are checked row by row first, so that an unknown drug names its row.
    """
    from .. import protocols
    from ..drugs import load_library

    library = library or load_library()
    for i, entry in enumerate(doc.get("interventions", [])):
        if "drug" in entry:
            try:
                library.get(entry["drug"])
            except InputError as exc:
                raise InputError(f"intervention {i + 1} {exc}") from None
    try:
        return protocols.get(doc["protocol"]).parse(doc, where="experiment", library=library)
    except InputError as exc:
        raise InputError(friendly(str(exc))) from None


# --- TOML -----------------------------------------------------------------------------------

def _scalar(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise InputError(f"TOML: cannot write the number {v!r}")
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_scalar(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_scalar(x)}" for k, x in v.items()) + " }"
    raise InputError(f"TOML: cannot write a value of type {type(v).__name__}")


def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else _scalar(str(k))


def to_toml(doc: dict) -> str:
    """TOML text of an experiment document: top-level values, the interventions one per line, then tables."""
    lines, tables = [], []
    for k, v in doc.items():
        if isinstance(v, dict):
            tables.append((k, v))
        elif k == "interventions":
            lines.append("interventions = [")
            lines += [f"  {_scalar(e)}," for e in v]
            lines.append("]")
        else:
            lines.append(f"{_key(k)} = {_scalar(v)}")
    for name, table in tables:
        lines += ["", f"[{_key(name)}]"] + [f"{_key(k)} = {_scalar(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


# --- results as files -------------------------------------------------------------------------

def results_csv(ds) -> str:
    """The time course as CSV: one row per time point (min), one column per variable (units in the header)."""
    names = list(ds.data_vars)
    head = ["time_min"] + [f"{n}_{ds[n].attrs.get('units', '')}".rstrip("_") for n in names]
    out = io.StringIO()
    out.write(",".join(head) + "\n")
    cols = [ds["time"].values] + [ds[n].values for n in names]
    for row in zip(*cols):
        out.write(",".join(f"{float(x):.6g}" for x in row) + "\n")
    return out.getvalue()


def results_netcdf(ds) -> bytes:
    """The time course as NetCDF-4 bytes (h5netcdf, as ``noradsim run`` writes ``results.nc``)."""
    buf = io.BytesIO()
    ds.to_netcdf(buf, engine="h5netcdf")
    return buf.getvalue()
