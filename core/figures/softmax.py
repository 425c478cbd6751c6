"""The Softmax page's charts: temperature curves, before/after bars, the sigmoid, the Jacobian.

Builders take the numbers :mod:`core.softmax_views` computed and return the chart
with its alt text and its "Show the numbers" tables; they do no maths.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from core.figures.style import (
    ON_LIGHT,
    PAPER_BOX,
    Chart,
    FigureStyle,
    Spec,
    Table,
    alt_values,
    axis,
    bars_height,
    base_layout,
    class_axis,
    class_labels,
    dotted_vline,
    legend,
    plotly_text,
    tint,
)
from core.figures.tables import class_table, curve_table, sample
from core.query import format_number
from core.text import fmt

DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")


def _series_colour(i: int, target: int, style: FigureStyle) -> str:
    if i == target:
        return style.true
    others = [k for k in range(i) if k != target]
    return style.series[len(others) % len(style.series)]


def _true_name(name: str, is_true: bool) -> str:
    return f"{name} (true class)" if is_true else name


def temperature_curves(
    classes: Sequence[str],
    temperatures: npt.ArrayLike,
    sweep: npt.ArrayLike,
    target: int,
    t_now: float,
    now: npt.ArrayLike,
    style: FigureStyle,
) -> Chart:
    """Each class's probability against T (log scale), the example's T marked.

    ``sweep[k, i]`` is class i's probability at ``temperatures[k]``; ``now`` the
    probabilities at ``t_now`` (both from :func:`core.softmax_views.temperature_tab`).
    """
    ts = np.asarray(temperatures, dtype=np.float64)
    p = np.asarray(sweep, dtype=np.float64)
    p_now = np.asarray(now, dtype=np.float64)
    names = class_labels(classes, target)
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": ts.tolist(),
            "y": np.round(p[:, i], 6).tolist(),
            "name": names[i],
            "line": {
                "color": _series_colour(i, target, style),
                "width": style.line_width * (1.6 if i == target else 1.0),
                "dash": DASHES[i % len(DASHES)],
            },
            "hovertemplate": f"{plotly_text(c)}: p = %{{y:.4f}} at T = %{{x:.3g}}<extra></extra>",
        }
        for i, c in enumerate(classes)
    ]
    layout = base_layout(
        style,
        "temperature",
        "Probabilities as the temperature changes",
        height=style.height + 60,
        showlegend=True,
        legend=legend(style),
        xaxis=axis(style, type="log", title={"text": "temperature T (log scale)"}, range=[-2, 2]),
        yaxis=axis(style, title={"text": "p"}, range=[-0.02, 1.02]),
        shapes=dotted_vline(t_now),
        annotations=[_t_label(t_now, (-2.0, 2.0))],
    )
    alt = f"Lines of each class's probability against temperature from {fmt(float(ts[0]), 2)} to "
    alt += f"{fmt(float(ts[-1]), 2)}. At T = {format_number(t_now)}: " + alt_values(classes, p_now, target)
    rows = tuple((fmt(float(ts[k]), 3), *(fmt(float(v)) for v in p[k])) for k in sample(len(ts)))
    tables = (
        class_table(f"At T = {format_number(t_now)}", classes, p_now, target, header="p"),
        Table(
            "Probabilities as the temperature changes",
            ("T", *(_true_name(c, i == target) for i, c in enumerate(classes))),
            rows,
        ),
    )
    return Chart({"data": data, "layout": layout}, alt, tables)


def _t_label(t_now: float, log_range: tuple[float, float]) -> Spec:
    """ "T = 2" at the top of the plot beside the dotted line (inside the plot: the title is above it),
    on the line's right, or its left near the right edge; in a box, as it crosses the curves."""
    x = math.log10(t_now)  # a log axis places annotations by the exponent
    right_edge = log_range[1] - x < 0.5
    return {
        "x": x,
        "y": 1,
        "yref": "paper",
        "yanchor": "top",
        "xanchor": "right" if right_edge else "left",
        "xshift": -4 if right_edge else 4,
        "text": f"T = {format_number(t_now)}",
        "showarrow": False,
        "bgcolor": PAPER_BOX,
    }


def transform_bars(
    classes: Sequence[str],
    before: npt.ArrayLike,
    after: npt.ArrayLike,
    names: tuple[str, str],
    target: int,
    style: FigureStyle,
    revision: str,
) -> Chart:
    """Two sets of probabilities side by side (before and after a change to the logits)."""
    n = len(classes)
    traces = []
    for k, (values, name) in enumerate(zip((before, after), names, strict=True)):
        v = np.asarray(values, dtype=np.float64)
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": plotly_text(name),
                "x": v.tolist(),
                "y": list(range(n)),
                "text": [fmt(float(x)) for x in v],
                "textposition": "outside",
                "cliponaxis": False,
                "marker": {"color": style.other if k == 0 else style.series[1]},
                "hovertemplate": f"{plotly_text(name)}: %{{x:.6f}}<extra></extra>",
            }
        )
    layout = base_layout(
        style,
        revision,
        "",
        height=bars_height(style, 2 * n),
        barmode="group",
        showlegend=True,
        legend=legend(style),  # under the bars: a legend above them grew into them with the text
        margin={"l": 8, "r": 24, "t": 8, "b": 8},
        xaxis=axis(style, range=[0, 1.25], tickvals=[0, 0.25, 0.5, 0.75, 1]),
        yaxis=axis(style, **class_axis(classes, target)),
    )
    b, a = np.asarray(before, dtype=np.float64), np.asarray(after, dtype=np.float64)
    alt = f"Grouped bars. {names[0]}: {alt_values(classes, b, target)}. {names[1]}: {alt_values(classes, a, target)}."
    table = Table(
        f"{names[0]} and {names[1]}",
        ("class", *names),
        tuple(
            (_true_name(c, i == target), fmt(float(x)), fmt(float(y)))
            for i, (c, x, y) in enumerate(zip(classes, b, a, strict=True))
        ),
    )
    return Chart({"data": traces, "layout": layout}, alt, (table,))


def sigmoid_chart(
    name_1: str,
    name_2: str,
    curve_x: npt.ArrayLike,
    curve_y: npt.ArrayLike,
    marks_x: npt.ArrayLike,
    marks_y: npt.ArrayLike,
    x_now: float,
    p_now: float,
    temperature: float,
    style: FigureStyle,
) -> Chart:
    """σ((z₁ − z₂) / T) as a curve, two-class softmax as points on it, the pair ``name_1``, ``name_2`` marked.

    ``curve_y`` is σ at ``curve_x``, ``marks_y`` two-class softmax at ``marks_x``,
    and the pair sits at ``x_now = (z₁ − z₂) / T`` with ``p_now``
    (all from :func:`core.softmax_views.two_classes_tab`).
    """
    cx, cy = np.asarray(curve_x, dtype=np.float64), np.asarray(curve_y, dtype=np.float64)
    mx, my = np.asarray(marks_x, dtype=np.float64), np.asarray(marks_y, dtype=np.float64)
    a, b = plotly_text(name_1), plotly_text(name_2)
    t = format_number(temperature)
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": cx.tolist(),
            "y": np.round(cy, 6).tolist(),
            "name": "σ((z₁ − z₂) / T)",
            "line": {"color": style.other, "width": style.line_width},
            "hovertemplate": "σ(%{x:.2f}) = %{y:.4f}<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "markers",
            "x": mx.tolist(),
            "y": my.tolist(),
            "name": "softmax(z₁ / T, z₂ / T)₁",
            "marker": {"symbol": "circle-open", "size": style.marker_size, "color": style.curve, "line": {"width": 2}},
            "hovertemplate": "softmax = %{y:.4f} at (z₁ − z₂) / T = %{x}<extra></extra>",
        },
    ]
    annotations = []
    on_chart = bool(cx[0] <= x_now <= cx[-1])
    if on_chart:
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [x_now],
                "y": [p_now],
                "name": "now",
                "marker": {
                    "symbol": "diamond",
                    "size": 1.6 * style.marker_size,
                    "color": style.true,
                    "line": {"width": 2, "color": "#000000"},
                },
                "hovertemplate": f"p({a}) = %{{y:.4f}}<extra></extra>",
            }
        )
        annotations.append(
            {
                "x": x_now,
                "y": p_now,
                "text": f"{a} vs {b}: p = {fmt(p_now)}",
                "showarrow": True,
                "ax": -70 if x_now > 0 else 70,
                "ay": -30,
                "bgcolor": PAPER_BOX,
            }
        )
    layout = base_layout(
        style,
        "sigmoid",
        "Two classes: softmax is the sigmoid of the difference over T",
        showlegend=True,
        legend=legend(style),
        xaxis=axis(
            style, title={"text": f"(z₁ − z₂) / T, with T = {t}"}, range=[float(cx[0]) - 0.5, float(cx[-1]) + 0.5]
        ),
        yaxis=axis(style, title={"text": "p(class 1)"}, range=[-0.02, 1.05]),
        annotations=annotations,
        height=style.height + 60,
    )
    where = "" if on_chart else " (off the chart)"
    alt = (
        f"The sigmoid curve of (z1 - z2) / T from {fmt(float(cx[0]), 0)} to {fmt(float(cx[-1]), 0)}, with softmax "
        f"of two logits drawn as points lying on it. Now {name_1} vs {name_2} at T = {t}: "
        f"(z1 - z2) / T = {fmt(x_now)}, p = {fmt(p_now)}{where}."
    )
    tables = (
        Table(f"{name_1} vs {name_2} at T = {t}", ("(z₁ − z₂) / T", f"p({name_1})"), ((fmt(x_now), fmt(p_now)),)),
        curve_table("σ((z₁ − z₂) / T)", "(z₁ − z₂) / T", "σ", cx, cy),
        curve_table("softmax of two logits", "(z₁ − z₂) / T", "softmax(…)₁", mx, my),
    )
    return Chart({"data": data, "layout": layout}, alt, tables)


def jacobian_heatmap(
    classes: Sequence[str], jac: npt.ArrayLike, target: int, style: FigureStyle, temperature: float = 1.0
) -> Chart:
    """The softmax Jacobian at T as a labelled heatmap: row i, column j holds ∂pᵢ/∂zⱼ = pᵢ(δᵢⱼ − pⱼ) / T."""
    j = np.asarray(jac, dtype=np.float64)
    n = len(classes)
    span = max(float(np.max(np.abs(j))), 1e-12)  # the colour scale's half-width
    labels = class_labels(classes, target)
    full = [plotly_text(c) for c in classes]
    data = [
        {
            "type": "heatmap",
            "z": np.round(j, 6).tolist(),
            "x": list(range(n)),
            "y": list(range(n)),
            "text": [[fmt(float(v), 3) for v in row] for row in j],  # 4 decimals in the table
            "texttemplate": "%{text}",
            "textfont": {"size": max(style.font_size - 4, 11), "color": ON_LIGHT},
            "zmin": -span,
            "zmax": span,
            # light ends, so one dark ink reads on every cell in both themes (the cells keep their colours)
            "colorscale": [[0.0, tint(style.other, 0.35)], [0.5, "#ffffff"], [1.0, style.true]],
            "colorbar": {"thickness": 14},
            "customdata": [[[full[r], full[c]] for c in range(n)] for r in range(n)],
            "hovertemplate": "∂p(%{customdata[0]}) / ∂z(%{customdata[1]}) = %{z:.6f}<extra></extra>",
        }
    ]
    title = "∂pᵢ/∂zⱼ = pᵢ(δᵢⱼ − pⱼ)" + ("" if temperature == 1.0 else f" / {format_number(temperature)}")
    layout = base_layout(
        style,
        "jacobian",
        title,
        height=bars_height(style, len(classes)) + 40,
        xaxis=axis(
            style,
            title={"text": "logit zⱼ"},
            side="bottom",
            tickmode="array",
            tickvals=list(range(n)),
            ticktext=[label.replace(" ✓ true", "<br>✓ true") for label in labels],  # narrow columns
            showgrid=False,
        ),
        yaxis=axis(
            style,
            title={"text": "probability pᵢ"},
            autorange="reversed",
            tickmode="array",
            tickvals=list(range(n)),
            ticktext=labels,
            showgrid=False,
        ),
    )
    cells = "; ".join(
        f"row {a}, column {b}: {fmt(float(j[r, c]))}" for r, a in enumerate(classes) for c, b in enumerate(classes)
    )
    names = [_true_name(c, i == target) for i, c in enumerate(classes)]
    table = Table(
        f"∂p(row) / ∂z(column) at T = {format_number(temperature)}",
        ("", *names),
        tuple((n, *(fmt(float(v)) for v in row)) for n, row in zip(names, j, strict=True)),
    )
    return Chart(
        {"data": data, "layout": layout},
        f"Heatmap of the softmax Jacobian at T = {format_number(temperature)}. {cells}",
        (table,),
    )
