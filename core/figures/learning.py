"""The Learning page's charts: descent losses, the CE/SE race, decision regions, training curves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from core.figures.style import (
    Chart,
    FigureStyle,
    Spec,
    axis,
    base_layout,
    dotted_vline,
    legend,
    plotly_text,
    tint,
)
from core.text import fmt
from core.units import in_unit

if TYPE_CHECKING:
    pass


# ---- learning -------------------------------------------------------------------------------------
def descent_losses(losses: npt.ArrayLike, step: int, unit: str, style: FigureStyle) -> Chart:
    """Cross-entropy after each gradient step: the steps taken solid, the ones to come faint."""
    y = [round(in_unit(float(v), unit), 6) for v in np.asarray(losses, dtype=np.float64)]
    k = min(max(step, 0), len(y) - 1)
    steps = list(range(len(y)))
    data: list[Spec] = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": steps,
            "y": y,
            "line": {"color": "rgba(128,128,128,0.45)", "width": style.line_width, "dash": "dot"},
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "x": steps[: k + 1],
            "y": y[: k + 1],
            "line": {"color": style.curve, "width": style.line_width},
            "hovertemplate": f"step %{{x}}: %{{y:.4f}} {unit}<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "markers+text",
            "x": [k],
            "y": [y[k]],
            "text": [f"{fmt(y[k])} {unit}"],
            "textposition": "top right",
            "cliponaxis": False,
            "marker": {"size": 13, "color": style.curve, "line": {"color": "#000000", "width": 1.5}},
            "hoverinfo": "skip",
        },
    ]
    layout = base_layout(
        style,
        "descent_losses",
        "Cross-entropy per step",
        xaxis=axis(style, title={"text": "step"}, range=[0, len(y) - 1]),
        yaxis=axis(style, title={"text": unit}, range=[0, max(1.1 * max(y), 1e-3)]),
        shapes=dotted_vline(k),
    )
    alt = (
        f"Line chart of the cross-entropy over {len(y) - 1} gradient steps, from {fmt(y[0])} to {fmt(y[-1])} {unit}. "
        f"Now at step {k}: {fmt(y[k])} {unit}."
    )
    return Chart({"data": data, "layout": layout}, alt)


def descent_race(p_ce: npt.ArrayLike, p_se: npt.ArrayLike, step: int, true_class: str, style: FigureStyle) -> Chart:
    """p(true class) per step under cross-entropy and under squared error, from the same start."""
    a = np.round(np.asarray(p_ce, dtype=np.float64), 6).tolist()
    b = np.round(np.asarray(p_se, dtype=np.float64), 6).tolist()
    name = plotly_text(true_class)
    steps = list(range(len(a)))
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": steps,
            "y": series,
            "name": label,
            "line": {"color": colour, "width": style.line_width, "dash": dash},
            "hovertemplate": f"{label}: p({name}) = %{{y:.4f}} after %{{x}} steps<extra></extra>",
        }
        for series, label, colour, dash in (
            (a, "cross-entropy", style.curve, "solid"),
            (b, "squared error", style.other, "dash"),
        )
    ]
    layout = base_layout(
        style,
        "descent_race",
        f"p({name}) per step: the two losses from the same start",
        height=style.height + 60,
        showlegend=True,
        legend=legend(style),
        xaxis=axis(style, title={"text": "step"}, range=[0, len(a) - 1]),
        yaxis=axis(style, title={"text": f"p({name})"}, range=[-0.02, 1.02]),
        shapes=dotted_vline(min(max(step, 0), len(a) - 1)),
    )

    def reach(p: list[float]) -> str:
        k = next((i for i, v in enumerate(p) if v >= 0.5), None)
        return (
            f"passes 0.5 after {k} step{'' if k == 1 else 's'}"
            if k is not None
            else f"stays below 0.5 for all {len(p) - 1} steps"
        )

    alt = (
        f"Two lines of p({true_class}) against the step. Cross-entropy goes from {fmt(a[0])} to {fmt(a[-1])} and "
        f"{reach(a)}; squared error goes from {fmt(b[0])} to {fmt(b[-1])} and {reach(b)}."
    )
    return Chart({"data": data, "layout": layout}, alt)


def class_colours(n: int, style: FigureStyle) -> list[str]:
    """One colour per class when no class is "the true one" (blue, orange, green, ...)."""
    palette = [style.other, style.true, *style.series[1:]]
    return [palette[i % len(palette)] for i in range(n)]


SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star")
"""One marker shape per class, so points are told apart without colour."""


def decision_regions(
    classes: Sequence[str],
    grid: tuple[npt.ArrayLike, npt.ArrayLike, npt.ArrayLike],
    X: npt.ArrayLike,
    y: npt.ArrayLike,
    style: FigureStyle,
) -> Chart:
    """The classifier's predicted class over the plane (tinted), under the training points (shaped by class)."""
    xs, ys, probs = (np.asarray(a, dtype=np.float64) for a in grid)
    pts = np.asarray(X, dtype=np.float64)
    labels = np.asarray(y)
    n = len(classes)
    colours = class_colours(n, style)
    predicted = np.argmax(probs, axis=-1)
    confidence = np.max(probs, axis=-1)
    # One tint per class, lighter where the classifier is unsure: z = class + confidence step.
    levels = 3
    z = predicted * levels + np.minimum((confidence - 1 / n) / (1 - 1 / n) * levels, levels - 1).astype(int)
    scale: list[list[float | str]] = []
    top = n * levels - 1
    for c in range(n):
        for k in range(levels):
            colour = tint(colours[c], 0.85 - 0.2 * k)
            v = c * levels + k
            scale += [[(v - 0.5) / top if v else 0.0, colour], [min((v + 0.5) / top, 1.0), colour]]
    data: list[Spec] = [
        {
            "type": "heatmap",
            "x": np.round(xs, 4).tolist(),
            "y": np.round(ys, 4).tolist(),
            "z": z.tolist(),
            "zmin": 0,
            "zmax": top,
            "colorscale": scale,
            "showscale": False,
            "hoverinfo": "skip",
        }
    ]
    for c, name in enumerate(classes):
        mine = pts[labels == c]
        safe = plotly_text(name)
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": np.round(mine[:, 0], 4).tolist(),
                "y": np.round(mine[:, 1], 4).tolist(),
                "name": safe,
                "marker": {
                    "symbol": SYMBOLS[c % len(SYMBOLS)],
                    "size": 10,
                    "color": colours[c],
                    "line": {"color": "#000000", "width": 1},
                },
                "hovertemplate": f"{safe} at (%{{x:.2f}}, %{{y:.2f}})<extra></extra>",
            }
        )
    layout = base_layout(
        style,
        "regions",
        "Decision regions (darker: more confident)",
        height=style.height + 240,
        showlegend=True,
        legend=legend(style),
        xaxis=axis(style, range=[float(xs[0]), float(xs[-1])], showgrid=False, zeroline=False, constrain="domain"),
        yaxis=axis(
            style, range=[float(ys[0]), float(ys[-1])], showgrid=False, zeroline=False, scaleanchor="x", scaleratio=1
        ),
    )
    shares = [float(np.mean(predicted == c)) for c in range(n)]
    alt = "Map of the plane coloured by the predicted class, with the training points on top. Share of the map: " + (
        ", ".join(f"{c} {fmt(100 * s, 1)}%" for c, s in zip(classes, shares, strict=True))
    )
    return Chart({"data": data, "layout": layout}, alt + ".")


def training_curves(
    losses: npt.ArrayLike, accuracies: npt.ArrayLike, epoch: int, unit: str, style: FigureStyle
) -> Chart:
    """Training loss (left axis) and accuracy (right axis) per epoch, the shown epoch marked."""
    loss = [round(in_unit(float(v), unit), 6) for v in np.asarray(losses, dtype=np.float64)]
    acc = np.round(100 * np.asarray(accuracies, dtype=np.float64), 3).tolist()
    epochs = list(range(len(loss)))
    k = min(max(epoch, 0), len(loss) - 1)
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": epochs,
            "y": loss,
            "name": f"loss ({unit}, left)",
            "line": {"color": style.curve, "width": style.line_width},
            "hovertemplate": f"epoch %{{x}}: loss %{{y:.4f}} {unit}<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "x": epochs,
            "y": acc,
            "yaxis": "y2",
            "name": "accuracy (%, right)",
            "line": {"color": style.other, "width": style.line_width, "dash": "dash"},
            "hovertemplate": "epoch %{x}: accuracy %{y:.1f}%<extra></extra>",
        },
    ]
    layout = base_layout(
        style,
        "training",
        "Loss and accuracy per epoch",
        height=style.height + 60,
        showlegend=True,
        legend=legend(style),
        xaxis=axis(style, title={"text": "epoch"}, range=[0, max(len(loss) - 1, 1)]),
        yaxis=axis(style, title={"text": unit}, range=[0, max(1.05 * max(loss), 1e-3)]),
        yaxis2=axis(
            style,
            overlaying="y",
            side="right",
            range=[0, 102],
            showgrid=False,
            tickvals=[0, 50, 100],
            ticktext=["0%", "50%", "100%"],
        ),
        shapes=dotted_vline(k),
    )
    alt = (
        f"Loss and accuracy over {len(loss) - 1} epochs: loss from {fmt(loss[0])} to {fmt(loss[-1])} {unit}, "
        f"accuracy from {fmt(acc[0], 1)}% to {fmt(acc[-1], 1)}%. At epoch {k}: loss {fmt(loss[k])} {unit}, "
        f"accuracy {fmt(acc[k], 1)}%."
    )
    return Chart({"data": data, "layout": layout}, alt)
