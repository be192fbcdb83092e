"""Brain concentration after a systemic dose: see :mod:`noradsim.pk` (kept for the read-outs' imports)."""

from ..pk import brain_concentration

__all__ = ["brain_concentration"]
