"""``noradsim diagram NAME --out FILE.svg``: draw a pathway or protocol from the model itself."""

from __future__ import annotations

NAME = "diagram"
HELP = "draw a pathway (synthesis, alpha1, alpha2, beta) or protocol (microdialysis, recording) as SVG"


def add_arguments(p):
    p.add_argument("name", help="synthesis, alpha1, alpha2, beta, microdialysis or recording")
    p.add_argument("--out", required=True, metavar="FILE.svg", help="SVG file to write")


def main(args) -> int:
    from pathlib import Path

    from ..diagrams import DIAGRAMS, diagram_svg
    from ..errors import InputError, unknown
    from ..outputs import atomic_file

    if args.name not in DIAGRAMS:
        raise unknown("diagram", args.name, DIAGRAMS)
    out = Path(args.out)
    if out.is_dir():
        raise InputError(f"--out: {args.out!r} is a folder; give a file name ending in .svg")
    if out.suffix.lower() != ".svg":
        raise InputError(f"--out: must name an .svg file, got {args.out!r}")
    if out.parent.exists() and not out.parent.is_dir():
        raise InputError(f"--out: parent {str(out.parent)!r} is not a folder")
    svg = diagram_svg(args.name)
    try:
        with atomic_file(out) as fh:
            fh.write(svg)
    except OSError as exc:
        raise InputError(f"--out: cannot write {args.out!r}: {exc.strerror}") from None
    print(f"wrote {out} ({args.name}, {len(svg)} bytes)")
    return 0
