"""Adrenoceptors, their signalling cascades, functional read-outs and disease phenotypes.

* :mod:`.occupancy`: receptor table, competitive occupancy, operational-model activation.
* the Gq / Gi/o / Gs cascades are declarative models in :mod:`noradsim.model.cascades`.
* :mod:`.readouts`: arousal, working memory (inverted U), adaptive gain, stress, mood, glia.
* :mod:`.phenotypes`: disease parameter sets and drug effects on the read-outs.

The ``protocol = "inverted_u"`` experiment built on the read-outs is
:mod:`noradsim.protocols.inverted_u` (it imports this package, never the reverse).
"""

from .occupancy import RECEPTORS, activation, get_receptor, occupancy, receptor_table

__all__ = ["RECEPTORS", "activation", "occupancy", "get_receptor", "receptor_table"]
