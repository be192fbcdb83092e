"""Scaling figures measured on this machine, written to docs/figures/.

- ``lc_scaling_neurons.png``: LC wall time (1 s of biological time, dt 0.1 ms) against N
  from 400 to 50,000 (the human LC has about 50,000 neurons), serial and on all cores;
- ``lc_scaling_time.png``: LC wall time against simulated time at N = 1,600;
- ``ode_throughput_batch.png``: terminal-ODE simulations per second (24 h protocol)
  against the batch size of ``simulate_batch``.

Prints one line per point. Run: ``.venv/bin/python benchmarks/bench_scaling.py``
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from bench_lc import DT, time_noradsim  # noqa: E402
from noradsim.lc.neuron import load_lc_parameters  # noqa: E402
from noradsim.lc.population import build_population  # noqa: E402

FIGURES = Path(__file__).resolve().parents[1] / "docs" / "figures"


def lc_vs_neurons(sizes, seconds: float = 1.0, parallel_max: int = 50000) -> dict:
    """Wall seconds (serial; parallel up to ``parallel_max`` neurons, else NaN) per population size."""
    params = load_lc_parameters()
    out = {"n": [], "serial": [], "parallel": []}
    for n in sizes:
        pop = build_population(params, n, seed=0)
        ser, _ = time_noradsim(params, pop, seconds, parallel=False)
        par = time_noradsim(params, pop, seconds, parallel=True)[0] if n <= parallel_max else float("nan")
        out["n"].append(n)
        out["serial"].append(ser)
        out["parallel"].append(par)
        print(f"lc N={n}: serial {ser:.2f} s ({1e9 * ser * DT / (n * seconds):.1f} ns per neuron per step), "
              f"parallel {par:.2f} s for {seconds:g} s (load average {os.getloadavg()[0]:.1f})", flush=True)
    return out


def lc_breakdown(n: int = 1600, seconds: float = 2.0) -> None:
    """Serial ns per neuron per step: the full step, without gap junctions, and the noise draws alone."""
    from noradsim.lc.kernel import _noise_update

    params = load_lc_parameters()
    steps = n * seconds / DT
    full, _ = time_noradsim(params, build_population(params, n, seed=0), seconds, parallel=False)
    no_gap = params.updated({"n_gap_partners": 0.0})
    bare, _ = time_noradsim(no_gap, build_population(no_gap, n, seed=0), seconds, parallel=False)
    noise = np.zeros(n)
    _noise_update(noise, 0.95, 1.0)
    start = time.perf_counter()
    for _ in range(int(round(seconds * 1e3))):
        _noise_update(noise, 0.95, 1.0)
    t_noise = time.perf_counter() - start
    print(f"breakdown N={n}: full step {1e9 * full / steps:.1f} ns per neuron per step; gap junctions "
          f"{1e9 * (full - bare) / steps:.1f} ns; noise (1 kHz Gaussian draws) {1e9 * t_noise / steps:.1f} ns; "
          f"gates, conductances and the 2x2 solve {1e9 * (bare - t_noise) / steps:.1f} ns")


def lc_vs_time(durations, n: int = 1600) -> dict:
    """Wall seconds (all cores) per simulated duration."""
    params = load_lc_parameters()
    pop = build_population(params, n, seed=0)
    walls = []
    for t in durations:
        walls.append(time_noradsim(params, pop, t)[0])
        print(f"lc N={n}, {t:g} s simulated: {walls[-1]:.2f} s wall (load average {os.getloadavg()[0]:.1f})", flush=True)
    return {"t": list(durations), "wall": walls}


def ode_vs_batch(batches) -> dict:
    """Simulations per second of ``simulate_batch`` per batch size (24 h, atomoxetine 3 mg/kg i.p.)."""
    from bench_engine import setup

    from noradsim.engine.roadrunner_engine import simulate_batch

    model, sets, y0s, segments, grid, sel = setup(max(batches), 0)
    simulate_batch(model, sets[:2], segments, [grid], y0s[0], selections=sel)
    rates = []
    for b in batches:
        start = time.perf_counter()
        simulate_batch(model, sets[:b], segments, [grid], y0s[0], selections=sel)
        rates.append(b / (time.perf_counter() - start))
        print(f"ode batch {b}: {rates[-1]:.0f} simulations per second", flush=True)
    return {"batch": list(batches), "rate": rates}


def _plot(x, ys: dict, xlabel: str, ylabel: str, title: str, name: str, loglog: bool = True) -> None:
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    for label, y in ys.items():
        ax.plot(x, y, "o-", label=label)
    if loglog:
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    if len(ys) > 1:
        ax.legend(frameon=False)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    FIGURES.mkdir(parents=True, exist_ok=True)
    fig.savefig(FIGURES / name, dpi=120)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[400, 1600, 6400, 25000, 50000])
    ap.add_argument("--durations", type=float, nargs="+", default=[1.0, 2.0, 5.0, 10.0])
    ap.add_argument("--parallel-max", type=int, default=50000)
    ap.add_argument("--skip-breakdown", action="store_true")
    ap.add_argument("--batches", type=int, nargs="+", default=[1, 10, 100, 1000])
    args = ap.parse_args()
    if not args.skip_breakdown:
        lc_breakdown()
    by_n = lc_vs_neurons(args.sizes, parallel_max=args.parallel_max)
    _plot(by_n["n"], {"serial": by_n["serial"], "all cores": by_n["parallel"]}, "neurons",
          "wall time (s) for 1 s simulated", "LC population, dt 0.1 ms", "lc_scaling_neurons.png")
    by_t = lc_vs_time(args.durations)
    _plot(by_t["t"], {"all cores": by_t["wall"]}, "simulated time (s)", "wall time (s)",
          "LC population, 1,600 neurons, dt 0.1 ms", "lc_scaling_time.png", loglog=False)
    by_b = ode_vs_batch(args.batches)
    _plot(by_b["batch"], {"simulate_batch": by_b["rate"]}, "batch size (virtual rats)",
          "simulations per second", "Terminal ODE, 24 h with atomoxetine", "ode_throughput_batch.png")


if __name__ == "__main__":
    main()
