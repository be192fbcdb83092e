"""The microdialysis experiment file: every field checked before anything is simulated."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from ...drugs import DrugLibrary, load_library
from ...errors import InputError, unknown
from ...units import checked_number, parse_quantity
from ...vocabulary import EXPERIMENT_KEYS, MICRODIALYSIS_KEYS, TERMINAL_REGIONS, UNCERTAINTY_KEYS
from ...checks import check_sample, check_table
from ..conditions import Conditions, parse_conditions

DEFAULT_POPULATION_PARAMETERS = ("net_vmax", "release_per_spike", "k_diffusion_loss", "terminal_alpha2_tau",
                                 "alpha2_max_inhibition", "lc_alpha2_weight", "k_mobilisation", "th_vmax")


@dataclass(frozen=True)
class PopulationSpec:
    """A virtual population of ``n`` rats whose ``parameters`` vary log-uniformly within x/``spread``."""

    n: int = 100
    spread: float = 2.0
    workers: int = 1
    parameters: tuple[str, ...] = DEFAULT_POPULATION_PARAMETERS
    sobol: bool = False


@dataclass(frozen=True)
class MicrodialysisConfig:
    """A checked microdialysis experiment (times in s, concentrations in nM)."""

    conditions: Conditions
    intended_region: str
    name: str = "experiment"
    description: str = ""
    equilibration: float = 7200.0
    overrides: tuple[tuple[str, float], ...] = ()
    phenotype: str | None = None
    detection_limit: float = 0.05
    cv: float = 0.05
    population: PopulationSpec | None = None

    @property
    def placement_ok(self) -> bool:
        """Whether histology puts the probe where it was aimed."""
        return self.intended_region == self.conditions.region

    @property
    def parameters(self) -> dict[str, float]:
        """Model parameter overrides (phenotype first, then the file's ``[parameters]``)."""
        return dict(self.overrides)


def phenotype_overrides(name: str, region: str = "prefrontal_cortex") -> dict[str, float]:
    """Model parameter values for a disease phenotype (``data/phenotypes.toml`` factors) in ``region``.

    Lost LC neurons take their axon terminals with them: the terminal-field density of the
    region (``innervation``, which scales TH, VMAT2, NET and the releasable stores) and the
    somatodendritic NE release and NET of the LC scale with ``lc_neuron_fraction``. Each
    surviving terminal still fires at the LC rate (the model's own ``lc_neuron_fraction``,
    a gate on spikes reaching the terminals, stays 1), and TH and NET per terminal carry
    the phenotype's ``th_vmax_factor`` and ``net_vmax_factor``.

    Parameters
    ----------
    name : str
        A phenotype of ``data/phenotypes.toml``.
    region : str
        The terminal region sampled (``data/regions.toml``); its ``innervation`` is scaled.

    Returns
    -------
    dict[str, float]
        ``{parameter: value}`` for :meth:`Model.with_parameters`.
    """
    from ...model.terminal import region_table, terminal_parameters
    from ...receptors.phenotypes import phenotype_factors

    f = phenotype_factors(name)
    p = terminal_parameters()
    regions = region_table()
    if region not in regions:
        raise unknown("phenotype region", region, regions)
    surviving = f["lc_neuron_fraction"]
    return {"innervation": regions[region]["innervation"].value * surviving,
            "lc_release_gain": p["lc_release_gain"].value * surviving,  # fewer LC somata and dendrites release
            "k_lc_net": p["k_lc_net"].value * surviving,  # ... and carry fewer NET
            "net_vmax": p["net_vmax"].value * f["net_vmax_factor"],
            "th_vmax": p["th_vmax"].value * f["th_vmax_factor"],
            # drive units are about 1 Hz each near the awake rate (data/lc.toml: lc_rate_scale)
            "lc_drive_offset": f["lc_drive_offset"]}


def parse(doc: dict, *, where: str = "experiment", library: DrugLibrary | None = None) -> MicrodialysisConfig:
    """Check a ``protocol = "microdialysis"`` document; raises :class:`InputError` naming the field."""
    allowed = EXPERIMENT_KEYS + MICRODIALYSIS_KEYS
    for k in doc:
        if k not in allowed:
            raise unknown(f"{where}: field", k, allowed)
    library = library or load_library()
    cond = parse_conditions(doc, where)
    check_sample(cond.sample, cond.window, f"{where} sample")  # at least one dialysate sample in the window
    equil = parse_quantity(doc.get("equilibration", "120 min"), "time", f"{where} equilibration")
    lod, cv = _hplc(doc.get("hplc", {}), where)
    intended = cond.region
    placement = doc.get("placement", {"region": cond.region})
    actual = placement.get("region", cond.region) if isinstance(placement, dict) else placement
    if not isinstance(placement, dict) or actual not in TERMINAL_REGIONS:
        raise unknown(f"{where} placement.region", actual, TERMINAL_REGIONS)
    cond = replace(cond, region=actual)  # the probe samples where histology puts it
    overrides = _overrides(doc, where, actual)
    if cond.species != "rat":
        raise InputError(f"{where} species: the rate model is parameterised for rat; {cond.species!r} is not supported yet")
    if cond.region not in TERMINAL_REGIONS:
        raise unknown(f"{where} region (microdialysis)", cond.region, TERMINAL_REGIONS)
    population = _population(doc.get("uncertainty"), where)
    _check_model(cond, overrides, population, library)
    return MicrodialysisConfig(cond, intended, str(doc.get("name", where)), str(doc.get("description", "")), equil,
                               tuple(overrides.items()), doc.get("phenotype") and str(doc["phenotype"]), lod, cv,
                               population)


def _overrides(doc: dict, where: str, region: str) -> dict[str, float]:
    overrides = doc.get("parameters", {})
    if not isinstance(overrides, dict):
        raise InputError(f"{where} parameters: must be a table of name = value")
    for k, v in overrides.items():
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise InputError(f"{where} parameters.{k}: must be a finite number")
    phenotype = doc.get("phenotype")
    base = phenotype_overrides(str(phenotype), region) if phenotype is not None else {}
    return {**base, **{k: float(v) for k, v in overrides.items()}}


def _hplc(hplc, where: str) -> tuple[float, float]:
    lod = parse_quantity(hplc.get("detection_limit", "0.05 nM"), "concentration", f"{where} hplc.detection_limit")
    cv = float(hplc.get("cv", 0.05))
    if not 0 <= cv < 1:
        raise InputError(f"{where} hplc.cv: must be in [0, 1)")
    return lod, cv


def _population(unc, where: str) -> PopulationSpec | None:
    if unc is None:
        return None
    check_table(unc, UNCERTAINTY_KEYS, f"{where} uncertainty", "(n, spread, workers, parameters)")
    n_rats = checked_number(unc.get("n", 100), f"{where} uncertainty.n", integer=True, low=1, high=100000)
    spread = checked_number(unc.get("spread", 2.0), f"{where} uncertainty.spread", low=1, high=100)
    params = tuple(unc.get("parameters", DEFAULT_POPULATION_PARAMETERS))
    return PopulationSpec(n_rats, float(spread), int(unc.get("workers", 1)), params, bool(unc.get("sobol", False)))


def _check_model(cond: Conditions, overrides: dict, population: PopulationSpec | None, library) -> None:
    """Build the model once so that parameter names and bounds fail before any simulation."""
    from ...model.terminal import build_terminal_model
    from ..timecourse import drug_uses

    model = build_terminal_model(cond.region, state=cond.state, drugs=drug_uses(cond.interventions), library=library)
    model.with_parameters(overrides)
    for name in population.parameters if population else ():
        model.parameters[name]  # unknown names raise with suggestions
