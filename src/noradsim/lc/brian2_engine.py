"""The LC population in Brian2: a second engine generated from the same declaration.

The numba kernel (:mod:`noradsim.lc.population`) and this engine read the same things:
the cited parameter records of ``data/lc_neuron.toml`` (here with their units, so Brian2
checks the dimensions of every equation when it builds them), the gate declarations
:data:`noradsim.lc.neuron.GATES`, the population (cells, gap-junction graph) and the
1 ms input time courses of :func:`noradsim.lc.population.padded_inputs` (tonic and
stimulus current, alpha2A ligand terms of background NE and drugs, per-neuron
iontophoresis columns, beta activation). The initial state is drawn by the kernel's own
:func:`~noradsim.lc.kernel.initial_state`, so both engines start identically.

The integration scheme is the kernel's: gates by exponential Euler (Brian2
``method="exponential_euler"``, the state updater, run first in each step), then both
compartments' voltages by backward Euler (the 2x2 linear solve, generated as a
``run_regularly`` after the state updater), Ca2+ explicitly with the new voltage; gap
junctions as a summed variable from the voltages at the start of the step; noise an
Ornstein-Uhlenbeck update every 1 ms; local NE and the GIRK activation in a one-element
group fed by the previous step's spikes. ``gates="table"`` reads the gate steady states
and time constants from the kernel's 0.01 mV grid (nearest row, as the kernel does);
``gates="analytic"`` evaluates the Boltzmann and bell-shaped formulae directly, which
measures the error of the tables.

Brian2 is optional: :func:`brian2_missing` says why it cannot be used.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from .neuron import DV, GATES, V_MIN, LCParameters, boltzmann, check_time_step, gate_time_constant, voltage_grid
from .kernel import initial_ca_max, initial_state
from .population import Inputs, Population, SimulationResult, padded_inputs
from .neuron import gate_tables

# Parameters the equations read, by table; their record units become Brian2 units.
_NEURON_NAMES = (
    "capacitance", "e_na", "e_k", "e_ca", "e_leak", "g_na", "g_k", "g_ca", "g_a", "ahp_kd",
    "ca_per_charge", "ca_tau", "beta_ahp_reduction", "g_girk_max", "girk_tau", "ais_area_ratio",
    "g_couple", "g_na_ais", "g_k_ais", "g_leak_ais",
)
_OTHER_NAMES = ("g_gap", "noise_sigma", "noise_tau", "k_ne_alpha2a", "tau_ne_alpha2a",
                "release_per_population_spike", "ne_clearance_tau", "reference_tau")
# soma gates at v; the initial segment has its own Na+ activation and the soma's h and n kinetics at va
_SOMA_DYNAMIC = ("h", "n", "s", "b")
_AIS_DYNAMIC = {"ha": "h", "na": "n"}


def brian2_missing() -> str | None:
    """``None`` when Brian2 imports, else the reason it cannot be used."""
    try:
        import brian2  # noqa: F401
    except Exception as exc:  # ImportError, or numpy-version errors raised at import
        return f"brian2 cannot be imported: {type(exc).__name__}: {exc}"
    return None


def brian2_unit(unit: str):
    """The Brian2 unit of a parameter record's unit string (``"mS/cm2"``, ``"1/(uA/cm2 ms)"``).

    Concentrations (nM) stay plain numbers: they only enter as ratios to a K in nM.
    """
    import brian2.units.allunits as allunits
    from brian2 import units

    if unit in ("1", "nM"):
        return 1.0
    expr = unit.replace("cm2", "cm**2").replace("um2", "um**2").replace(" ", "*")
    names = {k: v for k, v in {**vars(allunits), **vars(units)}.items() if not k.startswith("_")}
    return eval(expr, {"__builtins__": {}}, names)  # noqa: S307 - unit strings of the shipped records


def _record(params: LCParameters, name: str):
    for table in (params.neuron, params.population, params.local_ne):
        if name in table:
            return table[name]
    raise InputError(f"LC parameter: unknown name {name!r}")


def namespace(params: LCParameters) -> dict:
    """Brian2 quantities (value x unit of the record) of every parameter the equations use."""
    gate_names = {n for g in GATES for n in (g.vhalf, g.slope, g.tau_min, g.tau_amp, g.tau_const) if n}
    names = _NEURON_NAMES + _OTHER_NAMES + tuple(sorted(gate_names))
    return {k: _record(params, k).value * brian2_unit(_record(params, k).unit) for k in names}


def _gate(name: str):
    return next(g for g in GATES if g.name == name)


def _steady(gate_name: str, volt: str, index: str, gates: str) -> str:
    """Expression of ``x_inf(V)**power`` of one gate at voltage ``volt`` (table row ``index``)."""
    g = _gate(gate_name)
    if gates == "table":
        return f"tab_{g.name}_inf({index}*ms)"
    core = f"1/(1 + exp(-({volt} - {g.vhalf})/{g.slope}))"
    return core if g.power == 1 else f"({core})**{g.power}"


def _tau(gate_name: str, volt: str, index: str, gates: str) -> str:
    g = _gate(gate_name)
    if g.tau_const is not None:
        return g.tau_const
    if gates == "table":
        return f"tab_{g.name}_tau({index}*ms)"
    return f"({g.tau_min} + {g.tau_amp}/cosh(({volt} - {g.vhalf})/(2*abs({g.slope}))))"


def equations(gates: str = "table", local: bool = False) -> str:
    """Brian2 equations of the LC neuron (gates integrated by the state updater)."""
    lines = [f"d{x}/dt = ({_steady(x, 'v', 'j_s', gates)} - {x})/{_tau(x, 'v', 'j_s', gates)} : 1"
             for x in _SOMA_DYNAMIC]
    lines += [f"d{x}/dt = ({_steady(g, 'va', 'j_a', gates)} - {x})/{_tau(g, 'va', 'j_a', gates)} : 1"
              for x, g in _AIS_DYNAMIC.items()]
    lines += [
        "v : volt", "va : volt", "v_prev : volt", "j_s : integer", "j_a : integer", "ca : 1",
        "noise : amp/meter**2", "gap_sum : volt", "girk_n : 1",
        "g_leak_i : siemens/meter**2 (constant)", "g_nap_i : siemens/meter**2 (constant)",
        "g_ahp_i : siemens/meter**2 (constant)", "stim_gain : 1 (constant)", "loc_col : integer (constant)",
        "girk : 1 (linked)", "stim_total : 1 (linked)", "occ_total : 1 (linked)",
    ]
    return "\n".join(lines)


def voltage_update(gates: str = "table", local: bool = False) -> str:
    """Backward-Euler step of both compartments and the Ca2+ update (after the gates)."""
    st = lambda g: _steady(g, "v", "j_s", gates)  # noqa: E731
    girk = "girk_n" if local else "girk"
    code = [
        "v_prev = v",
        f"g_na_s = g_na*{st('m')}*h",
        "g_k_s = g_k*(n*n)*(n*n)",
        f"g_nap_s = g_nap_i*{st('nap')}",
        "g_ca_s = g_ca*s*s",
        f"g_a_s = g_a*{st('a')}*b",
        "g_ahp_s = g_ahp_i*(1 - beta_ahp_reduction*beta_in(t))*ca/(ca + ahp_kd)",
    ]
    if local:
        code += ["st_i = stim_total + loc_s_in(t, loc_col)",
                 "a2_i = st_i/(1 + occ_total + loc_x_in(t, loc_col) + st_i)",
                 "girk_n = a2_i + (girk_n - a2_i)*girk_decay"]
    code += [
        f"g_kall = g_k_s + g_a_s + g_ahp_s + g_girk_max*{girk}",
        "gsum = g_na_s + g_nap_s + g_ca_s + g_kall + g_leak_i",
        "ge = (g_na_s + g_nap_s)*e_na + g_ca_s*e_ca + g_kall*e_k + g_leak_i*e_leak",
        "iext = tonic_in(t) + stim_gain*stim_in(t) + noise + g_gap*gap_sum",
        f"g_na_a = g_na_ais*{_steady('m_ais', 'va', 'j_a', gates)}*ha",
        "g_k_a = g_k_ais*(na*na)*(na*na)",
        "a11 = capacitance/dt + gsum + g_couple",
        "r1 = capacitance/dt*v + ge + iext",
        "a22 = capacitance/dt + g_na_a + g_k_a + g_leak_ais + g_couple/ais_area_ratio",
        "r2 = capacitance/dt*va + g_na_a*e_na + g_k_a*e_k + g_leak_ais*e_leak",
        "inv_det = 1/(a11*a22 - g_couple*g_couple/ais_area_ratio)",
        "v = (r1*a22 + g_couple*r2)*inv_det",
        "va = (a11*r2 + g_couple/ais_area_ratio*r1)*inv_det",
        "ca = ca*ca_decay - ca_per_charge*g_ca_s*(v - e_ca)*dt",
        "j_s = clip(int((v - v_min)/dv_grid + 0.5), 0, n_grid - 1)",
        "j_a = clip(int((va - v_min)/dv_grid + 0.5), 0, n_grid - 1)",
    ]
    return "\n".join(code)


POOL_UPDATE = """
ne_ev = ne_ev*ne_decay + release_per_population_spike*count/n_cells
count = 0
ne_ref += (ne_ev - ne_ref)*(dt/(reference_tau + (200*ms - reference_tau)*int(t < t_warm - 0.5*dt)))
xe = (ne_ev - ne_ref)/k_ne_alpha2a
stim_total = clip(lig_s_in(t) + tau_ne_alpha2a*xe, 0, inf)
occ_total = clip(lig_x_in(t) + xe, 0, inf)
a2 = stim_total/(1 + occ_total + stim_total)
girk = a2 + (girk - a2)*girk_decay
"""


def _tables(params: LCParameters, b2) -> dict:
    """TimedArrays of the gate tables, indexed by the row number as a time in ms."""
    p = params.neuron.values()
    v = voltage_grid()
    out = {}
    for g in GATES:
        key = f"tab_{g.name}_inf"
        out[key] = b2.TimedArray(boltzmann(v, p[g.vhalf], p[g.slope]) ** g.power, dt=1 * b2.ms, name=key)
        if g.tau_min is not None:
            key = f"tab_{g.name}_tau"
            out[key] = b2.TimedArray(gate_time_constant(g, p, v) * b2.ms, dt=1 * b2.ms, name=key)
    return out


def _input_arrays(pi, b2) -> dict:
    # fixed names: Brian2's cython cache then reuses the compiled code across runs
    cur = b2.uA / b2.cm**2
    values = {"tonic_in": pi.tonic * cur, "stim_in": pi.stimulus * cur, "lig_s_in": pi.ligand_stimulus,
              "lig_x_in": pi.ligand_occupancy, "beta_in": pi.beta}
    if pi.local_stimulus.shape[1] > 0:
        values.update(loc_s_in=pi.local_stimulus, loc_x_in=pi.local_occupancy)
    return {k: b2.TimedArray(x, dt=1 * b2.ms, name=k) for k, x in values.items()}


def _scalars(params: LCParameters, dt_ms: float, n: int, warmup: float, b2) -> dict:
    """Decay factors and grid constants, computed once as the kernel does."""
    v = lambda k: params.value(k)  # noqa: E731
    noise_decay = np.exp(-1.0 / v("noise_tau"))
    return {
        "ca_decay": np.exp(-dt_ms / v("ca_tau")), "girk_decay": np.exp(-dt_ms / v("girk_tau")),
        "ne_decay": np.exp(-dt_ms / v("ne_clearance_tau")), "noise_decay": noise_decay,
        "noise_kick": v("noise_sigma") * np.sqrt(1.0 - noise_decay**2) * b2.uA / b2.cm**2,
        "v_min": V_MIN * b2.mV, "dv_grid": DV * b2.mV, "n_grid": voltage_grid().size,
        "n_cells": float(n), "t_warm": warmup * b2.second,
    }


def build_network(params: LCParameters, population: Population, inputs: Inputs, *, dt: float = 1e-4,
                  seed: int = 0, warmup: float = 1.0, record=None, gates: str = "table"):
    """The Brian2 network of the LC population, ready to run for the inputs' duration.

    Returns ``(network, monitors, duration)``: monitors ``spikes`` (SpikeMonitor), ``state``
    (v and va of the ``record`` neurons, or None) and ``pool`` (alpha2A activation); the
    duration includes the warm-up. Objects go to Brian2's current device (runtime, or C++
    standalone after ``set_device``).
    """
    import brian2 as b2

    if gates not in ("table", "analytic"):
        raise InputError(f"gates: 'table' or 'analytic', got {gates!r}")
    dt_ms = dt * 1e3
    check_time_step(dt_ms)
    n = population.n_neurons
    n_warm = int(round(warmup * 1e3))
    pi = padded_inputs(inputs, n_warm, n)
    local = pi.local_stimulus.shape[1] > 0
    ns = {**namespace(params), **_scalars(params, dt_ms, n, warmup, b2), **_input_arrays(pi, b2)}
    if gates == "table":
        ns.update(_tables(params, b2))
    clock = b2.Clock(dt * b2.second)
    lc = b2.NeuronGroup(n, equations(gates, local), threshold="v > -20*mV and v_prev <= -20*mV", reset="",
                        method="exponential_euler", namespace=ns, clock=clock, name="lc")
    pool = b2.NeuronGroup(1, "count : 1\nne_ev : 1\nne_ref : 1\ngirk : 1\na2 : 1\nstim_total : 1\nocc_total : 1",
                          namespace=ns, clock=clock, name="lc_pool")
    pool.run_regularly(POOL_UPDATE, when="start", order=0, name="lc_pool_update")
    lc.run_regularly("noise = noise*noise_decay + noise_kick*randn()", dt=1 * b2.ms, when="start", order=-1,
                     name="lc_noise")
    lc.run_regularly(voltage_update(gates, local), when="groups", order=1, name="lc_voltage")
    for var in ("girk", "stim_total", "occ_total"):
        setattr(lc, var, b2.linked_var(pool, var, index=np.zeros(n, int)))
    _initialise(lc, params, population, pi, dt_ms, seed)
    counter = b2.Synapses(lc, pool, on_pre="count_post += 1", clock=clock, name="lc_spike_count")
    counter.connect(i=np.arange(n), j=np.zeros(n, int))
    objects = [lc, pool, counter]
    post = np.repeat(np.arange(n), np.diff(population.gap_indptr))
    if population.gap_indices.size:
        gap = b2.Synapses(lc, lc, "gap_sum_post = v_pre - v_post : volt (summed)", clock=clock, name="lc_gap")
        gap.connect(i=population.gap_indices.astype(int), j=post)
        objects.append(gap)
    monitors = {"spikes": b2.SpikeMonitor(lc, name="lc_spikes"),
                "pool": b2.StateMonitor(pool, "a2", record=0, when="groups", clock=clock, name="lc_pool_monitor"),
                "state": None}
    rec = np.zeros(0, int) if record is None else np.asarray(record, int)
    if rec.size:
        monitors["state"] = b2.StateMonitor(lc, ["v", "va"], record=rec, when="end", clock=clock, name="lc_state")
    net = b2.Network(objects + [m for m in monitors.values() if m is not None])
    return net, monitors, (inputs.tonic_current.size + n_warm) * 1e-3


def _initialise(lc, params: LCParameters, population: Population, pi, dt_ms: float, seed: int) -> None:
    """Cells and the kernel's initial state (same seed, same numbers)."""
    import brian2 as b2

    tab = gate_tables(params, dt_ms).matrix()
    vs, h, nn, s, b, ha, na, ca, noise = initial_state(population.n_neurons, int(seed) % (2**32), tab,
                                                       params.value("noise_sigma"),
                                                       initial_ca_max(params.value("ahp_kd")))
    j = np.clip(((vs - V_MIN) / DV + 0.5).astype(int), 0, tab.shape[0] - 1)
    lc.v = vs * b2.mV
    lc.va = vs * b2.mV
    lc.v_prev = vs * b2.mV
    lc.j_s = j
    lc.j_a = j
    lc.h, lc.n, lc.s, lc.b, lc.ha, lc.na, lc.ca = h, nn, s, b, ha, na, ca
    lc.noise = noise * b2.uA / b2.cm**2
    area = b2.msiemens / b2.cm**2
    lc.g_leak_i = population.g_leak * area
    lc.g_nap_i = population.g_nap * area
    lc.g_ahp_i = population.g_ahp * area
    lc.stim_gain = population.stim_gain
    lc.loc_col = pi.local_column


def simulate_brian2(params: LCParameters, population: Population, inputs: Inputs, *, dt: float = 1e-4,
                    seed: int = 0, record=None, warmup: float = 1.0, gates: str = "table",
                    target: str = "numpy") -> SimulationResult:
    """Run the LC population in Brian2 (runtime ``target`` "numpy" or "cython").

    Same arguments and result as :func:`noradsim.lc.population.simulate_population`; the recorded
    ``soma_voltage`` and ``ais_current`` are filled, ``soma_current`` is empty. Spike times
    are the end of the step in which the voltage crossed -20 mV, as in the kernel.
    """
    import brian2 as b2

    old_target = b2.prefs.codegen.target
    b2.prefs.codegen.target = target
    try:
        b2.seed(int(seed))
        net, mon, duration = build_network(params, population, inputs, dt=dt, seed=seed, warmup=warmup,
                                           record=record, gates=gates)
        net.run(duration * b2.second, namespace={})
    finally:
        b2.prefs.codegen.target = old_target
    return _result(params, population, inputs, mon, dt, warmup, record)


def _result(params, population, inputs, mon, dt, warmup, record) -> SimulationResult:
    import brian2 as b2

    n_ms = inputs.tonic_current.size
    n_warm = int(round(warmup * 1e3))
    t = np.asarray(mon["spikes"].t / b2.second) + dt - warmup
    keep = t > -1e-12 + 0.5 * dt
    steps = int(round(1e-3 / dt))
    a2 = np.asarray(mon["pool"].a2[0])[n_warm * steps:(n_warm + n_ms) * steps].reshape(n_ms, steps).mean(axis=1)
    k = np.floor((t[keep] - dt) / 1e-3 + 1e-9).astype(int)
    rate = np.bincount(k[(k >= 0) & (k < n_ms)], minlength=n_ms) / (population.n_neurons * 1e-3)
    rec = np.zeros(0, np.int64) if record is None else np.asarray(record, np.int64)
    v = ais = np.zeros((rec.size, 0))
    if mon["state"] is not None:
        v = np.asarray(mon["state"].v / b2.mV)[:, n_warm * steps:]
        va = np.asarray(mon["state"].va / b2.mV)[:, n_warm * steps:]
        ais = params.value("g_couple") * (v - va) * params.value("soma_area") * 1e-5
    return SimulationResult(
        dt=dt, t_stop=n_ms * 1e-3, spike_neuron=np.asarray(mon["spikes"].i)[keep].astype(np.int64),
        spike_time=t[keep], rate_per_ms=rate, a2_per_ms=a2, recorded=rec, ais_current=ais,
        soma_current=np.zeros((rec.size, 0)), soma_voltage=v, n_neurons=population.n_neurons,
        meta={"engine": "brian2", "brian2_version": b2.__version__})
