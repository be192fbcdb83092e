"""Noradrenergic sources other than the LC: the medullary A1/A2 groups.

Neocortex and hippocampus receive their NE from the LC alone (lesions of the dorsal
bundle deplete over 90 %), but about 70 % of hypothalamic NE arrives by the ventral
bundle from the medullary A1 (ventrolateral medulla) and A2 (nucleus of the solitary
tract) groups (``data/regions.toml`` ``lc_share``). These neurons respond to stressors
with their own drive (``data/stimuli.toml`` ``medullary_drive``): their rate is
``medullary_rate_basal * (1 + stress_medullary)``, and ``stress_medullary`` follows the
drive of the stressors present with the LC stress time constant. The terminals of a
region fire at ``lc_share`` x LC rate + (1 - ``lc_share``) x medullary rate.
Not modelled: alpha2 autoreceptors and drug actions on A1/A2 somata.
"""

from __future__ import annotations

from functools import lru_cache

from ..calibration.overlay import section_records
from ..parameters import Parameter
from .core import ModelBuilder


@lru_cache(maxsize=1)
def medullary_parameters() -> dict[str, Parameter]:
    """The ``[medullary]`` table of ``data/stimuli.toml``, through the one overlay loading path."""
    return section_records("stimuli.toml", "medullary")


def add_medullary_source(b: ModelBuilder) -> str:
    """Declare the A1/A2 rate and its stress drive; returns the terminal firing expression."""
    for p in medullary_parameters().values():
        b.add_parameter(p)
    b.parameter("medullary_drive", 0.0, "1", "rat", "set by stimuli in an experiment: fractional rise of A1/A2 "
                "firing (0 = none)")
    b.species("stress_medullary", "lc", 0.0, "1", description="stress-evoked fractional rise of A1/A2 firing")
    b.reaction("medullary_stress_dynamics", "(medullary_drive - stress_medullary)/tau_stress_on", {},
               {"stress_medullary": 1}, "stressor drive to the medullary A1/A2 groups")
    b.rule("medullary_rate", "medullary_rate_basal*(1 + stress_medullary)", "Hz", "mean A1/A2 firing rate")
    return "lc_share*lc_rate*lc_neuron_fraction + (1 - lc_share)*medullary_rate"
