""" "Show the numbers": the numbers a chart draws, as small tables, for readers who cannot see it."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from core.figures.style import Chart, Spec, Table
from core.text import fmt

__all__ = ["MAX_TABLE_ROWS", "Table", "chart_tables", "class_table", "curve_table", "sample"]

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
    caption: str, classes: Sequence[str], values: npt.ArrayLike, target: int, header: str = "value"
) -> Table:
    """One row per class (the true class marked in words), its value as the page writes numbers."""
    v = np.asarray(values, dtype=np.float64)
    rows = tuple(
        (f"{c} (true class)" if i == target else c, fmt(float(x)))
        for i, (c, x) in enumerate(zip(classes, v, strict=True))
    )
    return Table(caption, ("class", header), rows)


def curve_table(caption: str, x_name: str, y_name: str, xs: npt.ArrayLike, ys: npt.ArrayLike) -> Table:
    """A curve sampled to :data:`MAX_TABLE_ROWS` points: ``(x, y)`` rows."""
    x, y = np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"xs and ys must have one shape, got {x.shape} and {y.shape}")
    return Table(caption, (x_name, y_name), tuple((fmt(float(x[i])), fmt(float(y[i]))) for i in sample(len(x))))


def _cell(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return "" if v is None else str(v)
    if isinstance(v, int | float):
        return fmt(float(v))
    return html.unescape(str(v))  # labels were escaped for Plotly; the table sets them as text


def _axis_labels(layout: Spec, axis: str) -> dict[Any, str]:
    spec = layout.get(axis, {})
    return dict(zip(spec.get("tickvals", []), spec.get("ticktext", []), strict=False))


def _label_text(text: str) -> str:
    return re.sub(r"<[^>]+>", "", html.unescape(text))  # our own <b> marks go; names were escaped


def chart_tables(c: Chart) -> list[Table]:
    """Transitional: builders not yet giving ``Chart.tables`` have them read back from the spec.

    The numbers a chart draws, as small tables (one per trace), for readers who cannot see it.

    Bars list one row per bar; heatmaps one row per cell row; curves are sampled to
    :data:`MAX_TABLE_ROWS` points; ternary points give their three coordinates.
    """
    if c.tables:
        return list(c.tables)
    layout = c.spec["layout"]
    title = _label_text(str(layout.get("title", {}).get("text", "")))
    tables: list[Table] = []
    for trace in c.spec["data"]:
        kind = trace.get("type")
        name = _label_text(str(trace.get("name", ""))) or title
        if trace.get("hoverinfo") == "skip" and kind != "heatmap":
            continue  # decoration: bands, faint guides, marker labels
        if kind == "bar":
            labels = _axis_labels(layout, "yaxis" if trace.get("orientation") == "h" else "xaxis")
            cats, vals = (trace["y"], trace["x"]) if trace.get("orientation") == "h" else (trace["x"], trace["y"])
            rows = [[_label_text(labels.get(k, str(k))), _cell(v)] for k, v in zip(cats, vals, strict=True)]
            tables.append(Table(name, ("", "value"), tuple(map(tuple, rows))))
        elif kind == "heatmap":
            xs, ys, z = trace.get("x"), trace.get("y"), trace["z"]
            if xs is None or len(z) > MAX_TABLE_ROWS or len(z[0]) > MAX_TABLE_ROWS:
                continue  # a map of thousands of cells: its alt text summarises it
            rows = [[_label_text(str(y)), *(_cell(v) for v in row)] for y, row in zip(ys, z, strict=True)]
            tables.append(Table(name, ("", *(_label_text(str(x)) for x in xs)), tuple(map(tuple, rows))))
        elif kind == "scatterternary":
            axes = [_label_text(layout["ternary"][f"{k}axis"]["title"]["text"]) for k in "abc"]
            idx = sample(len(trace["a"]))
            rows = [[_cell(trace[k][i]) for k in "abc"] for i in idx]
            tables.append(Table(name, tuple(axes), tuple(map(tuple, rows))))
        elif kind == "scatter" and "x" in trace and "y" in trace:
            xt = _label_text(str(layout.get("xaxis", {}).get("title", {}).get("text", "x")))
            yt = _label_text(str(layout.get("yaxis", {}).get("title", {}).get("text", "y")))
            idx = sample(len(trace["x"]))
            rows = [[_cell(trace["x"][i]), _cell(trace["y"][i])] for i in idx]
            tables.append(Table(name, (xt, yt), tuple(map(tuple, rows))))
    return tables
