"""The Playground's charts: probabilities, the gradient, the loss curve over p(true)."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from core.figures.style import (
    Chart,
    FigureStyle,
    Spec,
    alt_values,
    axis,
    bars_height,
    base_layout,
    class_axis,
    class_bars,
    nice_span,
    plotly_text,
)
from core.text import fmt
from core.units import in_unit

if TYPE_CHECKING:
    pass


def probability_bars(classes: Sequence[str], probs: npt.ArrayLike, target: int, style: FigureStyle) -> Chart:
    """Softmax probabilities as labelled bars on a fixed 0..1 axis."""
    p = np.asarray(probs, dtype=np.float64)
    trace = class_bars(classes, p, target, style, text=[fmt(x) for x in p], hover="p(%{customdata}) = %{x:.6f}")
    layout = base_layout(
        style,
        "probs",
        "Probabilities  p = softmax(z / T)",
        height=bars_height(style, len(classes)),
        xaxis=axis(style, range=[0, 1.2], tickvals=[0, 0.25, 0.5, 0.75, 1], zeroline=True),
        yaxis=axis(style, **class_axis(classes, target)),
    )
    alt = "Bar chart of probabilities. " + alt_values(classes, p, target)
    return Chart({"data": [trace], "layout": layout}, alt)


def gradient_bars(classes: Sequence[str], grad: npt.ArrayLike, target: int, style: FigureStyle) -> Chart:
    """d(loss)/d(logit) per class: negative for the true class, positive for the rest."""
    g = np.asarray(grad, dtype=np.float64)
    span = nice_span(float(np.max(np.abs(g))) if g.size else 0.0)
    trace = class_bars(
        classes,
        g,
        target,
        style,
        text=[("+" if x > 0 else "") + fmt(float(x)) for x in g],
        hover="∂L/∂z(%{customdata}) = %{x:.6f}",
    )
    layout = base_layout(
        style,
        "grad",
        "Gradient  ∂L/∂z",
        height=bars_height(style, len(classes)),
        xaxis=axis(
            style,
            range=[-span, span],
            zeroline=True,
            zerolinewidth=2,
            zerolinecolor="rgba(128,128,128,0.8)",
        ),
        yaxis=axis(style, **class_axis(classes, target)),
    )
    alt = "Bar chart of the gradient of the loss with respect to each logit. " + alt_values(classes, g, target)
    return Chart({"data": [trace], "layout": layout}, alt)


_CURVE_P = np.unique(np.round(np.concatenate([np.geomspace(1e-4, 1.0, 90), np.linspace(0.02, 1.0, 50)]), 6))


@functools.lru_cache(maxsize=4)
def _curve(unit: str) -> tuple[list[float], list[float]]:
    """The points of -log p (the same for every scenario: built once per unit)."""
    return _CURVE_P.tolist(), [round(in_unit(-math.log(p), unit), 6) for p in _CURVE_P]


def loss_curve(true_class: str, p_true: float, unit: str, style: FigureStyle) -> Chart:
    """The loss -log p as a function of p(true class), with the current point marked."""
    loss = in_unit(-math.log(p_true), unit) if p_true > 0 else math.inf
    xs, ys = _curve(unit)
    floor = in_unit(-math.log(0.01), unit)
    top = max(floor, 1.2 * loss) if loss <= 3 * floor else floor
    name = plotly_text(true_class)
    data: list[Spec] = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": xs,
            "y": ys,
            "line": {"color": style.curve, "width": style.line_width},
            "hovertemplate": f"p = %{{x:.4f}}<br>loss = %{{y:.4f}} {unit}<extra></extra>",
        }
    ]
    annotations: list[Spec] = []
    if loss <= top:
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [p_true],
                "y": [loss],
                "marker": {
                    "size": 4 * style.line_width + 6,
                    "color": style.true,
                    "symbol": "diamond",
                    "line": {"width": 2, "color": "#000000"},
                },
                "hovertemplate": f"p({name}) = %{{x:.6f}}<br>loss = %{{y:.6f}} {unit}<extra></extra>",
            }
        )
        annotations.append(
            {
                "x": p_true,
                "y": loss,
                "text": f"p({name}) = {fmt(p_true)}<br>loss = {fmt(loss)} {unit}",
                "showarrow": True,
                "arrowhead": 2,
                "ax": 60 if p_true < 0.6 else -60,
                "ay": -40,
                "bgcolor": "rgba(255,255,255,0.85)",
                "font": {"color": "#000000"},
            }
        )
    else:
        annotations.append(
            {
                "x": 0,
                "y": top,
                "xanchor": "left",
                "yanchor": "top",
                "showarrow": False,
                "text": f"p({name}) = {fmt(p_true)}: loss = {fmt(loss)} {unit}, off the chart",
                "bgcolor": "rgba(255,255,255,0.85)",
                "font": {"color": "#000000"},
            }
        )
    symbol = "log₂" if unit == "bits" else "ln"
    layout = base_layout(
        style,
        "loss_curve",
        f"Loss = −{symbol} p(true)",
        xaxis=axis(style, title={"text": "p(true class)"}, range=[0, 1.02]),
        yaxis=axis(style, title={"text": unit}, range=[0, top]),
        annotations=annotations,
    )
    alt = (
        f"Curve of the loss −{symbol} p against the probability p of the true class: "
        f"infinite at p = 0, zero at p = 1. Now p({true_class}) = {fmt(p_true)}, loss = {fmt(loss)} {unit}."
    )
    return Chart({"data": data, "layout": layout}, alt)
