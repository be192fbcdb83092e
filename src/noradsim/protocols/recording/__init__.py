"""The ``recording`` protocol: a virtual single-unit recording in the rat locus coeruleus.

``noradsim run`` reaches it through the protocol registry (:mod:`noradsim.protocols`) for
experiment files with ``protocol = "recording"`` (format in ``docs/lc_recording.md``):
:func:`parse` checks the document into a :class:`RecordingConfig`, :func:`run` (or
:func:`record`, with the LC parameters as an option) records it and returns a
:class:`RecordingResult`, whose ``to_dict()`` is the summary and ``write(out_dir)`` writes
``recording.nwb``, the figures, ``summary.json`` and ``report.html``.

Modules by stage of the rig: :mod:`.electrode` (position, neurons in reach, signal),
:mod:`.detection` (filter, threshold), :mod:`.sorting` (PCA, mixture, merge/split),
:mod:`.quality` (isolation metrics), :mod:`.templates` (following the search's unit),
:mod:`.identification` (LC criteria, ground truth), :mod:`.run`, :mod:`.result`,
:mod:`.report`, :mod:`.figures`, :mod:`.nwb`; :mod:`.targets` is the validation hook
(``lc_target``) that ``noradsim validate`` calls.
"""

from .config import RecordingConfig, parse
from .result import RecordingResult
from .run import record, run

Config = RecordingConfig  # the registry's common names: every protocol has Config and Result
Result = RecordingResult

__all__ = ["Config", "RecordingConfig", "RecordingResult", "Result", "parse", "record", "run"]
