"""Reading lab data: a CSV file with named columns, one observation (replicate) per row.

Every problem is an :class:`~noradsim.errors.InputError` that names the row or column:
a missing column (with the closest names), a cell that is not a number, a negative
concentration, a response that does not vary, too few points for the model.
Empty cells and ``NA``/``nan`` in a used column drop that row (reported as a note).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError, unknown

_MISSING = {"", "na", "nan", "n/a", "-"}


@dataclass(frozen=True)
class Table:
    """Numeric columns read from a CSV file (only the columns that were asked for)."""

    columns: dict[str, np.ndarray]
    source: str
    notes: tuple[str, ...] = ()

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    @property
    def n_rows(self) -> int:
        """Number of data rows."""
        return len(next(iter(self.columns.values()))) if self.columns else 0


def _text(path: str | Path) -> str:
    from ..errors import read_text

    try:
        return read_text(path, field="data")
    except InputError as exc:
        if str(exc).endswith(" is empty"):
            raise InputError(f"{exc}; expected a header row with column names") from None
        raise


def header(path: str | Path) -> list[str]:
    """Column names of a CSV file."""
    first = next(csv.reader(io.StringIO(_text(path), newline="")), None)
    if not first or not any(h.strip() for h in first):
        raise InputError(f"data: {path.name} is empty; expected a header row with column names")
    return [h.strip() for h in first]


def read_table(path: str | Path, columns: list[str], *, nonnegative: tuple[str, ...] = (),
               text: tuple[str, ...] = ()) -> Table:
    """Read the named columns of a CSV file as floats.

    Parameters
    ----------
    path : str or Path
        CSV file with a header row.
    columns : list of str
        Columns to read; each must exist.
    nonnegative : tuple of str
        Columns that hold concentrations (a negative value is an error).
    text : tuple of str
        Columns kept as text labels (e.g. the curve of a global fit), not numbers.

    Returns
    -------
    Table
    """
    path = Path(path)
    names = header(path)
    for c in columns:
        if c not in names:
            raise unknown(f"data: {path.name}: column", c, names)
    idx = {c: names.index(c) for c in columns}
    values: dict[str, list[float]] = {c: [] for c in columns}
    dropped = []
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise InputError(f"data: {path.name}: column {dup!r} appears twice in the header")
    with io.StringIO(_text(path), newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        for row_no, row in enumerate(reader, start=2):
            if not row or all(not cell.strip() for cell in row):
                continue
            parsed = {}
            for c in columns:
                cell = row[idx[c]].strip() if idx[c] < len(row) else ""
                if cell.lower() in _MISSING:
                    parsed = None
                    break
                if c in text:
                    parsed[c] = cell
                    continue
                try:
                    v = float(cell)
                except ValueError:
                    raise InputError(f"data: {path.name} row {row_no} column {c!r}: {cell!r} is not a number") from None
                if not math.isfinite(v):
                    raise InputError(f"data: {path.name} row {row_no} column {c!r}: {cell!r} is not a finite number")
                if c in nonnegative and v < 0:
                    raise InputError(f"data: {path.name} row {row_no} column {c!r}: concentration {cell} is negative")
                parsed[c] = v
            if parsed is None:
                dropped.append(reader.line_num)
                continue
            for c, v in parsed.items():
                values[c].append(v)
    notes = ()
    if dropped:
        shown = ", ".join(map(str, dropped[:20])) + (f" and {len(dropped) - 20} more" if len(dropped) > 20 else "")
        notes = (f"{path.name}: {len(dropped)} row(s) with an empty or NA cell in a used column were left out "
                 f"(line {shown})",)
    return Table({c: np.array(v, dtype=object if c in text else float) for c, v in values.items()},
                 str(path), notes)


def replicate_means(x, y, keys=None, *, weighted: bool = True):
    """Mean response of the replicates at each concentration (and curve), for fitting means.

    Parameters
    ----------
    x, y : numpy.ndarray
        Concentration and response of every replicate.
    keys : numpy.ndarray, optional
        Curve label of each row (global fits): replicates are pooled within a curve.
    weighted : bool
        Return the standard error of each mean, SD/sqrt(n), as the ``sd`` used for weights
        (GraphPad Prism: fit the means with weights 1/SD^2 from the replicates); every
        point then needs at least 2 replicates with some scatter.

    Returns
    -------
    x_mean, y_mean, sem, keys_mean : numpy.ndarray
        One row per distinct (key, x); ``sem`` is None unless ``weighted``; ``keys_mean`` is
        None unless ``keys`` was given.

    Examples
    --------
    >>> xm, ym, sem, _ = replicate_means(np.array([1., 1, 2, 2]), np.array([3., 5, 6, 8]))
    >>> xm.tolist(), ym.tolist(), sem.tolist()
    ([1.0, 2.0], [4.0, 7.0], [1.0, 1.0])
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    kk = np.zeros(x.size, dtype=int) if keys is None else np.asarray(keys)
    seen: dict = {}
    for i, key in enumerate(zip(kk.tolist(), x.tolist())):
        seen.setdefault(key, []).append(i)
    xm, ym, sem, km = [], [], [], []
    for (k, xv), rows in seen.items():
        vals = y[rows]
        xm.append(xv)
        ym.append(float(np.mean(vals)))
        km.append(k)
        if weighted:
            sd = float(np.std(vals, ddof=1)) if vals.size > 1 else 0.0
            if not sd > 0:
                where = f"x = {xv:g}" + ("" if keys is None else f" in curve {k}")
                why = "one replicate" if vals.size < 2 else "replicates with no scatter"
                raise InputError(f"--replicates mean: {where} has {why}, so no SD for a weight; use "
                                 "--replicates mean-unweighted or all")
            sem.append(sd / math.sqrt(vals.size))
    keys_out = None if keys is None else np.array(km, dtype=kk.dtype)
    return np.array(xm), np.array(ym), (np.array(sem) if weighted else None), keys_out


def check_response(y: np.ndarray, column: str, n_params: int, model: str) -> None:
    """Refuse a response that cannot support a fit of ``n_params`` parameters."""
    if y.size <= n_params:
        raise InputError(
            f"data: column {column!r} has {y.size} usable point{'s' * (y.size != 1)}; the {model} model has "
            f"{n_params} parameter{'s' * (n_params != 1)} and needs at least {n_params + 1}"
        )
    if np.ptp(y) == 0:
        raise InputError(f"data: column {column!r} is constant ({y[0]:g} in every row); there is nothing to fit")
