"""Provenance of every number: which model parameters and drug values are measured.

The model's parameters live in the data files of :data:`MODEL_FILES` (terminal field,
LC rate model, spiking LC neuron, regions, stimuli, microdialysis probe) plus the
alpha2A NE affinity and operational tau that the terminal model takes from
``receptors.toml``. Each is a :class:`~noradsim.parameters.Parameter` whose
:class:`~noradsim.parameters.Provenance` says whether it was measured, derived,
calibrated (by ``noradsim calibrate``, overlay ``data/calibrated.toml``) or assumed.
Records of kind ``setting`` in the same files (protocol choices of a virtual experiment,
numerical settings of the simulation) are not parameters: :func:`setting_records` lists
them and the parameter count leaves them out.

Examples
--------
>>> line = summary_line("parameters", count_kinds(r for _, r in model_records()))
>>> line.startswith("parameters: ") and line.endswith(" assumed")
True
>>> settings_line(2)
'settings: 2 (not counted as parameters)'
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from .drugs import Drug, DrugLibrary, Value, load_library
from .parameters import KINDS, Parameter, data_path, read_provenance, read_toml

MODEL_FILES = ("terminal.toml", "lc.toml", "lc_neuron.toml", "regions.toml", "stimuli.toml", "microdialysis.toml",
               "ex_vivo.toml")


def _file_entries() -> Iterator[tuple[str, str, Parameter]]:
    """``(file, dotted name, record)`` for every value table of :data:`MODEL_FILES`, calibration applied."""
    from .calibration.overlay import canonical, file_records, walk

    for fname in MODEL_FILES:
        records = file_records(fname)
        for name, _ in walk(read_toml(data_path(fname)), "", fname):
            yield fname, name, records[canonical(name)]


def setting_records() -> list[tuple[str, Parameter]]:
    """``(file:qualified name, record)`` for every ``setting`` of :data:`MODEL_FILES`.

    Protocol choices and numerical settings: not model parameters, so
    :func:`model_records` leaves them out (``docs/provenance.md``).
    """
    return [(f"{f}:{n}", r) for f, n, r in _file_entries() if r.is_setting]


def model_records() -> list[tuple[str, Parameter]]:
    """``(file:qualified name, Parameter)`` for every model parameter, calibration applied.

    The records come from :func:`noradsim.calibration.overlay.file_records`, the one path
    every model consumer loads its parameters by, so a calibrated value counts here exactly
    as the model uses it.

    Returns
    -------
    list of (str, Parameter)
        One entry per number in :data:`MODEL_FILES`, plus the receptor records the
        terminal model uses (``receptors.toml:alpha2A.ne_ki``, ``alpha2A.tau``). A state
        given by its measured LC rate (``lc.toml [state.S] rate``) counts once, as that
        rate; if a calibration overlay replaces the drive derived from it
        (``state.S.drive``), the calibrated drive is listed instead. Records of kind
        ``setting`` are not parameters and are left out (:func:`setting_records`).
    """
    from .model.lc_states import RATE, state_drive_records
    from .receptors.occupancy import get_receptor

    drives = state_drive_records()
    out = []
    for fname, name, rec in _file_entries():
        if rec.is_setting:
            continue
        state = name[len("state."):-len(RATE)] if fname == "lc.toml" and name.endswith(RATE) else None
        if state is not None and drives[state].kind == "calibrated":  # the model uses the calibrated drive
            name, rec = f"state.{state}.drive", drives[state]
        out.append((f"{fname}:{name}", rec))
    a2 = get_receptor("alpha2A")
    for name, c in (("alpha2A.ne_ki", a2.ne_ki("rat")), ("alpha2A.tau", a2.tau)):
        out.append((f"receptors.toml:{name}",
                    Parameter(name, c.value, c.unit, c.species, c.source, provenance=c.provenance)))
    return out


def drug_values(drug: Drug) -> Iterator[tuple[str, Value]]:
    """``(field, Value)`` for every number of one drug (molar mass, bindings, PK, routes)."""
    yield "molar_mass", drug.molar_mass
    for b in drug.bindings:
        for field in ("ki", "ka", "efficacy", "kinact"):
            v = getattr(b, field)
            if v is not None:
                yield f"{b.target}.{b.species}.{field}", v
    if drug.pk is not None:
        for field in ("clearance", "volume", "fu_plasma", "kpuu_brain", "brain_equilibration"):
            yield f"pk.{field}", getattr(drug.pk, field)
        if drug.pk.kp_brain is not None:  # optional total brain/plasma ratio (brain_drug measure)
            yield "pk.kp_brain", drug.pk.kp_brain
        for route, r in drug.pk.routes.items():
            yield f"pk.{route}.bioavailability", r.bioavailability
            yield f"pk.{route}.absorption_halflife", r.absorption_halflife


def library_values(library: DrugLibrary | None = None) -> list[tuple[str, Value]]:
    """``(drug.field, Value)`` for every number in the drug library."""
    library = library or load_library()
    return [(f"{d.name}.{f}", v) for d in library.drugs.values() for f, v in drug_values(d)]


def count_kinds(records: Iterable) -> Counter:
    """How many records of each kind (every record has ``.kind``)."""
    return Counter(r.kind for r in records)


def summary_line(label: str, counts: Counter) -> str:
    """``label: N total, M measured, D derived, C calibrated, A assumed``.

    Examples
    --------
    >>> summary_line("drug values", Counter(measured=2, assumed=1))
    'drug values: 3 total, 2 measured, 0 derived, 0 calibrated, 1 assumed'
    """
    parts = ", ".join(f"{counts.get(k, 0)} {k}" for k in KINDS)
    return f"{label}: {sum(counts.values())} total, {parts}"


def settings_line(n: int) -> str:
    """The third line of ``noradsim params --summary``: how many settings were left out of the count."""
    return f"settings: {n} (not counted as parameters)"


def cited_text(record) -> str:
    """The citing text of a record (source, derivation, reason, fit), for source checks."""
    prov = record.provenance or read_provenance({"source": record.source}, "")
    return prov.cited_text()
