"""The Softmax page's charts: temperature curves, before/after bars, the sigmoid, the Jacobian."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from core.figures.style import (
    Chart,
    FigureStyle,
    alt_values,
    axis,
    bars_height,
    base_layout,
    class_axis,
    class_label,
    legend,
    plotly_text,
)
from core.softmax import softmax
from core.softmax_views import TEMPERATURES, sigmoid, temperature_sweep
from core.text import fmt

if TYPE_CHECKING:
    pass


# ---- Softmax page ---------------------------------------------------------------------------
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")


def _series_colour(i: int, target: int, style: FigureStyle) -> str:
    if i == target:
        return style.true
    others = [k for k in range(i) if k != target]
    return style.series[len(others) % len(style.series)]


def temperature_curves(
    classes: Sequence[str], logits: npt.ArrayLike, target: int, t_now: float, style: FigureStyle
) -> Chart:
    """Each class's probability as T goes from 0.01 to 100 (log scale), the current T marked."""
    p = temperature_sweep(logits, TEMPERATURES)
    now = softmax(logits, temperature=t_now)
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": TEMPERATURES.tolist(),
            "y": np.round(p[:, i], 6).tolist(),
            "name": class_label(c, i == target),
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
        shapes=[
            {
                "type": "line",
                "x0": t_now,
                "x1": t_now,
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "line": {"color": "#444444", "width": 2, "dash": "dot"},
            }
        ],
        annotations=[
            {
                "x": math.log10(t_now),
                "y": 1.02,
                "yref": "paper",
                "text": f"T = {fmt(t_now, 2)}",
                "showarrow": False,
                "yanchor": "bottom",
            }
        ],
    )
    alt = f"Lines of each class's probability against temperature from 0.01 to 100. At T = {fmt(t_now, 2)}: " + (
        alt_values(classes, now, target)
    )
    return Chart({"data": data, "layout": layout}, alt)


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
        legend={"orientation": "h", "y": 1.12, "x": 0, "font": {"size": style.font_size - 1}},
        margin={"l": 8, "r": 24, "t": 48, "b": 8},
        xaxis=axis(style, range=[0, 1.25], tickvals=[0, 0.25, 0.5, 0.75, 1]),
        yaxis=axis(style, **class_axis(classes, target)),
    )
    alt = (
        f"Grouped bars. {names[0]}: {alt_values(classes, np.asarray(before, dtype=np.float64), target)}. "
        f"{names[1]}: {alt_values(classes, np.asarray(after, dtype=np.float64), target)}."
    )
    return Chart({"data": traces, "layout": layout}, alt)


_DIFFS = np.linspace(-10.0, 10.0, 161)


def sigmoid_chart(name_1: str, name_2: str, z1: float, z2: float, style: FigureStyle) -> Chart:
    """softmax(z1, z2) for class 1 against sigmoid(z1 - z2): one curve, the points lie on it."""
    marks = np.arange(-10.0, 10.5, 1.0)
    on_softmax = [float(softmax([d, 0.0])[0]) for d in marks]
    d_now = z1 - z2
    p_now = float(softmax([z1, z2])[0])
    a, b = plotly_text(name_1), plotly_text(name_2)
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": _DIFFS.tolist(),
            "y": np.round(sigmoid(_DIFFS), 6).tolist(),
            "name": "σ(z₁ − z₂)",
            "line": {"color": style.other, "width": style.line_width},
            "hovertemplate": "σ(%{x:.2f}) = %{y:.4f}<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "markers",
            "x": marks.tolist(),
            "y": on_softmax,
            "name": "softmax(z₁, z₂)₁",
            "marker": {"symbol": "circle-open", "size": 10, "color": style.curve, "line": {"width": 2}},
            "hovertemplate": "softmax = %{y:.4f} at z₁ − z₂ = %{x}<extra></extra>",
        },
    ]
    annotations = []
    if -10 <= d_now <= 10:
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [d_now],
                "y": [p_now],
                "name": "now",
                "marker": {"symbol": "diamond", "size": 16, "color": style.true, "line": {"width": 2, "color": "#000"}},
                "hovertemplate": f"p({a}) = %{{y:.4f}}<extra></extra>",
            }
        )
        annotations.append(
            {
                "x": d_now,
                "y": p_now,
                "text": f"{a} vs {b}: p = {fmt(p_now)}",
                "showarrow": True,
                "ax": -70 if d_now > 0 else 70,
                "ay": -30,
                "bgcolor": "rgba(255,255,255,0.85)",
            }
        )
    layout = base_layout(
        style,
        "sigmoid",
        "Two classes: softmax is the sigmoid of the difference",
        showlegend=True,
        legend=legend(style),
        xaxis=axis(style, title={"text": "z₁ − z₂"}, range=[-10.5, 10.5]),
        yaxis=axis(style, title={"text": "p(class 1)"}, range=[-0.02, 1.05]),
        annotations=annotations,
        height=style.height + 60,
    )
    alt = (
        f"The sigmoid curve of z1 - z2 from -10 to 10, with softmax of two logits drawn as points lying on it. "
        f"Now {name_1} vs {name_2}: z1 - z2 = {fmt(d_now)}, p = {fmt(p_now)}."
    )
    return Chart({"data": data, "layout": layout}, alt)


def jacobian_heatmap(classes: Sequence[str], jac: npt.ArrayLike, target: int, style: FigureStyle) -> Chart:
    """The softmax Jacobian as a labelled heatmap: row i, column j holds dp_i/dz_j."""
    j = np.asarray(jac, dtype=np.float64)
    span = max(float(np.max(np.abs(j))), 1e-12)
    labels = [class_label(c, i == target) for i, c in enumerate(classes)]
    data = [
        {
            "type": "heatmap",
            "z": np.round(j, 6).tolist(),
            "x": labels,
            "y": labels,
            "text": [[fmt(float(v)) for v in row] for row in j],
            "texttemplate": "%{text}",
            "textfont": {"size": style.font_size},
            "zmin": -span,
            "zmax": span,
            "colorscale": [[0.0, style.other], [0.5, "#ffffff"], [1.0, style.true]],
            "colorbar": {"thickness": 14},
            "hovertemplate": "∂p(%{y}) / ∂z(%{x}) = %{z:.6f}<extra></extra>",
        }
    ]
    layout = base_layout(
        style,
        "jacobian",
        "∂pᵢ/∂zⱼ = pᵢ(δᵢⱼ − pⱼ)",
        height=bars_height(style, len(classes)) + 40,
        xaxis=axis(style, title={"text": "logit zⱼ"}, side="bottom", type="category"),
        yaxis=axis(style, title={"text": "probability pᵢ"}, autorange="reversed", type="category"),
    )
    cells = "; ".join(
        f"row {a}, column {b}: {fmt(float(j[r, c]))}" for r, a in enumerate(classes) for c, b in enumerate(classes)
    )
    return Chart({"data": data, "layout": layout}, f"Heatmap of the softmax Jacobian. {cells}")
