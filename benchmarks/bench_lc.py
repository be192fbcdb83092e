"""Benchmark: the LC population on matched work, against Brian2 and a plain numba loop.

Every side integrates the same equations (the two-compartment LC neuron of
``data/lc_neuron.toml`` with gap junctions, local NE / alpha2A feedback and GIRK) for the
same population, N = 1,600, dt = 0.1 ms, 10 s of biological time, with the same noise
schedule (an Ornstein-Uhlenbeck current updated every 1 ms, one Gaussian per neuron per
ms) and the same inputs (awake drive, a2 background 0.35):

- noradsim: :func:`noradsim.lc.population.simulate_population` (gate tables; neurons on all cores when
  the cores are free, else serial: its default);
- Brian2 C++ standalone with OpenMP on all cores (``prefs.devices.cpp_standalone.openmp_threads``),
  the network of :mod:`noradsim.lc.brian2_engine`; its one-time compilation is timed
  separately (``brian2_cpp_compile_seconds``) and excluded from the ratio; then again on
  one thread (``ratio_vs_brian2_cpp_standalone_single_thread``);
- Brian2 runtime with the cython target; compilation excluded (a one-step run fills the cache);
- a plain numba loop of the same model (``numba_reference``): serial, gates and time
  constants evaluated from their formulae every step (no tables).

Each ratio is noradsim's wall time over the other side's (< 1: noradsim is faster).
Run: ``.venv/bin/python benchmarks/bench_lc.py [--neurons 1600 --seconds 10 --skip-brian2]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time

import numba
import numpy as np

from noradsim.lc.kernel import PARAMETER_NAMES, initial_ca_max, initial_state
from noradsim.lc.neuron import GATES, gate_tables, load_lc_parameters
from noradsim.lc.population import build_population, simulate_population
from noradsim.lc.ratelaw import constant_inputs, state_drive

DT = 1e-4  # s


def _inputs(params, seconds: float):
    return constant_inputs(params, state_drive("awake"), 0.35, int(round(seconds * 1e3)))


def time_noradsim(params, pop, seconds: float, seed: int = 0, parallel: bool | None = None) -> tuple[float, int]:
    """Wall seconds and spike count of :func:`simulate` (compiled beforehand; ``parallel`` None: its default)."""
    simulate_population(params, pop, _inputs(params, 0.01), dt=DT, seed=seed, warmup=0.0, parallel=parallel)
    start = time.perf_counter()
    res = simulate_population(params, pop, _inputs(params, seconds), dt=DT, seed=seed, warmup=0.0, parallel=parallel)
    return time.perf_counter() - start, int(res.spike_time.size)


@numba.njit(cache=True)
def _inf(v, vh, k):
    return 1.0 / (1.0 + np.exp(-(v - vh) / k))


@numba.njit(cache=True)
def _tau(v, gp):
    return gp[2] + gp[3] / np.cosh((v - gp[0]) / (2.0 * abs(gp[1]))) if gp[4] == 0.0 else gp[4]


@numba.njit(cache=True)
def _relax(x, v, gp, dt):
    xi = _inf(v, gp[0], gp[1])
    return xi + (x - xi) * np.exp(-dt / _tau(v, gp))


@numba.njit(cache=True)
def _reference_neuron(i, v, va, st, cells, ptr, idx, pv, gp, drive, dt):
    """One step of one neuron from the formulae (no tables); returns the new somatic voltage."""
    h, nn, s, b, ha, na, ca, noise = st
    x = v[i]
    xa = va[i]
    h[i], nn[i], s[i], b[i] = _relax(h[i], x, gp[1], dt), _relax(nn[i], x, gp[2], dt), \
        _relax(s[i], x, gp[4], dt), _relax(b[i], x, gp[6], dt)
    ha[i], na[i] = _relax(ha[i], xa, gp[1], dt), _relax(na[i], xa, gp[2], dt)
    g_na = pv[5] * _inf(x, gp[0, 0], gp[0, 1]) ** 3 * h[i]
    g_nap = cells[1][i] * _inf(x, gp[3, 0], gp[3, 1])
    g_ca = pv[7] * s[i] ** 2
    g_k = pv[6] * nn[i] ** 4 + pv[8] * _inf(x, gp[5, 0], gp[5, 1]) ** 3 * b[i] \
        + cells[2][i] * drive[1] * ca[i] / (ca[i] + pv[9]) + pv[13] * drive[0]
    gap = 0.0
    for q in range(ptr[i], ptr[i + 1]):
        gap += v[idx[q]] - x
    gsum = g_na + g_nap + g_ca + g_k + cells[0][i]
    ge = (g_na + g_nap) * pv[1] + g_ca * pv[3] + g_k * pv[2] + cells[0][i] * pv[4]
    iext = drive[2] + noise[i] + pv[20] * gap
    g_na_a = pv[17] * _inf(xa, gp[7, 0], gp[7, 1]) ** 3 * ha[i]
    g_k_a = pv[18] * na[i] ** 4
    cdt, gca = pv[0] / dt, pv[16] / pv[15]
    a11, r1 = cdt + gsum + pv[16], cdt * x + ge + iext
    a22, r2 = cdt + g_na_a + g_k_a + pv[19] + gca, cdt * xa + g_na_a * pv[1] + g_k_a * pv[2] + pv[19] * pv[4]
    det = a11 * a22 - pv[16] * gca
    va[i] = (a11 * r2 + gca * r1) / det
    v_new = (r1 * a22 + pv[16] * r2) / det
    ca[i] = ca[i] * np.exp(-dt / pv[11]) - pv[10] * g_ca * (v_new - pv[3]) * dt
    return v_new


@numba.njit(cache=True)
def numba_reference(n_steps, dt, pv, gp, cells, ptr, idx, tonic, lig_s, lig_x, seed, tab):
    """Plain serial numba loop of the same model and noise schedule; returns the spike count."""
    n = cells[0].size
    vs, h, nn, s, b, ha, na, ca, noise = initial_state(n, seed, tab, pv[21], initial_ca_max(pv[9]))
    va, v_new = vs.copy(), np.empty(n)
    st = (h, nn, s, b, ha, na, ca, noise)
    ne_ev = ne_ref = girk = 0.0
    spikes = n_total = 0
    for step in range(n_steps):
        ms = step // 10
        if step % 10 == 0:
            d = np.exp(-1.0 / pv[22])
            for i in range(n):
                noise[i] = noise[i] * d + pv[21] * np.sqrt(1.0 - d * d) * np.random.standard_normal()
        ne_ev = ne_ev * np.exp(-dt / pv[26]) + pv[25] * spikes / n
        ne_ref += (ne_ev - ne_ref) * dt / pv[27]
        xe = (ne_ev - ne_ref) / pv[23]
        st_tot, oc_tot = max(lig_s[ms] + pv[24] * xe, 0.0), max(lig_x[ms] + xe, 0.0)
        a2 = st_tot / (1.0 + oc_tot + st_tot)
        girk = a2 + (girk - a2) * np.exp(-dt / pv[14])
        drive = (girk, 1.0, tonic[ms])
        spikes = 0
        for i in range(n):
            v_new[i] = _reference_neuron(i, vs, va, st, cells, ptr, idx, pv, gp, drive, dt)
            if v_new[i] > -20.0 and vs[i] <= -20.0:
                spikes += 1
        vs, v_new = v_new, vs
        n_total += spikes
    return n_total


def time_numba_reference(params, pop, seconds: float, seed: int = 0) -> tuple[float, int]:
    """Wall seconds and spike count of :func:`numba_reference` (compiled beforehand)."""
    p = params.neuron.values()
    gp = np.array([[p[g.vhalf], p[g.slope], p.get(g.tau_min, 0.0), p.get(g.tau_amp, 0.0),
                    p[g.tau_const] if g.tau_const else 0.0] for g in GATES])
    pv = np.array([params.value(k) for k in PARAMETER_NAMES])
    cells = (pop.g_leak, pop.g_nap, pop.g_ahp, pop.stim_gain)
    inp = _inputs(params, seconds)
    args = (pv, gp, cells, pop.gap_indptr, pop.gap_indices, inp.tonic_current, inp.ligand_stimulus,
            inp.ligand_occupancy, seed, gate_tables(params, DT * 1e3).matrix())
    numba_reference(10, DT * 1e3, *args)
    start = time.perf_counter()
    spikes = numba_reference(int(round(seconds / DT)), DT * 1e3, *args)
    return time.perf_counter() - start, int(spikes)


def time_brian2_cython(params, pop, seconds: float, seed: int = 0) -> tuple[float, int, float]:
    """Wall seconds of a Brian2 cython run, spike count, and the first (compiling) step's seconds."""
    import brian2 as b2

    from noradsim.lc.brian2_engine import build_network

    b2.prefs.codegen.target = "cython"
    net, mon, duration = build_network(params, pop, _inputs(params, seconds), dt=DT, seed=seed, warmup=0.0)
    start = time.perf_counter()
    net.run(DT * b2.second, namespace={})  # code generation and compilation (or cache load)
    compile_s = time.perf_counter() - start
    start = time.perf_counter()
    net.run((duration - DT) * b2.second, namespace={})
    return time.perf_counter() - start, int(mon["spikes"].num_spikes), compile_s


def time_brian2_cpp(params, pop, seconds: float, seed: int = 0, threads: int | None = None) -> tuple[float, int, float]:
    """Brian2 C++ standalone with OpenMP: (run seconds measured by the binary, spikes, compile seconds)."""
    import brian2 as b2

    from noradsim.lc.brian2_engine import build_network

    threads = os.cpu_count() if threads is None else threads
    directory = tempfile.mkdtemp(prefix="noradsim_b2_")
    b2.set_device("cpp_standalone", directory=directory, build_on_run=False)
    b2.prefs.devices.cpp_standalone.openmp_threads = threads
    try:
        net, mon, duration = build_network(params, pop, _inputs(params, seconds), dt=DT, seed=seed, warmup=0.0)
        net.run(duration * b2.second, namespace={})
        start = time.perf_counter()
        b2.device.build(directory=directory, compile=True, run=False)
        compile_s = time.perf_counter() - start
        start = time.perf_counter()
        b2.device.run(directory=directory)
        wall = time.perf_counter() - start
        run_s = float(b2.device._last_run_time)
        spikes = int(mon["spikes"].num_spikes)
    finally:
        b2.device.reinit()
        b2.device.activate()
        b2.set_device("runtime")
        shutil.rmtree(directory, ignore_errors=True)
    print(f"brian2 C++ standalone: process wall {wall:.2f} s, simulation loop {run_s:.2f} s "
          f"({threads or 'no'} OpenMP threads)")
    return run_s, spikes, compile_s


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--neurons", type=int, default=1600)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-brian2", action="store_true")
    args = ap.parse_args()
    params = load_lc_parameters()
    pop = build_population(params, args.neurons, seed=args.seed)
    n, t = args.neurons, args.seconds
    head = f"{n} neurons, {t:g} s at dt {DT * 1e3:g} ms"
    from noradsim.lc.population import PARALLEL_FROM, _cores_idle

    mode = f"all {numba.get_num_threads()} threads" if n >= PARALLEL_FROM and _cores_idle() else \
        f"serial: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    ours, spikes = time_noradsim(params, pop, t, args.seed)
    print(f"noradsim ({mode}), {head}: {ours:.2f} s wall ({spikes / n / t:.2f} Hz)")
    serial, _ = time_noradsim(params, pop, t, args.seed, parallel=False)
    print(f"noradsim serial: {serial:.2f} s wall; per neuron per step {1e9 * serial * DT / (n * t):.1f} ns")
    ref, ref_spikes = time_numba_reference(params, pop, t, args.seed)
    print(f"numba reference (serial, formulae, no fastmath): {ref:.2f} s wall ({ref_spikes / n / t:.2f} Hz)")
    if not args.skip_brian2:
        cy, cy_spikes, cy_compile = time_brian2_cython(params, pop, t, args.seed)
        print(f"brian2 cython: {cy:.2f} s wall ({cy_spikes / n / t:.2f} Hz); first step incl. compile/cache {cy_compile:.2f} s")
        cpp, cpp_spikes, cpp_compile = time_brian2_cpp(params, pop, t, args.seed)
        print(f"brian2 C++ standalone: {cpp:.2f} s ({cpp_spikes / n / t:.2f} Hz)")
        print(f"brian2_cpp_compile_seconds: {cpp_compile:.2f}")
        print(f"ratio_vs_brian2_cpp_standalone: {ours / cpp:.3f}")
        print(f"ratio_vs_brian2_cython: {ours / cy:.3f}")
        cpp1, _, cpp1_compile = time_brian2_cpp(params, pop, t, args.seed, threads=0)
        print(f"brian2_cpp_single_thread_compile_seconds: {cpp1_compile:.2f}")
        print(f"ratio_vs_brian2_cpp_standalone_single_thread: {ours / cpp1:.3f}")
    print(f"ratio_vs_numba_reference: {ours / ref:.3f}")
    print(f"lc_wall_seconds: {ours:.3f}")


if __name__ == "__main__":
    main()
