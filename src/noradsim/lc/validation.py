"""Validation hook for ``noradsim validate``: LC phasic response and spike width.

Re-exports :func:`noradsim.lc.protocol.lc_target` under the module name the validator
imports.
"""

from __future__ import annotations

from .protocol import lc_target

__all__ = ["lc_target"]
