"""Run the rate model under experimental conditions and return a labelled result.

This is the path every protocol of minutes to days takes: conditions → drugs and routes
→ declarative model → equilibrated baseline → segments at every intervention edge →
engine → :class:`xarray.Dataset` with units and provenance.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from functools import lru_cache

import numpy as np
import xarray as xr

from .. import __version__
from ..drugs import DrugLibrary, load_library
from ..engine import Segment, integrate
from ..errors import InputError
from ..model.terminal import DrugUse, build_terminal_model, ident
from ..calibration.overlay import section_records
from .conditions import Conditions
from .ex_vivo import measured_occupancy, tissue_binding_ratio
from .probe import Probe, default_probe_length_mm

EQUILIBRATION_S = 20 * 86400.0


@lru_cache(maxsize=1)
def stimulus_drives() -> dict:
    """Extra LC drive of each stimulus (``stimuli.toml``), the calibration overlay applied."""
    return {k[:-len(".drive")]: replace(p, name=k[:-len(".drive")])
            for k, p in section_records("stimuli.toml", "stimulus").items() if k.endswith(".drive")}


@lru_cache(maxsize=1)
def medullary_drives() -> dict:
    """Each stimulus's fractional rise of A1/A2 firing (``medullary_drive``; model/sources.py)."""
    end = ".medullary_drive"
    return {k[:-len(end)]: replace(p, name=f"{k[:-len(end)]}_medullary_drive")
            for k, p in section_records("stimuli.toml", "stimulus").items() if k.endswith(end)}


def drug_uses(interventions) -> tuple[DrugUse, ...]:
    routes: dict[str, set] = {}
    for iv in interventions:
        if iv.kind == "drug":
            routes.setdefault(iv.drug.lower(), set()).add(iv.route)
    return tuple(DrugUse(n, tuple(sorted(r))) for n, r in sorted(routes.items()))


_STEADY: dict = {}


def steady_state(model, engine: str = "roadrunner") -> dict[str, float]:
    """Baseline state: the model run drug-free for 20 days (cached per structure and values)."""
    key = (model.fingerprint(), tuple(sorted(model.parameters.values().items())), engine)
    if key not in _STEADY:
        tr = integrate(model, [Segment(0.0, EQUILIBRATION_S)], dt=EQUILIBRATION_S / 4, engine=engine)
        y = tr.final_state(model.species_names)
        tr2 = integrate(model, [Segment(0.0, 86400.0)], y0=y, dt=86400.0, engine=engine)
        y2 = tr2.final_state(model.species_names)
        drift = max(abs(y2[s] - y[s]) / (abs(y[s]) + 1e-9) for s in y)
        if drift > 1e-3:
            raise RuntimeError(f"baseline did not reach steady state (relative drift {drift:.2g} per day)")
        # round-off leaves drug-free pools at about -1e-20; CVODE then fails at the first dose
        _STEADY[key] = {s: (0.0 if abs(v) < 1e-12 else v) for s, v in y2.items()}
    return dict(_STEADY[key])


def split_overrides(parameters: dict[str, float] | None, state: str) -> tuple[dict[str, float], dict[str, float]]:
    """Overrides as model-parameter values and stimulus drives.

    ``state.S.drive`` (``lc.toml``) sets the model's ``state_drive`` when the simulated
    state is ``S`` and is ignored otherwise; ``stimulus.X.drive`` (``stimuli.toml``)
    replaces the drive of stimulus ``X``; any other name is a model parameter.
    """
    from ..model.terminal import lc_tables

    model: dict[str, float] = {}
    stim: dict[str, float] = {}
    for name, v in (parameters or {}).items():
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "state" and parts[2] == "drive":
            if parts[1] not in lc_tables()[1]:
                raise InputError(f"parameter {name}: no state {parts[1]!r} in lc.toml")
            if parts[1] == state:
                model["state_drive"] = v
        elif len(parts) == 3 and parts[0] == "stimulus" and parts[2] == "drive":
            if parts[1] not in stimulus_drives():
                raise InputError(f"parameter {name}: no stimulus {parts[1]!r} in stimuli.toml")
            stim[parts[1]] = v
        else:
            model[name] = v
    if "state_drive" not in model:
        drive = rederived_state_drive(model, state)
        if drive is not None:
            model["state_drive"] = drive
    return model, stim


# model-parameter names of the inputs of the derived state drives (model/lc_states.py)
_DRIVE_INPUT_NAMES = {"ne_alpha2_k": "ne_k", "ne_alpha2_tau": "ne_tau"}


def rederived_state_drive(overrides: dict[str, float], state: str) -> float | None:
    """The state drive re-derived from overridden inputs, or None when nothing needs it.

    A state whose drive is derived from its measured LC rate (``model.lc_states``) keeps
    that rate whatever its alpha2A and rate-law constants are; an override of one of those
    inputs (a calibration step, an elasticity) must therefore re-derive the drive, exactly
    as loading the data files with the new value does. A written (assumed) or calibrated
    drive is a value of its own and is left alone.
    """
    from ..model.lc_states import ALPHA2_INPUTS, LAW, drive_for_rate, drive_inputs, state_drive_records, state_rates

    inputs = {_DRIVE_INPUT_NAMES.get(k, k): v for k, v in overrides.items()}
    if not set(inputs) & {*ALPHA2_INPUTS, *LAW, "ne_k", "ne_tau"}:
        return None
    rates, drives = state_rates(), state_drive_records()
    if state not in rates or state not in drives or drives[state].kind != "derived":
        return None
    base = drive_inputs()
    return drive_for_rate(rates[state].value, base | {k: v for k, v in inputs.items() if k in base})


def _segments(cond: Conditions, model, library: DrugLibrary, t0: float, t1: float, scan_dose: float | None,
              stim_drives: dict[str, float] | None = None):
    ivs = list(cond.interventions)
    edges = {t0, t1}
    for iv in ivs:
        if t0 < iv.at < t1:
            edges.add(iv.at)
        if iv.duration and t0 < iv.end < t1:
            edges.add(iv.end)
    edges = sorted(edges)
    params = model.parameters
    stim = {k: p.value for k, p in stimulus_drives().items()} | (stim_drives or {})
    segs = []
    for a, b in zip(edges[:-1], edges[1:]):
        over: dict[str, float] = {}
        bumps: dict[str, float] = {}
        for iv in ivs:
            active = iv.at <= a < (iv.end if iv.duration else iv.at)
            if iv.kind == "perfusate" and active:
                if iv.perfusate == "calcium_free":
                    over["ca_perfusate"] = 0.0
                elif iv.perfusate == "calcium":
                    over["ca_perfusate"] = iv.concentration
                elif iv.perfusate == "potassium":
                    over["k_perfusate"] = iv.concentration
                elif iv.perfusate == "tetrodotoxin":
                    over["ttx_perfusate"] = iv.concentration
            elif iv.kind == "stimulus" and active:
                if iv.stimulus not in stim:
                    raise InputError(f"stimulus {iv.stimulus!r} is not modelled by the rate model; allowed: {', '.join(stim)}")
                over["stress_drive"] = over.get("stress_drive", 0.0) + stim[iv.stimulus]
                over["medullary_drive"] = over.get("medullary_drive", 0.0) + medullary_drives()[iv.stimulus].value
            elif iv.kind == "drug":
                d = ident(library.get(iv.drug).name)
                mw = params[f"{d}_molar_mass"].value
                dose = scan_dose if iv.scan else iv.dose
                if iv.route in ("ip", "sc", "po") and math.isclose(iv.at, a):
                    nmol = dose * 1e6 / mw
                    bumps[f"{d}_depot_{iv.route}"] = bumps.get(f"{d}_depot_{iv.route}", 0.0) + params[f"{d}_F_{iv.route}"].value * nmol
                elif iv.route == "iv" and math.isclose(iv.at, a):
                    nmol = dose * 1e6 / mw
                    bumps[f"{d}_p"] = bumps.get(f"{d}_p", 0.0) + nmol / params[f"{d}_volume"].value
                elif iv.route == "sc_minipump" and active:
                    f_sc = params[f"{d}_F_sc"].value if f"{d}_F_sc" in params else 1.0
                    over[f"{d}_infusion"] = over.get(f"{d}_infusion", 0.0) + dose * 1e6 / mw / 86400.0 * f_sc
                elif iv.route == "reverse_dialysis" and active:
                    conc = iv.concentration if not iv.scan else scan_dose
                    if iv.site == "locus_coeruleus":  # dual probe: the second probe sits in the LC
                        over[f"{d}_lc_local"] = conc * params["lc_probe_delivery"].value
                    else:
                        over[f"{d}_perfusate"] = conc
                elif iv.route == "iontophoresis":
                    raise InputError("route iontophoresis: local ejection at the LC is simulated by the recording protocol (protocol = 'recording'), not by the rate model")
                elif iv.route == "bath" and cond.preparation != "slice":
                    raise InputError("route bath: bath application belongs to in vitro assays (measures net_uptake, net_inhibition) and LC slices (preparation = 'slice')")
                elif iv.route == "bath" and (active or (not iv.duration and iv.at <= a)):
                    # slice: the superfused drug reaches the LC neurons at the bath concentration
                    over[f"{d}_lc_local"] = iv.concentration if not iv.scan else scan_dose
        segs.append(Segment(a, b, over, bumps))
    return segs


def simulate_conditions(cond: Conditions, *, library: DrugLibrary | None = None, scan_dose: float | None = None,
                        engine: str = "roadrunner", dt: float = 60.0, parameters: dict[str, float] | None = None,
                        t_start: float | None = None, t_stop: float | None = None) -> xr.Dataset:
    """Simulate the rate model under ``cond`` and return an :class:`xarray.Dataset`.

    Parameters
    ----------
    cond : Conditions
        Subject, region, state, probe and interventions.
    scan_dose : float, optional
        Dose (mg/kg) for an intervention whose dose is ``"scan"``.
    parameters : dict, optional
        Overrides of model parameter values (names as in ``noradsim params``).

    Returns
    -------
    xarray.Dataset
        Time in min; variables with a ``units`` attribute; provenance in ``attrs``.
    """
    library = library or load_library()
    if cond.species != "rat":
        raise InputError(f"species: the rate model is parameterised for rat; {cond.species!r} is not supported yet")
    region = cond.region if cond.region not in ("locus_coeruleus", "in_vitro") else "prefrontal_cortex"
    if cond.region == "in_vitro":
        raise InputError("region in_vitro: use the assay protocol (measures net_uptake, net_inhibition)")
    _check_preparation(cond)
    uses = drug_uses(cond.interventions)
    for u in uses:
        library.get(u.name)
    state = "slice" if cond.preparation == "slice" else cond.state
    model = build_terminal_model(region, state=state, drugs=uses, library=library)
    ecs = model.parameters["ecs_fraction"].value
    length_mm = default_probe_length_mm(cond.region if cond.region == "locus_coeruleus" else region)
    probe = Probe((cond.probe_length or length_mm) / 10.0, cond.flow, ecs)
    lc_probe = Probe(default_probe_length_mm("locus_coeruleus") / 10.0, cond.flow, ecs)
    over = {"probe_delivery": probe.delivery_fraction(), "lc_probe_delivery": lc_probe.delivery_fraction()}
    model_over, stim_over = split_overrides(parameters, state)
    over.update(model_over)
    model = model.with_parameters(over)
    y0 = steady_state(model, engine)
    model = _adapted(model, y0, engine)
    starts = [cond.baseline[0], cond.window[0]] + [iv.at for iv in cond.interventions]
    ends = [cond.window[1], cond.baseline[1]] + [iv.end for iv in cond.interventions]
    t0 = min(starts) if t_start is None else t_start
    t1 = max(ends) if t_stop is None else t_stop
    segs = _segments(cond, model, library, t0, t1, scan_dose, stim_over)
    tr = integrate(model, segs, y0=y0, dt=dt, engine=engine)
    return _dataset(tr, model, cond, probe, library, engine)


def _check_preparation(cond: Conditions) -> None:
    """A slice is an LC slice with bath-applied drugs only; other preparations are in vivo."""
    if cond.preparation == "slice":
        if cond.region != "locus_coeruleus":
            raise InputError(f"preparation slice: only LC slices are modelled (region locus_coeruleus), got {cond.region!r}")
        for iv in cond.interventions:
            if iv.kind != "drug" or iv.route != "bath":
                raise InputError("preparation slice: interventions must be drugs with route 'bath'")
    elif cond.preparation != "in_vivo":
        raise InputError(f"preparation {cond.preparation}: the rate model is in vivo or an LC slice")
    for iv in cond.interventions:
        if iv.kind == "drug" and iv.site and iv.site != "locus_coeruleus":
            raise InputError(f"site {iv.site!r}: the only second-probe site is 'locus_coeruleus'")
        if iv.kind == "drug" and iv.site and iv.route != "reverse_dialysis":
            raise InputError(f"site {iv.site!r}: a second probe needs route 'reverse_dialysis', got {iv.route!r}")


def _adapted(model, y0: dict, engine: str):
    """Set the terminal's alpha2 set point to its drug-free steady state (no desensitisation at baseline)."""
    tr = integrate(model, [Segment(0.0, 1.0)], y0=y0, dt=1.0, engine=engine)
    return model.with_parameters({"a2_adapted": float(tr.values["a2_terminal"][0])})


def clearance_parts(values: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """NET uptake and the other first-order clearance (COMT, diffusion) of extracellular NE (1/s).

    The model's own rules ``k_ecs_net`` and ``k_ecs_clearance`` (model/alpha2.py: NET with its
    down-regulation, COMT, diffusion), so the probe sees exactly the clearance the terminal
    model integrates, with the parameter set the trajectory was run with.
    """
    net = values["k_ecs_net"]
    return net, values["k_ecs_clearance"] - net


def probe_readouts(probe: Probe, uptake, other):
    """Extraction fraction E_d (perfusate calibration) and sampled fraction (dialysate / bulk ECF), trauma layer included."""
    return probe.readouts(uptake + other, probe.trauma_rate(uptake, other))


def _dataset(tr, model, cond: Conditions, probe: Probe, library, engine: str) -> xr.Dataset:
    p = model.parameters.values()
    keep = np.append(np.diff(tr.time) > 0, True)  # at an event keep the value after it
    t_min = tr.time[keep] / 60.0
    v = {k: a[keep] for k, a in tr.values.items()}
    if cond.region == "locus_coeruleus":  # the probe samples somatodendritic NE in the LC
        ne, (up, other) = v["ne_lc"], (p["k_lc_net"] / v["net_factor_lc"], p["k_lc_other"])
    else:
        ne, (up, other) = v["ne_ecf"], clearance_parts(v)
    e_vivo, sampled = probe_readouts(probe, up, other)
    r_vitro = probe.in_vitro_recovery()
    dial = sampled * ne
    dial_da = probe_readouts(probe, v["k_da_net"], v["k_da_other"])[1] * v["da_ecf"]

    def var(x, units, long):  # a (dims, data, attrs) tuple: xarray then skips aligning DataArrays (40x faster)
        return ("time", np.asarray(x, dtype=float), {"units": units, "long_name": long})

    data = {
        "ne_ecf": var(v["ne_ecf"], "nM", "extracellular NE (true)"),
        "dialysate_ne": var(dial, "nM", "NE in dialysate"),
        "extracellular_ne": var(dial / r_vitro, "nM", "extracellular NE, dialysate corrected for in vitro recovery"),
        "extraction_fraction": var(e_vivo, "1", "in vivo extraction fraction of perfusate calibration (Bungay et al. 1990, 2003)"),
        "sampled_fraction": var(sampled, "1", "dialysate NE per bulk ECF NE (trauma layer: below the extraction fraction)"),
        "lc_firing_rate": var(v["lc_rate"], "Hz", "LC mean firing rate"),
        "tissue_ne": var(v["tissue_ne"], "ng/g", "tissue NE content"),
        "alpha2_terminal_activation": var(v["a2_terminal"], "1", "presynaptic alpha2A activation"),
        "alpha2_lc_activation": var(v["a2_lc"], "1", "LC somatodendritic alpha2A activation"),
        "net_occupancy": var(v["net_occupancy"], "1", "NET occupancy by drugs (terminal field)"),
        "ne_vesicular": var(v["ne_ves"] + v["ne_rrp"], "nM", "vesicular NE (per tissue volume)"),
        "ne_cytosolic": var(v["ne_cyt"], "nM", "cytosolic NE (per tissue volume)"),
        "dhpg": var(v["dhpg"], "nM", "DHPG (tissue)"),
        "mhpg": var(v["mhpg"], "nM", "MHPG (tissue)"),
        "normetanephrine": var(v["nmn"], "nM", "normetanephrine (tissue)"),
        "th_rate": var(_rate(v, model, "th"), "nM/s", "tyrosine hydroxylase flux (per tissue volume)"),
        "da_ecf": var(v["da_ecf"], "nM", "extracellular DA (true)"),
        "dialysate_da": var(dial_da, "nM", "DA in dialysate"),
        "extracellular_da": var(dial_da / r_vitro, "nM", "extracellular DA, dialysate corrected for in vitro recovery"),
        "alpha2_terminal_desensitisation": var(v["a2_desens"], "1", "terminal alpha2A desensitisation (0 none, 1 full)"),
        "net_expression": var(v["net_expression"], "1", "fraction of terminal NET left after down-regulation (1 = drug-naive)"),
    }
    ex_vivo = []
    for u in drug_uses(cond.interventions):
        d = ident(library.get(u.name).name)
        if f"{d}_ki_net" in p and f"{d}_p" in v:
            ex_vivo.append((v[f"{d}_b"], tissue_binding_ratio(library.get(u.name))[0], p[f"{d}_ki_net"]))
        if f"{d}_p" in v:
            data[f"{u.name}_plasma"] = var(v[f"{d}_p"], "nM", f"{u.name} total plasma concentration")
        data[f"{u.name}_brain"] = var(v[f"{d}_eff"], "nM", f"{u.name} unbound in brain ECF (at the probe)")
        pk = library.get(u.name).pk
        if pk is not None and pk.kp_brain is not None and f"{d}_p" in v:
            # tissue assay: total brain = Kp x total plasma at equilibrium = unbound ECF x Kp / (Kp,uu fu)
            total = v[f"{d}_b"] * pk.kp_brain.value / (pk.kpuu_brain.value * pk.fu_plasma.value) * p[f"{d}_molar_mass"] / 1000.0
            data[f"{u.name}_brain_total"] = var(total, "ng/g", f"{u.name} total in brain tissue (bound and unbound)")
    occ = measured_occupancy(ex_vivo, cond.assay) if ex_vivo else np.zeros_like(t_min)
    data["net_occupancy_ex_vivo"] = var(np.broadcast_to(occ, t_min.shape), "1",
                                        "NET occupancy measured by ex vivo [3H]nisoxetine binding (rat killed at this time)")
    ds = xr.Dataset(data, coords={"time": ("time", t_min, {"units": "min"})})
    ds.attrs.update({
        "noradsim_version": __version__,
        "model": model.name,
        "engine": engine,
        "species": cond.species,
        "region": cond.region,
        "state": cond.state,
        "probe_length_cm": probe.length_cm,
        "flow_ul_min": cond.flow,
        "in_vitro_recovery": r_vitro,
        "probe_delivery_fraction": p["probe_delivery"],
        "parameters": json.dumps(p),
        "interventions": json.dumps([iv.__dict__ for iv in cond.interventions]),
    })
    return ds


def _rate(values: dict, model, name: str) -> np.ndarray:
    """Evaluate one reaction's rate along a trajectory (numpy, from the declaration)."""
    from ..engine.scipy_engine import _py
    import math as _m

    rx = next(r for r in model.reactions if r.name == name)
    ns = {k: np.asarray(val) for k, val in values.items()}
    ns.update(model.parameters.values())
    ns.update({"math": _m, "_exp": np.exp, "ln": np.log, "exp": np.exp})
    expr = re.sub(r"(?<![A-Za-z0-9_])_exp\(", "np.exp(", _py(rx.rate).replace("math.log", "np.log"))  # not net_expression
    ns["np"] = np
    shape = next(iter(values.values())).shape
    return np.broadcast_to(eval(expr, {"__builtins__": {}}, ns), shape).astype(float)  # noqa: S307 (own declaration)
