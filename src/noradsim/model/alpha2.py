"""Alpha2A autoreceptors at noradrenergic terminals: where the NE they see comes from.

Volume-transmission enrichment
    Autoreceptors on a releasing varicosity see the mean extracellular NE (what dialysis
    samples) plus the varicosity's own contribution. Each varicosity is a point source
    in a porous medium (volume fraction alpha, effective diffusion D* = D/lambda^2) with
    first-order clearance k; the steady (time-averaged) field of one source at distance r
    is ``q exp(-r/L)/(4 pi alpha D* r)`` with ``L = sqrt(D*/k)``, and the mean field of
    ``n`` sources per volume is ``q n/(alpha k)``. With ``r << L`` the ratio of the
    concentration at the autoreceptor to the mean is

    .. math:: E = 1 + \\frac{k}{4 \\pi D^* r\\, n}

    (Nicholson & Phillips 1981 point source; every input named in ``data/terminal.toml``).
    ``k`` is the present clearance rate constant of extracellular NE (NET, diffusion,
    COMT), so NET inhibitors flatten the gradient (E -> 1). Because alpha2A activation
    integrates over hundreds of ms while NE diffuses across a varicosity in well under a
    millisecond, the time-averaged concentration is the one that matters (the receptor is
    far from saturation at nM NE).
"""

from __future__ import annotations

import math

from .core import ModelBuilder

FOUR_PI = 4.0 * math.pi


def add_autoreceptor_geometry(b: ModelBuilder) -> list[str]:
    """Rules ``k_ecs_net``, ``k_ecs_clearance``, ``k_varicosity_field`` and ``autoreceptor_enrichment``.

    Needs ``net_factor`` and ``comt_factor`` to be declared already.
    """
    return [
        b.rule("k_ecs_net", "net_vmax*innervation*net_expression/(ecs_fraction*(net_km*net_factor + ne_ecf))",
               "1/s", "present first-order NET uptake rate constant of extracellular NE"),
        b.rule("k_ecs_clearance", "k_ecs_net + k_diffusion_loss + k_comt_ecf*comt_factor",
               "1/s", "present first-order clearance rate constant of extracellular NE"),
        b.rule("k_varicosity_field",
               f"{FOUR_PI!r}*ne_diffusion_free/ecs_tortuosity^2*varicosity_radius*varicosity_density*innervation",
               "1/s", "4 pi D* r n: the field of neighbouring varicosities relative to one's own"),
        b.rule("autoreceptor_enrichment", "1 + k_ecs_clearance/k_varicosity_field", "1",
               "NE at a varicosity's own autoreceptors / mean extracellular NE (volume transmission)"),
    ]


def enrichment(k_clearance: float, diffusion: float, tortuosity: float, radius: float, density: float) -> float:
    """The closed form ``1 + k/(4 pi (D/lambda^2) r n)`` (units: 1/s, um^2/s, 1, um, 1/um^3).

    >>> round(enrichment(0.247, 600.0, 1.6, 0.5, 0.001), 3)
    1.168
    """
    return 1.0 + k_clearance / (FOUR_PI * diffusion / tortuosity ** 2 * radius * density)


def relative_maximum(epsilon: float, tau: float) -> float:
    """Maximal response of an agonist with operational efficacy ``epsilon`` relative to NE's
    in a tissue where NE has operational tau ``tau``: ``(e t/(1 + e t)) / (t/(1 + t))``.

    >>> round(relative_maximum(0.32 / 3.72, 4.0), 2)  # clonidine in its reference system
    0.32
    """
    et = epsilon * tau
    return (et / (1.0 + et)) / (tau / (1.0 + tau))


def pulsed_occupancy(kon: float, koff: float, area: float, period: float) -> float:
    """Mean receptor occupancy under brief concentration pulses (periodic steady state).

    First-order binding, ``d rho/dt = kon C (1 - rho) - koff rho``, driven by pulses much
    shorter than ``1/koff`` that each deliver the time integral ``area`` (concentration x
    time) every ``period``: a pulse takes ``1 - rho`` to ``(1 - rho) exp(-kon area)``,
    between pulses ``rho`` decays with ``koff``. With ``f = 1 - exp(-kon area)`` and
    ``d = exp(-koff period)`` the occupancy just after a pulse is ``f/(1 - (1 - f) d)`` and its
    time average ``rho_+ (1 - d)/(koff period)``. It never exceeds the occupancy at the mean
    concentration ``area/period`` and tends to it for small, frequent pulses: release-site
    transients cannot raise a receptor's mean activation above its time-averaged estimate.
    Units: kon 1/(nM s), koff 1/s, area nM s, period s.

    >>> round(pulsed_occupancy(0.01, 3.0, 0.01, 0.001), 4)  # small frequent pulses: mean field 0.0323
    0.0323
    >>> round(pulsed_occupancy(0.01, 3.0, 500.0, 5.0), 3)  # 100 nM mean in rare saturating events: mean field 0.25
    0.066
    """
    f = 1.0 - math.exp(-kon * area)
    d = math.exp(-koff * period)
    after = f / (1.0 - (1.0 - f) * d)
    return after * (1.0 - d) / (koff * period)
