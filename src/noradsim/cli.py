"""The ``noradsim`` command line: a thin shell over the library.

Each subcommand is a module in :mod:`noradsim.commands` that defines ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``main(args) -> int``. Bad input raises
:class:`noradsim.errors.InputError`; it is printed as one line and the exit status is 2.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from . import __version__
from .errors import InputError


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, like every other input error
        self.exit(2, f"noradsim: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    from . import commands

    parser = _Parser(prog="noradsim", description="Simulate the noradrenergic system.")
    parser.add_argument("--version", action="version", version=f"noradsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    mods = sorted(m.name for m in pkgutil.iter_modules(commands.__path__) if not m.name.startswith("_"))
    for name in mods:
        mod = importlib.import_module(f"{commands.__name__}.{name}")
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.HELP)
        mod.add_arguments(p)
        p.set_defaults(_main=mod.main)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors: their status, not an exception
        return int(exc.code or 0)
    try:
        return int(args._main(args) or 0)
    except InputError as exc:
        print(f"noradsim: error: {exc}", file=sys.stderr)
        return 2
    except UnicodeDecodeError as exc:  # a safety net: readers raise InputError themselves
        print(f"noradsim: error: an input file is not UTF-8 text ({exc.reason} at byte {exc.start})", file=sys.stderr)
        return 2
    except OSError as exc:  # a safety net for files the checks could not foresee
        if isinstance(exc, BrokenPipeError):
            sys.stderr.close()
            return 0
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"noradsim: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
