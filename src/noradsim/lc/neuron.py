"""The conductance-based LC neuron: cited parameters and voltage lookup tables.

The neuron has two compartments, the soma with its dendrites and the axon initial
segment (AIS). Its currents are transient Na+ and delayed-rectifier K+ (both compartments;
with the shipped constants of Carter et al. 2012, ModelDB 145162, only in the AIS),
persistent Na+ (pacemaker), high-threshold Ca2+, A-type K+, Ca2+-activated K+ (AHP,
reduced by beta-adrenergic activation), an alpha2A-activated GIRK conductance and leak.
Parameters live in ``noradsim/data/lc_neuron.toml`` (each derived from Carter's model,
cited or ``assumed: why``).

Gating variables follow :math:`x_\\infty(V) = 1/(1 + e^{-(V - V_{1/2})/k})` and
:math:`\\tau(V) = \\tau_{min} + \\tau_{amp} / \\cosh((V - V_{1/2}) / 2k)`; they are advanced
by exponential Euler from tables of :math:`x_\\infty` and :math:`e^{-dt/\\tau}` (NEURON's
``cnexp`` on a 0.01 mV grid), voltages by backward Euler, which is stable at any step.

Internal units of the numerics: mV, ms, mS/cm2, uF/cm2, uA/cm2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..calibration.overlay import section_records
from ..errors import InputError
from ..parameters import Parameter, ParameterSet, data_path, load_parameter_table

V_MIN = -130.0
V_MAX = 70.0
# 0.01 mV: the Carter et al. 2012 gates are steep (Ca2+ s_inf slope 0.47 mV, A-current 1.26 mV);
# on the former 0.05 mV grid the analytic and tabulated gates gave interspike intervals 1.1 % apart.
DV = 0.01
MAX_DT_MS = 0.1

SECTIONS = ("parameters", "population", "local_ne", "stimulus", "recording")


@dataclass(frozen=True)
class LCParameters:
    """All parameter tables of the LC model (cited :class:`ParameterSet` each)."""

    neuron: ParameterSet
    population: ParameterSet
    local_ne: ParameterSet
    stimulus: ParameterSet
    recording: ParameterSet

    def value(self, name: str) -> float:
        """Value of a parameter from whichever table holds it."""
        for table in (self.neuron, self.population, self.local_ne, self.stimulus, self.recording):
            if name in table:
                return table[name].value
        raise InputError(f"LC parameter: unknown name {name!r}")

    def updated(self, overrides: dict[str, float]) -> "LCParameters":
        """A copy with values replaced; unknown names and out-of-bound values raise InputError."""
        tables = {k: getattr(self, k) for k in ("neuron", "population", "local_ne", "stimulus", "recording")}
        for name, val in overrides.items():
            for key, table in tables.items():
                if name in table:
                    tables[key] = table.updated({name: val})
                    break
            else:
                from ..errors import unknown

                allowed = [p.name for t in tables.values() for p in t]
                raise unknown("LC parameter", name, allowed)
        return LCParameters(**tables)


# Names of the alpha2A operational-model constants of LC extracellular NE, derived at load
# time from the shared records (never read from lc_neuron.toml).
DERIVED_ALPHA2A = ("k_ne_alpha2a", "tau_ne_alpha2a")


def lc_alpha2a_parameters(species: str = "rat") -> dict[str, Parameter]:
    """Operational-model K and tau of LC extracellular NE at somatodendritic alpha2A, from shared data.

    The same description the rate model uses (``noradsim.model.terminal``, rule ``a2_lc``):
    NE Ki and reference tau of alpha2A from ``receptors.toml``; the LC tissue receptor
    reserve ``lc_alpha2_reserve`` and the autoreceptor-site enrichment
    ``lc_autoreceptor_enrichment`` (NE at the somatodendritic autoreceptors relative to LC
    extracellular NE) from ``terminal.toml``. For LC extracellular NE ``C`` the occupancy is
    ``x = C * enrichment / Ki = C / K`` with ``K = Ki / enrichment``, and the LC tau is
    ``tau_ref * reserve``; a drug of operational efficacy ``e`` (from its intrinsic activity,
    :func:`noradsim.receptors.occupancy.operational_efficacy`) has tau ``e * tau`` (drugs
    are not enriched: their Ki applies to their extracellular concentration).

    Returns
    -------
    dict
        ``k_ne_alpha2a`` (nM of LC extracellular NE) and ``tau_ne_alpha2a`` (1) as cited
        :class:`~noradsim.parameters.Parameter` records whose source names the inputs.

    Examples
    --------
    >>> from noradsim.model.terminal import terminal_parameters
    >>> d = lc_alpha2a_parameters()
    >>> round(d["k_ne_alpha2a"].value * terminal_parameters()["lc_autoreceptor_enrichment"].value, 1)
    316.0
    >>> round(d["tau_ne_alpha2a"].value, 1)
    74.4
    """
    from ..model.terminal import terminal_parameters
    from ..receptors.occupancy import get_receptor

    receptor = get_receptor("alpha2A")
    ki = receptor.ne_ki(species)
    tau_ref = receptor.tau
    term = terminal_parameters()
    reserve = term["lc_alpha2_reserve"]
    enrichment = term["lc_autoreceptor_enrichment"]
    if enrichment.value <= 0 or reserve.value <= 0:
        raise InputError("terminal.toml: lc_autoreceptor_enrichment and lc_alpha2_reserve must be > 0")
    k = Parameter(
        name="k_ne_alpha2a", value=ki.value / enrichment.value, unit="nM", species=species,
        source=(f"derived: alpha2A NE Ki {ki.value:g} nM ({ki.species}; receptors.toml: {ki.source}) / "
                f"lc_autoreceptor_enrichment {enrichment.value:g} (terminal.toml: {enrichment.source})"),
        description="operational-model K of LC extracellular NE at somatodendritic alpha2A (as the rate model's a2_lc)",
        min=1e-9)
    tau = Parameter(
        name="tau_ne_alpha2a", value=tau_ref.value * reserve.value, unit="1", species=species,
        source=(f"derived: alpha2A reference tau {tau_ref.value:g} (receptors.toml: {tau_ref.source}) x "
                f"lc_alpha2_reserve {reserve.value:g} (terminal.toml: {reserve.source})"),
        description="operational-model tau of NE at LC alpha2A/GIRK (drugs: efficacy x this)",
        min=1e-9)
    return {"k_ne_alpha2a": k, "tau_ne_alpha2a": tau}


def load_lc_parameters(path=None) -> LCParameters:
    """Load the LC neuron, population, local-NE, stimulus and recording tables.

    The alpha2A constants of NE (``k_ne_alpha2a``, ``tau_ne_alpha2a``) are not in the
    file: they are derived from the shared receptor and terminal records
    (:func:`lc_alpha2a_parameters`) and added to the ``local_ne`` table, so the spiking
    model and the rate model use one alpha2A description.

    Examples
    --------
    >>> p = load_lc_parameters()
    >>> p.value("n_neurons")
    1643.0
    >>> round(p.value("k_ne_alpha2a"), 1), round(p.value("tau_ne_alpha2a"), 1)
    (151.2, 74.4)
    """
    if path is None:  # the shipped tables, the calibration overlay applied
        path = data_path("lc_neuron.toml")
        t = {s: ParameterSet(section_records("lc_neuron.toml", s)) for s in SECTIONS}
    else:
        t = {s: load_parameter_table(path, s) for s in SECTIONS}
    for section, table in t.items():
        for name in DERIVED_ALPHA2A:
            if name in table:
                raise InputError(f"{path} [{section}]: {name} is derived from receptors.toml and terminal.toml "
                                 "(one alpha2A description for the rate and spiking models); remove it from the file")
    t["local_ne"] = ParameterSet({**t["local_ne"].records, **lc_alpha2a_parameters()})
    return LCParameters(t["parameters"], t["population"], t["local_ne"], t["stimulus"], t["recording"])


def boltzmann(v, vhalf: float, slope: float):
    """Steady-state gate :math:`1/(1+e^{-(V-V_{1/2})/k})` (numpy-friendly)."""
    return 1.0 / (1.0 + np.exp(-(v - vhalf) / slope))


def gate_tau(v, vhalf: float, slope: float, tau_min: float, tau_amp: float):
    """Bell-shaped time constant in ms."""
    return tau_min + tau_amp / np.cosh((v - vhalf) / (2.0 * slope))


@dataclass(frozen=True)
class Gate:
    """Declaration of one gating variable: the parameter names of its steady state and time constant.

    ``x_inf = 1/(1 + exp(-(V - vhalf)/slope))``, raised to ``power`` where it enters a
    conductance. A gate without ``tau_*`` is instantaneous (``x = x_inf(V)``); ``tau_const``
    names a voltage-independent time constant; ``tau_min``/``tau_amp`` the bell-shaped
    :func:`gate_tau` (evaluated with ``|slope|``).
    """

    name: str
    vhalf: str
    slope: str
    power: int = 1
    tau_min: str | None = None
    tau_amp: str | None = None
    tau_const: str | None = None

    @property
    def dynamic(self) -> bool:
        """True when the gate relaxes with a time constant (integrated by exponential Euler)."""
        return self.tau_const is not None or self.tau_min is not None


# The one declaration of the LC gates, read by the numba tables (gate_tables) and by the
# Brian2 equations (noradsim.lc.brian2_engine). Order = columns of GateTables.matrix().
GATES = (
    Gate("m", "na_m_vhalf", "na_m_slope", power=3),
    Gate("h", "na_h_vhalf", "na_h_slope", tau_min="na_h_tau_min", tau_amp="na_h_tau_amp"),
    Gate("n", "k_n_vhalf", "k_n_slope", tau_min="k_n_tau_min", tau_amp="k_n_tau_amp"),
    Gate("nap", "nap_vhalf", "nap_slope"),
    Gate("s", "ca_s_vhalf", "ca_s_slope", tau_const="ca_s_tau"),
    Gate("a", "a_a_vhalf", "a_a_slope", power=3),
    Gate("b", "a_b_vhalf", "a_b_slope", tau_const="a_b_tau"),
    Gate("m_ais", "na_m_vhalf_ais", "na_m_slope", power=3),
)


def gate_time_constant(gate: Gate, p: dict[str, float], v):
    """Time constant (ms) of a dynamic ``gate`` at voltages ``v`` (mV), parameters ``p``."""
    if gate.tau_const is not None:
        return np.full_like(np.asarray(v, float), p[gate.tau_const])
    return gate_tau(v, p[gate.vhalf], abs(p[gate.slope]), p[gate.tau_min], p[gate.tau_amp])


@dataclass(frozen=True)
class GateTables:
    """Lookup tables on the voltage grid ``V_MIN + i*DV`` for one time step ``dt`` (ms)."""

    dt: float
    m_inf3: np.ndarray
    h_inf: np.ndarray
    h_decay: np.ndarray
    n_inf: np.ndarray
    n_decay: np.ndarray
    nap_inf: np.ndarray
    s_inf: np.ndarray
    s_decay: np.ndarray
    a_inf3: np.ndarray
    b_inf: np.ndarray
    b_decay: np.ndarray
    m_inf3_ais: np.ndarray

    def matrix(self) -> np.ndarray:
        """Interleaved (n_v, 10) table, one row per voltage, for cache-friendly lookups.

        Columns: m_inf^3, h_inf, h_decay, n_inf, n_decay, nap_inf, s_inf, a_inf^3, b_inf,
        m_inf^3 of the initial segment.
        """
        return np.ascontiguousarray(np.column_stack([
            self.m_inf3, self.h_inf, self.h_decay, self.n_inf, self.n_decay, self.nap_inf,
            self.s_inf, self.a_inf3, self.b_inf, self.m_inf3_ais,
        ]))


def voltage_grid() -> np.ndarray:
    """The table voltages ``V_MIN + i*DV`` in mV."""
    return V_MIN + DV * np.arange(int(round((V_MAX - V_MIN) / DV)) + 1)


def gate_tables(params: LCParameters, dt: float) -> GateTables:
    """Precompute the gating tables of :data:`GATES` for step ``dt`` in ms."""
    p = params.neuron.values()
    v = voltage_grid()
    cols = {"dt": dt}
    for g in GATES:
        inf = boltzmann(v, p[g.vhalf], p[g.slope])
        base, ais, _ = g.name.partition("_ais")
        cols[f"{base}_inf{'3' if g.power == 3 else ''}{ais}"] = inf**g.power
        if g.tau_const is not None:  # math.exp: the kernel's scalar decay, bit for bit
            cols[f"{g.name}_decay"] = np.full_like(v, math.exp(-dt / p[g.tau_const]))
        elif g.dynamic:
            cols[f"{g.name}_decay"] = np.exp(-dt / gate_time_constant(g, p, v))
    return GateTables(**cols)


def check_time_step(dt_ms: float) -> None:
    """Refuse steps the gating tables and spike shape cannot resolve.

    Backward Euler keeps the voltage stable at any step, but above 0.1 ms the Na+ gates
    (time constants down to 0.3 ms) and the 1-2 ms spike are no longer resolved.
    """
    if not (isinstance(dt_ms, (int, float)) and math.isfinite(dt_ms)) or dt_ms <= 0:
        raise InputError(f"dt: time step must be a positive number of ms, got {dt_ms!r}")
    if dt_ms > MAX_DT_MS + 1e-12:
        raise InputError(
            f"dt: time step {dt_ms:g} ms is too large for stable, accurate integration of the LC neuron; use <= {MAX_DT_MS} ms"
        )
