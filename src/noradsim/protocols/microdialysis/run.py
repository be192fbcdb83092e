"""Run a virtual microdialysis experiment: simulate, collect samples, HPLC-ECD, population."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import xarray as xr

from ...drugs import DrugLibrary, load_library
from ..timecourse import simulate_conditions
from .config import MicrodialysisConfig
from .population import PopulationResult
from .sampling import Samples, collect


@dataclass(frozen=True)
class MicrodialysisResult:
    """A finished microdialysis experiment. ``write(out_dir)`` writes report, NetCDF and CSV."""

    config: MicrodialysisConfig
    seed: int
    dataset: xr.Dataset
    samples: Samples  # recovery-corrected measured samples (HPLC noise included)
    measured: np.ndarray  # dialysate nM per sample, with HPLC noise
    recovery: float
    mechanism: str
    population: PopulationResult | None = None
    sobol: dict | None = None  # first-order and total Sobol indices of the peak, when asked
    library: DrugLibrary | None = None  # the drug library the run used (user compounds included)

    @property
    def below_detection(self) -> np.ndarray:
        """Samples whose dialysate concentration is below the HPLC detection limit."""
        return self.measured < self.config.detection_limit

    def to_dict(self) -> dict:
        """The summary the CLI prints: peak, trough, baseline, mechanism, placement."""
        out = {"peak_percent_baseline": self.samples.peak_percent(), "min_percent_baseline": self.samples.min_percent(),
               "baseline_nM": self.samples.baseline_mean, "mechanism": self.mechanism,
               "placement_ok": self.config.placement_ok, "n_samples": int(len(self.samples.starts))}
        if self.population is not None:
            q = self.population.interval()
            out.update({"peak_percent_p5": float(q["peak_percent_baseline"][0]),
                        "peak_percent_p95": float(q["peak_percent_baseline"][2])})
        return out

    def write(self, out_dir) -> None:
        """Write ``results.nc``, ``results.csv`` and ``report.html`` into ``out_dir``."""
        from .report import write_outputs

        write_outputs(self, out_dir)


def run(config: MicrodialysisConfig, *, seed: int = 0, library: DrugLibrary | None = None,
        progress: bool = False) -> MicrodialysisResult:
    """Simulate the experiment, collect samples, add HPLC noise (seeded) and the population."""
    from tqdm import tqdm

    from .report import mechanism_summary

    library = library or load_library()
    cond = config.conditions
    bar = tqdm(total=3 + (config.population is not None), disable=not progress, desc="microdialysis", leave=False)
    ds = simulate_conditions(cond, library=library, parameters=config.parameters, dt=min(60.0, cond.sample / 10))
    bar.update(1)
    t = ds["time"].values * 60.0
    raw = collect(t, ds["dialysate_ne"].values, cond.sample, cond.baseline, cond.window)
    rng = np.random.default_rng(seed)
    measured = raw.means * (1.0 + config.cv * rng.standard_normal(raw.means.shape))
    recovery = float(ds.attrs["in_vitro_recovery"])
    samples = replace(raw, means=measured / recovery)
    ds.attrs["seed"] = seed
    ds.attrs["hplc_cv"] = config.cv
    bar.update(1)
    mech = mechanism_summary(ds, cond)
    population, sobol = _population(config, seed, library) if config.population is not None else (None, None)
    bar.update(1 + (population is not None))
    bar.close()
    return MicrodialysisResult(config, seed, ds, samples, measured, recovery, mech, population, sobol, library)


def _population(config: MicrodialysisConfig, seed: int, library) -> tuple[PopulationResult, dict | None]:
    from .population import sobol_indices, virtual_population

    spec = config.population
    pop = virtual_population(config.conditions, spec.n, parameters=spec.parameters, spread=spec.spread, seed=seed,
                             workers=spec.workers, library=library)
    idx = None
    if spec.sobol:
        idx = sobol_indices(config.conditions, parameters=spec.parameters, spread=spec.spread, seed=seed,
                            workers=spec.workers, library=library)
    return pop, idx
