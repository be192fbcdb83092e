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


class SolverError(InputError):
    """The ODE solver failed on a legal but extreme input; the message names the input."""


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


def read_text(path, *, field: str = "", max_bytes: int = 500_000_000) -> str:
    """The text of a UTF-8 file, or an :class:`InputError` saying what is wrong with ``path``.

    A missing path, a folder, an unreadable, empty, oversized, binary or non-UTF-8 file
    each get their own one-line message (prefixed by ``field`` when given).
    """
    from pathlib import Path

    path = Path(path)
    pre = f"{field}: " if field else ""
    if path.is_dir():
        raise InputError(f"{pre}{path} is a folder; give a file")
    if not path.exists():
        raise InputError(f"{pre}file not found: {path}")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"{pre}{path} is {size / 1e6:.0f} MB; input files are limited to {max_bytes / 1e6:.0f} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{pre}cannot read {path}: {exc.strerror}") from None
    if not data.strip():
        raise InputError(f"{pre}{path} is empty")
    if b"\0" in data:
        raise InputError(f"{pre}{path} is a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{pre}{path} is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); "
                         "save it as UTF-8") from None
