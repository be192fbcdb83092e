"""Benchmark: 1,600 conductance-based LC neurons, 10 s of biological time, dt = 0.1 ms.

Side by side in the same run, a plain vectorized numpy adaptive-LIF population of the
same size (about 10 gap junctions each, Gaussian noise each step) as the baseline.
Prints both wall times; the last line is exactly ``lc_wall_seconds: X``.

Run: ``.venv/bin/python benchmarks/bench_lc.py``
"""

from __future__ import annotations

import time

import numpy as np

N_NEURONS = 1600
T_BIO = 10.0  # s
DT = 1e-4  # s


def numpy_adaptive_lif(n: int = N_NEURONS, t_bio: float = T_BIO, dt: float = DT, seed: int = 0) -> tuple[float, int]:
    """Plain vectorized numpy adaptive LIF with ~10 gap junctions each; returns (wall s, n spikes).

    Gap-junction currents are gathered from a CSR neighbour list (``v[indices]`` summed
    per neuron with ``np.add.reduceat``), Gaussian noise is drawn every step: the
    textbook numpy formulation, as in the project's GUIDE measurement.
    """
    rng = np.random.default_rng(seed)
    tau_m, tau_w, e_l, v_th, v_reset = 20e-3, 200e-3, -65.0, -50.0, -60.0
    a_w, b_w, g_gap, sigma = 0.0, 2.0, 0.02, 4.0
    pairs = set()
    for i in range(n):
        for j in rng.choice(n - 1, 5, replace=False):
            j = int(j) + (j >= i)
            pairs.add((min(i, j), max(i, j)))
    rows = [[] for _ in range(n)]
    for i, j in pairs:
        rows[i].append(j)
        rows[j].append(i)
    indptr = np.zeros(n + 1, np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.array([j for r in rows for j in r], np.int64)
    degree = np.diff(indptr).astype(float)
    v = rng.uniform(-65, -50, n)
    w = np.zeros(n)
    drive = 16.0 + rng.normal(0, 1.0, n)
    n_spikes = 0
    start = time.perf_counter()
    for _ in range(int(round(t_bio / dt))):
        i_gap = g_gap * (np.add.reduceat(v[indices], indptr[:-1]) - degree * v)
        noise = sigma * np.sqrt(dt / tau_m) * rng.standard_normal(n)
        v += dt / tau_m * (e_l - v + drive - w + i_gap) + noise
        w += dt / tau_w * (a_w * (v - e_l) - w)
        fired = v >= v_th
        v[fired] = v_reset
        w[fired] += b_w
        n_spikes += int(fired.sum())
    return time.perf_counter() - start, n_spikes


def lc_population(n: int = N_NEURONS, t_bio: float = T_BIO, dt: float = DT, seed: int = 0) -> tuple[float, int, float]:
    """noradsim's conductance-based LC population; returns (wall s, n spikes, compile s)."""
    from noradsim.lc.neuron import load_lc_parameters
    from noradsim.lc.population import build_population, simulate
    from noradsim.lc.ratelaw import constant_inputs, state_drive

    params = load_lc_parameters()
    pop = build_population(params, n, seed=seed)
    drive = state_drive("awake")
    t0 = time.perf_counter()
    simulate(params, pop, constant_inputs(params, drive, 0.35, 5), dt=dt, seed=seed, warmup=0.0)
    compile_s = time.perf_counter() - t0
    inputs = constant_inputs(params, drive, 0.35, int(round(t_bio * 1e3)))
    start = time.perf_counter()
    result = simulate(params, pop, inputs, dt=dt, seed=seed, warmup=0.0)
    return time.perf_counter() - start, int(result.spike_time.size), compile_s


def main() -> None:
    wall_np, spikes_np = numpy_adaptive_lif()
    print(f"numpy adaptive LIF, {N_NEURONS} neurons, {T_BIO:g} s at dt {DT * 1e3:g} ms: {wall_np:.2f} s wall ({spikes_np} spikes)")
    wall_lc, spikes_lc, compile_s = lc_population()
    print(f"noradsim LC conductance model, {N_NEURONS} neurons, {T_BIO:g} s at dt {DT * 1e3:g} ms: {wall_lc:.2f} s wall "
          f"({spikes_lc} spikes, {spikes_lc / N_NEURONS / T_BIO:.2f} Hz; first call incl. compile/cache load {compile_s:.2f} s)")
    print(f"ratio_vs_numpy: {wall_lc / wall_np:.3f}")
    print(f"lc_wall_seconds: {wall_lc:.3f}")


if __name__ == "__main__":
    main()
