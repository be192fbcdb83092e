"""Write the sorted units of a virtual recording as an NWB file (pynwb).

The file holds the electrode (position in the LC frame, um), the sorted units with
spike times, mean waveforms and the identification verdicts, the stimulus onsets as
trials/epochs, the drug applications as a ``TimeIntervals`` table and the band-passed
trace around the electrode as an ``ElectricalSeries`` (float32, uV -> V conversion).
"""

from __future__ import annotations

import datetime
import uuid
from pathlib import Path

import numpy as np


def write_nwb(path: Path, *, units, fs: float, trace_uv, electrode_um, events, experiment_id: str, seed: int,
              description: str = "virtual extracellular recording of rat locus coeruleus (noradsim)") -> Path:
    """Write ``path`` (NWB 2.x) and return it.

    Parameters
    ----------
    units : list of SortedUnit
    fs : float
        Sampling rate in Hz of ``trace_uv``.
    trace_uv : array
        Band-passed electrode trace in uV.
    electrode_um : array (3,)
    events : list of Event
    """
    from hdmf.backends.hdf5.h5_utils import H5DataIO
    from pynwb import NWBHDF5IO, NWBFile
    from pynwb.ecephys import ElectricalSeries
    from pynwb.epoch import TimeIntervals

    start = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
    nwb = NWBFile(
        session_description=description,
        identifier=str(uuid.uuid5(uuid.NAMESPACE_URL, f"noradsim:{experiment_id}:{seed}")),
        session_start_time=start,
        experimenter=["noradsim"],
        lab="noradsim virtual laboratory",
        institution="noradsim",
        experiment_description=f"experiment {experiment_id}, seed {seed}",
        source_script="noradsim.protocols.recording.run",
        source_script_file_name="run.py",
    )
    device = nwb.create_device(name="virtual_electrode", description="tungsten microelectrode (virtual, noradsim)")
    group = nwb.create_electrode_group(name="lc_electrode", description="single electrode in or near the LC",
                                       location="locus coeruleus", device=device)
    x, y, z = (float(v) for v in electrode_um)
    nwb.add_electrode(x=x, y=y, z=z, imp=1e6, location="locus coeruleus", filtering="Butterworth band-pass",
                      group=group)
    region = nwb.create_electrode_table_region([0], "the recording electrode")
    series = ElectricalSeries(name="ElectricalSeries", data=H5DataIO(np.asarray(trace_uv, np.float32), compression="gzip"),
                              electrodes=region, rate=float(fs), starting_time=0.0, conversion=1e-6,
                              description="band-passed extracellular voltage")
    nwb.add_acquisition(series)
    if units:  # no unit (electrode outside the LC): no units table, pynwb cannot type empty columns
        nwb.add_unit_column(name="identified", description="passes all LC identification criteria")
        nwb.add_unit_column(name="width_ms", description="total extracellular spike duration (ms)")
        nwb.add_unit_column(name="source_neuron", description="index of the simulated neuron that produced the unit")
    for u in units:
        width = u.criteria.get("broad_waveform", {}).get("value", float("nan"))
        nwb.add_unit(spike_times=np.asarray(u.spike_times, float), waveform_mean=np.asarray(u.mean_waveform, float),
                     waveform_sd=np.asarray(u.waveform_sd, float), electrodes=[0], electrode_group=group,
                     identified=bool(u.identified), width_ms=float(width), source_neuron=int(u.source_neuron))
    stims = [e for e in events if e.kind == "stimulus"]
    if stims:
        nwb.add_trial_column(name="stimulus", description="stimulus kind")
        for e in stims:
            nwb.add_trial(start_time=float(e.at), stop_time=float(e.at + e.duration), stimulus=e.name)
    drugs = [e for e in events if e.kind == "drug"]
    if drugs:
        table = TimeIntervals(name="drug_applications", description="drug applications")
        table.add_column(name="drug", description="drug name")
        table.add_column(name="route", description="route of administration")
        table.add_column(name="amount", description="dose (mg/kg) or ejection current (nA)")
        for e in drugs:
            stop = e.at + (e.duration if np.isfinite(e.duration) else 0.0)
            table.add_row(start_time=float(e.at), stop_time=float(stop), drug=e.name, route=e.route,
                          amount=float(e.dose if e.route != "iontophoresis" else e.current))
        nwb.add_time_intervals(table)
    with NWBHDF5IO(str(path), "w") as io:
        io.write(nwb)
    return Path(path)


def validate_nwb(path: Path) -> list:
    """Errors reported by ``pynwb.validate`` (empty when the file is valid)."""
    from pynwb import validate

    out = validate(path=str(path))
    errors = out[0] if isinstance(out, tuple) else out
    return list(errors)
