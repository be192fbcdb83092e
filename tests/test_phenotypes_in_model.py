"""Disease phenotypes act on the terminal model itself, and drugs shift them back."""

from noradsim.protocols.conditions import parse_conditions
from noradsim.protocols.microdialysis import phenotype_overrides
from noradsim.protocols.timecourse import simulate_conditions


def _basal_and_peak(phenotype=None, drug=None):
    doc = {"region": "prefrontal_cortex", "window": ["0 min", "180 min"]}
    if drug:
        doc["interventions"] = [{"drug": drug[0], "dose": drug[1], "route": "ip"}]
    cond = parse_conditions(doc, "t")
    ds = simulate_conditions(cond, parameters=phenotype_overrides(phenotype) if phenotype else None, dt=120.0)
    ne = ds["ne_ecf"]
    return float(ne.sel(time=-10)), float(ne.sel(time=slice(0, 180)).max())


def test_phenotypes_lower_ne_tone_and_atomoxetine_restores_it():
    control, _ = _basal_and_peak()
    adhd, adhd_atx = _basal_and_peak("adhd_net_hyperfunction", ("atomoxetine", "1 mg/kg"))
    ad, _ = _basal_and_peak("alzheimers_lc_loss")
    dep, _ = _basal_and_peak("depression_low_ne_tone")
    assert adhd < 0.85 * control and dep < 0.85 * control
    # 60 % LC loss lowers NE far less than 60 %: alpha2 disinhibition and TH up-regulation compensate
    # (Szot et al. 2006 report preserved NE signalling in AD)
    assert 0.6 * control < ad < 0.95 * control
    assert adhd_atx > control


def test_control_phenotype_changes_nothing():
    assert _basal_and_peak("control") == _basal_and_peak()
