"""``noradsim diagram NAME --out FILE.svg``: draw a pathway or protocol from the model itself."""

from __future__ import annotations

NAME = "diagram"
HELP = "draw a pathway (synthesis, alpha1, alpha2, beta) or protocol (microdialysis, recording) as SVG"


def add_arguments(p):
    p.add_argument("name", help="synthesis, alpha1, alpha2, beta, microdialysis or recording")
    p.add_argument("--out", required=True, metavar="FILE.svg", help="SVG file to write")


def main(args) -> int:
    from ..diagrams import DIAGRAMS, diagram_svg
    from ..errors import InputError, unknown
    from ..outputs import atomic_file, check_out_file

    if args.name not in DIAGRAMS:
        raise unknown("diagram", args.name, DIAGRAMS)
    out = check_out_file(args.out, "--out")
    if out.suffix.lower() != ".svg":
        raise InputError(f"--out: must name an .svg file, got {args.out!r}")
    svg = diagram_svg(args.name)
    with atomic_file(out) as fh:
        fh.write(svg)
    print(f"wrote {out} ({args.name}, {len(svg)} bytes)")
    return 0
