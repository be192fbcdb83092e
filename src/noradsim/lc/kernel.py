"""The numba kernel of the LC population: one time step at a time, neurons serial or on all cores.

Each step: the Ornstein-Uhlenbeck noise is advanced every 1 ms (serially, so the random
stream is the same for any number of threads), the population's local NE and the
alpha2A/GIRK activation are advanced (scalars), then every neuron is advanced
independently (:func:`_neuron_range`: gates by exponential Euler from the table row of its
voltage, gap-junction current gathered from its neighbours' voltages at the start of the
step, backward Euler on its two compartments), writing into a second voltage buffer so
neighbours never see a half-updated step. Spikes are flagged per neuron and collected in
neuron order afterwards. The neuron loop is the only part that differs between
:func:`run_serial` and :func:`run_parallel` (``prange``), so both give the same bits.

Indices of the scalar parameter vector ``pv`` follow :data:`PARAMETER_NAMES`.
"""

from __future__ import annotations

import math

import numba
import numpy as np

PARAMETER_NAMES = (
    "capacitance", "e_na", "e_k", "e_ca", "e_leak", "g_na", "g_k", "g_ca", "g_a",
    "ahp_kd", "ca_per_charge", "ca_tau", "beta_ahp_reduction", "g_girk_max", "girk_tau",
    "ais_area_ratio", "g_couple", "g_na_ais", "g_k_ais", "g_leak_ais",
    "g_gap", "noise_sigma", "noise_tau",
    "k_ne_alpha2a", "tau_ne_alpha2a", "release_per_population_spike", "ne_clearance_tau", "reference_tau",
)
# No fastmath: with it LLVM fuses and reorders differently in the serial and the prange loop,
# and the two would no longer give the same bits.
_JIT = dict(cache=True, fastmath=False, nogil=True)


@numba.njit(**_JIT)
def initial_ca_max(ahp_kd):
    """Upper end of the uniform initial Ca2+ draw: 0.1 x ``ahp_kd`` (Ca2+ is in units of ``ahp_kd``)."""
    return 0.1 * ahp_kd


@numba.njit(**_JIT)
def initial_state(n, seed, tab, sigma, ca_max):
    """Seed numba's generator and draw the initial state of ``n`` neurons.

    Returns ``(v, h, n_gate, s, b, h_ais, n_ais, ca, noise)``: somatic and AIS voltage
    share ``v`` (mV, uniform in [-60, -50]), gates start at their steady state on the
    table row of ``v``, Ca2+ uniform in [0, ca_max] (callers pass :func:`initial_ca_max`,
    0.1 ``ahp_kd``: the former [0, 0.5] with ``ahp_kd`` 5), noise (uA/cm2) from its stationary
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
        j = int((v0 + 130.0) * ((tab.shape[0] - 1) / 200.0) + 0.5)
        h[i] = tab[j, 1]
        nn[i] = tab[j, 3]
        s[i] = tab[j, 6]
        b[i] = tab[j, 8]
        ha[i] = tab[j, 1]
        na[i] = tab[j, 3]
        ca[i] = ca_max * np.random.random()
        noise[i] = sigma * np.random.standard_normal()
    return vs, h, nn, s, b, ha, na, ca, noise


@numba.njit(**_JIT)
def _row(v, nmax):
    """Nearest row of the gate table for voltage ``v`` (mV), clipped to the table.

    The table spans -130..70 mV in ``nmax`` steps (``noradsim.lc.neuron.voltage_grid``);
    with the former 0.05 mV grid ``nmax / 200`` is exactly 20.0, the former constant.
    """
    j = int((v + 130.0) * (nmax / 200.0) + 0.5)
    if j < 0:
        return 0
    if j > nmax:
        return nmax
    return j


@numba.njit(**_JIT)
def _gap_sum(i, v, ptr, idx):
    """Sum of (neighbour - own) voltage over the sorted CSR row of neuron ``i``.

    The sum keeps its order (neighbours below ``i`` first, ascending), which is the order
    of the former edge-list pass (no fastmath, so no reassociation).
    """
    acc = 0.0
    vi = v[i]
    for q in range(ptr[i], ptr[i + 1]):
        acc += v[idx[q]] - vi
    return acc


@numba.njit(cache=True, fastmath=False, nogil=True)
def _end_of_step(step, dt):
    """Time (ms) at the end of ``step``, rounded as ``step*dt + dt`` (not fused into one FMA)."""
    t_now = step * dt
    return t_now + dt


@numba.njit(**_JIT)
def _constants(pv, dt):
    """Per-step constants of the kernel from the parameter vector and the step (ms)."""
    noise_decay = math.exp(-1.0 / pv[22])  # per 1 ms noise update
    # (C/dt, AIS coupling, noise decay, noise kick, Ca2+ decay, GIRK decay, NE decay, dt)
    return (pv[0] / dt, pv[16] / pv[15], noise_decay, pv[21] * math.sqrt(1.0 - noise_decay * noise_decay),
            math.exp(-dt / pv[11]), math.exp(-dt / pv[14]), math.exp(-dt / pv[26]), dt)


@numba.njit(**_JIT)
def _alpha2(glob, pv, spikes_prev, n, dt, ms, n_warm_ms, lig_s, lig_x, girk_decay, ne_decay):
    """Advance local NE and the population's alpha2A/GIRK activation by one step.

    ``glob`` holds (ne_ev, ne_ref, girk, a2); returns the clipped ligand totals
    (stimulus, occupancy) that per-neuron local terms add to.
    """
    glob[0] = glob[0] * ne_decay + pv[25] * spikes_prev / n
    rt = 200.0 if ms < n_warm_ms else pv[27]
    glob[1] += (glob[0] - glob[1]) * (dt / rt)
    # signed deviation from the running mean: tonic release is already in the a2 input
    xe = (glob[0] - glob[1]) / pv[23]
    stim_total = lig_s[ms] + pv[24] * xe
    occ_total = lig_x[ms] + xe
    if stim_total < 0.0:
        stim_total = 0.0
    if occ_total < 0.0:
        occ_total = 0.0
    glob[3] = stim_total / (1.0 + occ_total + stim_total)
    glob[2] = glob[3] + (glob[2] - glob[3]) * girk_decay
    return stim_total, occ_total


@numba.njit(**_JIT)
def _neuron_range(lo, hi, ms, v_cur, v_next, st, cells, gap, tab, pv, cst, drive, loc, fired):
    """Advance neurons ``lo..hi-1`` by one step; flags ``fired[i]`` when a soma crosses -20 mV upwards.

    ``st`` = (unused, va, h, n, s, b, h_ais, n_ais, ca, girk_n, noise); ``cells`` = (g_leak,
    g_nap, g_ahp, stim_gain); ``drive`` = (stim_total, occ_total, g_girk_now, ahp_scale,
    tonic, stimulus, s_dec, b_dec); ``loc`` = (local stimulus, local occupancy, column).
    Arrays are unpacked once per call: the loop itself touches no tuple (no reference counting).
    """
    va, h, nn, s, b, ha, na, ca, girk_n, noise = st[1], st[2], st[3], st[4], st[5], st[6], st[7], st[8], st[9], st[10]
    g_leak, g_nap, g_ahp, stim_gain = cells
    ptr, idx = gap
    loc_s, loc_x, loc_col = loc
    nmax = tab.shape[0] - 1
    s_dec, b_dec = drive[6], drive[7]
    for i in range(lo, hi):
        v = v_cur[i]
        vai = va[i]
        j = _row(v, nmax)
        ja = _row(vai, nmax)
        # gates first (staggered, as in NEURON), exponential Euler from the table row
        hi_ = tab[j, 1] + (h[i] - tab[j, 1]) * tab[j, 2]
        ni = tab[j, 3] + (nn[i] - tab[j, 3]) * tab[j, 4]
        si = tab[j, 6] + (s[i] - tab[j, 6]) * s_dec
        bi = tab[j, 8] + (b[i] - tab[j, 8]) * b_dec
        hai = tab[ja, 1] + (ha[i] - tab[ja, 1]) * tab[ja, 2]
        nai = tab[ja, 3] + (na[i] - tab[ja, 3]) * tab[ja, 4]
        h[i], nn[i], s[i], b[i], ha[i], na[i] = hi_, ni, si, bi, hai, nai
        g_na_i = pv[5] * tab[j, 0] * hi_
        g_k_i = pv[6] * (ni * ni) * (ni * ni)
        g_nap_i = g_nap[i] * tab[j, 5]
        g_ca_i = pv[7] * si * si
        g_a_i = pv[8] * tab[j, 7] * bi
        cai = ca[i]
        g_ahp_i = g_ahp[i] * drive[3] * cai / (cai + pv[9])
        gl = g_leak[i]
        if loc_s.shape[1] > 0:
            st_i = drive[0] + loc_s[ms, loc_col[i]]
            a2_i = st_i / (1.0 + (drive[1] + loc_x[ms, loc_col[i]]) + st_i)
            girk_n[i] = a2_i + (girk_n[i] - a2_i) * cst[5]
            g_kall = g_k_i + g_a_i + g_ahp_i + pv[13] * girk_n[i]
        else:
            g_kall = g_k_i + g_a_i + g_ahp_i + drive[2]
        gsum = g_na_i + g_nap_i + g_ca_i + g_kall + gl
        ge = (g_na_i + g_nap_i) * pv[1] + g_ca_i * pv[3] + g_kall * pv[2] + gl * pv[4]
        iext = drive[4] + stim_gain[i] * drive[5] + noise[i] + pv[20] * _gap_sum(i, v_cur, ptr, idx)
        g_na_a = pv[17] * tab[ja, 9] * hai
        g_k_a = pv[18] * (nai * nai) * (nai * nai)
        # backward Euler on the two coupled compartments (2x2 linear system)
        a11 = cst[0] + gsum + pv[16]
        r1 = cst[0] * v + ge + iext
        a22 = cst[0] + (g_na_a + g_k_a + pv[19]) + cst[1]
        r2 = cst[0] * vai + (g_na_a * pv[1] + g_k_a * pv[2] + pv[19] * pv[4])
        inv_det = 1.0 / (a11 * a22 - pv[16] * cst[1])
        v_new = (r1 * a22 + pv[16] * r2) * inv_det
        va[i] = (a11 * r2 + cst[1] * r1) * inv_det
        v_next[i] = v_new
        ca[i] = cai * cst[4] - pv[10] * g_ca_i * (v_new - pv[3]) * cst[7]
        fired[i] = v_new > -20.0 and v <= -20.0


@numba.njit(**_JIT)
def _neurons_serial(n, ms, v_cur, v_next, st, cells, gap, tab, pv, cst, drive, loc, fired):
    _neuron_range(0, n, ms, v_cur, v_next, st, cells, gap, tab, pv, cst, drive, loc, fired)


@numba.njit(parallel=True, **_JIT)
def _neurons_parallel(n, n_blocks, ms, v_cur, v_next, st, cells, gap, tab, pv, cst, drive, loc, fired):
    # one contiguous block of neurons per thread; each neuron's arithmetic is the serial one
    for c in numba.prange(n_blocks):
        _neuron_range(c * n // n_blocks, (c + 1) * n // n_blocks, ms, v_cur, v_next, st, cells, gap, tab, pv,
                      cst, drive, loc, fired)


@numba.njit(**_JIT)
def _collect_spikes(fired, t_spike, keep, out_n, out_t, n_spk):
    """Append this step's spikes in neuron order; returns (count this step, total stored, overflow)."""
    count = 0
    overflow = False
    for i in range(fired.size):
        if fired[i]:
            count += 1
            if keep:
                if n_spk < out_n.size:
                    out_n[n_spk] = i
                    out_t[n_spk] = t_spike
                    n_spk += 1
                else:
                    overflow = True
    return count, n_spk, overflow


@numba.njit(**_JIT)
def _record(c, rec, vs, st, cells, tab, pv, ahp_scale, area_soma_um2):
    """Store the recorded neurons' somatic ionic and AIS currents (nA) and voltage in column ``c``."""
    rec_idx, rec_ais, rec_soma, rec_v = rec
    h, nn, s, b, ca, va = st[2], st[3], st[4], st[5], st[8], st[1]
    keep_v = c < rec_v.shape[1]
    nmax = tab.shape[0] - 1
    for r in range(rec_idx.size):
        i = rec_idx[r]
        v = vs[i]
        j = _row(v, nmax)
        n2 = nn[i] * nn[i]
        g_act = (pv[5] * tab[j, 0] * h[i] + cells[1][i] * tab[j, 5]) * (v - pv[1])
        g_act += pv[7] * s[i] * s[i] * (v - pv[3])
        g_act += (pv[6] * n2 * n2 + pv[8] * tab[j, 7] * b[i] + cells[2][i] * ahp_scale * ca[i] / (ca[i] + pv[9])) * (v - pv[2])
        # uA/cm2 * um2 * 1e-8 cm2/um2 * 1e3 nA/uA
        rec_soma[r, c] = g_act * area_soma_um2 * 1e-5
        rec_ais[r, c] = pv[16] * (v - va[i]) * area_soma_um2 * 1e-5
        if keep_v:
            rec_v[r, c] = v


@numba.njit(**_JIT)
def _noise_update(noise, decay, kick):
    """One 1 ms Ornstein-Uhlenbeck step of every neuron's noise, drawn in neuron order."""
    for i in range(noise.size):
        noise[i] = noise[i] * decay + kick * np.random.standard_normal()


@numba.njit(**_JIT)
def _drive(glob, pv, inputs, ms, spikes_prev, n, cst, n_warm_ms, s_dec, b_dec):
    """This step's population-wide terms (see :func:`_neuron_range`) after advancing the alpha2A state."""
    tonic, stim, lig_s, lig_x, beta = inputs
    stim_total, occ_total = _alpha2(glob, pv, spikes_prev, n, cst[7], ms, n_warm_ms, lig_s, lig_x, cst[5], cst[6])
    return (stim_total, occ_total, pv[13] * glob[2], 1.0 - pv[12] * beta[ms], tonic[ms], stim[ms], s_dec, b_dec)


@numba.njit(**_JIT)
def run(n_steps, dt, steps_per_ms, n_warm_ms, pv, cells, gap, inputs, loc, tab, s_dec, b_dec, seed, rec,
        rec_every, area_soma_um2, spk_n, spk_t, rate_ms, a2_ms, n_blocks):
    """Integrate ``n_steps``; returns (number of stored spikes, overflow).

    ``n_blocks`` > 1 advances the neurons in that many blocks on numba's threads, 1 serially;
    see :func:`_neuron_range` for the tuples.
    """
    parallel = n_blocks > 1
    n = cells[0].size
    vs, h, nn, s, b, ha, na, ca, noise = initial_state(n, seed, tab, pv[21], initial_ca_max(pv[9]))
    st = (vs, vs.copy(), h, nn, s, b, ha, na, ca, np.zeros(n), noise)
    v_cur, v_next = vs, np.empty(n)
    cst = _constants(pv, dt)
    glob = np.zeros(4)  # ne_ev, ne_ref, girk, a2
    fired = np.zeros(n, np.bool_)
    n_spk, overflow, spikes_step, ms_spikes, ms_a2 = 0, False, 0, 0, 0.0
    for step in range(n_steps):
        ms = step // steps_per_ms
        if step % steps_per_ms == 0:
            _noise_update(noise, cst[2], cst[3])
        drive = _drive(glob, pv, inputs, ms, spikes_step, n, cst, n_warm_ms, s_dec, b_dec)
        if parallel:
            _neurons_parallel(n, n_blocks, ms, v_cur, v_next, st, cells, gap, tab, pv, cst, drive, loc, fired)
        else:
            _neurons_serial(n, ms, v_cur, v_next, st, cells, gap, tab, pv, cst, drive, loc, fired)
        v_cur, v_next = v_next, v_cur
        spikes_step, n_spk, full = _collect_spikes(fired, _end_of_step(step, dt), ms >= n_warm_ms, spk_n, spk_t, n_spk)
        overflow = overflow or full
        ms_spikes += spikes_step
        ms_a2 += glob[3]
        if (step + 1) % steps_per_ms == 0:
            rate_ms[ms] = ms_spikes / (n * 1e-3)
            a2_ms[ms] = ms_a2 / steps_per_ms
            ms_spikes, ms_a2 = 0, 0.0
        col = step - n_warm_ms * steps_per_ms
        if rec[0].size > 0 and col >= 0 and col % rec_every == 0 and col // rec_every < rec[1].shape[1]:
            _record(col // rec_every, rec, v_cur, st, cells, tab, pv, drive[3], area_soma_um2)
    return n_spk, overflow
