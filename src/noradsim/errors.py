"""Errors raised for bad user input.

Every problem with a file, an argument or a value raises :class:`InputError`, whose
message is one line that names the field and, where there are some, the allowed or
closest values. The CLI turns it into ``noradsim: error: <message>`` and exit status 2.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class InputError(ValueError):
    """Bad user input: one line naming the field and the allowed or closest values."""

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))


def closest(name: str, allowed: Iterable[str], n: int = 3) -> list[str]:
    """Names in ``allowed`` closest to ``name`` (difflib ratio), best first."""
    allowed = list(allowed)
    hits = difflib.get_close_matches(str(name), allowed, n=n, cutoff=0.5)
    if not hits:
        lowered = {a.lower(): a for a in allowed}
        hits = [lowered[h] for h in difflib.get_close_matches(str(name).lower(), list(lowered), n=n, cutoff=0.4)]
    return hits


def unknown(field: str, name: str, allowed: Iterable[str]) -> InputError:
    """An :class:`InputError` for an unknown name, suggesting the closest allowed ones."""
    allowed = sorted(set(allowed))
    hits = closest(name, allowed)
    shown = "allowed: " + ", ".join(allowed[:12]) + (", ..." if len(allowed) > 12 else "")
    if hits:
        hint = "did you mean " + " or ".join(repr(h) for h in hits) + "?"
        hint += f" ({shown})" if len(allowed) <= 12 else ""
    else:
        hint = shown
    return InputError(f"{field}: unknown value {name!r}; {hint}")
