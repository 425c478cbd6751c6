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
    plotly_text,
)
from core.figures.tables import class_table, curve_table
from core.text import fmt, fmt_prob, relation

PROBS_TITLE = "Probabilities  p = softmax(z / T)"
GRAD_TITLE = "Gradient  ∂L/∂z"


def probability_bars(
    classes: Sequence[str],
    probs: npt.ArrayLike,
    target: int,
    style: FigureStyle,
    log_probs: npt.ArrayLike | None = None,
) -> Chart:
    """Softmax probabilities as labelled bars on a fixed 0..1 axis.

    With ``log_probs`` (log-softmax, from core) a probability that underflowed to 0 is
    labelled from its log (``≈ 3.1 × 10⁻⁴³⁴³``), in the bars, the alt text and the table.
    """
    p = np.asarray(probs, dtype=np.float64)
    if log_probs is None:
        shown = [fmt(float(x)) for x in p]
    else:
        shown = [
            fmt_prob(float(x), float(lp)) for x, lp in zip(p, np.asarray(log_probs, dtype=np.float64), strict=True)
        ]
    trace = class_bars(classes, p, target, style, text=shown, hover="p(%{customdata}) = %{x:.6f}")
    layout = base_layout(
        style,
        "probs",
        PROBS_TITLE,
        height=bars_height(style, len(classes)),
        xaxis=axis(style, range=[0, 1.2], tickvals=[0, 0.25, 0.5, 0.75, 1], zeroline=True),
        yaxis=axis(style, **class_axis(classes, target)),
    )
    alt = "Bar chart of probabilities. " + alt_values(classes, p, target, shown)
    table = class_table(PROBS_TITLE, classes, p, target, "p", shown)
    return Chart({"data": [trace], "layout": layout}, alt, (table,))


def gradient_bars(
    classes: Sequence[str], grad: npt.ArrayLike, target: int, style: FigureStyle, *, temperature: float = 1.0
) -> Chart:
    """d(loss)/d(logit) per class, (p − y) / T: negative for the true class, positive for the rest.

    The axis is fixed at ±1/T, the bound of (p − y) / T for any p and any target y that is a
    distribution (one-hot or smoothed): the same at every step and for every example at that T, so a
    bar's length is the gradient's size (it shrinks as the model learns) instead of being rescaled
    away. Each value is written beside the zero line on the side its bar does not take, so a long
    negative bar's "−" never runs into the class names.
    """
    g = np.asarray(grad, dtype=np.float64)
    bound = 1.0 / temperature
    span = 1.05 * max(bound, float(np.max(np.abs(g))) if g.size else 0.0)  # a caller's stray value still fits
    trace = class_bars(classes, g, target, style, text=None, hover="∂L/∂z(%{customdata}) = %{x:.6f}")
    values = [
        {
            "x": 0,
            "y": i,
            "text": ("+" if x > 0 else "") + fmt(float(x)),
            "showarrow": False,
            "xanchor": "left" if x < 0 else "right",  # across zero from the bar
            "xshift": 5 if x < 0 else -5,
        }
        for i, x in enumerate(g)
    ]
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
        annotations=values,
    )
    alt = (
        "Bar chart of the gradient of the loss with respect to each logit, on a fixed scale from "
        f"−{fmt(bound)} to {fmt(bound)} (the largest a gradient (p − y) / T can be). " + alt_values(classes, g, target)
    )
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


NOTE_CHARS = 24
"""A line of the loss curve's label or note holds at most this many characters: the plot is ~290 px wide on a
390 px phone (and the text 1.35 times larger on a projector, in a wider chart)."""


def _short(name: str, chars: int) -> str:
    return name if len(name) <= chars else name[: chars - 1] + "…"


def _p_lines(name: str, shown: str) -> list[str]:
    """``p(name) = shown`` on one line if it fits, else the name and the value on two (the name shortened)."""
    sign, number = relation(shown)
    line = f"p({name}) {sign} {number}"
    if len(line) <= NOTE_CHARS:
        return [line]
    return [f"p({_short(name, NOTE_CHARS - 3)})", f"{sign} {number}"]


def loss_curve(true_class: str, curve: LossCurve, style: FigureStyle) -> Chart:
    """The loss -log p as a function of p(true class) (``curve``, from core), with the example marked.

    The label sits in the plot's empty upper right (the curve is low there) with an arrow to the point, so it
    never covers the title; a loss above the axis gets a note in that corner instead. A p(true) that underflowed
    is written from its log (:func:`core.text.fmt_prob`), never as 0.
    """
    unit, p_true, loss = curve.unit, curve.p_now, curve.loss_now
    p_shown = fmt_prob(p_true, curve.log_p_now)
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
    label_font = {"color": "#000000", "size": style.font_size - 2}
    lines = [plotly_text(line) for line in _p_lines(true_class, p_shown)]
    annotations: list[Spec] = []
    if loss <= top:
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [p_true],
                "y": [loss],
                "cliponaxis": False,  # whole at p = 0 or 1, on the axes
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
                # the text's centre, in the axes' own units: the upper right, where -log p is low
                "axref": "x",
                "ayref": "y",
                "ax": 0.62,
                "ay": 0.62 * top,
                "text": "<br>".join([*lines, f"loss = {fmt(loss)} {unit}"]),
                "showarrow": True,
                "arrowhead": 2,
                "bgcolor": "rgba(255,255,255,0.85)",
                "font": label_font,
            }
        )
    else:
        annotations.append(
            {
                "xref": "paper",
                "yref": "paper",
                "x": 1,
                "y": 1,
                "xanchor": "right",
                "yanchor": "top",
                "align": "right",
                "showarrow": False,
                "text": "<br>".join([*lines, f"loss = {fmt(loss)} {unit}", "off the chart ↑"]),
                "bgcolor": "rgba(255,255,255,0.85)",
                "font": label_font,
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
    sign, number = relation(p_shown)
    alt = (
        f"Curve of the loss −{symbol} p against the probability p of the true class: "
        f"infinite at p = 0, zero at p = 1. Now p({true_class}) {sign} {number}, loss = {fmt(loss)} {unit}."
    )
    tables = (
        _curve_line(unit)[2],
        Table("Now", (f"p({true_class})", f"loss ({unit})"), ((p_shown, fmt(loss)),)),
    )
    return Chart({"data": data, "layout": layout}, alt, tables)
