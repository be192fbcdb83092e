"""``noradsim diagram NAME --out FILE``: draw a pathway or protocol from the model itself (SVG, PNG or SBGN-ML)."""

from __future__ import annotations

NAME = "diagram"
HELP = "draw a pathway (synthesis, alpha1, alpha2, beta) or protocol (microdialysis, recording) as SVG, PNG or SBGN-ML"
FORMATS = {".svg": "svg", ".png": "png", ".sbgn": "sbgn", ".xml": "sbgn"}


def add_arguments(p):
    p.add_argument("name", help="synthesis, alpha1, alpha2, beta, microdialysis or recording")
    p.add_argument("--out", required=True, metavar="FILE", help="file to write (.svg, .png or .sbgn)")
    p.add_argument("--format", choices=("svg", "png", "sbgn"), default=None,
                   help="svg (slide figure), png (144 dpi) or sbgn (SBGN-ML, Process Description); "
                        "default: from the --out suffix")


def main(args) -> int:
    from ..diagrams import DIAGRAMS, diagram_png, diagram_sbgn, diagram_svg
    from ..errors import InputError, unknown
    from ..outputs import atomic_file, check_out_file

    if args.name not in DIAGRAMS:
        raise unknown("diagram", args.name, DIAGRAMS)
    out = check_out_file(args.out, "--out")
    fmt = args.format or FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise InputError(f"--out: must end in .svg, .png or .sbgn (or give --format), got {args.out!r}")
    if fmt == "png":
        data = diagram_png(args.name)
        with atomic_file(out, "wb") as fh:
            fh.write(data)
    else:
        data = diagram_svg(args.name) if fmt == "svg" else diagram_sbgn(args.name)
        with atomic_file(out) as fh:
            fh.write(data)
    print(f"wrote {out} ({args.name}, {fmt}, {len(data)} bytes)")
    return 0
