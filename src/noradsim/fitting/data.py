"""Reading lab data: a CSV file with named columns, one observation (replicate) per row.

Every problem is an :class:`~noradsim.errors.InputError` that names the row or column:
a missing column (with the closest names), a cell that is not a number, a negative
concentration, a response that does not vary, too few points for the model.
Empty cells and ``NA``/``nan`` in a used column drop that row (reported as a note).
"""

from __future__ import annotations

import csv
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
        return len(next(iter(self.columns.values()))) if self.columns else 0


def header(path: str | Path) -> list[str]:
    """Column names of a CSV file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"data: file not found: {path}")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        first = next(csv.reader(fh), None)
    if not first:
        raise InputError(f"data: {path.name} is empty; expected a header row with column names")
    return [h.strip() for h in first]


def read_table(path: str | Path, columns: list[str], *, nonnegative: tuple[str, ...] = ()) -> Table:
    """Read the named columns of a CSV file as floats.

    Parameters
    ----------
    path : str or Path
        CSV file with a header row.
    columns : list of str
        Columns to read; each must exist.
    nonnegative : tuple of str
        Columns that hold concentrations (a negative value is an error).

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
    with path.open(newline="", encoding="utf-8-sig") as fh:
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
                dropped.append(row_no)
                continue
            for c, v in parsed.items():
                values[c].append(v)
    notes = ()
    if dropped:
        notes = (f"rows {', '.join(map(str, dropped))} have empty cells and were left out",)
    return Table({c: np.array(v, dtype=float) for c, v in values.items()}, str(path), notes)


def check_response(y: np.ndarray, column: str, n_params: int, model: str) -> None:
    """Refuse a response that cannot support a fit of ``n_params`` parameters."""
    if y.size <= n_params:
        raise InputError(
            f"data: column {column!r} has {y.size} usable points; the {model} model has {n_params} "
            f"parameters and needs at least {n_params + 1}"
        )
    if np.ptp(y) == 0:
        raise InputError(f"data: column {column!r} is constant ({y[0]:g} in every row); there is nothing to fit")
