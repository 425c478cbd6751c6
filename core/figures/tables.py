""" "Show the numbers": the numbers a chart draws, as small tables, for readers who cannot see it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from core.figures.style import Table
from core.text import fmt

__all__ = ["MAX_TABLE_ROWS", "Table", "class_table", "curve_table", "sample"]

MAX_TABLE_ROWS = 12
"""Long curves are sampled to this many evenly spaced points (ends included) in their table."""


def sample(n: int) -> list[int]:
    """Indices of at most :data:`MAX_TABLE_ROWS` evenly spaced points of ``n``, both ends included.

    >>> sample(3), sample(100)[:3], sample(100)[-1]
    ([0, 1, 2], [0, 9, 18], 99)
    """
    if n <= MAX_TABLE_ROWS:
        return list(range(n))
    return sorted({round(i * (n - 1) / (MAX_TABLE_ROWS - 1)) for i in range(MAX_TABLE_ROWS)})


def class_table(
    caption: str,
    classes: Sequence[str],
    values: npt.ArrayLike,
    target: int,
    header: str = "value",
    shown: Sequence[str] | None = None,
) -> Table:
    """One row per class (the true class marked in words), its value as the page writes numbers
    (or as ``shown`` gives it: a probability written from its log by :func:`core.text.fmt_prob`)."""
    v = np.asarray(values, dtype=np.float64)
    cells = list(shown) if shown is not None else [fmt(float(x)) for x in v]
    rows = tuple(
        (f"{c} (true class)" if i == target else c, cell)
        for i, (c, cell) in enumerate(zip(classes, cells, strict=True))
    )
    return Table(caption, ("class", header), rows)


def curve_table(caption: str, x_name: str, y_name: str, xs: npt.ArrayLike, ys: npt.ArrayLike) -> Table:
    """A curve sampled to :data:`MAX_TABLE_ROWS` points: ``(x, y)`` rows."""
    x, y = np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"xs and ys must have one shape, got {x.shape} and {y.shape}")
    return Table(caption, (x_name, y_name), tuple((fmt(float(x[i])), fmt(float(y[i]))) for i in sample(len(x))))
