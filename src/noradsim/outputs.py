"""Writing results: all or nothing.

Output goes to a temporary folder beside the destination and is moved into place only
when everything has been written, so a failed run leaves no partial output.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from .errors import InputError


def _writable_ancestor(path: Path, option: str) -> None:
    """The nearest existing ancestor of ``path`` must be a folder we can create files in."""
    parent = path.resolve().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise InputError(f"{option}: {str(parent)!r} is a file, so {str(path)!r} cannot be created")
    try:
        Path(tempfile.mkdtemp(prefix=".noradsim-check.", dir=parent)).rmdir()
    except OSError as exc:
        raise InputError(f"{option}: cannot write in {str(parent)!r} ({exc.strerror})") from None


def check_out_dir(out: str | Path, option: str = "--out") -> Path:
    """Check, before any computation, that ``out`` can become an output folder.

    An existing file, or a place where no folder can be created, is an :class:`InputError`.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"{option}: {str(out)!r} is an existing file; give a folder name")
    _writable_ancestor(out / "x", option)
    return out


def check_out_file(path: str | Path, option: str = "file") -> Path:
    """Check, before any computation, that ``path`` can be written as a file."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{option}: {str(path)!r} is a folder; give a file name")
    _writable_ancestor(path, option)
    return path


@contextlib.contextmanager
def atomic_dir(out: str | Path):
    """Yield a temporary folder; on success its files move into ``out``."""
    out = check_out_dir(out)
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    except OSError as exc:
        raise InputError(f"--out: cannot create {str(out)!r} ({exc.strerror})") from None
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    out.mkdir(parents=True, exist_ok=True)
    for item in tmp.iterdir():
        dest = out / item.name
        if dest.is_dir():
            shutil.rmtree(dest)
        elif dest.exists():
            dest.unlink()
        shutil.move(str(item), dest)
    shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def atomic_file(path: str | Path, mode: str = "w"):
    """Open a temporary file that replaces ``path`` only when the block succeeds."""
    path = check_out_file(path)
    path.resolve().parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.resolve().parent)
    try:
        with open(fd, mode) as fh:
            yield fh
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file the usual permissions
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
