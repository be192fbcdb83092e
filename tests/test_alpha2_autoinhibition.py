"""Terminal alpha2 autoinhibition by endogenous NA in a virtual brain slice (round 7, issue #9).

The model's tonic terminal alpha2 tone is an ASSUMED-input quantity (volume-transmission
enrichment: varicosity radius and density; NE's alpha2A constant). The classical independent
measurement of its size is the facilitation of electrically evoked [3H]NA overflow from
superfused brain slices by an alpha2 antagonist. This file builds that experiment from the
model's own terminal (frontal cortex parameters): a slice at rest (no LC or medullary drive,
no extracellular NE at the start), field stimulation as a train invading every terminal, the
release of the train integrated with and without a saturating antagonist in the bath.

Protocol facts used (each seen in an abstract; see docs/mechanisms.md, round 7):

* Rat brain cortex slices, 3 pulses at 100 Hz: alpha2 antagonists "did not per se increase
  the evoked overflow" (Trendelenburg, Limberger & Starke 1993, Naunyn-Schmiedebergs Arch
  Pharmacol 348:35): a short train has no autoinhibition.
* Rabbit cerebral cortex slices, 2-min trains at 0.2-3 Hz: rauwolscine and idazoxan
  increased the evoked overflow "much more, the higher the frequency", and more in the
  presence of cocaine 10 uM than in its absence (Heepe & Starke 1985, Br J Pharmacol 84:147).
* Rat spinal cord (dorsal half) slices: yohimbine 0.1-1 uM enhanced the evoked [3H]NA
  overflow "by 160 % maximally" (Reimann & Schneider 1989, Eur J Pharmacol 167:161). The
  stimulation parameters are not in the abstract and the region is not a cortex, so the
  number cannot be inverted to an input; it is recorded as a strict xfail: whatever the
  low-frequency protocol, the model's facilitation is far smaller.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from noradsim.engine.scipy_engine import compile_rhs
from noradsim.model.terminal import DrugUse, build_terminal_model, terminal_parameters

ANTAGONIST = "yohimbine"  # the library's alpha2 antagonist used by Reimann & Schneider (1 uM saturates)
UPTAKE_BLOCKER = "cocaine"  # Heepe & Starke 1985: 10 uM


def _slice():
    model = build_terminal_model("frontal_cortex",
                                 drugs=(DrugUse(ANTAGONIST, ("reverse_dialysis",)),
                                        DrugUse(UPTAKE_BLOCKER, ("reverse_dialysis",))))
    rhs, observe, names = compile_rhs(model)
    return model, rhs, observe, names


_MODEL = None


def _compiled():
    global _MODEL
    if _MODEL is None:
        _MODEL = _slice()
    return _MODEL


def _train_release(freq: float, pulses: int, antagonist_nm: float, blocker_nm: float,
                   overrides: dict | None = None) -> float:
    """NE released by one train (model units): slice at rest 10 min, then ``pulses`` at ``freq``.

    Field stimulation excites every noradrenergic axon in the slice (``lc_share`` 1, the LC
    rate species held at the train frequency, ``lc_tau`` effectively infinite); the bath
    reaches the tissue in full (``probe_delivery`` 1, ions and TTX as in normal ECF). The
    model's in vivo clearance is kept: a slice also loses NE to the bath, so the model's
    extracellular NE, and its autoinhibition, are if anything too high.
    """
    model, rhs, observe, names = _compiled()
    p = {q.name: q.value for q in model.parameters}
    p.update(lc_tau=1e12, lc_share=1.0, lc_neuron_fraction=1.0, medullary_rate_basal=0.0,
             probe_delivery=1.0, ca_perfusate=p["ca_normal"], k_perfusate=p["k_normal"], ttx_perfusate=0.0,
             **{f"d_{ANTAGONIST}_perfusate": antagonist_nm, f"d_{UPTAKE_BLOCKER}_perfusate": blocker_nm})
    p.update(overrides or {})
    pv = [p[n] for n in names]
    species = model.species_names
    y = model.initial_state()
    y.update(ne_ecf=0.0, lc_rate=0.0, ne_lc=0.0)
    rest = solve_ivp(lambda t, v: rhs(t, v, pv), (0.0, 600.0), [y[s] for s in species],
                     method="LSODA", rtol=1e-8, atol=1e-12)
    y0 = rest.y[:, -1].copy()
    y0[species.index("lc_rate")] = freq
    duration = pulses / freq
    t = np.linspace(0.0, duration, 1201)
    train = solve_ivp(lambda tt, v: rhs(tt, v, pv), (0.0, duration), y0, method="LSODA",
                      rtol=1e-9, atol=1e-12, t_eval=t, max_step=duration / 300)
    rrp = species.index("ne_rrp")
    rules = model.rule_names
    m = p["alpha2_max_inhibition"]
    flux = []
    for k in range(train.y.shape[1]):
        out = dict(zip(rules, observe(list(train.y[:, k]), pv)))
        flux.append(out["terminal_rate"] * out["ca_gate"] * out["ttx_gate"] * (1 - m * out["a2_terminal"])
                    * train.y[rrp, k])
    return float(np.trapezoid(flux, train.t)) * p["release_per_spike"]


def facilitation(freq: float, pulses: int, *, uptake_blocked: bool = False, overrides: dict | None = None) -> float:
    """Evoked release with yohimbine 1 uM in the bath / without (the slice experiment's S2/S1 ratio)."""
    blocker = 10000.0 if uptake_blocked else 0.0
    return (_train_release(freq, pulses, 1000.0, blocker, overrides)
            / _train_release(freq, pulses, 0.0, blocker, overrides))


def test_short_high_frequency_train_has_no_autoinhibition():
    """Trendelenburg, Limberger & Starke 1993 (rat cortex, 3 pulses/100 Hz): antagonists alone
    did not increase the overflow; the model's bromoxidine EC50 test relies on it."""
    assert facilitation(100.0, 3) < 1.05


def test_facilitation_grows_with_frequency_and_with_uptake_block():
    """Heepe & Starke 1985 (rabbit cortex, 2-min trains): the antagonist increases overflow
    more, the higher the frequency, and more with cocaine 10 uM than without."""
    low, mid, high = (facilitation(f, int(120 * f)) for f in (0.3, 1.0, 3.0))
    assert 1.0 <= low < mid < high
    assert high > 1.05
    assert facilitation(3.0, 360, uptake_blocked=True) > high
    assert facilitation(1.0, 120, uptake_blocked=True) > mid


@pytest.mark.xfail(strict=True, reason=(
    "model terminal autoinhibition too weak: yohimbine facilitates the model's slice release "
    "1.16-fold at 3 Hz for 2 min (1.07 at 1 Hz) with uptake intact, while in rat spinal cord "
    "slices it enhanced evoked [3H]NA overflow by 160 % maximally (2.6-fold; Reimann & "
    "Schneider 1989); protocol not in the abstract and spinal cord is not cortex, so nothing "
    "is derived from it (docs/mechanisms.md, round 7)"))
def test_long_train_facilitation_reaches_the_rat_slice_measurement():
    """Whatever the low-frequency protocol (0.3-3 Hz, 2 min, uptake intact), the measured
    facilitation is 2.6-fold; the model is asked only for 2-fold, to leave room for the
    region and the unseen protocol."""
    best = max(facilitation(f, int(120 * f)) for f in (1.0, 3.0))
    assert best >= 2.0


def test_plausible_geometry_cannot_produce_the_measured_facilitation():
    """Inversion attempt: the facilitation rises as the varicosity density falls (enrichment
    1 + k/(4 pi D* r n) grows), but over the whole assumed range of varicosity_density it stays
    far below 2-fold at 3 Hz/2 min (1.15-1.20); reaching 2.6-fold would need a density of about
    4e-6 per um^3 (an enrichment of about 30), 80 times below the assumed lower bound. So the gap is not
    in the assumed geometry within its range, and no input is derived from it."""
    low, high = terminal_parameters()["varicosity_density"].provenance.range
    values = [facilitation(3.0, 360, overrides={"varicosity_density": n}) for n in (low, high)]
    assert values[0] > values[1]  # sparser varicosities: more own-source NE at the autoreceptor
    assert max(values) < 1.5


def _dialysate_percent(intervention: dict) -> float:
    """Mean hippocampal dialysate NE 30-120 min after an idazoxan intervention, % of baseline."""
    from noradsim.protocols.conditions import parse_conditions
    from noradsim.protocols.timecourse import simulate_conditions

    doc = {"region": "hippocampus", "window": ["-30 min", "120 min"], "interventions": [intervention]}
    ds = simulate_conditions(parse_conditions(doc, "test"), dt=300.0)
    t = ds["time"].values  # min
    v = ds["dialysate_ne"].values
    return float(100.0 * v[t >= 30.0].mean() / v[t < 0.0].mean())


def test_local_idazoxan_raises_ne_less_than_systemic_idazoxan():
    """Rat hippocampus, microdialysis: idazoxan perfused through the probe (1-500 uM) raised NE
    but not to the extent of systemic idazoxan (1-10 mg/kg) (Thomas & Holman 1991, J Neurochem
    56:1741); local idazoxan 100 uM also raised cortical NE (Dennis et al. 1987, J Pharmacol Exp
    Ther 241:642). Neither abstract gives the size of the local response, which is the terminal
    tone this file is about (the model: about +16 %)."""
    local = _dialysate_percent({"drug": "idazoxan", "concentration": "100 uM", "route": "reverse_dialysis",
                                "at": "0 min", "duration": "120 min"})
    systemic = _dialysate_percent({"drug": "idazoxan", "dose": "10 mg/kg", "route": "ip", "at": "0 min"})
    assert 105.0 < local < systemic
