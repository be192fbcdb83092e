"""Round-2 blocks of the terminal model: prefrontal dopamine, alpha2 desensitisation.

Each function adds one mechanism to a :class:`~noradsim.model.core.ModelBuilder` (species,
rules, reactions over the cited parameters of ``data/terminal.toml``,
``[extension_parameters]``) so that :func:`noradsim.model.terminal.build_terminal_model`
stays a list of calls.

Dopamine in the prefrontal extracellular space
    DA terminals release DA at a constant rate; NET takes it up with its own Km and Vmax
    (C6-hNET: Km 0.24 uM, Vmax half that of NE), competitively with NE and with every NET
    inhibitor present (the same apparent-Km factor as NE); the rest leaves by DAT-independent
    routes (diffusion, uptake-2, sparse DAT). The release rate is derived from the basal
    concentration and the basal clearance, so at baseline ``da_ecf = da_ecf_basal``.

Terminal alpha2 desensitisation
    A slow state ``a2_desens`` (0..1) follows the excess of presynaptic alpha2A activation
    over the activation the terminal is adapted to (set by the protocol to the drug-free
    steady state), with an onset time constant of days and a faster recovery. It divides
    the operational tau of every agonist at the terminal by ``1 + (fold - 1) a2_desens``.

NET down-regulation during chronic NET inhibition
    A slow state ``net_expression`` (fraction of terminal NET left) relaxes to
    ``1 - net_down_max * net_occupancy`` with time constant ``tau_net_down``; NET uptake, NET
    reverse transport and NET uptake of DA at the terminals scale with it.
    The drive is drug binding, not NE (desipramine lowers NET in Dbh-/- mice, which lack
    NE). ``net_down_max`` and ``tau_net_down`` are computed at build time from the two
    measured losses of NET binding after 3 and 6 weeks of reboxetine (first-order onset).
"""

from __future__ import annotations

from functools import lru_cache

from ..calibration.overlay import section_records
from ..parameters import Parameter
from .blocks import michaelis_menten
from .core import ModelBuilder


@lru_cache(maxsize=1)
def extension_parameters() -> dict[str, Parameter]:
    """The ``[extension_parameters]`` table of ``data/terminal.toml``."""
    return section_records("terminal.toml", "extension_parameters")


def add_extension_parameters(b: ModelBuilder) -> None:
    """Declare every round-2 parameter, plus the protocol-set ones."""
    for p in extension_parameters().values():
        b.add_parameter(p)
    b.parameter("a2_adapted", 1.0, "1", "rat", "set by the protocol: drug-free steady-state terminal alpha2 activation "
                "(the activation the terminal is adapted to; 1 = no desensitisation possible)", max=1.0)
    b.parameter("lc_probe_delivery", 0.0, "1", "rat", "set by the protocol: fraction of an LC-probe perfusate "
                "change felt by LC neurons (Bungay et al. 1990 with the LC probe length of data/design.toml)")


def add_alpha2_desensitisation(b: ModelBuilder) -> str:
    """Slow loss of terminal alpha2A coupling under sustained excess activation.

    Returns the name of the rule holding NE's operational tau at the terminal.
    """
    b.species("a2_desens", "terminal", 0.0, "1", "terminal alpha2A desensitisation (0 none, 1 full)")
    b.rule("ne_alpha2_tau_terminal", "terminal_alpha2_tau/(1 + (a2_desens_fold - 1)*a2_desens)", "1",
           "operational tau of NE at terminal alpha2A after desensitisation")
    return "ne_alpha2_tau_terminal"


def add_alpha2_desensitisation_dynamics(b: ModelBuilder) -> None:
    """The reaction moving ``a2_desens`` to its target (after ``a2_terminal`` is declared)."""
    b.rule("a2_desens_target", "min(1, max(0, (a2_terminal - a2_adapted)/max(1 - a2_adapted, 0.000001)))", "1",
           "desensitisation the present excess alpha2 activation would reach at steady state")
    b.reaction("a2_desensitisation",
               "max(a2_desens_target - a2_desens, 0)/tau_a2_desens_on + min(a2_desens_target - a2_desens, 0)/tau_a2_desens_off",
               {}, {"a2_desens": 1}, "alpha2A desensitisation (onset days, recovery about 1 d)")


def add_net_regulation(b: ModelBuilder) -> str:
    """Terminal NET expression lost during days to weeks of NET occupancy.

    First-order onset ``M (1 - exp(-t/tau))`` under full occupancy through the two
    measured losses ``a`` (after ``t_a``) and ``b`` (after ``2 t_a``): ``exp(-t_a/tau) =
    b/a - 1``, so ``tau = t_a / ln(a/(b - a))`` and ``M = a^2/(2a - b)``. Returns the name
    of the state holding the fraction of NET left.
    """
    b.species("net_expression", "terminal", 1.0, "1", "fraction of terminal NET left after down-regulation (1 = drug-naive)")
    b.rule("net_down_max", "net_binding_loss_3wk^2/(2*net_binding_loss_3wk - net_binding_loss_6wk)", "1",
           "NET loss approached under sustained full occupancy (derived: a^2/(2a - b))")
    b.rule("tau_net_down", "net_binding_loss_time/ln(net_binding_loss_3wk/(net_binding_loss_6wk - net_binding_loss_3wk))",
           "s", "time constant of NET down-regulation and recovery (derived: t_a/ln(a/(b - a)))")
    return "net_expression"


def add_net_regulation_dynamics(b: ModelBuilder) -> None:
    """The reaction moving ``net_expression`` to its occupancy-driven target (after ``net_occupancy``)."""
    b.reaction("net_downregulation", "(1 - net_down_max*net_occupancy - net_expression)/tau_net_down", {}, {"net_expression": 1},
               "NET down-regulation by sustained drug occupancy (weeks) and its recovery")


def add_dopamine(b: ModelBuilder) -> None:
    """Prefrontal extracellular DA: release by DA terminals, NET uptake, other clearance."""
    b.species("da_ecf", "ecs", 0.7, description="extracellular dopamine (DA terminals; cleared mainly by NET in PFC)")
    b.rule("k_da_net0", "net_vmax*net_vmax_da_ratio*innervation/(ecs_fraction*net_km_da)", "1/s",
           "drug-free first-order NET clearance rate constant of DA")
    b.rule("k_da_other", "k_da_net0*(1 - da_fraction_net)/da_fraction_net", "1/s",
           "DAT-independent DA clearance (derived from the NET fraction)")
    b.rule("da_release_rate", "da_ecf_basal*(k_da_net0 + k_da_other)*ecs_fraction", "nM/s",
           "DA release by DA terminals (derived from the basal concentration)")
    b.rule("da_net_factor", "net_factor*(1 + ne_ecf/net_km)", "1", "apparent-Km factor of NET for DA (drugs and NE compete)")
    b.rule("k_da_net", "net_vmax*net_vmax_da_ratio*innervation*net_expression/(ecs_fraction*(net_km_da*da_net_factor + da_ecf))",
           "1/s", "present first-order NET uptake rate constant of DA (the probe reads it)")
    b.reaction("da_release", "da_release_rate", {}, {"da_ecf": 1}, "DA release from DA terminals")
    b.reaction("da_net_uptake", michaelis_menten("da_ecf", "net_vmax*net_vmax_da_ratio*innervation*net_expression", "net_km_da",
                                                        "da_net_factor"),
               {"da_ecf": 1}, {}, "NET uptake of DA", "Michaelis-Menten, competitive with NE and NET inhibitors")
    b.reaction("da_other_clearance", "k_da_other*da_ecf*ecs_fraction", {"da_ecf": 1}, {},
               "DAT-independent DA clearance (diffusion, uptake-2, sparse DAT)")
