"""The Playground's charts: probabilities, the gradient, the loss curve over p(true).

Builders only lay out numbers computed by core (:func:`core.explain.evaluate`):
no softmax, no loss, no logarithm here. Each chart carries its "Show the numbers"
tables, built from the same numbers.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from core.explain import LossCurve, loss_curve_points
from core.figures.style import (
    Chart,
    FigureStyle,
    Spec,
    Table,
    alt_values,
    axis,
    bars_height,
    base_layout,
    class_axis,
    class_bars,
    nice_span,
    plotly_text,
)
from core.figures.tables import class_table, curve_table
from core.text import fmt

PROBS_TITLE = "Probabilities  p = softmax(z / T)"
GRAD_TITLE = "Gradient  ∂L/∂z"


def probability_bars(classes: Sequence[str], probs: npt.ArrayLike, target: int, style: FigureStyle) -> Chart:
    """Softmax probabilities as labelled bars on a fixed 0..1 axis."""
    p = np.asarray(probs, dtype=np.float64)
    trace = class_bars(classes, p, target, style, text=[fmt(x) for x in p], hover="p(%{customdata}) = %{x:.6f}")
    layout = base_layout(
        style,
        "probs",
        PROBS_TITLE,
        height=bars_height(style, len(classes)),
        xaxis=axis(style, range=[0, 1.2], tickvals=[0, 0.25, 0.5, 0.75, 1], zeroline=True),
        yaxis=axis(style, **class_axis(classes, target)),
    )
    alt = "Bar chart of probabilities. " + alt_values(classes, p, target)
    return Chart({"data": [trace], "layout": layout}, alt, (class_table(PROBS_TITLE, classes, p, target, "p"),))


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
        GRAD_TITLE,
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
    return Chart({"data": [trace], "layout": layout}, alt, (class_table(GRAD_TITLE, classes, g, target, "∂L/∂z"),))


def _curve_title(unit: str) -> str:
    return f"Loss = −{'log₂' if unit == 'bits' else 'ln'} p(true)"


@functools.lru_cache(maxsize=4)
def _curve_line(unit: str) -> tuple[tuple[float, ...], tuple[float, ...], Table]:
    """The loss curve's points and their table: the same for every example, so built once per unit
    (6 decimals keep a live answer small)."""
    curve = loss_curve_points(1.0, 0.0, unit)
    table = curve_table(_curve_title(unit), "p(true class)", f"loss ({unit})", curve.p, curve.loss)
    return tuple(curve.p.tolist()), tuple(round(y, 6) for y in curve.loss.tolist()), table


def loss_curve(true_class: str, curve: LossCurve, style: FigureStyle) -> Chart:
    """The loss -log p as a function of p(true class) (``curve``, from core), with the example marked."""
    unit, p_true, loss = curve.unit, curve.p_now, curve.loss_now
    floor = curve.reference
    top = max(floor, 1.2 * loss) if loss <= 3 * floor else floor
    name = plotly_text(true_class)
    data: list[Spec] = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": _curve_line(unit)[0],
            "y": _curve_line(unit)[1],
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
    title = _curve_title(unit)
    layout = base_layout(
        style,
        "loss_curve",
        title,
        xaxis=axis(style, title={"text": "p(true class)"}, range=[0, 1.02]),
        yaxis=axis(style, title={"text": unit}, range=[0, top]),
        annotations=annotations,
    )
    alt = (
        f"Curve of the loss −{symbol} p against the probability p of the true class: "
        f"infinite at p = 0, zero at p = 1. Now p({true_class}) = {fmt(p_true)}, loss = {fmt(loss)} {unit}."
    )
    tables = (
        _curve_line(unit)[2],
        Table("Now", (f"p({true_class})", f"loss ({unit})"), ((fmt(p_true), fmt(loss)),)),
    )
    return Chart({"data": data, "layout": layout}, alt, tables)
