r"""Brain concentration of a drug after a single systemic dose (one-compartment, Bateman).

The closed-form solution of the same one-compartment PK that the terminal model integrates
(tests compare the two). Plasma (Bateman function, first-order absorption
with half-life :math:`t_a`, elimination :math:`k_e = CL/V`):

.. math:: C_p(t) = \frac{F D k_a}{V (k_a - k_e)} (e^{-k_e t} - e^{-k_a t})

Brain unbound ECF: :math:`C_b = f_u\,K_{p,uu}\,C_p` delayed by a first-order lag whose
half-time is ``brain_equilibration``. Units: dose mg/kg, V L/kg, CL L/h/kg, t s -> nM.
"""

from __future__ import annotations

import math

import numpy as np

from .drugs import SYSTEMIC_ROUTES, DrugLibrary, load_library
from .errors import InputError, unknown


def brain_concentration(drug: str, dose_mg_kg: float, route: str, t_s, *,
                        library: DrugLibrary | None = None):
    """Unbound brain concentration (nM) at times ``t_s`` after a single dose.

    Examples
    --------
    >>> c = brain_concentration("guanfacine", 0.3, "ip", 3600.0)
    >>> 1.0 < c < 300.0
    True
    """
    if not (isinstance(dose_mg_kg, (int, float)) and math.isfinite(dose_mg_kg) and dose_mg_kg >= 0):
        raise InputError(f"dose: must be a non-negative number of mg/kg, got {dose_mg_kg!r}")
    d = (library or load_library()).get(drug)
    if d.pk is None:
        raise InputError(f"drug {d.name}: has no pharmacokinetics; give a brain concentration instead")
    if route not in SYSTEMIC_ROUTES:
        raise unknown("route", route, SYSTEMIC_ROUTES)
    pk = d.pk
    if route == "iv":
        f, ka = 1.0, math.inf
    else:
        rp = pk.routes.get(route if route != "sc_minipump" else "sc")
        if rp is None:
            raise unknown(f"drug {d.name} route", route, ["iv", *pk.routes])
        f, ka = rp.bioavailability.value, math.log(2) / rp.absorption_halflife.value
    ke = pk.clearance.value / pk.volume.value / 3600.0
    kb = math.log(2) / max(pk.brain_equilibration.value, 1e-9)
    t = np.asarray(t_s, dtype=float)
    amount = f * dose_mg_kg / pk.volume.value  # mg/L
    to_nm = 1e6 / d.molar_mass.value
    # plasma = sum of exponentials; the brain lag convolves each term analytically
    terms = [(ke, 1.0)] if math.isinf(ka) else [(ke, ka / (ka - ke)), (ka, -ka / (ka - ke))]
    brain = np.zeros_like(t)
    for k, w in terms:
        if abs(kb - k) < 1e-9 * kb:  # equal rates: the limit of the convolution
            brain = brain + w * kb * t * np.exp(-k * t)
        else:
            brain = brain + w * kb / (kb - k) * (np.exp(-k * t) - np.exp(-kb * t))
    out = amount * to_nm * pk.fu_plasma.value * pk.kpuu_brain.value * np.clip(brain, 0, None)
    return float(out) if np.ndim(t_s) == 0 else out
