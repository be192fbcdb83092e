"""MAO inhibition in the terminal model: mass balance and the bound it puts on the dialysate rise.

docs/mechanisms.md, "MAO inhibition: what bounds the model's response". With MAO blocked,
the NE that MAO removed stays in the terminal: total NE grows at the basal deamination rate
(the principle behind NE turnover estimates from the accumulation of brain NE after MAO
inhibition: Spector, Shore & Brodie 1960, J Pharmacol Exp Ther 128:15, abstract: MAO
"controls the amounts of biogenic amines in the neuron"). Exocytosis draws on the stores, so
extracellular NE can rise no faster than the stores; and NET clears nearly all extracellular
NE, so removing every extraneuronal route (glial MAO, COMT) raises it by a few per cent.
"""

import numpy as np
import pytest

from noradsim.engine import Segment, integrate
from noradsim.model.terminal import build_terminal_model
from noradsim.protocols.timecourse import _rate, steady_state

REGION = "frontal_cortex"  # the region of the MAO-inhibitor microdialysis studies (docs)
POOLS = ("ne_ves", "ne_rrp", "ne_cyt")


def _blocked(minutes: float, dt: float = 60.0):
    """Steady state, then MAO (neuronal and the NMN deamination) blocked completely for ``minutes``."""
    model = build_terminal_model(REGION)
    y0 = steady_state(model)
    tr = integrate(model, [Segment(0.0, minutes * 60.0, {"k_mao": 0.0})], y0=y0, dt=dt, rtol=1e-10)
    base = integrate(model, [Segment(0.0, 60.0)], y0=y0, dt=60.0)
    return model, tr, {k: v[-1:] for k, v in base.values.items()}


def _total_ne(model, values):
    alpha = model.parameters["ecs_fraction"].value
    return sum(values[s] for s in POOLS) + alpha * values["ne_ecf"]


def test_after_full_mao_block_total_ne_grows_at_the_basal_deamination_rate():
    """d(total NE)/dt at the moment of the block = basal MAO flux (synthesis no longer deaminated)."""
    model, tr, basal = _blocked(10.0, dt=5.0)
    total = _total_ne(model, tr.values)
    slope = (total[1] - total[0]) / (tr.time[1] - tr.time[0])  # first 5 s: pools have not moved yet
    expected = float(_rate(basal, model, "mao_ne")[0])
    assert slope == pytest.approx(expected, rel=0.02)


def test_extracellular_ne_rises_no_faster_than_its_two_sources_after_mao_block():
    """ECF NE comes from exocytosis (from the releasable pool) and NET reverse transport (from the
    cytosol), both first order, and leaves mainly by NET far below its Km: so ECF NE / basal can
    exceed neither the larger of rrp / basal and cytosol / basal (alpha2 feedback only lowers it)
    nor, therefore, what 300 min of synthesis can add to the pools."""
    model, tr, basal = _blocked(300.0, dt=600.0)
    ratio = {s: tr[s] / float(basal[s][0]) for s in ("ne_ecf", "ne_rrp", "ne_cyt")}
    assert np.all(ratio["ne_ecf"] <= np.maximum(ratio["ne_rrp"], ratio["ne_cyt"]) * 1.01)
    # and the stores cannot outgrow synthesis: stores(t) - stores(0) <= synthesis x t
    synthesis = float(_rate(basal, model, "dbh")[0])
    grown = (tr["ne_ves"][-1] + tr["ne_rrp"][-1]) - (tr["ne_ves"][0] + tr["ne_rrp"][0])
    assert grown <= synthesis * tr.time[-1]


def test_extraneuronal_routes_clear_only_a_few_per_cent_of_extracellular_ne():
    """Non-NET share of ECF NE clearance < 5 %: removing it all raises bulk ECF NE by < 1/(1 - 0.05)."""
    model = build_terminal_model(REGION)
    y0 = steady_state(model)
    v = {k: val[-1:] for k, val in integrate(model, [Segment(0.0, 60.0)], y0=y0, dt=60.0).values.items()}
    net = float(_rate(v, model, "net_uptake")[0])
    other = float(_rate(v, model, "comt_ecf")[0] + _rate(v, model, "diffusion_loss")[0])
    assert other / (net + other) < 0.05
