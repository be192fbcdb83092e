"""Ex vivo NET binding: the assay behind a published "% NET occupancy".

In vivo the drug sits in brain tissue unbound (:math:`C_u`, the model's ``{d}_b``) and
nonspecifically bound, total :math:`C_T = R\\,C_u` with :math:`R = 1/f_{u,brain}` (the
tissue binding ratio, ``data/ex_vivo.toml``). After sacrifice the region is homogenised
and diluted :math:`D`-fold (:math:`D` = homogenate volume per tissue volume, the dilution
factor: 10 mg wet tissue per mL is :math:`D = 100`). With linear nonspecific binding the
bound drug is diluted with the tissue, so that in the homogenate

.. math:: C_{u,h} = \\frac{C_T}{D + R - 1}, \\qquad
          f_{u,h} = \\frac{C_{u,h}}{C_T / D} = \\frac{D}{D + R - 1},

the dilution relation by which diluted brain homogenate binding is converted to the
undiluted tissue, :math:`f_u = (1/D) / (1/f_{u,h} - 1 + 1/D)` (Kalvass & Maurer 2002,
Biopharm Drug Dispos 23:327), read backwards. It keeps :math:`C_u` for a highly bound drug
(:math:`R \\gg D`) and dilutes it :math:`D`-fold for an unbound one (:math:`R = 1`). A
centrifugal wash in :math:`W` volumes (same convention) keeps only the bound drug, a
fraction :math:`(R - 1)/(W + R - 1)` of it.
[3H]nisoxetine (:math:`L`, :math:`K_d`) then competes with every drug present; at
equilibrium the fraction of specific binding lost is

.. math:: \\rho = \\frac{\\sum_i x_i}{1 + L/K_d + \\sum_i x_i}, \\qquad x_i = C_{u,h,i} / K_{i,i},

which is what the paper reports as occupancy (NET itself binds a negligible amount of
drug: pmol/g of sites against nmol/g of drug).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..checks import check_table
from ..errors import InputError
from ..parameters import Parameter, _record, data_path, read_toml
from ..units import checked_number, parse_quantity

# The assay's protocol choices (kind ``setting`` in ex_vivo.toml): an experiment may set them in its ``assay`` table.
ASSAY_SETTINGS = ("radioligand_concentration", "homogenate_volume", "washes", "wash_volume")


@dataclass(frozen=True)
class Assay:
    """The binding assay: radioligand, its Kd and the homogenate's dilution."""

    kd: float  # nM
    ligand: float  # nM
    volume: float  # dilution factor D: homogenate volume per tissue volume in the binding tube
    washes: int
    wash_volume: float


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, Parameter], dict[str, Parameter]]:
    doc = read_toml(data_path("ex_vivo.toml"))
    assay = {k: _record(k, v, "ex_vivo.toml [assay]") for k, v in doc["assay"].items()}
    binding = {k: _record(k, v, "ex_vivo.toml [tissue_binding]") for k, v in doc["tissue_binding"].items()}
    return assay, binding


def assay() -> Assay:
    """The shipped assay (``data/ex_vivo.toml``)."""
    a, _ = _table()
    return Assay(a["radioligand_kd"].value, a["radioligand_concentration"].value, a["homogenate_volume"].value,
                 int(round(a["washes"].value)), a["wash_volume"].value)


def parse_assay(table, where: str) -> Assay | None:
    """The experiment's ``assay = { ... }`` table over the shipped defaults (None when absent).

    Keys are :data:`ASSAY_SETTINGS`: ``radioligand_concentration`` (a concentration with
    its unit, ``"2 nM"``), ``homogenate_volume`` (the dilution factor: homogenate volume per
    tissue volume, >= 1), ``washes`` (an integer 0-10) and ``wash_volume`` (volume of a wash
    per tissue volume, >= 1). A bad value raises :class:`InputError` naming ``assay.<field>``.

    Examples
    --------
    >>> parse_assay({"homogenate_volume": 50, "washes": 1}, "experiment").volume
    50.0
    >>> parse_assay(None, "experiment") is None
    True
    """
    if table is None:
        return None
    check_table(table, ASSAY_SETTINGS, f"{where} assay", "e.g. assay = { homogenate_volume = 50, washes = 0 }")
    a = assay()
    f = f"{where} assay."
    ligand = a.ligand
    if "radioligand_concentration" in table:
        ligand = parse_quantity(table["radioligand_concentration"], "concentration", f + "radioligand_concentration")
        if not 0 < ligand <= 1000:
            raise InputError(f"{f}radioligand_concentration: {ligand:g} nM outside (0, 1000] nM")
    volume = a.volume if "homogenate_volume" not in table else checked_number(
        table["homogenate_volume"], f + "homogenate_volume", low=1.0, high=10000.0)
    washes = a.washes if "washes" not in table else int(checked_number(
        table["washes"], f + "washes", integer=True, low=0, high=10))
    wash_volume = a.wash_volume if "wash_volume" not in table else checked_number(
        table["wash_volume"], f + "wash_volume", low=1.0, high=10000.0)
    return Assay(a.kd, float(ligand), float(volume), washes, float(wash_volume))


def tissue_binding_ratio(drug) -> tuple[float, str]:
    """Total brain / unbound brain drug :math:`R` and where it comes from.

    From the library's ``pk.kp_brain`` when present (:math:`R = K_p / (K_{p,uu} f_{u,p})`),
    otherwise from ``ex_vivo.toml`` (the drug's own entry, else the default).
    """
    pk = drug.pk
    if pk is not None and pk.kp_brain is not None:
        return pk.kp_brain.value / (pk.kpuu_brain.value * pk.fu_plasma.value), "library kp_brain"
    _, table = _table()
    key = drug.name.lower()
    if key in table:
        return table[key].value, f"ex_vivo.toml {key}"
    return table["default"].value, "ex_vivo.toml default (NET-inhibitor class estimate)"


def homogenate_unbound(c_unbound, ratio: float, a: Assay) -> np.ndarray:
    """Unbound drug in the binding tube (nM) from the unbound brain concentration at sacrifice.

    Examples
    --------
    >>> a = Assay(kd=1.0, ligand=1.0, volume=100.0, washes=0, wash_volume=30.0)
    >>> float(homogenate_unbound(100.0, 1.0, a))   # no tissue binding: diluted 100-fold
    1.0
    >>> round(float(homogenate_unbound(100.0, 1e6, a)), 3)   # tightly bound: C_u kept
    99.99
    """
    if ratio < 1:
        raise InputError(f"tissue binding ratio: total / unbound brain drug must be >= 1, got {ratio}")
    amount = np.asarray(c_unbound, dtype=float) * ratio  # per volume of tissue
    for _ in range(a.washes):
        amount = amount * (ratio - 1.0) / (a.wash_volume + ratio - 1.0)
    return amount / (a.volume + ratio - 1.0)


def homogenate_fraction_unbound(ratio: float, a: Assay) -> float:
    """Fraction of the homogenate's drug that is unbound, :math:`f_{u,h} = D / (D + R - 1)` (no washes).

    Examples
    --------
    >>> a = Assay(kd=1.0, ligand=1.0, volume=3.0, washes=0, wash_volume=30.0)
    >>> round(homogenate_fraction_unbound(1 / 0.205, a), 3)   # venlafaxine fu,brain 0.205, 1:2 homogenate
    0.436
    """
    no_wash = Assay(a.kd, a.ligand, a.volume, 0, a.wash_volume)
    return float(homogenate_unbound(1.0, ratio, no_wash)) * a.volume / ratio  # C_u,h / (C_T / D), C_T = R


def measured_occupancy(drugs: list[tuple[np.ndarray, float, float]], a: Assay | None = None) -> np.ndarray:
    """Fraction of [3H]nisoxetine specific binding lost, for drugs ``(C_u brain nM, R, Ki nM)``.

    Examples
    --------
    >>> a = Assay(kd=1.0, ligand=1.0, volume=100.0, washes=0, wash_volume=30.0)
    >>> float(measured_occupancy([(200.0, 1.0, 1.0)], a))   # 2 nM in the tube, 2/(1 + 1 + 2)
    0.5
    """
    a = a or assay()
    xs = [homogenate_unbound(c, r, a) / ki for c, r, ki in drugs]
    if not xs:
        return np.zeros(1)
    total = np.sum(np.broadcast_arrays(*xs), axis=0)
    return total / (1.0 + a.ligand / a.kd + total)
