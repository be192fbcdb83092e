"""A population of conductance-based LC neurons with gap junctions, noise and local NE.

:func:`build_population` draws the heterogeneous cells, their positions inside the LC
ellipsoid and a sparse gap-junction graph (CSR); :func:`simulate` integrates them with a
numba kernel. The same seed gives the same numbers.

Inputs on a 1 ms grid: a tonic current (from the rate-law ``drive``), a stimulus current,
the alpha2A ligand terms of the operational model (from systemic or local drugs and the
background NE, see :mod:`noradsim.lc.pharmacology`) and the beta-adrenergic activation.
Local NE released by the population's own spikes adds to the alpha2A activation, which
drives the GIRK conductance: this is the post-activation inhibition.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numba
import numpy as np

from ..errors import InputError
from .kernel import PARAMETER_NAMES, run
from .neuron import LCParameters, check_time_step, gate_tables

# From this many neurons the kernel runs the neurons on all cores by default.
PARALLEL_FROM = 256


@dataclass(frozen=True)
class Population:
    """Cells, positions (um, LC-centred frame) and gap junctions of one LC."""

    n_neurons: int
    positions: np.ndarray  # (n, 3) um
    g_leak: np.ndarray
    g_nap: np.ndarray
    g_ahp: np.ndarray
    stim_gain: np.ndarray
    gap_indptr: np.ndarray
    gap_indices: np.ndarray
    ais_direction: np.ndarray  # (n, 3) unit vectors
    dendrite_direction: np.ndarray  # (n, 3) unit vectors
    seed: int


def inside_ellipsoid(points, semi_axes) -> np.ndarray:
    """Boolean mask of points inside the ellipsoid with ``semi_axes`` (um), centred at 0."""
    pts = np.atleast_2d(np.asarray(points, float))
    return np.sum((pts / np.asarray(semi_axes)) ** 2, axis=1) <= 1.0


def _unit_vectors(rng, n):
    v = rng.standard_normal((n, 3))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def build_population(params: LCParameters, n_neurons: int | None = None, *, seed: int = 0) -> Population:
    """Draw a heterogeneous LC population.

    Parameters
    ----------
    params : LCParameters
        Parameter tables (:func:`noradsim.lc.neuron.load_lc_parameters`).
    n_neurons : int, optional
        Number of neurons; default the cited count per side (1643).
    seed : int
        Seed for heterogeneity, positions and the coupling graph.

    Examples
    --------
    >>> from noradsim.lc.neuron import load_lc_parameters
    >>> pop = build_population(load_lc_parameters(), 50, seed=1)
    >>> bool(pop.gap_indptr[-1] == pop.gap_indices.size)
    True
    """
    if n_neurons is None:
        n_neurons = int(params.value("n_neurons"))
    if isinstance(n_neurons, bool) or not isinstance(n_neurons, (int, np.integer)) or n_neurons < 1:
        raise InputError(f"n_neurons: must be a positive whole number, got {n_neurons!r}")
    n = int(n_neurons)
    rng = np.random.default_rng([seed, 1])
    cv = params.value("heterogeneity")
    p = params.neuron.values()

    def spread(mean):
        return mean * rng.lognormal(-0.5 * cv**2, cv, n)

    semi = 0.5 * np.array([params.value("ellipsoid_x"), params.value("ellipsoid_y"), params.value("ellipsoid_z")])
    pos = np.empty((0, 3))
    while pos.shape[0] < n:
        cand = rng.uniform(-1, 1, (2 * n + 10, 3)) * semi
        pos = np.vstack([pos, cand[inside_ellipsoid(cand, semi)]])
    pos = pos[:n]

    k = int(min(params.value("n_gap_partners"), n - 1))
    # Undirected graph: each neuron picks k/2 partners among its nearest 4k neighbours
    # (coupling is local, dendro-dendritic); symmetric so currents balance.
    pairs = set()
    if k > 0:
        half = max(1, k // 2)
        for i in range(n):
            d2 = np.sum((pos - pos[i]) ** 2, axis=1)
            d2[i] = np.inf
            near = np.argsort(d2)[: min(n - 1, 4 * k)]
            for j in rng.choice(near, size=min(half, near.size), replace=False):
                pairs.add((min(i, j), max(i, j)))
    rows = [[] for _ in range(n)]
    for i, j in sorted(pairs):
        rows[i].append(j)
        rows[j].append(i)
    indptr = np.zeros(n + 1, np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.array([j for r in rows for j in sorted(r)], np.int64)
    return Population(
        n_neurons=n,
        positions=pos,
        g_leak=spread(p["g_leak"]),
        g_nap=spread(p["g_nap"]),
        g_ahp=spread(p["g_ahp"]),
        stim_gain=spread(1.0),
        gap_indptr=indptr,
        gap_indices=indices,
        ais_direction=_unit_vectors(rng, n),
        dendrite_direction=_unit_vectors(rng, n),
        seed=seed,
    )


@dataclass(frozen=True)
class SimulationResult:
    """Spikes and recorded signals of one run (times in s, currents in nA)."""

    dt: float  # s
    t_stop: float  # s
    spike_neuron: np.ndarray
    spike_time: np.ndarray  # s
    rate_per_ms: np.ndarray  # population mean rate, Hz, on the 1 ms grid
    a2_per_ms: np.ndarray  # total alpha2A activation (input + evoked local NE)
    recorded: np.ndarray  # indices of neurons whose currents were stored
    ais_current: np.ndarray  # (n_rec, n_steps) nA, AIS transmembrane current
    soma_current: np.ndarray  # (n_rec, n_steps) nA, somatic active ionic current
    soma_voltage: np.ndarray  # (n_rec, n_steps) mV
    n_neurons: int
    overflow: bool = False
    meta: dict = field(default_factory=dict)

    def spike_trains(self) -> list[np.ndarray]:
        """Spike times (s) per neuron."""
        order = np.argsort(self.spike_neuron, kind="stable")
        neurons = self.spike_neuron[order]
        times = self.spike_time[order]
        cuts = np.searchsorted(neurons, np.arange(self.n_neurons + 1))
        return [times[cuts[i] : cuts[i + 1]] for i in range(self.n_neurons)]

    def mean_rate(self, t_start: float = 0.0, t_stop: float | None = None) -> float:
        """Population mean rate in Hz between ``t_start`` and ``t_stop`` (s)."""
        t_stop = self.t_stop if t_stop is None else t_stop
        sel = (self.spike_time >= t_start) & (self.spike_time < t_stop)
        return float(sel.sum() / (self.n_neurons * (t_stop - t_start)))


@dataclass(frozen=True)
class Inputs:
    """Time courses on a 1 ms grid (arrays of length ``n_ms``) driving the population.

    ``tonic_current`` and ``stimulus_current`` in uA/cm2; ``ligand_stimulus`` is the
    operational-model sum :math:`\\sum_i \\tau_i [A_i]/K_i` and ``ligand_occupancy``
    :math:`\\sum_i [A_i]/K_i` over all alpha2A ligands (background NE included);
    ``beta_activation`` in [0, 1]. Optional ``local_stimulus``/``local_occupancy``
    (n_ms, n_columns) add per-neuron terms (neuron *i* reads column ``local_column[i]``),
    e.g. iontophoresis by distance shells; without them the kernel runs unchanged.
    """

    tonic_current: np.ndarray
    stimulus_current: np.ndarray
    ligand_stimulus: np.ndarray
    ligand_occupancy: np.ndarray
    beta_activation: np.ndarray
    # optional per-neuron ligand terms added to the above (e.g. iontophoresis resolved by
    # distance): shape (n_ms, n_columns), and the column of each neuron, shape (n_neurons,)
    local_stimulus: np.ndarray | None = None
    local_occupancy: np.ndarray | None = None
    local_column: np.ndarray | None = None


@dataclass(frozen=True)
class PaddedInputs:
    """Inputs on the kernel's 1 ms grid: warm-up prepended (first values, no stimulus), one sample appended."""

    tonic: np.ndarray
    stimulus: np.ndarray
    ligand_stimulus: np.ndarray
    ligand_occupancy: np.ndarray
    beta: np.ndarray
    local_stimulus: np.ndarray  # (n_ms, n_columns); n_columns 0 without local terms
    local_occupancy: np.ndarray
    local_column: np.ndarray  # (n_neurons,)

    def __iter__(self):
        return iter((self.tonic, self.stimulus, self.ligand_stimulus, self.ligand_occupancy, self.beta,
                     self.local_stimulus, self.local_occupancy, self.local_column))


def padded_inputs(inputs: Inputs, n_warm: int, n_neurons: int) -> PaddedInputs:
    """Check ``inputs`` and pad them for a run with ``n_warm`` ms of warm-up (shared by both engines)."""
    n_ms = inputs.tonic_current.size

    def pad(x):
        x = np.asarray(x, float)
        if x.size != n_ms:
            raise InputError("inputs: all input time courses must have the same length")
        return np.concatenate([np.full(n_warm, x[0]), x, [x[-1]]])

    stim = pad(inputs.stimulus_current)
    stim[:n_warm] = 0.0
    if inputs.local_stimulus is None:
        return PaddedInputs(pad(inputs.tonic_current), stim, pad(inputs.ligand_stimulus),
                            pad(inputs.ligand_occupancy), pad(inputs.beta_activation),
                            np.zeros((1, 0)), np.zeros((1, 0)), np.zeros(n_neurons, np.int64))
    ls = np.asarray(inputs.local_stimulus, float)
    lx = np.asarray(inputs.local_occupancy, float)
    loc_col = np.asarray(inputs.local_column, np.int64)
    if ls.ndim != 2 or ls.shape[0] != n_ms or lx.shape != ls.shape:
        raise InputError(f"inputs: local ligand terms must have shape (n_ms={n_ms}, n_columns), got {ls.shape} and {lx.shape}")
    if loc_col.shape != (n_neurons,) or loc_col.min() < 0 or loc_col.max() >= ls.shape[1]:
        raise InputError("inputs: local_column must give every neuron a column of the local ligand terms")

    def pad2(x):
        return np.concatenate([np.repeat(x[:1], n_warm, axis=0), x, x[-1:]], axis=0)

    return PaddedInputs(pad(inputs.tonic_current), stim, pad(inputs.ligand_stimulus), pad(inputs.ligand_occupancy),
                        pad(inputs.beta_activation), pad2(ls), pad2(lx), loc_col)


def simulate_population(
    params: LCParameters,
    population: Population,
    inputs: Inputs,
    *,
    dt: float = 1e-4,
    seed: int = 0,
    record: np.ndarray | None = None,
    record_every: int = 1,
    warmup: float = 1.0,
    record_voltage: bool = True,
    parallel: bool | None = None,
) -> SimulationResult:
    """Integrate the LC population.

    Parameters
    ----------
    params, population : LCParameters, Population
    inputs : Inputs
        1 ms grid; its length sets the duration (after ``warmup``, which reuses the
        first value of every input).
    dt : float
        Time step in s (at most 1e-4).
    seed : int
        Seed of the membrane noise and initial states.
    record : array of int, optional
        Neurons whose AIS and somatic currents are stored every ``record_every`` steps
        (for the virtual extracellular recording).
    warmup : float
        Settling time in s, simulated and discarded.
    record_voltage : bool
        Also store the recorded neurons' somatic voltage (``soma_voltage``; empty when
        False, which saves a third of the recording memory).
    parallel : bool, optional
        Advance the neurons on all cores (numba ``prange``); the numbers are identical
        to the serial kernel for a seed. Default: parallel from :data:`PARALLEL_FROM`
        neurons on, where it pays for the per-step thread synchronisation, unless the
        machine's cores are already busy (load average above the core count - 0.5:
        threads that wait for a time slice at every step's barrier run many times slower).

    Returns
    -------
    SimulationResult
    """
    dt_ms = dt * 1e3
    steps_per_ms = _check_run(params, dt_ms)
    n_ms = inputs.tonic_current.size
    n_warm = int(round(warmup * 1e3))
    pi = padded_inputs(inputs, n_warm, population.n_neurons)
    tables = gate_tables(params, dt_ms)
    pv = np.array([params.value(k) for k in PARAMETER_NAMES], float)
    rec = np.zeros(0, np.int64) if record is None else np.asarray(record, np.int64)
    n_cols = (n_ms * steps_per_ms) // record_every if rec.size else 0
    out = _outputs(population.n_neurons, n_ms, n_warm, rec.size, n_cols, record_voltage)
    if parallel is None:
        parallel = population.n_neurons >= PARALLEL_FROM and _cores_idle()
    cells = (population.g_leak, population.g_nap, population.g_ahp, population.stim_gain)
    gap = (population.gap_indptr.astype(np.int32), population.gap_indices.astype(np.int32))
    n_spk, overflow = run(
        (n_ms + n_warm) * steps_per_ms, dt_ms, steps_per_ms, n_warm, pv, cells, gap,
        (pi.tonic, pi.stimulus, pi.ligand_stimulus, pi.ligand_occupancy, pi.beta),
        (pi.local_stimulus, pi.local_occupancy, pi.local_column),
        tables.matrix(), float(tables.s_decay[0]), float(tables.b_decay[0]), int(seed) % (2**32),
        (rec, out["ais"], out["soma"], out["v"]), int(record_every), params.value("soma_area"),
        out["spk_n"], out["spk_t"], out["rate"], out["a2"], numba.get_num_threads() if parallel else 1,
    )
    return SimulationResult(
        dt=dt,
        t_stop=n_ms * 1e-3,
        spike_neuron=out["spk_n"][:n_spk].copy(),
        spike_time=out["spk_t"][:n_spk] * 1e-3 - warmup,
        rate_per_ms=out["rate"][n_warm : n_warm + n_ms].copy(),
        a2_per_ms=out["a2"][n_warm : n_warm + n_ms].copy(),
        recorded=rec,
        ais_current=out["ais"],
        soma_current=out["soma"],
        soma_voltage=out["v"],
        n_neurons=population.n_neurons,
        overflow=bool(overflow),
    )


def _cores_idle() -> bool:
    """True when numba has more than one thread and the load average leaves the cores free."""
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = 0.0
    return numba.get_num_threads() > 1 and load < (os.cpu_count() or 1) - 0.5


def _check_run(params: LCParameters, dt_ms: float) -> int:
    """Refuse unusable steps and negative conductances; returns the steps per ms."""
    check_time_step(dt_ms)
    steps_per_ms = int(round(1.0 / dt_ms))
    if abs(steps_per_ms * dt_ms - 1.0) > 1e-9:
        raise InputError(f"dt: {dt_ms:g} ms must divide 1 ms evenly (e.g. 0.1, 0.05, 0.025 ms)")
    for name in ("g_na", "g_k", "g_ca", "g_a", "g_ahp", "g_leak", "g_girk_max", "g_gap", "noise_sigma"):
        if params.value(name) < 0:
            raise InputError(f"{name}: conductance or noise must be >= 0, got {params.value(name)}")
    return steps_per_ms


def _outputs(n: int, n_ms: int, n_warm: int, n_rec: int, n_cols: int, record_voltage: bool) -> dict:
    """Output buffers the kernel fills (spikes: room for 60 Hz per neuron plus 1,000)."""
    max_spk = int(n * (n_ms * 1e-3) * 60 + 1000)
    return {
        "ais": np.zeros((n_rec, n_cols)), "soma": np.zeros((n_rec, n_cols)),
        "v": np.zeros((n_rec, n_cols if record_voltage else 0)),
        "spk_n": np.zeros(max_spk, np.int64), "spk_t": np.zeros(max_spk),
        "rate": np.zeros(n_ms + n_warm + 1), "a2": np.zeros(n_ms + n_warm + 1),
    }
