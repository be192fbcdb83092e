r"""Disease phenotypes and how drugs shift the functional read-outs under them.

Phenotypes (``noradsim/data/phenotypes.toml``) are cited multiplicative factors on named
quantities -- ``lc_neuron_fraction``, ``net_vmax_factor``, ``th_vmax_factor`` -- and an
additive ``lc_drive_offset`` (Hz); the terminal/LC model maps them onto its parameters.

:func:`drug_shifts` takes ECF NE and drug concentrations per condition (from the
foundation model, or from :func:`surrogate_state`) and reports every read-out and its
change from the reference condition. :func:`phenotype_experiment` runs the whole chain
with the steady-state surrogate:

.. math:: NE = NE_0 \frac{f_{LC}\,(r/r_0)\,\theta^{e}\,(1 - g_{a}\Delta A_{\alpha2})}
                       {f_{NET}\,v_{NET}\,(1 - \rho_{NET}) + (1 - f_{NET})}

with LC rate :math:`r = (r_0 + \delta)(1 - g_{LC}\Delta A_{\alpha2})`, NET occupancy
:math:`\rho_{NET}` by the drugs (competitive, by Ki), and :math:`\Delta A_{\alpha2}` the
alpha2A activation above its basal level, normalised to the remaining range (negative
for antagonists). The fixed point in NE is found by bracketing (the right side falls
monotonically with NE).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from scipy.optimize import brentq

from ..drugs import DrugLibrary, load_library
from ..errors import InputError, unknown
from ..parameters import Parameter, ParameterSet, _record, data_path, load_parameter_table, read_toml
from ..pk import brain_concentration
from .occupancy import activation
from .readouts import readout_parameters, readouts

FACTORS = ("lc_neuron_fraction", "net_vmax_factor", "th_vmax_factor", "lc_drive_offset")
DEFAULT_DOSES = {  # drug: (mg/kg, route, time after dose s) -- typical rat doses
    "atomoxetine": (1.0, "ip", 3600.0),
    "desipramine": (10.0, "ip", 3600.0),
    "guanfacine": (0.3, "ip", 3600.0),
    "clonidine": (0.03, "ip", 1800.0),
}


@dataclass(frozen=True)
class Phenotype:
    """A disease phenotype: its cited factors (:data:`FACTORS`) on the terminal/LC model."""

    name: str
    description: str
    factors: ParameterSet

    def value(self, name: str) -> float:
        """Value of one factor."""
        return self.factors[name].value


@lru_cache(maxsize=1)
def load_phenotypes() -> dict[str, Phenotype]:
    """The shipped phenotypes, each factor a cited :class:`Parameter`."""
    path = data_path("phenotypes.toml")
    doc = read_toml(path)
    out = {}
    for name in doc.get("phenotype", {}):
        entry = doc["phenotype"][name]
        recs = {}
        for f in FACTORS:
            if f not in entry:
                raise InputError(f"phenotypes.toml phenotype {name}: lacks factor {f!r}")
            recs[f] = _record(f, entry[f], f"phenotypes.toml phenotype {name}")
        out[name] = Phenotype(name, str(entry.get("description", "")), ParameterSet(recs))
    return out


def get_phenotype(name: str) -> Phenotype:
    """The shipped phenotype ``name``; an unknown name is an input error with suggestions."""
    table = load_phenotypes()
    if name not in table:
        raise unknown("phenotype", name, table)
    return table[name]


@lru_cache(maxsize=1)
def surrogate_parameters() -> dict[str, float]:
    """``{name: value}`` of the ``[surrogate]`` table of ``phenotypes.toml``."""
    return load_parameter_table(data_path("phenotypes.toml"), "surrogate").values()


def _net_occupancy(drug_nM: dict[str, float], species: str, library: DrugLibrary | None) -> float:
    if not drug_nM:
        return 0.0
    lib = library or load_library()
    xs = [c / lib.get(d).ki("NET", species) for d, c in drug_nM.items()]
    return sum(xs) / (1.0 + sum(xs))


def surrogate_state(phenotype: str = "control", drug_nM: dict[str, float] | None = None, *,
                    species: str = "rat", library: DrugLibrary | None = None) -> dict[str, float]:
    """Steady-state prefrontal ECF NE (nM) and LC rate (Hz) under a phenotype and drugs.

    Examples
    --------
    >>> round(surrogate_state("control")["ne_nM"], 6)
    1.5
    """
    ph = get_phenotype(phenotype)
    s = surrogate_parameters()
    ne0 = readout_parameters()["ne_basal"]
    drugs = dict(drug_nM or {})
    lib = library or (load_library() if drugs else None)
    rho = _net_occupancy(drugs, species, lib)
    clearance = s["net_clearance_fraction"] * ph.value("net_vmax_factor") * (1 - rho) + (1 - s["net_clearance_fraction"])
    a_basal = float(activation("alpha2A", {"norepinephrine": s["lc_exposure"] * ne0}, species))

    def delta_a2(ne):
        a = float(activation("alpha2A", {"norepinephrine": s["lc_exposure"] * ne, **drugs}, species, library=lib))
        return (a - a_basal) / (1.0 - a_basal)

    def rate(ne):
        return max(0.0, (s["lc_rate_basal"] + ph.value("lc_drive_offset")) * (1 - s["lc_alpha2_gain"] * delta_a2(ne)))

    def rhs(ne):
        release = (ph.value("lc_neuron_fraction") * rate(ne) / s["lc_rate_basal"]
                   * ph.value("th_vmax_factor") ** s["th_release_exponent"]
                   * max(0.0, 1 - s["autoreceptor_gain"] * delta_a2(ne)))
        return ne0 * release / clearance

    hi = ne0 * 1e4
    ne = brentq(lambda x: x - rhs(x), 0.0, hi, xtol=1e-12, rtol=1e-10) if rhs(0.0) > 0 else 0.0
    return {"ne_nM": float(ne), "lc_rate_hz": rate(ne), "net_occupancy": rho}


def drug_shifts(conditions: dict[str, tuple[float, dict[str, float] | None, float | None]], *,
                reference: str = "vehicle", species: str = "rat",
                library: DrugLibrary | None = None) -> dict[str, dict[str, float]]:
    """Read-outs per condition and their change from ``reference``.

    Parameters
    ----------
    conditions : dict
        ``{label: (ecf_ne_nM, drug_nM or None, lc_rate_hz or None)}``: the foundation's
        (or the surrogate's) steady state under each treatment.
    reference : str
        Label of the condition the changes are taken against.

    Returns
    -------
    dict
        ``{label: {readout: value, "delta_<readout>": value - reference}}``.
    """
    if reference not in conditions:
        raise unknown("reference condition", reference, conditions)
    table = {}
    for label, (ne, drugs, rate) in conditions.items():
        r = readouts(float(ne), drugs or None, lc_rate_hz=rate, species=species, library=library)
        table[label] = {"ne_nM": float(ne), **({"lc_rate_hz": float(rate)} if rate is not None else {}), **r}
    ref = table[reference]
    for label, row in table.items():
        for k in list(row):
            if not k.startswith("delta_") and k in ref:
                row[f"delta_{k}"] = row[k] - ref[k]
    return table


def phenotype_experiment(phenotype: str, drugs: dict[str, float] | None = None, *, species: str = "rat",
                         library: DrugLibrary | None = None) -> dict[str, dict[str, float]]:
    """Control vs phenotype, untreated and under each drug, through the surrogate.

    ``drugs`` maps drug names to brain concentrations (nM); by default atomoxetine,
    desipramine, guanfacine and clonidine at the brain concentration that
    :data:`DEFAULT_DOSES` gives (:func:`noradsim.pk.brain_concentration`).
    Deltas are against the untreated phenotype (``vehicle``); ``control`` is the
    untreated healthy reference.
    """
    lib = library or load_library()
    if drugs is None:
        drugs = {d: brain_concentration(d, *DEFAULT_DOSES[d][:2], DEFAULT_DOSES[d][2], library=lib) for d in DEFAULT_DOSES}
    conds = {}
    ctl = surrogate_state("control", None, species=species, library=lib)
    conds["control"] = (ctl["ne_nM"], None, ctl["lc_rate_hz"])
    base = surrogate_state(phenotype, None, species=species, library=lib)
    conds["vehicle"] = (base["ne_nM"], None, base["lc_rate_hz"])
    for d, c in drugs.items():
        st = surrogate_state(phenotype, {d: float(c)}, species=species, library=lib)
        conds[d] = (st["ne_nM"], {d: float(c)}, st["lc_rate_hz"])
    out = drug_shifts(conds, reference="vehicle", species=species, library=lib)
    for d, c in drugs.items():
        out[d]["drug_nM"] = float(c)
    return out


def phenotype_factors(phenotype: str) -> dict[str, float]:
    """``{factor: value}`` for the lead's model mapping."""
    ph = get_phenotype(phenotype)
    return {f: ph.value(f) for f in FACTORS}


__all__ = ["FACTORS", "Phenotype", "load_phenotypes", "get_phenotype", "surrogate_state", "drug_shifts", "run_phenotype",
           "phenotype_experiment", "phenotype_factors"]


_EXP_TOP = ("schema", "protocol", "phenotype", "species", "region", "title", "drug", "notes", "seed", "drugs")
_EXP_DRUG = ("name", "dose", "route", "at", "brain_concentration")
REPORTED = ("ne_nM", "lc_rate_hz", "working_memory", "low_tone_index", "anxiety_index", "stress_response",
            "microglia_inflammation", "p_wake", "task_performance")


def run_phenotype(experiment: dict, out_dir) -> dict:
    """Run a phenotype table through the surrogate; write ``phenotype.csv``, a figure and ``report.html``.

    This is a Python entry point, not a ``noradsim run`` protocol: in an experiment file a
    phenotype is the ``phenotype = "..."`` field of a microdialysis experiment
    (:func:`noradsim.protocols.microdialysis.phenotype_overrides` maps it onto the terminal model). The table::

        protocol = "phenotype"
        phenotype = "adhd_net_hyperfunction"
        [[drug]]
        name = "atomoxetine"
        dose = "1 mg/kg"        # or brain_concentration = "30 nM"
        route = "ip"
        at = "60 min"

    Without ``[[drug]]`` the four default drugs (:data:`DEFAULT_DOSES`) are used.

    Parameters
    ----------
    experiment : dict
        The table above.
    out_dir : path
        Directory to write into (created).

    Returns
    -------
    dict
        ``{"table": {condition: {readout: value, "delta_...": ...}}, "files": [...]}``.
    """
    from pathlib import Path

    lib = load_library()
    name, species, drugs = _phenotype_request(experiment, lib)
    table = phenotype_experiment(name, drugs, species=species, library=lib)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    cols = _write_phenotype_csv(table, out / "phenotype.csv")
    _plot_phenotype(table, name, out / "phenotype.png")
    (out / "report.html").write_text(_phenotype_page(name, table, cols))
    return {"table": table, "files": ["phenotype.csv", "phenotype.png", "report.html"]}


def _phenotype_request(experiment: dict, lib: DrugLibrary) -> tuple[str, str, dict[str, float] | None]:
    """Check the table: phenotype name, species and ``{drug: brain nM}`` (None: the default drugs)."""
    for k in experiment:
        if k not in _EXP_TOP:
            raise unknown("experiment field", k, _EXP_TOP)
    if experiment.get("protocol") != "phenotype":
        raise unknown("protocol", experiment.get("protocol"), ["phenotype"])
    name = str(experiment.get("phenotype", "control"))
    get_phenotype(name)
    species = str(experiment.get("species", "rat"))
    if "drug" not in experiment:
        return name, species, None
    return name, species, dict(_drug_entry(d, i, lib) for i, d in enumerate(experiment["drug"]))


def _drug_entry(d: dict, i: int, lib: DrugLibrary) -> tuple[str, float]:
    """One ``[[drug]]`` entry as (library name, unbound brain concentration in nM)."""
    from ..units import parse_quantity

    w = f"drug[{i}]"
    for k in d:
        if k not in _EXP_DRUG:
            raise unknown(f"{w} field", k, _EXP_DRUG)
    drug = lib.get(d.get("name", "")).name
    if "brain_concentration" in d:
        return drug, parse_quantity(d["brain_concentration"], "concentration", f"{w}.brain_concentration")
    if "dose" in d:
        return drug, brain_concentration(drug, parse_quantity(d["dose"], "dose", f"{w}.dose"),
                                         str(d.get("route", "ip")),
                                         parse_quantity(d.get("at", "60 min"), "time", f"{w}.at"), library=lib)
    raise InputError(f"{w}: drug {drug!r} needs dose or brain_concentration")


def _write_phenotype_csv(table: dict, path) -> list[str]:
    """Values and changes of the :data:`REPORTED` read-outs per condition; returns the columns written."""
    cols = [c for c in REPORTED if c in table["vehicle"]]
    with open(path, "w") as fh:
        fh.write("condition,drug_nM," + ",".join(cols + [f"delta_{c}" for c in cols]) + "\n")
        for label, row in table.items():
            vals = [row.get(c, float("nan")) for c in cols] + [row.get(f"delta_{c}", float("nan")) for c in cols]
            fh.write(f"{label},{row.get('drug_nM', 0.0):.6g}," + ",".join(f"{v:.6g}" for v in vals) + "\n")
    return cols


def _plot_phenotype(table: dict, name: str, path) -> None:
    """Bars of ECF NE, working memory and the low-tone index per condition."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .readouts import READOUT_LABELS

    labels = list(table)
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.6))
    for ax, key in zip(axes, ("ne_nM", "working_memory", "low_tone_index")):
        ax.bar(labels, [table[lab][key] for lab in labels], color="#6a8fc7")
        name, unit, _ = READOUT_LABELS[key]
        ax.set_title(name, fontsize=10)
        ax.set_ylabel(unit)
        ax.tick_params(axis="x", rotation=45)
    fig.suptitle(f"{name}: drug effects on the read-outs")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _phenotype_page(name: str, table: dict, cols: list[str]) -> str:
    """The report page (via :func:`noradsim.reporting.html.page`): factors with sources, figure, table."""
    import html

    from ..reporting.html import page
    from ..reporting.html import table as html_table

    ph = get_phenotype(name)
    factors = "".join(f"<li>{f} = {ph.value(f):g} {ph.factors[f].unit}: {html.escape(ph.factors[f].source)}</li>"
                      for f in FACTORS)
    rows = [[html.escape(lab)] + [f"{table[lab].get(c, float('nan')):.3g}" for c in cols] for lab in table]
    body = (f"<p>{html.escape(ph.description)}</p><ul>{factors}</ul>"
            "<p>ECF NE and LC rate from the steady-state surrogate (noradsim.receptors.phenotypes); read-outs from "
            "noradsim.receptors.readouts.</p><img src='phenotype.png' alt='phenotype'>"
            + html_table(["condition", *cols], rows))
    return page(f"Phenotype {name}", body)
