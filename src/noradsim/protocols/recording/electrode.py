"""The electrode in the tissue: its position, the neurons in reach and their extracellular signal.

The extracellular potential of each unit is computed from its own membrane currents
(volume conductor, Nunez & Srinivasan 2006; Holt & Koch 1999):

.. math:: \\phi(t) = \\frac{1}{4\\pi\\sigma}\\left[\\frac{I_{AIS}(t)}{r_{AIS}} + \\frac{I_{act}(t)}{r_{soma}}
          - \\bigl(I_{AIS}(t) + I_{act}(t)\\bigr)\\left\\langle\\frac{1}{r}\\right\\rangle_{dend}\\right]

where :math:`I_{AIS}` is the initial segment's transmembrane current, :math:`I_{act}` the
active ionic current of the soma and the capacitive/leak return current is spread along a
dendrite (line source, ``dendrite_length``). The initial-segment current arrives first,
which gives the IS-SD notch on the rising phase; amplitude falls with distance.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import signal

from ...errors import InputError
from ...lc.neuron import LCParameters
from ...lc.population import Population, inside_ellipsoid

TISSUE_RADIUS_UM = 3000.0


def lc_semi_axes(params: LCParameters) -> np.ndarray:
    """Semi-axes (um) of the LC ellipsoid."""
    return 0.5 * np.array([params.value("ellipsoid_x"), params.value("ellipsoid_y"), params.value("ellipsoid_z")])


def check_electrode(position) -> np.ndarray:
    """Validate an electrode position (um, LC-centred frame)."""
    pos = np.asarray(position, float)
    if pos.shape != (3,) or not np.all(np.isfinite(pos)):
        raise InputError(f"recording.electrode: position must be three finite numbers in um, got {position!r}")
    if np.linalg.norm(pos) > TISSUE_RADIUS_UM:
        raise InputError(
            "recording.electrode: position [" + ", ".join(f"{v:g}" for v in pos) + "] um "
            "is outside the tissue of the model "
            f"(within {TISSUE_RADIUS_UM:g} um of the LC centre)"
        )
    return pos


def units_in_reach(params: LCParameters, population: Population, electrode, *, max_units: int = 12) -> np.ndarray:
    """Indices of the neurons nearest the electrode within ``reach``, nearest first."""
    d = np.linalg.norm(population.positions - np.asarray(electrode), axis=1)
    order = np.argsort(d)
    order = order[d[order] <= params.value("reach")]
    return order[:max_units]


def unit_weights(params: LCParameters, population: Population, neurons, electrode) -> tuple[np.ndarray, np.ndarray]:
    """Transfer weights (uV per nA) of the AIS and somatic sources of ``neurons``.

    The dendritic return current is subtracted with its line-source average of 1/r.
    """
    sigma = params.value("conductivity")
    rmin = params.value("min_distance")
    e = np.asarray(electrode, float)
    w_ais = np.zeros(len(neurons))
    w_soma = np.zeros(len(neurons))
    s = np.linspace(0.05, 1.0, 20)[:, None] * params.value("dendrite_length")
    for k, i in enumerate(neurons):
        soma = population.positions[i]
        ais = soma + population.ais_direction[i] * params.value("ais_offset")
        dend = soma + s * population.dendrite_direction[i]
        r_s = max(np.linalg.norm(e - soma), rmin)
        r_a = max(np.linalg.norm(e - ais), rmin)
        inv_d = np.mean(1.0 / np.maximum(np.linalg.norm(dend - e, axis=1), rmin))
        # 1 nA / (4 pi * S/m * um) = 1e-9 / (4 pi sigma 1e-6) V = 1e3/(4 pi sigma) uV
        scale = 1e3 / (4.0 * math.pi * sigma)
        w_ais[k] = scale * (1.0 / r_a - inv_d)
        w_soma[k] = scale * (1.0 / r_s - inv_d)
    return w_ais, w_soma


def unit_signals(params, population, result, electrode) -> np.ndarray:
    """Extracellular potential (uV) of every recorded neuron at the electrode, shape (n_rec, n_samples)."""
    w_ais, w_soma = unit_weights(params, population, result.recorded, electrode)
    soma = result.soma_current
    tau = params.value("sd_spread_tau") * 1e-3
    if tau > 0 and soma.size:
        # first-order low-pass of the somatic current: spread of the SD spike over soma and proximal dendrites
        a = math.exp(-result.dt / tau)
        soma = signal.lfilter([1.0 - a], [1.0, -a], soma, axis=1)
    return w_ais[:, None] * result.ais_current + w_soma[:, None] * soma


def electrode_inside_lc(params: LCParameters, electrode) -> bool:
    """Whether the electrode tip lies inside the LC ellipsoid."""
    return bool(inside_ellipsoid(np.asarray(electrode, float)[None, :], lc_semi_axes(params))[0])
