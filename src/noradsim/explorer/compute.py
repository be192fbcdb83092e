"""The explorer's computations, without the browser: runs, curves, and their caches.

Each run goes through the protocol registry (``protocols.get(name).parse/run``), the path
``noradsim run`` takes. The rate model's compiled form and baseline are cached by the
engine and :func:`noradsim.protocols.timecourse.steady_state`; finished runs are cached
here by their TOML text, so that going back to a setting costs nothing. One lock keeps
the rate model to one run at a time (the engine's caches are shared by every session).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from .forms import check_experiment, to_toml

RATE_LOCK = threading.RLock()
_RUNS: OrderedDict = OrderedDict()
_MAX_RUNS = 32

# figure key -> (title, y-axis label)
FIGURES = {
    "ne_percent": ("Extracellular NE, % of baseline", "% of baseline"),
    "ne_nM": ("NE concentration", "nM"),
    "occupancy": ("NET occupancy by the drugs", "% of NET"),
    "alpha2": ("alpha2A-adrenoceptor activation", "fraction"),
    "lc": ("Locus coeruleus firing rate", "Hz"),
    "drugs": ("Drug concentrations", "nM"),
    "metabolites": ("NE metabolites (tissue)", "nM"),
}
READOUTS = {"working_memory": "Working memory (PFC alpha2A/alpha1)", "arousal": "Arousal",
            "task_performance": "Task performance (inverted U)", "low_tone_index": "Low NE tone index",
            "anxiety_index": "Anxiety index", "microglia_inflammation": "Microglial inflammation",
            "astrocyte_neurotrophic": "Astrocyte trophic support"}


@dataclass(frozen=True)
class Curve:
    """One line of a figure: its label and its points (x in min)."""

    label: str
    x: np.ndarray
    y: np.ndarray


@dataclass
class Run:
    """A finished microdialysis run and what the page shows of it."""

    toml: str
    result: object  # MicrodialysisResult
    curves: dict[str, list[Curve]] = field(default_factory=dict)
    published: list = field(default_factory=list)

    @property
    def dataset(self):
        return self.result.dataset

    def summary(self) -> dict:
        return self.result.to_dict()


def run_experiment(doc: dict, library=None) -> Run:
    """Check and run a microdialysis document (cached by its TOML text); :class:`InputError` on bad input."""
    from .. import protocols
    from ..protocols.microdialysis.published import find_published

    text = to_toml(doc)
    if text in _RUNS:
        _RUNS.move_to_end(text)
        return _RUNS[text]
    with RATE_LOCK:
        config = check_experiment(doc, library)
        from ..checks import solver_guard

        with solver_guard("experiment"):
            result = protocols.get("microdialysis").run(config, seed=int(doc.get("seed", 0)), library=library)
    run = Run(text, result, curves(result), find_published(config.conditions))
    _RUNS[text] = run
    while len(_RUNS) > _MAX_RUNS:
        _RUNS.popitem(last=False)
    return run


def _percent(y: np.ndarray, t_min: np.ndarray, baseline_s: tuple[float, float]) -> np.ndarray:
    base = (t_min * 60 >= baseline_s[0]) & (t_min * 60 <= baseline_s[1])
    ref = float(np.mean(y[base])) if base.any() else float(y[0])
    return 100.0 * y / ref if ref > 0 else np.full_like(y, np.nan)


def _steps(starts, ends, values) -> tuple[np.ndarray, np.ndarray]:
    """Sample bins as a step line (each bin a flat segment)."""
    x = np.ravel(np.column_stack([starts, ends]))
    y = np.ravel(np.column_stack([values, values]))
    return x, y


def curves(result) -> dict[str, list[Curve]]:
    """Every figure's lines for one run, named in words."""
    ds, s = result.dataset, result.samples
    cond = result.config.conditions
    t = ds["time"].values
    v = {k: ds[k].values for k in ds.data_vars}
    sx, sy = _steps(s.starts / 60, s.ends / 60, s.percent())
    out = {
        "ne_percent": [Curve("ECF NE (true)", t, _percent(v["ne_ecf"], t, cond.baseline)),
                       Curve("dialysate samples (recovery-corrected)", sx, sy)],
        "ne_nM": [Curve("ECF NE (true)", t, v["ne_ecf"]),
                  Curve("dialysate / in vitro recovery", t, v["extracellular_ne"]),
                  Curve("dialysate", t, v["dialysate_ne"])],
        "occupancy": [Curve("NET occupancy", t, 100 * v["net_occupancy"])],
        "alpha2": [Curve("terminal (presynaptic)", t, v["alpha2_terminal_activation"]),
                   Curve("LC (somatodendritic)", t, v["alpha2_lc_activation"])],
        "lc": [Curve("LC mean rate", t, v["lc_firing_rate"])],
        "metabolites": [Curve("DHPG", t, v["dhpg"]), Curve("MHPG", t, v["mhpg"]),
                        Curve("normetanephrine", t, v["normetanephrine"])],
        "drugs": [],
    }
    for name in ds.data_vars:
        for suffix, where in (("_plasma", "plasma (total)"), ("_brain", "brain ECF (unbound)")):
            if name.endswith(suffix):
                out["drugs"].append(Curve(f"{name[: -len(suffix)]}, {where}", t, v[name]))
    for key, label, y in readout_curves(ds, result.library):
        out[f"readout:{key}"] = [Curve(label, t, y)]
    return out


def readout_curves(ds, library=None) -> list[tuple[str, str, np.ndarray]]:
    """The functional read-outs along the time course (noradsim.receptors.readouts)."""
    from ..receptors.readouts import readouts

    drugs = {v[: -len("_brain")]: ds[v].values for v in ds.data_vars if v.endswith("_brain")}
    t = ds["time"].values
    r = readouts(ds["ne_ecf"].values, drugs or None, lc_rate_hz=ds["lc_firing_rate"].values, time_s=t * 60.0,
                 library=library)
    return [(k, label, np.broadcast_to(np.asarray(r[k], dtype=float), t.shape)) for k, label in READOUTS.items()
            if k in r]


def published_lines(run: Run) -> list[str]:
    """Sentences putting each matching published value beside the simulated one."""
    s = run.result.samples
    out = []
    for pub in run.published:
        sim = s.peak_percent() if pub.statistic.startswith("peak") else s.min_percent()
        verdict = "within" if pub.low <= sim <= pub.high else "outside"
        what = "peak" if pub.statistic.startswith("peak") else "trough"
        out.append(f"Published ({pub.source}): {what} {pub.expected:g} % of baseline, accepted "
                   f"{pub.low:g}-{pub.high:g} %. Simulated: {sim:.0f} %, {verdict} the range "
                   f"(calibration target {pub.target_id}).")
    return out


# --- dose-response -------------------------------------------------------------------------

def dose_response_point(drug: str, route: str, dose_mgkg: float, region: str, *, n: int, spread: float,
                        seed: int = 0, state: str = "awake", sample: str = "20 min", library=None) -> np.ndarray:
    """5th, 50th and 95th percentiles of the peak NE (% of baseline) of a virtual population at one dose.

    Uses the microdialysis protocol's own population code (``virtual_population``): every
    rat's least certain parameters vary log-uniformly within x/``spread`` of the cited values.
    """
    from ..protocols.conditions import parse_conditions
    from ..protocols.microdialysis import virtual_population

    doc = {"region": region, "state": state, "sample": sample,
           "interventions": [{"drug": drug, "dose": f"{dose_mgkg:g} mg/kg", "route": route}]}
    cond = parse_conditions(doc, "dose-response")
    with RATE_LOCK:
        pop = virtual_population(cond, n, spread=spread, seed=seed, library=library)
    return pop.interval()["peak_percent_baseline"]


def dose_grid(low: float, high: float, n: int) -> np.ndarray:
    """``n`` doses spaced evenly on a log scale from ``low`` to ``high`` (mg/kg)."""
    return np.geomspace(low, high, n)
