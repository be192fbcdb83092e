"""Reader for the NIST StRD nonlinear-regression ``.dat`` files (certified test problems).

Each file holds a model (``y = b1*(1-exp[-b2*x])  +  e``), two starting points, the
certified parameter values and standard deviations, and the data. The model text is
turned into an expression for :mod:`noradsim.fitting.expression` (square brackets become
parentheses, the ``+ e`` error term is dropped); a ``log[y]`` response becomes a derived
column ``log_y``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError


@dataclass(frozen=True)
class NistProblem:
    """One certified problem."""

    name: str
    model: str
    response: str
    parameters: tuple[str, ...]
    starts: tuple[dict, dict]
    certified: dict
    certified_sd: dict
    certified_rss: float
    columns: dict

    def start(self, which: int) -> dict:
        """Starting point 1 or 2."""
        return self.starts[which - 1]


_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


def read_nist(path: str | Path) -> NistProblem:
    """Read one StRD ``.dat`` file.

    Examples
    --------
    >>> from pathlib import Path
    >>> p = Path("../shared/data/nist_strd/Misra1a.dat")
    >>> read_nist(p).model if p.exists() else "b1*(1-exp(-b2*x))"
    'b1*(1-exp(-b2*x))'
    """
    path = Path(path)
    lines = path.read_text().splitlines()
    name = path.stem
    # model: from the first line after 'Model:' containing '=' up to the line ending in '+ e'
    i_model = next(i for i, ln in enumerate(lines) if ln.startswith("Model:"))
    i = next(k for k in range(i_model + 1, len(lines))
             if "=" in lines[k] and not lines[k].strip().startswith("pi ="))
    text = []
    while True:
        text.append(lines[i].strip())
        if re.search(r"\+\s*e\s*$", lines[i]):
            break
        i += 1
    model = " ".join(text)
    model = re.sub(r"\+\s*e\s*$", "", model).strip()
    lhs, rhs = (s.strip() for s in model.split("=", 1))
    rhs = rhs.replace("[", "(").replace("]", ")").replace(" ", "")
    response = {"y": "y", "log[y]": "log_y"}.get(lhs.replace(" ", ""))
    if response is None:
        raise InputError(f"{path.name}: unsupported response {lhs!r}")
    params, s1, s2, cert, cert_sd = [], {}, {}, {}, {}
    pat = re.compile(rf"^\s*(b\d+)\s*=\s*({_NUM})\s+({_NUM})\s+({_NUM})\s+({_NUM})\s*$")
    for ln in lines:
        m = pat.match(ln)
        if m:
            b = m.group(1)
            params.append(b)
            s1[b], s2[b], cert[b], cert_sd[b] = (float(m.group(k)) for k in range(2, 6))
    rss_line = next(ln for ln in lines if ln.strip().startswith("Residual Sum of Squares"))
    rss = float(rss_line.split(":")[1])
    i_data = max(k for k, ln in enumerate(lines) if ln.startswith("Data:"))
    header = lines[i_data].split()[1:]
    rows = [[float(v) for v in ln.split()] for ln in lines[i_data + 1:] if ln.strip()]
    table = np.array(rows)
    columns = {h: table[:, k] for k, h in enumerate(header)}
    if response == "log_y":
        columns["log_y"] = np.log(columns["y"])
    predictors = {k: v for k, v in columns.items() if k not in ("y", "log_y")}
    return NistProblem(name, rhs, response, tuple(params), (s1, s2), cert, cert_sd, rss,
                       {**predictors, response: columns[response]})
