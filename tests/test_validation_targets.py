"""The shared published targets: the model must reproduce most of them (issue #2 scope)."""

from noradsim.validation import evaluate, read_targets

IN_SCOPE_MEASURES = {"extracellular_ne", "tissue_ne", "lc_firing_rate"}


def test_published_targets_in_scope(targets_file):
    good, bad = read_targets(targets_file)
    assert not bad
    outcomes = [evaluate(t) for t in good if t.measure in IN_SCOPE_MEASURES]
    within = [o.id for o in outcomes if o.verdict == "within"]
    assert len(outcomes) >= 17
    assert len(within) >= 14, [(o.id, o.predicted, o.verdict) for o in outcomes]
    for o in outcomes:
        assert o.verdict in ("within", "outside"), (o.id, o.reason)


def test_explain_names_the_mechanism(targets_file):
    from noradsim.validation import explain

    good, _ = read_targets(targets_file)
    atx = next(t for t in good if t.measure == "extracellular_ne" and any(iv.drug == "atomoxetine" for iv in t.conditions.interventions))
    el = dict(explain(atx, top=100))
    assert el["d_atomoxetine_ki_net"] < 0  # weaker NET binding, smaller effect
    assert el["alpha2_max_inhibition"] < 0  # autoreceptor feedback blunts it
    assert abs(el["th_vmax"]) < abs(el["alpha2_max_inhibition"])  # synthesis scales content, not the ratio
