"""Engine benchmark: 1,000 virtual rats x a 24 h protocol with a drug dose.

Three ways to run the same equations, timed in one run on this machine:
(a) noradsim's engine (``engine.roadrunner_engine.simulate_batch``),
(b) plain libroadrunner on the SBML that ``noradsim export sbml`` writes,
(c) scipy ``solve_ivp`` LSODA on the right-hand side generated from the same declaration
    (a subset of rats, scaled per simulation).
Eight parameters vary +/-50 % (uniform, seeded). The three must give the same answers.
The last two lines are ``ratio_vs_roadrunner`` and ``ratio_vs_scipy``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import roadrunner

from noradsim.engine import Segment
from noradsim.engine.roadrunner_engine import simulate_batch
from noradsim.engine.sbml import to_sbml
from noradsim.engine.scipy_engine import simulate as scipy_simulate
from noradsim.model.terminal import DrugUse, build_terminal_model
from noradsim.protocols.timecourse import steady_state

VARIED = ["net_vmax", "th_vmax", "release_per_spike", "k_mao", "k_vesicle_leak", "state_drive",
          "d_atomoxetine_clearance", "d_atomoxetine_ka_ip"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rats", type=int, default=1000)
    ap.add_argument("--scipy-rats", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    model = build_terminal_model("prefrontal_cortex", drugs=(DrugUse("atomoxetine", ("ip",)),))
    y0 = steady_state(model)
    base = model.parameters.values()
    rng = np.random.default_rng(args.seed)
    sets = [{k: base[k] * f for k, f in zip(VARIED, rng.uniform(0.5, 1.5, len(VARIED)))} for _ in range(args.rats)]
    dose_nmol = 3.0 * 1e6 / base["d_atomoxetine_molar_mass"] * base["d_atomoxetine_F_ip"]
    segments = [Segment(0.0, 86400.0, bumps={"d_atomoxetine_depot_ip": dose_nmol})]
    grid = np.linspace(0.0, 86400.0, 145)
    sel = ["[ne_ecf]", "[lc_rate]", "[ne_ves]"]
    species = model.species_names

    # (a) noradsim
    simulate_batch(model, sets[:2], segments, [grid], y0, selections=sel)  # compile outside the timing
    t = time.perf_counter()
    ours = simulate_batch(model, sets, segments, [grid], y0, selections=sel)
    t_ours = (time.perf_counter() - t) / args.rats

    # (b) plain libroadrunner on the exported SBML
    rr = roadrunner.RoadRunner(to_sbml(model))
    rr.integrator.relative_tolerance = 1e-8
    rr.integrator.absolute_tolerance = 1e-12
    rr.timeCourseSelections = ["time"] + sel
    keys = [f"[{s}]" for s in species]
    plain = []
    t = time.perf_counter()
    for params in sets:
        rr.resetAll()
        rr.setValues(list(params), list(params.values()))
        rr.setValues(keys, [y0[s] for s in species])
        rr["[d_atomoxetine_depot_ip]"] = dose_nmol
        plain.append(np.array(rr.simulate(times=grid))[:, 1:])
    t_plain = (time.perf_counter() - t) / args.rats
    plain = np.stack(plain)

    # (c) scipy LSODA on the same declaration
    n = args.scipy_rats
    ref = []
    t = time.perf_counter()
    for params in sets[:n]:
        m = model.with_parameters(params)
        tr = scipy_simulate(m, segments, [grid], y0, rtol=1e-8, atol=1e-12)
        ref.append(np.stack([tr["ne_ecf"], tr["lc_rate"], tr["ne_ves"]], axis=1))
    t_scipy = (time.perf_counter() - t) / n
    ref = np.stack(ref)

    err_plain = float(np.max(np.abs(ours - plain) / (np.abs(plain) + 1e-9)))
    err_scipy = float(np.max(np.abs(ours[:n] - ref) / (np.abs(ref) + 1e-9)))
    print(f"rats: {args.rats} (scipy subset {n}); 24 h protocol, atomoxetine 3 mg/kg i.p.; {len(VARIED)} parameters +/-50 %")
    print(f"noradsim engine:      {1e3 * t_ours:8.3f} ms per simulation")
    print(f"plain libroadrunner:  {1e3 * t_plain:8.3f} ms per simulation")
    print(f"scipy LSODA:          {1e3 * t_scipy:8.3f} ms per simulation")
    print(f"max relative difference vs plain roadrunner: {err_plain:.2e}; vs scipy: {err_scipy:.2e}")
    if err_plain > 1e-6 or err_scipy > 1e-3:
        raise SystemExit("engines disagree")
    print(f"ratio_vs_roadrunner: {t_ours / t_plain:.3f}")
    print(f"ratio_vs_scipy: {t_ours / t_scipy:.4f}")


if __name__ == "__main__":
    main()
