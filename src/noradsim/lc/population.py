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

import math
from dataclasses import dataclass, field

import numba
import numpy as np

from ..errors import InputError
from .neuron import LCParameters, check_time_step, gate_tables


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


# Indices into the scalar parameter vector of the kernel.
_NAMES = (
    "capacitance", "e_na", "e_k", "e_ca", "e_leak", "g_na", "g_k", "g_ca", "g_a",
    "ahp_kd", "ca_per_charge", "ca_tau", "beta_ahp_reduction", "g_girk_max", "girk_tau",
    "ais_area_ratio", "g_couple", "g_na_ais", "g_k_ais", "g_leak_ais",
    "g_gap", "noise_sigma", "noise_tau",
    "k_ne_alpha2a", "tau_ne_alpha2a", "release_per_population_spike", "ne_clearance_tau", "reference_tau",
)


@numba.njit(cache=True, fastmath=True, nogil=True)
def initial_state(n, seed, tab, sigma):
    """Seed numba's generator and draw the initial state of ``n`` neurons.

    Returns ``(v, h, n_gate, s, b, h_ais, n_ais, ca, noise)``: somatic and AIS voltage
    share ``v`` (mV, uniform in [-60, -50]), gates start at their steady state on the
    table row of ``v``, Ca2+ uniform in [0, 0.5], noise (uA/cm2) from its stationary
    distribution. The kernel keeps drawing from the same stream, so any engine that calls
    this starts from the kernel's exact state.
    """
    np.random.seed(seed)
    vs = np.empty(n)
    h = np.empty(n)
    nn = np.empty(n)
    s = np.empty(n)
    b = np.empty(n)
    ha = np.empty(n)
    na = np.empty(n)
    ca = np.empty(n)
    noise = np.empty(n)
    for i in range(n):
        v0 = -60.0 + 10.0 * np.random.random()
        vs[i] = v0
        j = int((v0 + 130.0) * 20.0 + 0.5)
        h[i] = tab[j, 1]
        nn[i] = tab[j, 3]
        s[i] = tab[j, 6]
        b[i] = tab[j, 8]
        ha[i] = tab[j, 1]
        na[i] = tab[j, 3]
        ca[i] = 0.5 * np.random.random()
        noise[i] = sigma * np.random.standard_normal()
    return vs, h, nn, s, b, ha, na, ca, noise


@numba.njit(cache=True, fastmath=True, nogil=True)
def _kernel(
    n_steps, dt, steps_per_ms, n_warm_ms, pv,
    g_leak, g_nap, g_ahp, stim_gain, gap_ptr, gap_idx,
    i_tonic, i_stim, lig_s, lig_x, beta, loc_s, loc_x, loc_col,
    tab, s_dec, b_dec,
    seed, rec_idx, rec_every, rec_ais, rec_soma, rec_v, area_soma_um2,
    spk_n, spk_t, rate_ms, a2_ms,
):
    (cap, e_na, e_k, e_ca, e_leak, gna, gk, gca, ga, kd, ca_per_q, ca_tau, beta_red, g_girk,
     girk_tau, ratio, gc, gna_a, gk_a, gl_a, g_gap, sigma, noise_tau, k_ne, tau_ne,
     release, ne_tau, ref_tau) = (pv[0], pv[1], pv[2], pv[3], pv[4], pv[5], pv[6], pv[7],
                                   pv[8], pv[9], pv[10], pv[11], pv[12], pv[13], pv[14],
                                   pv[15], pv[16], pv[17], pv[18], pv[19], pv[20], pv[21],
                                   pv[22], pv[23], pv[24], pv[25], pv[26], pv[27])
    n = g_leak.size
    vs, h, nn, s, b, ha, na, ca, noise = initial_state(n, seed, tab, sigma)
    va = vs.copy()
    gap_sum = np.empty(n)
    girk_n = np.zeros(n)
    n_loc = loc_s.shape[1]
    nmax = tab.shape[0] - 1
    # each undirected junction once (a < b), from the CSR rows
    n_edges = 0
    for i in range(n):
        for q in range(gap_ptr[i], gap_ptr[i + 1]):
            if gap_idx[q] > i:
                n_edges += 1
    edge_a = np.empty(n_edges, np.int32)
    edge_b = np.empty(n_edges, np.int32)
    e = 0
    for i in range(n):
        for q in range(gap_ptr[i], gap_ptr[i + 1]):
            if gap_idx[q] > i:
                edge_a[e] = i
                edge_b[e] = gap_idx[q]
                e += 1
    inv_dv = 1.0 / 0.05
    cdt = cap / dt
    gca_ais = gc / ratio
    noise_decay = math.exp(-1.0 / noise_tau)  # per 1 ms noise update
    noise_kick = sigma * math.sqrt(1.0 - noise_decay * noise_decay)
    ca_decay = math.exp(-dt / ca_tau)
    girk_decay = math.exp(-dt / girk_tau)
    ne_decay = math.exp(-dt / ne_tau)
    n_spk = 0
    max_spk = spk_n.size
    overflow = False
    ne_ev = 0.0
    ne_ref = 0.0
    girk = 0.0
    a2 = 0.0
    spikes_step = 0
    ms_spikes = 0
    ms_a2 = 0.0
    n_rec = rec_idx.size
    for step in range(n_steps):
        ms = step // steps_per_ms
        if step % steps_per_ms == 0:
            for i in range(n):
                noise[i] = noise[i] * noise_decay + noise_kick * np.random.standard_normal()
        # local NE from the population's own spikes (somatodendritic release)
        ne_ev = ne_ev * ne_decay + release * spikes_step / n
        rt = 200.0 if ms < n_warm_ms else ref_tau
        ne_ref += (ne_ev - ne_ref) * (dt / rt)
        # signed deviation from the running mean: tonic release is already in the a2 input
        xe = (ne_ev - ne_ref) / k_ne
        stim_total = lig_s[ms] + tau_ne * xe
        occ_total = lig_x[ms] + xe
        if stim_total < 0.0:
            stim_total = 0.0
        if occ_total < 0.0:
            occ_total = 0.0
        a2 = stim_total / (1.0 + occ_total + stim_total)
        girk = a2 + (girk - a2) * girk_decay
        g_girk_now = g_girk * girk
        ahp_scale = 1.0 - beta_red * beta[ms]
        it = i_tonic[ms]
        ist = i_stim[ms]
        spikes_step = 0
        t_now = step * dt
        # gap-junction sums from the voltages at the start of the step, one pass over the edges
        for i in range(n):
            gap_sum[i] = 0.0
        for q in range(edge_a.size):
            ea = edge_a[q]
            eb = edge_b[q]
            d = vs[eb] - vs[ea]
            gap_sum[ea] += d
            gap_sum[eb] -= d
        for i in range(n):
            v = vs[i]
            vai = va[i]
            j = int((v + 130.0) * inv_dv + 0.5)
            if j < 0:
                j = 0
            elif j > nmax:
                j = nmax
            ja = int((vai + 130.0) * inv_dv + 0.5)
            if ja < 0:
                ja = 0
            elif ja > nmax:
                ja = nmax
            # gates first (staggered, as in NEURON), exponential Euler from the table row
            hi = tab[j, 1] + (h[i] - tab[j, 1]) * tab[j, 2]
            ni = tab[j, 3] + (nn[i] - tab[j, 3]) * tab[j, 4]
            si = tab[j, 6] + (s[i] - tab[j, 6]) * s_dec
            bi = tab[j, 8] + (b[i] - tab[j, 8]) * b_dec
            hai = tab[ja, 1] + (ha[i] - tab[ja, 1]) * tab[ja, 2]
            nai = tab[ja, 3] + (na[i] - tab[ja, 3]) * tab[ja, 4]
            h[i] = hi
            nn[i] = ni
            s[i] = si
            b[i] = bi
            ha[i] = hai
            na[i] = nai
            g_na_i = gna * tab[j, 0] * hi
            n2 = ni * ni
            g_k_i = gk * n2 * n2
            g_nap_i = g_nap[i] * tab[j, 5]
            g_ca_i = gca * si * si
            g_a_i = ga * tab[j, 7] * bi
            cai = ca[i]
            g_ahp_i = g_ahp[i] * ahp_scale * cai / (cai + kd)
            gl = g_leak[i]
            if n_loc > 0:
                cl = loc_col[i]
                st_i = stim_total + loc_s[ms, cl]
                oc_i = occ_total + loc_x[ms, cl]
                a2_i = st_i / (1.0 + oc_i + st_i)
                girk_n[i] = a2_i + (girk_n[i] - a2_i) * girk_decay
                g_kall = g_k_i + g_a_i + g_ahp_i + g_girk * girk_n[i]
            else:
                g_kall = g_k_i + g_a_i + g_ahp_i + g_girk_now
            gsum = g_na_i + g_nap_i + g_ca_i + g_kall + gl
            ge = (g_na_i + g_nap_i) * e_na + g_ca_i * e_ca + g_kall * e_k + gl * e_leak
            iext = it + stim_gain[i] * ist + noise[i] + g_gap * gap_sum[i]
            n2a = nai * nai
            g_na_a = gna_a * tab[ja, 9] * hai
            g_k_a = gk_a * n2a * n2a
            gsum_a = g_na_a + g_k_a + gl_a
            ge_a = g_na_a * e_na + g_k_a * e_k + gl_a * e_leak
            # backward Euler on the two coupled compartments (2x2 linear system)
            a11 = cdt + gsum + gc
            r1 = cdt * v + ge + iext
            a22 = cdt + gsum_a + gca_ais
            r2 = cdt * vai + ge_a
            inv_det = 1.0 / (a11 * a22 - gc * gca_ais)
            v_new = (r1 * a22 + gc * r2) * inv_det
            va[i] = (a11 * r2 + gca_ais * r1) * inv_det
            vs[i] = v_new
            ca[i] = cai * ca_decay - ca_per_q * g_ca_i * (v_new - e_ca) * dt
            if v_new > -20.0 and v <= -20.0:
                spikes_step += 1
                if ms >= n_warm_ms:
                    if n_spk < max_spk:
                        spk_n[n_spk] = i
                        spk_t[n_spk] = t_now + dt
                        n_spk += 1
                    else:
                        overflow = True
        ms_spikes += spikes_step
        ms_a2 += a2
        if (step + 1) % steps_per_ms == 0:
            rate_ms[ms] = ms_spikes / (n * 1e-3)
            a2_ms[ms] = ms_a2 / steps_per_ms
            ms_spikes = 0
            ms_a2 = 0.0
        if n_rec > 0 and ms >= n_warm_ms:
            col = step - n_warm_ms * steps_per_ms
            if col % rec_every == 0:
                c = col // rec_every
                if c < rec_ais.shape[1]:
                    keep_v = c < rec_v.shape[1]
                    for r in range(n_rec):
                        i = rec_idx[r]
                        v = vs[i]
                        j = int((v + 130.0) * inv_dv + 0.5)
                        if j < 0:
                            j = 0
                        elif j > nmax:
                            j = nmax
                        n2 = nn[i] * nn[i]
                        g_act = (gna * tab[j, 0] * h[i] + g_nap[i] * tab[j, 5]) * (v - e_na)
                        g_act += gca * s[i] * s[i] * (v - e_ca)
                        g_act += (gk * n2 * n2 + ga * tab[j, 7] * b[i] + g_ahp[i] * ahp_scale * ca[i] / (ca[i] + kd)) * (v - e_k)
                        # uA/cm2 * um2 * 1e-8 cm2/um2 * 1e3 nA/uA
                        rec_soma[r, c] = g_act * area_soma_um2 * 1e-5
                        rec_ais[r, c] = gc * (v - va[i]) * area_soma_um2 * 1e-5
                        if keep_v:
                            rec_v[r, c] = v
    return n_spk, overflow


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


def simulate(
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
) -> SimulationResult:
    """Integrate the LC population.

    Parameters
    ----------
    params : LCParameters
    population : Population
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

    Returns
    -------
    SimulationResult
    """
    dt_ms = dt * 1e3
    check_time_step(dt_ms)
    steps_per_ms = int(round(1.0 / dt_ms))
    if abs(steps_per_ms * dt_ms - 1.0) > 1e-9:
        raise InputError(f"dt: {dt_ms:g} ms must divide 1 ms evenly (e.g. 0.1, 0.05, 0.025 ms)")
    for name in ("g_na", "g_k", "g_ca", "g_a", "g_ahp", "g_leak", "g_girk_max", "g_gap", "noise_sigma"):
        if params.value(name) < 0:
            raise InputError(f"{name}: conductance or noise must be >= 0, got {params.value(name)}")
    n_ms = inputs.tonic_current.size
    n_warm = int(round(warmup * 1e3))

    tonic, stim, lig_s, lig_x, beta, loc_s, loc_x, loc_col = padded_inputs(inputs, n_warm, population.n_neurons)
    tables = gate_tables(params, dt_ms)
    pv = np.array([params.value(k) for k in _NAMES], float)
    n_steps = (n_ms + n_warm) * steps_per_ms
    rec = np.zeros(0, np.int64) if record is None else np.asarray(record, np.int64)
    n_cols = (n_ms * steps_per_ms) // record_every if rec.size else 0
    rec_ais = np.zeros((rec.size, n_cols))
    rec_soma = np.zeros((rec.size, n_cols))
    rec_v = np.zeros((rec.size, n_cols if record_voltage else 0))
    max_spk = int(population.n_neurons * (n_ms * 1e-3) * 60 + 1000)
    spk_n = np.zeros(max_spk, np.int64)
    spk_t = np.zeros(max_spk)
    rate_ms = np.zeros(n_ms + n_warm + 1)
    a2_ms = np.zeros(n_ms + n_warm + 1)
    n_spk, overflow = _kernel(
        n_steps, dt_ms, steps_per_ms, n_warm, pv,
        population.g_leak, population.g_nap, population.g_ahp, population.stim_gain,
        population.gap_indptr.astype(np.int32), population.gap_indices.astype(np.int32),
        tonic, stim, lig_s, lig_x, beta, loc_s, loc_x, loc_col,
        tables.matrix(), float(tables.s_decay[0]), float(tables.b_decay[0]),
        int(seed) % (2**32), rec, int(record_every), rec_ais, rec_soma, rec_v,
        params.value("soma_area"),
        spk_n, spk_t, rate_ms, a2_ms,
    )
    spike_time = spk_t[:n_spk] * 1e-3 - warmup
    return SimulationResult(
        dt=dt,
        t_stop=n_ms * 1e-3,
        spike_neuron=spk_n[:n_spk].copy(),
        spike_time=spike_time,
        rate_per_ms=rate_ms[n_warm : n_warm + n_ms].copy(),
        a2_per_ms=a2_ms[n_warm : n_warm + n_ms].copy(),
        recorded=rec,
        ais_current=rec_ais,
        soma_current=rec_soma,
        soma_voltage=rec_v,
        n_neurons=population.n_neurons,
        overflow=bool(overflow),
    )
