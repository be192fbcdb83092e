"""The recording diagram states the criteria and filter band the code uses (issue 9 item 3)."""

import inspect

from noradsim.diagrams import RECORDING_STEPS
from noradsim.protocols.recording import detection
from noradsim.protocols.recording.identification import CRITERIA


def _step(name: str) -> str:
    return dict(RECORDING_STEPS)[name]


def test_identification_criteria_in_the_diagram_are_the_code_values():
    text = _step("identification criteria")
    assert f">{CRITERIA['min_width_ms']:g} ms" in text
    assert f"{CRITERIA['min_rate_hz']:g}-{CRITERIA['max_rate_hz']:g} Hz" in text


def test_filter_band_in_the_diagram_is_the_detection_default():
    lo, hi = inspect.signature(detection.bandpass).parameters["band"].default
    assert f"band-pass {lo / 1000:g}-{hi / 1000:g} kHz" in _step("amplification and filtering")
