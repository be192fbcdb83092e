"""The recording experiment: its fields, checked once, as a frozen :class:`RecordingConfig`.

Format in ``docs/lc_recording.md``; internal units s, um, Hz, uV. Bad input raises
:class:`~noradsim.errors.InputError` naming the field, before anything is simulated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ...errors import InputError, unknown
from ...lc.ratelaw import state_drives
from ...checks import check_events_within, check_recording_dt
from ...units import checked_number
from ...lc.stimuli import parse_interventions
from ...units import parse_quantity
from .electrode import check_electrode

RECORDING_KEYS = ("electrode", "duration", "dt", "filter", "waveform_filter", "threshold", "n_units", "noise",
                  "n_neurons", "a2", "beta_activation", "figure_format", "search")
SEARCH_KEYS = ("step", "max_travel", "baseline")
# drug-free search segment when the protocol has less than MIN_SEARCH_BASELINE_S before its first drug
DEFAULT_SEARCH_BASELINE_S = 10.0
MIN_SEARCH_BASELINE_S = 5.0
TOP_KEYS = ("protocol", "name", "title", "schema", "description", "species", "region", "state", "interventions",
            "recording", "seed", "notes", "drugs")
# the spiking model's limit: longer protocols belong to the rate model
MAX_DURATION_S = 600.0


@dataclass(frozen=True)
class RecordingConfig:
    """A parsed recording experiment (internal units: s, um, Hz, uV)."""

    state: str
    events: tuple
    electrode: np.ndarray
    duration: float
    dt: float
    band: tuple
    waveform_band: tuple
    threshold_sd: float
    max_units: int
    noise_uv: float
    n_neurons: int
    a2: float
    beta_activation: float
    figure_format: str
    name: str = "recording"
    search_step: float = 0.0  # um; 0 = no electrode search
    search_max_travel: float = 0.0  # um
    search_baseline: float = 0.0  # s of drug-free recording for the search; 0 = the pre-drug baseline

    def track_positions(self) -> list[np.ndarray]:
        """Electrode positions (um) of the search, start first, advancing ventrally (-z) along the track."""
        if self.search_step <= 0:
            return [self.electrode]
        n = int(math.floor(self.search_max_travel / self.search_step + 1e-9))
        return [self.electrode - np.array([0.0, 0.0, k * self.search_step]) for k in range(n + 1)]

    def search_segment(self) -> tuple[list, float]:
        """Events and duration (s) of the drug-free segment on which the electrode search runs.

        As an experimenter does: the electrode is advanced and the unit isolated before
        any drug is given. The segment is the protocol's first ``search_baseline`` s
        (default: up to the first drug, or the first 10 s when less than 5 s precede it)
        with its stimuli and without its drugs; with no drugs (and no shorter baseline)
        it is the whole protocol.
        """
        drugs = [e for e in self.events if e.kind == "drug"]
        if self.search_baseline > 0:
            length = min(self.search_baseline, self.duration)
        elif not drugs:
            length = self.duration
        else:
            first = min(e.at for e in drugs)
            length = first if first >= MIN_SEARCH_BASELINE_S else min(self.duration, DEFAULT_SEARCH_BASELINE_S)
        length = min(self.duration, max(length, 1e-3))
        events = [e for e in self.events if e.kind != "drug" and e.at < length]
        return events, length


def parse(doc: dict, *, where: str = "experiment", library=None) -> RecordingConfig:
    """Check and convert a recording experiment (parsed TOML) into a :class:`RecordingConfig`.

    Parameters
    ----------
    doc : dict
        A ``protocol = "recording"`` experiment (``docs/lc_recording.md``).
    where : str
        Name of the document in error messages.
    library : noradsim.drugs.DrugLibrary, optional
        Drugs the interventions may name (default: the built-in library).

    Returns
    -------
    RecordingConfig
    """
    state = _check_subject(doc, where)
    events = tuple(parse_interventions(doc.get("interventions", []), library=library))
    rec = doc.get("recording", {})
    if not isinstance(rec, dict):
        raise InputError("recording: must be a table")
    for key in rec:
        if key not in RECORDING_KEYS:
            raise unknown("recording field", key, RECORDING_KEYS)
    electrode = _parse_electrode(rec)
    duration, dt = _parse_timing(rec)
    check_recording_dt(dt, duration)  # before the bands, so a coarse dt is reported as a dt problem
    check_events_within(events, duration)
    band, waveform_band = _parse_bands(rec, dt)
    threshold = checked_number(rec.get("threshold", 4.5), "recording.threshold", low=1.0, high=50.0)
    max_units = checked_number(rec.get("n_units", 3), "recording.n_units", integer=True, low=1, high=3)
    noise = parse_quantity(rec.get("noise", "8 uV"), "potential", "recording.noise") * 1e3
    n_neurons = checked_number(rec.get("n_neurons", 1643), "recording.n_neurons", integer=True, low=1, high=20000)
    a2 = checked_number(rec.get("a2", 0.35), "recording.a2", low=0.0, high=0.94)
    beta = checked_number(rec.get("beta_activation", 0.0), "recording.beta_activation", low=0.0, high=1.0)
    fmt = rec.get("figure_format", "png")
    if fmt not in ("png", "svg"):
        raise unknown("recording.figure_format", fmt, ["png", "svg"])
    step, travel, baseline = _parse_search(rec.get("search"), electrode)
    return RecordingConfig(state, events, electrode, duration, dt, band, waveform_band, threshold, max_units,
                           noise, n_neurons, a2, beta, fmt, str(doc.get("name", "recording")),
                           search_step=step, search_max_travel=travel, search_baseline=baseline)


def _check_subject(doc, where: str) -> str:
    """Top-level fields: a rat LC recording; returns the behavioural state."""
    if not isinstance(doc, dict):
        raise InputError(f"{where}: must be a table")
    for key in doc:
        if key not in TOP_KEYS:
            raise unknown(f"{where} field", key, TOP_KEYS)
    protocol = doc.get("protocol", "recording")
    if protocol != "recording":
        raise unknown("protocol", protocol, ["recording"])
    species = doc.get("species", "rat")
    if species != "rat":
        raise unknown("species (the LC neuron model is parameterised for rat)", species, ["rat"])
    region = doc.get("region", "locus_coeruleus")
    if region != "locus_coeruleus":
        raise unknown("region (single-unit recordings are of the LC)", region, ["locus_coeruleus"])
    state = doc.get("state", "awake")
    if state not in state_drives():
        raise unknown("state", state, state_drives())
    return state


def _parse_electrode(rec: dict) -> np.ndarray:
    """``recording.electrode``: three lengths in the LC-centred frame (um)."""
    el = rec.get("electrode", ["0 um", "0 um", "0 um"])
    if not isinstance(el, list) or len(el) != 3:
        raise InputError(f"recording.electrode: must be a list of three lengths like ['0 um', '50 um', '0 um'], got {el!r}")
    return check_electrode([parse_quantity(v, "length", f"recording.electrode[{i}]", allow_negative=True)
                            for i, v in enumerate(el)])


def _parse_timing(rec: dict) -> tuple[float, float]:
    """``recording.duration`` and ``recording.dt`` (s)."""
    duration = parse_quantity(rec.get("duration", "20 s"), "time", "recording.duration")
    if duration <= 0:
        raise InputError("recording.duration: must be > 0 s")
    if duration > MAX_DURATION_S:
        raise InputError(f"recording.duration: {duration:g} s is longer than the 600 s the spiking model allows; use the rate model for long protocols")
    dt = parse_quantity(rec.get("dt", "0.05 ms"), "time", "recording.dt")
    return duration, dt


def _parse_bands(rec: dict, dt: float) -> tuple[tuple, tuple]:
    """Detection (``filter``) and waveform (``waveform_filter``) bands in Hz, both below Nyquist at ``dt``."""

    def band_of(key, default):
        b = rec.get(key, default)
        if not isinstance(b, list) or len(b) != 2:
            raise InputError(f"recording.{key}: must be [low, high] like ['300 Hz', '5000 Hz'], got {b!r}")
        return tuple(parse_quantity(v, "rate", f"recording.{key}") for v in b)

    band = band_of("filter", ["300 Hz", "5000 Hz"])
    waveform_band = band_of("waveform_filter", ["100 Hz", "8000 Hz"])
    fs = 1.0 / dt if dt > 0 else math.inf
    for key, b in (("filter", band), ("waveform_filter", waveform_band)):
        if not (0 < b[0] < b[1] < fs / 2):
            raise InputError(f"recording.{key}: band {b[0]:g}-{b[1]:g} Hz must satisfy 0 < low < high < {fs / 2:g} Hz (Nyquist at dt)")
    return band, waveform_band


def _parse_search(search, electrode: np.ndarray) -> tuple[float, float, float]:
    """``recording.search``: step (um), maximal travel (um) and baseline (s); zeros when absent."""
    if search is None:
        return 0.0, 0.0, 0.0
    if not isinstance(search, dict):
        raise InputError(f"recording.search: must be a table like {{ step = '5 um', max_travel = '100 um' }}, got {search!r}")
    for key in search:
        if key not in SEARCH_KEYS:
            raise unknown("recording.search field", key, SEARCH_KEYS)
    step = parse_quantity(search.get("step", "5 um"), "length", "recording.search.step")
    travel = parse_quantity(search.get("max_travel", "100 um"), "length", "recording.search.max_travel")
    baseline = 0.0
    if "baseline" in search:
        baseline = parse_quantity(search["baseline"], "time", "recording.search.baseline")
        if not 1.0 <= baseline <= 600.0:
            raise InputError(f"recording.search.baseline: must be within 1-600 s, got {baseline:g} s")
    if step <= 0:
        raise InputError(f"recording.search.step: must be > 0 um, got {step:g} um")
    if travel < 0 or travel > 1000:
        raise InputError(f"recording.search.max_travel: must be within 0-1000 um, got {travel:g} um")
    if travel / step > 200:
        raise InputError(f"recording.search: at most 200 steps ({travel:g} um / {step:g} um asks for more); use a larger step")
    # the deepest point of the track must still be inside the modelled tissue
    check_electrode(electrode - np.array([0.0, 0.0, travel]))
    return step, travel, baseline
