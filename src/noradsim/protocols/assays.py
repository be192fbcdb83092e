"""Virtual NET uptake and inhibition assays: from the bench protocol to the model and back.

A well holds a preparation expressing NET (``cells:hNET``, ``cells:SK-N-BE(2)C``,
``cells:C6-hNET``; ``noradsim/data/preparations.toml``) in buffer with NE. Uptake over a
short incubation is simulated as an ODE with the terminal model's NET rate law
(:mod:`noradsim.model.blocks`) with competitive inhibition
by every drug present,

.. math:: v = \\frac{V_{max} S}{K_m (1 + \\sum_i I_i / K_{i,i}) + S},

the initial velocity (amount taken up / incubation time) is measured at a concentration
series the simulator chooses, and the data go through the same fitting engine as lab
data (:mod:`noradsim.fitting`): Michaelis-Menten for Km and Vmax, a four-parameter
logistic for IC50 and Cheng-Prusoff for Ki. Measurement noise is optional and seeded.
"""

from __future__ import annotations

import json
import math
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.integrate import solve_ivp

from ..errors import InputError, unknown
from ..parameters import ALLOWED_SPECIES, Parameter, data_path, read_provenance, read_toml
from ..units import parse_quantity, ureg

#: Largest fraction of the bath NE the cells may take up during the incubation.
MAX_DEPLETION = 0.01
_FIELDS = ("km", "vmax", "amount", "volume", "tracer")


@dataclass(frozen=True)
class Preparation:
    """A cited in-vitro preparation: NET kinetics and the assay well it sits in."""

    name: str
    description: str
    species: str
    km: Parameter  # nM
    vmax: Parameter  # in its published unit (per cell or per mg protein)
    amount: Parameter  # cells or mg protein per well
    volume: Parameter  # mL per well
    tracer: Parameter  # nM NE in the inhibition assay

    @property
    def well_vmax(self) -> float:
        """Vmax of the whole well as a bath concentration rate, nM/s."""
        rate_unit = self.vmax.unit.replace("/cell", "")
        amount_unit = "" if self.amount.unit == "cell" else self.amount.unit
        q = ureg().Quantity(self.vmax.value, rate_unit) * ureg().Quantity(self.amount.value, amount_unit or "dimensionless")
        return float((q / ureg().Quantity(self.volume.value, self.volume.unit)).to("nM/s").magnitude)


def _parameter(name: str, entry, where: str) -> Parameter:
    if not isinstance(entry, dict):
        raise InputError(f"{where}: {name} must be a table with value, unit, species, kind")
    for key in ("value", "unit", "species"):
        if key not in entry:
            raise InputError(f"{where}: {name} lacks field {key!r}")
    v = entry["value"]
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0:
        raise InputError(f"{where}: {name} value must be a positive number, got {v!r}")
    if entry["species"] not in ALLOWED_SPECIES:
        raise unknown(f"{where}: {name} species", entry["species"], ALLOWED_SPECIES)
    prov = read_provenance(entry, f"{where}: {name}", float(v))
    note = "; ".join(t for t in (f"sd {entry['sd']}" if "sd" in entry else "", prov.note) if t)
    return Parameter(name, float(v), str(entry["unit"]), str(entry["species"]), prov.text(), note=note,
                     provenance=prov)


@lru_cache(maxsize=4)
def load_preparations(path: str | None = None) -> dict[str, Preparation]:
    """The preparations of ``preparations.toml`` (or of another file in that format)."""
    p = Path(path) if path else data_path("preparations.toml")
    doc = read_toml(p)
    if doc.get("schema") != "noradsim-preparations/1":
        raise InputError(f"{p.name}: schema must be 'noradsim-preparations/1'")
    out = {}
    for name, rec in doc.get("preparation", {}).items():
        where = f"{p.name} [preparation.{name!r}]"
        missing = [f for f in _FIELDS if f not in rec]
        if missing:
            raise InputError(f"{where}: lacks {', '.join(missing)}")
        fields = {f: _parameter(f, rec[f], where) for f in _FIELDS}
        km_nM = parse_quantity(f"{fields['km'].value} {fields['km'].unit}", "concentration", f"{where} km")
        tr_nM = parse_quantity(f"{fields['tracer'].value} {fields['tracer'].unit}", "concentration", f"{where} tracer")
        fields["km"] = Parameter("km", km_nM, "nM", fields["km"].species, fields["km"].source, note=fields["km"].note)
        fields["tracer"] = Parameter("tracer", tr_nM, "nM", fields["tracer"].species, fields["tracer"].source)
        out[name] = Preparation(name, str(rec.get("description", "")), str(rec.get("species", "human")), **fields)
    return out


def get_preparation(name: str) -> Preparation:
    """A preparation by name; unknown names suggest the closest."""
    preps = load_preparations()
    if name not in preps:
        raise unknown("preparation", name, preps)
    return preps[name]


@lru_cache(maxsize=16)
def _rate_law(n_inhibitors: int):
    """The terminal model's NET rate law (``model.blocks``), parsed by the safe evaluator."""
    from ..fitting.expression import parse
    from ..model.blocks import competitive_factor, michaelis_menten

    pairs = [(f"drug{i}", f"ki{i}") for i in range(n_inhibitors)]
    return parse(michaelis_menten("ne", "vmax", "km", competitive_factor(pairs)))


def net_uptake_rate(ne, vmax: float, km: float, inhibitors=()) -> np.ndarray:
    """NET uptake velocity with competitive inhibition by every drug present.

    The rate law is the terminal model's own (:func:`noradsim.model.blocks.michaelis_menten`
    with :func:`~noradsim.model.blocks.competitive_factor`),
    :math:`v = V_{max} S / (K_m (1 + \\sum_i I_i/K_i) + S)`.

    Parameters
    ----------
    ne : float or array
        NE concentration (nM).
    vmax, km : float
        Maximal velocity (any unit; the result has it) and Michaelis constant (nM).
    inhibitors : iterable of (concentration_nM, ki_nM)
        Drugs present.

    Examples
    --------
    >>> float(net_uptake_rate(420.0, 2.0, 420.0))
    1.0
    >>> float(net_uptake_rate(420.0, 2.0, 420.0, [(5.0, 5.0)]))
    0.6666666666666666
    """
    from ..fitting.expression import evaluate

    inhibitors = list(inhibitors)
    env = {"ne": np.asarray(ne, dtype=float), "vmax": float(vmax), "km": float(km)}
    for i, (c, ki) in enumerate(inhibitors):
        env[f"drug{i}"], env[f"ki{i}"] = float(c), float(ki)
    return np.asarray(evaluate(_rate_law(len(inhibitors)), env), dtype=float)


def incubation_time(prep: Preparation, inhibitors=()) -> float:
    """Incubation (s) short enough that the cells take up under :data:`MAX_DEPLETION` of the NE."""
    factor = 1.0 + sum(c / ki for c, ki in inhibitors)
    initial_fraction_rate = prep.well_vmax / (prep.km.value * factor)  # 1/s at S << Km
    return float(min(600.0, max(1.0, MAX_DEPLETION / initial_fraction_rate)))


def simulate_uptake(prep: Preparation, ne_nM, *, inhibitors=(), t_incubation: float | None = None) -> np.ndarray:
    """Initial uptake velocity per unit of preparation (in the unit of ``prep.vmax``).

    Integrates :math:`dU/dt = v(S_0 - U)` for every well (``U``: NE taken up, as bath
    concentration) over the incubation and returns :math:`U(t)/t`.
    """
    s0 = np.atleast_1d(np.asarray(ne_nM, dtype=float))
    t_inc = incubation_time(prep, inhibitors) if t_incubation is None else float(t_incubation)
    vw = prep.well_vmax  # nM/s

    def rhs(_t, u):
        return net_uptake_rate(np.maximum(s0 - u, 0.0), vw, prep.km.value, inhibitors)

    sol = solve_ivp(rhs, (0.0, t_inc), np.zeros_like(s0), method="LSODA", rtol=1e-11, atol=1e-16)
    if not sol.success:
        raise RuntimeError(f"uptake ODE failed: {sol.message}")
    velocity_bath = sol.y[:, -1] / t_inc  # nM/s
    to_prep_unit = prep.vmax.value / prep.well_vmax
    return velocity_bath * to_prep_unit


def _noisy(values: np.ndarray, cv: float, n_replicates: int, seed: int | None) -> np.ndarray:
    """Replicates with proportional Gaussian noise of coefficient of variation ``cv`` (seeded)."""
    reps = np.repeat(values, n_replicates)
    if cv > 0:
        rng = np.random.default_rng(seed)
        reps = reps * (1.0 + cv * rng.standard_normal(reps.size))
    return reps


def uptake_assay(preparation: str, *, n_replicates: int = 3, noise_cv: float = 0.0, seed: int | None = 0):
    """Virtual saturation uptake assay fitted by Michaelis-Menten.

    The simulator uses 10 NE concentrations from Km/8 to 16 Km (geometric).

    Returns
    -------
    (FitResult, numpy.ndarray, numpy.ndarray)
        The fit, the NE concentrations (nM) and the measured velocities.

    Examples
    --------
    >>> fit, _, _ = uptake_assay("cells:hNET")
    >>> abs(fit.value("Km") / 420 - 1) < 0.02
    True
    """
    from ..fitting import fit_uptake

    prep = get_preparation(preparation)
    km = prep.km.value
    conc = km * np.geomspace(1 / 8, 16, 10)
    v = simulate_uptake(prep, conc)
    x = np.repeat(conc, n_replicates)
    y = _noisy(v, noise_cv, n_replicates, seed)
    return fit_uptake(x, y), x, y


def inhibition_assay(preparation: str, ki_nM: float, *, other_inhibitors=(), n_replicates: int = 3,
                     noise_cv: float = 0.0, seed: int | None = 0):
    """Virtual inhibition assay: [3H]NE at the tracer concentration, a drug series, IC50, Ki.

    The drug series is 25 concentrations, half-log steps from 1 pM to 1 mM, plus a
    no-drug control. Ki is IC50 / (1 + tracer/Km) with the preparation's Km.

    Returns
    -------
    FitResult
        The four-parameter logistic fit; ``derived["Ki"]`` holds the Cheng-Prusoff Ki.
    """
    from ..fitting import fit_inhibition

    prep = get_preparation(preparation)
    if not ki_nM > 0 or not math.isfinite(ki_nM):
        raise InputError(f"inhibition assay: the drug's Ki must be a positive finite number, got {ki_nM}")
    conc = np.concatenate([[0.0], np.logspace(-3, 9, 25)])
    others = list(other_inhibitors)
    tracer = np.array([prep.tracer.value])
    t_inc = incubation_time(prep, others)
    v = np.array([simulate_uptake(prep, tracer, inhibitors=others + ([(c, ki_nM)] if c > 0 else []),
                                  t_incubation=t_inc)[0] for c in conc])
    control = v[0]
    percent = 100.0 * v / control
    x = np.repeat(conc, n_replicates)
    y = _noisy(percent, noise_cv, n_replicates, seed)
    return fit_inhibition(x, y, substrate=prep.tracer.value, km=prep.km.value)


def assay_target(measure: str, statistic: str, preparation: str, species: str, interventions: list[dict],
                 library) -> tuple[float, str]:
    """Predicted value (nM) of an in-vitro NET target, and a one-line explanation.

    Parameters
    ----------
    measure : {"net_uptake", "net_inhibition"}
    statistic : {"km", "ki"}
        ``km`` for ``net_uptake``, ``ki`` for ``net_inhibition``.
    preparation : str
        A preparation of ``preparations.toml`` (``cells:hNET``, ...).
    species : str
        Species whose drug affinity is used (``Drug.ki("NET", species)``).
    interventions : list of dict
        For ``net_inhibition``: exactly one ``{"drug": name, "concentration": "scan"}``;
        other drugs with a fixed ``concentration`` are present throughout.
    library : DrugLibrary

    Examples
    --------
    >>> value, why = assay_target("net_uptake", "km", "cells:SK-N-BE(2)C", "human", [], None)
    >>> abs(value / 416 - 1) < 0.02
    True
    """
    allowed = {"net_uptake": ("km",), "net_inhibition": ("ki",)}
    if measure not in allowed:
        raise unknown("measure", measure, allowed)
    if statistic not in allowed[measure]:
        raise unknown(f"statistic for {measure}", statistic, allowed[measure])
    prep = get_preparation(preparation)
    scanned, fixed = [], []
    for k, iv in enumerate(interventions or []):
        if "drug" not in iv:
            raise InputError(f"interventions[{k}]: only drugs can be given to an in-vitro assay; got {sorted(iv)}")
        route = iv.get("route", "bath")
        if route != "bath":
            raise InputError(f"interventions[{k}] route: an in-vitro assay takes 'bath', got {route!r}")
        drug = library.get(iv["drug"])
        conc = iv.get("concentration")
        if conc == "scan":
            scanned.append(drug)
        elif conc is None:
            raise InputError(f"interventions[{k}]: drug {drug.name} needs a 'concentration'")
        else:
            c = parse_quantity(conc, "concentration", f"interventions[{k}] concentration")
            ki = drug.ki("NET", species)
            if math.isfinite(ki):
                fixed.append((c, ki))
    if measure == "net_uptake":
        fit, _, _ = uptake_assay(prep.name) if not fixed else _uptake_with(prep, fixed)
        km = fit.value("Km")
        extra = f" with {len(fixed)} inhibitor(s) present (apparent Km)" if fixed else ""
        return km, (f"Michaelis-Menten fit of simulated initial NET uptake velocity in {prep.name}{extra}: "
                    f"Km {km:.4g} nM (preparation Km {prep.km.value:g} nM)")
    if len(scanned) != 1:
        raise InputError("interventions: the inhibition assay needs exactly one drug with concentration = 'scan'")
    drug = scanned[0]
    ki = drug.ki("NET", species)
    if not math.isfinite(ki):
        raise InputError(f"drug {drug.name}: no NET affinity in the library, so it does not inhibit NET uptake")
    fit = inhibition_assay(prep.name, ki, other_inhibitors=fixed)
    value = fit.value("Ki")
    return value, (f"IC50 {fit.value('IC50'):.4g} nM from simulated [3H]NE ({prep.tracer.value:g} nM) uptake "
                   f"inhibition in {prep.name}, Cheng-Prusoff with Km {prep.km.value:g} nM; "
                   f"library Ki {ki:g} nM ({species})")


def _uptake_with(prep: Preparation, inhibitors):
    from ..fitting import fit_uptake

    conc = prep.km.value * (1 + sum(c / k for c, k in inhibitors)) * np.geomspace(1 / 8, 16, 10)
    v = simulate_uptake(prep, conc, inhibitors=inhibitors)
    return fit_uptake(conc, v), conc, v


def _toml_str(text: str) -> str:
    return json.dumps(str(text), ensure_ascii=False)


def save_fitted_compound(name: str, ki_nM: float, target: str, path: str | Path, source: str, *,
                         molar_mass: float, species: str = "human", drug_class: str = "user compound (fitted)",
                         pk_like=None) -> Path:
    """Write (or append to) a user drug file so the fitted compound can be used in experiments.

    The file is in the ``noradsim-drugs/1`` format; ``load_library([path])`` reads it.

    Parameters
    ----------
    name : str
        Compound name (must not already be in the file).
    ki_nM : float
        Fitted Ki in nM.
    target : str
        Target, e.g. ``"NET"``.
    path : path
        The user drug file (created when absent).
    source : str
        Where the Ki comes from (e.g. the CSV file and the fit).
    molar_mass : float
        g/mol (the library needs it to convert doses).
    species : str
        Species of the measurement.
    pk_like : Drug, optional
        A library drug whose rat PK the new compound borrows (each value's source then
        says ``assumed: PK as <drug>``), so that systemic doses can be simulated.
    """
    from ..drugs import TARGETS, read_drug_file

    path = Path(path)
    if target not in TARGETS:
        raise unknown("target", target, TARGETS)
    if species not in ALLOWED_SPECIES:
        raise unknown("species", species, ALLOWED_SPECIES)
    for field, v in (("ki_nM", ki_nM), ("molar_mass", molar_mass)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
            raise InputError(f"{field}: must be a positive number, got {v!r}")
    if not str(name).strip():
        raise InputError("name: the compound needs a name")
    if not str(source).strip():
        raise InputError("source: say where the Ki comes from")
    old = ""
    if path.exists():
        existing = read_drug_file(path)
        if str(name).lower() in existing:
            raise InputError(f"{path.name}: drug {name!r} is already in the file")
        old = path.read_text()
        if not old.endswith("\n"):
            old += "\n"
    else:
        old = 'schema = "noradsim-drugs/1"\n'
    block = (
        f"\n[[drug]]\nname = {_toml_str(name)}\nclass = {_toml_str(drug_class)}\n"
        f"molar_mass = {{ value = {float(molar_mass)!r}, unit = \"g/mol\", source = {_toml_str('user: ' + source)} }}\n"
        f"\n[[drug.binding]]\ntarget = {_toml_str(target)}\nspecies = {_toml_str(species)}\n"
        f"ki = {{ value = {float(ki_nM)!r}, unit = \"nM\", source = {_toml_str(source)} }}\n"
    )
    if pk_like is not None and pk_like.pk is not None:
        pk = pk_like.pk

        def rec(v, unit):
            return f"{{ value = {float(v.value)!r}, unit = \"{unit}\", source = {_toml_str(f'assumed: PK as {pk_like.name} ({v.source})')} }}"

        block += (f"\n[drug.pk]\nspecies = {_toml_str(pk.species)}\nclearance = {rec(pk.clearance, 'L/h/kg')}\n"
                  f"volume = {rec(pk.volume, 'L/kg')}\nfu_plasma = {rec(pk.fu_plasma, '1')}\n"
                  f"kpuu_brain = {rec(pk.kpuu_brain, '1')}\nbrain_equilibration = {rec(pk.brain_equilibration, 's')}\n")
        for route, rp in pk.routes.items():
            block += (f"\n[drug.pk.route.{route}]\nbioavailability = {rec(rp.bioavailability, '1')}\n"
                      f"absorption_halflife = {rec(rp.absorption_halflife, 's')}\n")
    text = old + block
    with tempfile.TemporaryDirectory() as tmp:
        trial = Path(tmp) / "check.toml"
        trial.write_text(text)
        read_drug_file(trial)  # refuse to write a file the library would not read
    from ..outputs import atomic_file

    with atomic_file(path) as fh:
        fh.write(text)
    return path
