"""The one HTML page writer: every report (microdialysis, recording, inverted U, phenotype,
validation, fits) is a :func:`page` of :func:`table` s and :func:`figure_to_img` figures."""

from __future__ import annotations

import base64
import html
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

CSS = """body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}
table{border-collapse:collapse;font-size:0.9em}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}
.within{color:#070}.outside{color:#a00}.unsupported{color:#a60}.error{color:#a00}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.5em}.small{font-size:0.85em;color:#555}"""


def figure_to_img(fig, *, alt: str = "figure") -> str:
    """A matplotlib figure as an inline PNG ``<img>`` (the figure is closed)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}"/>'


def page(title: str, body: str, *, extra_css: str = "") -> str:
    """A complete, self-contained HTML page with the shared style."""
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{CSS}{extra_css}</style></head><body><h1>{html.escape(title)}</h1>{body}</body></html>")


def table(header, rows) -> str:
    """An HTML table; header cells are escaped, body cells are trusted HTML."""
    h = "".join(f"<th>{html.escape(str(x))}</th>" for x in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{h}</tr>{body}</table>"
