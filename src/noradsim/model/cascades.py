r"""Adrenoceptor signalling cascades as declarative models (seconds to minutes).

Each cascade is a :class:`noradsim.model.core.Model` built with
:class:`~noradsim.model.core.ModelBuilder`, so it runs on libroadrunner and on scipy and
exports to SBML. Its input is the parameter ``receptor_activation`` (E/Em from
:func:`noradsim.receptors.occupancy.activation`), set per :class:`Segment`.
Parameters are the cited records of ``receptors.toml`` sections ``[cascade_beta]``,
``[cascade_alpha2]``, ``[cascade_alpha1]``.

* ``beta`` (Gs): receptor -> Gs-alpha-GTP -> adenylyl cyclase -> cAMP (PDE4) -> PKA
  (R2C2 holoenzyme <-> R2(cAMP)4 + 2 C) -> phosphorylation of the slow-AHP K+ channel
  (less spike-frequency adaptation) and of CREB (minutes).
* ``alpha2`` (Gi/o): receptor -> Gi heterotrimer -> Gi-alpha-GTP + G-beta-gamma;
  Gi-alpha-GTP inhibits adenylyl cyclase (less cAMP and PKA); G-beta-gamma opens GIRK.
* ``alpha1`` (Gq): receptor -> Gq-alpha-GTP -> PLC-beta -> PIP2 -> IP3 + DAG; IP3 opens
  IP3R on the ER -> Ca2+ release (SERCA refills, PMCA extrudes); DAG + Ca2+ activate PKC;
  the lipid cycle (DAG kinase -> PA; PA + inositol -> PI; PI -> PIP2) closes the pool.

Conserved by construction (and tested): total G protein; PKA R and C subunits; sAHP and
CREB totals; the inositol head group (PIP2 + IP3 + inositol + PI) and the lipid backbone
(PIP2 + DAG + PA + PI); total Ca2+ amount (cytosol + ER + outside, volume-weighted); PKC.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..engine import Segment, integrate
from ..errors import unknown
from .core import Model, ModelBuilder
from ..parameters import data_path, load_parameter_table
from ..receptors.occupancy import activation, get_receptor

CASCADES = ("alpha1", "alpha2", "beta")


def _params(builder: ModelBuilder, section: str) -> None:
    for p in load_parameter_table(data_path("receptors.toml"), section):
        builder.add_parameter(p)


def _pka_block(b: ModelBuilder) -> None:
    """cAMP-dependent dissociation of the PKA holoenzyme (R2C2 <-> R2(cAMP)4 + 2 C).

    The rates ``k_pka * R2C2 * h`` and ``k_pka * R2cAMP4 * (1 - h)`` with
    ``h = cAMP^n / (Ka^n + cAMP^n)`` give a dissociated fraction equal to ``h`` at steady
    state; cAMP binding is not taken out of the free pool (assumed: buffering by R is
    small against the cAMP flux).
    """
    b.rule("pka_saturation", "cAMP^pka_hill / (pka_ka^pka_hill + cAMP^pka_hill)", "1",
           "fraction of R subunits with cAMP bound at steady state")
    b.species("PKA_R2C2", "cytosol", 0.0, description="PKA holoenzyme (inactive)")
    b.species("PKA_R2cAMP4", "cytosol", 0.0, description="regulatory dimer with 4 cAMP")
    b.species("PKA_C", "cytosol", 0.0, description="free catalytic subunit (active PKA)")
    b.reaction("pka_dissociation", "k_pka * PKA_R2C2 * pka_saturation",
               {"PKA_R2C2": 1}, {"PKA_R2cAMP4": 1, "PKA_C": 2}, "cAMP releases the C subunits",
               mechanism="cAMP binding to R subunits")
    b.reaction("pka_reassociation", "k_pka * PKA_R2cAMP4 * (1 - pka_saturation)",
               {"PKA_R2cAMP4": 1, "PKA_C": 2}, {"PKA_R2C2": 1}, "holoenzyme re-forms as cAMP falls")


def _camp_block(b: ModelBuilder, ac_expression: str) -> None:
    b.species("cAMP", "cytosol", 100.0, description="cyclic AMP")
    b.rule("ac_rate", ac_expression, "nM/s", "adenylyl cyclase output")
    b.reaction("adenylyl_cyclase", "ac_rate", {}, {"cAMP": 1}, "ATP -> cAMP", mechanism="adenylyl cyclase")
    b.reaction("pde", "pde_vmax * cAMP / (pde_km + cAMP)", {"cAMP": 1}, {},
               "phosphodiesterase 4 hydrolysis to 5'-AMP", mechanism="PDE4")


def build_beta_model() -> Model:
    """The Gs cascade (beta1/beta2/beta3)."""
    b = ModelBuilder("beta_gs_cascade", "beta-adrenoceptor -> Gs -> AC -> cAMP -> PKA -> sAHP, CREB")
    b.compartment("cytosol", 1.0, "neuronal cytosol (well mixed)")
    _params(b, "cascade_beta")
    b.species("Gs_GDP", "cytosol", 1000.0, description="Gs heterotrimer, inactive")
    b.species("Gs_GTP", "cytosol", 0.0, description="Gs-alpha-GTP, active")
    b.reaction("gs_activation", "k_gs_activation * receptor_activation * Gs_GDP", {"Gs_GDP": 1}, {"Gs_GTP": 1},
               "receptor-catalysed GDP/GTP exchange", mechanism="receptor")
    b.reaction("gs_gtpase", "k_gs_gtpase * Gs_GTP", {"Gs_GTP": 1}, {"Gs_GDP": 1}, "GTP hydrolysis")
    _camp_block(b, "ac_basal + ac_max * Gs_GTP / (k_ac_gs + Gs_GTP)")
    _pka_block(b)
    b.species("sAHP_open", "cytosol", 1.0, unit="1", description="slow-AHP K+ channels available")
    b.species("sAHP_P", "cytosol", 0.0, unit="1", description="PKA-phosphorylated (inhibited) sAHP channels")
    b.reaction("sahp_phosphorylation", "k_sahp_phos * PKA_C * sAHP_open", {"sAHP_open": 1}, {"sAHP_P": 1},
               "PKA inhibits the sAHP channel", mechanism="PKA")
    b.reaction("sahp_dephosphorylation", "k_sahp_dephos * sAHP_P", {"sAHP_P": 1}, {"sAHP_open": 1},
               "phosphatase restores the sAHP", mechanism="phosphatase")
    b.species("CREB", "cytosol", 100.0, description="CREB")
    b.species("pCREB", "cytosol", 0.0, description="Ser133-phosphorylated CREB")
    b.reaction("creb_phosphorylation", "k_creb_phos * PKA_C * CREB", {"CREB": 1}, {"pCREB": 1}, mechanism="PKA")
    b.reaction("creb_dephosphorylation", "k_creb_dephos * pCREB", {"pCREB": 1}, {"CREB": 1}, mechanism="phosphatase")
    b.rule("sahp_conductance", "sAHP_open / sahp_total", "1", "sAHP conductance relative to its maximum")
    return _with_pka_initial(b.build(), "pka_total")


def build_alpha2_model() -> Model:
    """The Gi/o cascade (alpha2A/B/C): AC inhibition and GIRK."""
    b = ModelBuilder("alpha2_gi_cascade", "alpha2-adrenoceptor -> Gi/o -> AC inhibition (cAMP, PKA) and GIRK")
    b.compartment("cytosol", 1.0, "neuronal cytosol (well mixed)")
    _params(b, "cascade_alpha2")
    b.species("Gi_trimer", "cytosol", 2000.0, description="Gi-alpha-GDP.beta-gamma, inactive")
    b.species("Gai_GTP", "cytosol", 0.0, description="Gi-alpha-GTP")
    b.species("Gai_GDP", "cytosol", 0.0, description="Gi-alpha-GDP, free")
    b.species("Gbg", "cytosol", 0.0, description="free G-beta-gamma")
    b.reaction("gi_activation", "k_gi_activation * receptor_activation * Gi_trimer", {"Gi_trimer": 1},
               {"Gai_GTP": 1, "Gbg": 1}, "receptor-catalysed exchange and subunit dissociation", mechanism="receptor")
    b.reaction("gi_gtpase", "k_gi_gtpase * Gai_GTP", {"Gai_GTP": 1}, {"Gai_GDP": 1}, "GTP hydrolysis (RGS)")
    b.reaction("gi_reassociation", "k_gi_reassociation * Gai_GDP * Gbg", {"Gai_GDP": 1, "Gbg": 1},
               {"Gi_trimer": 1}, "heterotrimer re-forms")
    _camp_block(b, "(ac_basal + ac_stimulated * ac_stimulation) * (1 - ac_inhibition_max * Gai_GTP / (k_ac_gi + Gai_GTP))")
    _pka_block(b)
    b.rule("girk_open", "Gbg^girk_hill / (girk_k_gbg^girk_hill + Gbg^girk_hill)", "1",
           "GIRK open probability (G-beta-gamma gating)")
    b.rule("i_girk", "girk_gmax * girk_open * (v_hold - e_k)", "pA", "GIRK current at v_hold (nS x mV = pA)")
    return _with_pka_initial(b.build(), "pka_total")


def build_alpha1_model() -> Model:
    """The Gq cascade (alpha1A/B/D): PLC, IP3/DAG, ER Ca2+ release, PKC."""
    b = ModelBuilder("alpha1_gq_cascade", "alpha1-adrenoceptor -> Gq -> PLC-beta -> IP3 + DAG -> Ca2+ and PKC")
    _params(b, "cascade_alpha1")
    b.compartment("cytosol", 1.0, "cytosol")
    b.compartment("er", "er_volume", "endoplasmic reticulum lumen")
    b.compartment("outside", "outside_volume", "extracellular fluid")
    b.species("Gq_GDP", "cytosol", 1000.0, description="Gq heterotrimer, inactive")
    b.species("Gq_GTP", "cytosol", 0.0, description="Gq-alpha-GTP")
    b.reaction("gq_activation", "k_gq_activation * receptor_activation * Gq_GDP", {"Gq_GDP": 1}, {"Gq_GTP": 1},
               "receptor-catalysed exchange", mechanism="receptor")
    b.reaction("gq_gtpase", "k_gq_gtpase * Gq_GTP", {"Gq_GTP": 1}, {"Gq_GDP": 1}, "GTP hydrolysis (PLC-beta GAP)")
    b.rule("plc_activity", "Gq_GTP / (k_plc_gq + Gq_GTP)", "1", "fraction of PLC-beta activated by Gq")
    b.species("PIP2", "cytosol", 10000.0, description="phosphatidylinositol 4,5-bisphosphate")
    b.species("IP3", "cytosol", 25.0, description="inositol 1,4,5-trisphosphate")
    b.species("DAG", "cytosol", 50.0, description="diacylglycerol")
    b.species("inositol", "cytosol", 5000.0, description="inositol and inositol mono/bisphosphates (lumped)")
    b.species("PA", "cytosol", 500.0, description="phosphatidic acid (and CDP-DAG, lumped)")
    b.species("PI", "cytosol", 20000.0, description="phosphatidylinositol and PI4P (lumped)")
    b.reaction("plc_hydrolysis", "(k_plc_basal + k_plc_max * plc_activity) * PIP2", {"PIP2": 1}, {"IP3": 1, "DAG": 1},
               "PLC-beta cleaves PIP2", mechanism="PLC-beta")
    b.reaction("ip3_degradation", "k_ip3_degradation * IP3", {"IP3": 1}, {"inositol": 1},
               "IP3 5-phosphatase / 3-kinase", mechanism="IP3 phosphatase")
    b.reaction("dag_kinase", "k_dag_kinase * DAG", {"DAG": 1}, {"PA": 1}, "DAG kinase", mechanism="DAG kinase")
    b.reaction("pi_synthesis", "k_pi_synthesis * PA * inositol", {"PA": 1, "inositol": 1}, {"PI": 1},
               "CDP-DAG synthase + PI synthase", mechanism="PI synthase")
    b.reaction("pi_kinases", "k_pi_kinase * PI", {"PI": 1}, {"PIP2": 1}, "PI 4-kinase + PIP 5-kinase",
               mechanism="PI kinases")
    b.species("Ca_cyt", "cytosol", 100.0, description="free cytosolic Ca2+")
    b.species("Ca_er", "er", 400000.0, description="ER luminal Ca2+")
    b.species("Ca_out", "outside", 1.2e6, description="extracellular Ca2+")
    b.rule("ip3r_open", "IP3^3 / (k_ip3r_ip3^3 + IP3^3) * k_ip3r_inhibition / (k_ip3r_inhibition + Ca_cyt)", "1",
           "IP3 receptor open probability (IP3 activation, Ca2+ inhibition)")
    b.reaction("ip3r_release", "v_ip3r * ip3r_open * (Ca_er - Ca_cyt)", {"Ca_er": 1}, {"Ca_cyt": 1},
               "Ca2+ release through IP3 receptors", mechanism="IP3R")
    b.reaction("er_leak", "k_er_leak * (Ca_er - Ca_cyt)", {"Ca_er": 1}, {"Ca_cyt": 1}, "ER Ca2+ leak")
    b.reaction("serca", "serca_vmax * Ca_cyt^2 / (serca_km^2 + Ca_cyt^2)", {"Ca_cyt": 1}, {"Ca_er": 1},
               "SERCA pumps Ca2+ into the ER", mechanism="SERCA")
    b.reaction("pmca", "pmca_vmax * Ca_cyt / (pmca_km + Ca_cyt)", {"Ca_cyt": 1}, {"Ca_out": 1},
               "plasma-membrane extrusion (PMCA/NCX)", mechanism="PMCA")
    b.reaction("pm_entry", "k_pm_leak * Ca_out", {"Ca_out": 1}, {"Ca_cyt": 1}, "plasma-membrane Ca2+ entry")
    b.species("PKC_inactive", "cytosol", 500.0, description="conventional PKC, cytosolic")
    b.species("PKC_active", "cytosol", 0.0, description="membrane-bound active PKC")
    b.reaction("pkc_activation",
               "k_pkc_activation * PKC_inactive * DAG / (k_pkc_dag + DAG) * Ca_cyt / (k_pkc_ca + Ca_cyt)",
               {"PKC_inactive": 1}, {"PKC_active": 1}, "DAG and Ca2+ recruit PKC", mechanism="DAG + Ca2+")
    b.reaction("pkc_deactivation", "k_pkc_deactivation * PKC_active", {"PKC_active": 1}, {"PKC_inactive": 1})
    return b.build()


def _with_pka_initial(model: Model, total_name: str) -> Model:
    total = model.parameters[total_name].value
    species = tuple(
        s.__class__(s.name, s.compartment, total if s.name == "PKA_R2C2" else s.initial, s.unit, s.description)
        for s in model.species
    )
    return Model(model.name, model.compartments, species, model.parameters, model.reactions, model.rules,
                 model.description)


_BUILDERS = {"alpha1": build_alpha1_model, "alpha2": build_alpha2_model, "beta": build_beta_model}


@lru_cache(maxsize=None)
def cascade_model(name: str) -> Model:
    """The declarative model of cascade ``name`` (``alpha1``, ``alpha2``, ``beta``)."""
    if name not in _BUILDERS:
        raise unknown("cascade", name, CASCADES)
    return _BUILDERS[name]()


def conserved_totals(name: str) -> dict[str, dict[str, float]]:
    """Linear combinations ``{label: {species: weight}}`` that the cascade conserves.

    Weights include compartment volumes, so the sums are amounts (nM x cytosol volume).
    """
    m = cascade_model(name)
    p = m.parameters.values()
    if name == "beta":
        return {"Gs": {"Gs_GDP": 1, "Gs_GTP": 1}, "PKA_R": {"PKA_R2C2": 1, "PKA_R2cAMP4": 1},
                "PKA_C": {"PKA_R2C2": 2, "PKA_C": 1}, "sAHP": {"sAHP_open": 1, "sAHP_P": 1},
                "CREB": {"CREB": 1, "pCREB": 1}}
    if name == "alpha2":
        return {"Gi_alpha": {"Gi_trimer": 1, "Gai_GTP": 1, "Gai_GDP": 1}, "Gbg": {"Gi_trimer": 1, "Gbg": 1},
                "PKA_R": {"PKA_R2C2": 1, "PKA_R2cAMP4": 1}, "PKA_C": {"PKA_R2C2": 2, "PKA_C": 1}}
    return {"Gq": {"Gq_GDP": 1, "Gq_GTP": 1},
            "inositol_headgroup": {"PIP2": 1, "IP3": 1, "inositol": 1, "PI": 1},
            "lipid_backbone": {"PIP2": 1, "DAG": 1, "PA": 1, "PI": 1},
            "PKC": {"PKC_inactive": 1, "PKC_active": 1},
            "calcium": {"Ca_cyt": 1, "Ca_er": p["er_volume"], "Ca_out": p["outside_volume"]}}


@lru_cache(maxsize=None)
def resting_state(name: str, engine: str = "roadrunner") -> tuple[tuple[str, float], ...]:
    """The state after 10^6 s without receptor activation (the cascade's baseline; the lipid cycle is slow)."""
    m = cascade_model(name)
    traj = integrate(m, [Segment(0.0, 1e6, {"receptor_activation": 0.0})], dt=1e6, engine=engine)
    return tuple(traj.final_state(m.species_names).items())


def run_cascade(name: str, receptor_activation: float | list[tuple[float, float, float]], *,
                t_stop: float = 120.0, dt: float = 1.0, engine: str = "roadrunner", parameters=None):
    """Time course of cascade ``name`` from rest under a receptor activation.

    Parameters
    ----------
    name : {"alpha1", "alpha2", "beta"}
    receptor_activation : float or list of (t_start, t_stop, activation)
        A constant E/Em from t = 0 to ``t_stop`` s, or a piecewise-constant schedule.
    parameters : dict, optional
        Other parameter overrides for every segment.

    Returns
    -------
    Trajectory
    """
    m = cascade_model(name)
    extra = dict(parameters or {})
    if isinstance(receptor_activation, (int, float, np.floating)):
        schedule = [(0.0, float(t_stop), float(receptor_activation))]
    else:
        schedule = [tuple(map(float, s)) for s in receptor_activation]
    segs = [Segment(t0, t1, {**extra, "receptor_activation": min(max(a, 0.0), 1.0)}) for t0, t1, a in schedule]
    return integrate(m, segs, y0=dict(resting_state(name, engine)), dt=dt, engine=engine)


# ------------------------------------------------------------------ dose-response

READOUTS = {
    "alpha1": ("Ca_cyt", "peak"),
    "alpha1_ip3": ("IP3", "peak"),
    "alpha2": ("cAMP", "final"),
    "beta": ("cAMP", "final"),
}


def cascade_response(receptor: str, ne_nM: float, *, measure: str | None = None, t_stop: float = 120.0,
                     species: str = "rat", engine: str = "roadrunner") -> float:
    """Change of the cascade's read-out from rest after ``t_stop`` s of NE (nM).

    The read-out is peak cytosolic Ca2+ (alpha1; ``measure="IP3"`` for peak IP3) or cAMP
    at ``t_stop`` (beta: increase; alpha2: decrease of forskolin-stimulated cAMP, so the
    value is positive for inhibition).
    """
    rec = get_receptor(receptor)
    cas = rec.cascade
    species_name, kind = READOUTS[cas]
    if measure is not None:
        species_name = measure
    a = float(activation(receptor, {"norepinephrine": ne_nM}, species))
    traj = run_cascade(cas, a, t_stop=t_stop, dt=1.0, engine=engine)
    series = traj[species_name]
    base = series[0]
    value = series.max() if kind == "peak" else series[-1]
    if cas == "alpha2":
        # alpha2 is assayed on forskolin-stimulated cAMP: compare with no agonist
        ref = run_cascade(cas, 0.0, t_stop=t_stop, dt=t_stop, engine=engine)[species_name][-1]
        return float(ref - value)
    return float(value - base)


def dose_response(receptor: str, ne_nM=None, **kw) -> tuple[np.ndarray, np.ndarray]:
    """``(concentrations nM, responses)`` of the receptor's cascade to NE."""
    conc = np.logspace(-1, 5, 25) if ne_nM is None else np.asarray(ne_nM, dtype=float)
    resp = np.array([cascade_response(receptor, float(c), **kw) for c in conc])
    return conc, resp


def ec50(concentrations, responses) -> float:
    """Concentration at half the maximal response (log-linear interpolation)."""
    conc = np.asarray(concentrations, dtype=float)
    resp = np.asarray(responses, dtype=float)
    lo, hi = resp[0], resp.max()
    half = lo + 0.5 * (hi - lo)
    idx = int(np.argmax(resp >= half))
    if idx == 0:
        return float(conc[0])
    x0, x1 = np.log10(conc[idx - 1]), np.log10(conc[idx])
    y0, y1 = resp[idx - 1], resp[idx]
    return float(10 ** (x0 + (half - y0) * (x1 - x0) / (y1 - y0)))


def ne_cascade_ec50(receptor: str, **kw) -> float:
    """EC50 (nM) of NE for the cascade read-out of ``receptor`` by dose-response simulation."""
    conc, resp = dose_response(receptor, **kw)
    return ec50(conc, resp)


PUBLISHED_EC50 = {
    # receptor: (low nM, high nM, read-out, source)
    "beta1": (10.0, 100.0, "cAMP", "NE beta1 cAMP EC50 10-100 nM, recombinant cells (Baker 2010, BJP 160:1048; parameter_sources.md D [recalled])"),
    "beta2": (300.0, 3000.0, "cAMP", "NE beta2 cAMP EC50 0.3-3 uM (parameter_sources.md D [recalled]); 10x weaker than at beta1 (MacGregor et al., lymphocytes [partial])"),
    "alpha1A": (10.0, 300.0, "Ca2+", "NE alpha1 Ca2+/IP EC50 10-300 nM (parameter_sources.md D [recalled])"),
    "alpha2A": (10.0, 100.0, "cAMP inhibition", "NE alpha2A GTPgammaS/cAMP-inhibition EC50 10-100 nM (parameter_sources.md D [recalled])"),
}


# ------------------------------------------------------------------ sAHP coupling

def beta_steady_state(receptor_activation: float) -> dict[str, float]:
    """Analytic steady state of the beta cascade at a constant activation.

    Gs: :math:`G^* = G_T kA/(kA + k_h)`; cAMP solves AC = PDE(cAMP); PKA dissociated
    fraction :math:`h(cAMP)`; sAHP phosphorylated fraction
    :math:`k_p C / (k_p C + k_{dp})` with :math:`C = 2 P_T h`.
    """
    p = cascade_model("beta").parameters.values()
    a = min(max(float(receptor_activation), 0.0), 1.0)
    k_on = p["k_gs_activation"] * a
    gs = p["gs_total"] * k_on / (k_on + p["k_gs_gtpase"])
    ac = p["ac_basal"] + p["ac_max"] * gs / (p["k_ac_gs"] + gs)
    camp = p["pde_km"] * ac / (p["pde_vmax"] - ac)
    h = camp ** p["pka_hill"] / (p["pka_ka"] ** p["pka_hill"] + camp ** p["pka_hill"])
    c = 2.0 * p["pka_total"] * h
    phos = p["k_sahp_phos"] * c / (p["k_sahp_phos"] * c + p["k_sahp_dephos"])
    return {"Gs_GTP": gs, "cAMP": camp, "PKA_C": c, "sAHP_P": phos, "sahp_conductance": 1.0 - phos}


def sahp_reduction(beta_activation):
    """Fractional reduction of the slow-AHP conductance by beta activation (0 at rest).

    Uses the analytic steady state of the beta cascade (PKA phosphorylation of the sAHP
    channel; Madison & Nicoll 1986, J Physiol 372:221: NE/cAMP block the sAHP). The
    spiking LC model multiplies its sAHP conductance by ``1 - sahp_reduction(a)``.

    Parameters
    ----------
    beta_activation : float or array
        E/Em of beta receptors, 0..1.

    Examples
    --------
    >>> sahp_reduction(0.0)
    0.0
    >>> 0.5 < sahp_reduction(1.0) < 0.9
    True
    """
    a = np.atleast_1d(np.asarray(beta_activation, dtype=float))
    rest = beta_steady_state(0.0)["sahp_conductance"]
    out = np.array([1.0 - beta_steady_state(x)["sahp_conductance"] / rest for x in a])
    return float(out[0]) if np.ndim(beta_activation) == 0 else out


def sahp_reduction_table(n_points: int = 101) -> tuple[np.ndarray, np.ndarray]:
    """``(beta_activation grid, sahp_reduction)`` for ``np.interp`` inside compiled kernels.

    >>> grid, red = sahp_reduction_table(11)
    >>> float(red[0]), bool(red[-1] > red[5] > 0)
    (0.0, True)
    """
    grid = np.linspace(0.0, 1.0, int(n_points))
    return grid, np.asarray(sahp_reduction(grid), dtype=float)
