"""The Learning page's charts: descent losses, the CE/SE race, decision regions, training curves.

Builders take the numbers :mod:`core.training` computed (losses already in the
page's unit, accuracies in percent, the map's predicted classes) and only lay
them out; each returns its "Show the numbers" tables built from those numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from core.figures.style import (
    Chart,
    FigureStyle,
    Spec,
    Table,
    axis,
    base_layout,
    dotted_vline,
    legend,
    plotly_text,
    tint,
)
from core.figures.tables import sample
from core.text import fmt
from core.training import DecisionMap

__all__ = ["SYMBOLS", "class_colours", "decision_regions", "descent_losses", "descent_race", "training_curves"]


def _rounded(values: npt.ArrayLike, digits: int = 6) -> list[float]:
    return [round(float(v), digits) for v in np.asarray(values, dtype=np.float64)]


# ---- gradient steps on the logits -----------------------------------------------------------------
def descent_losses(losses: npt.ArrayLike, step: int, unit: str, style: FigureStyle) -> Chart:
    """Cross-entropy after each gradient step (already in ``unit``): the steps taken solid, those to come faint."""
    y = _rounded(losses)
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
            "textposition": "top right" if k < (len(y) - 1) / 2 else "top left",  # into the plot, not off it
            "cliponaxis": False,
            "marker": {
                "size": 1.3 * style.marker_size,
                "color": style.curve,
                "line": {"color": "#000000", "width": 1.5},
            },
            "hoverinfo": "skip",
        },
    ]
    layout = base_layout(
        style,
        "descent_losses",
        "Cross-entropy per step",
        xaxis=axis(style, title={"text": "step"}, range=[0, len(y) - 1]),
        yaxis=axis(style, title={"text": unit}, range=[0, max(1.3 * max(y), 1e-3)]),  # room for the point's label
        shapes=dotted_vline(k),
    )
    alt = (
        f"Line chart of the cross-entropy over {len(y) - 1} gradient steps, from {fmt(y[0])} to {fmt(y[-1])} {unit}. "
        f"Now at step {k}: {fmt(y[k])} {unit}."
    )
    values = np.asarray(losses, dtype=np.float64)
    table = Table(
        "Cross-entropy per step",
        ("step", f"cross-entropy ({unit})"),
        tuple((str(i), fmt(float(values[i]))) for i in sorted({*sample(len(y)), k})),
    )
    return Chart({"data": data, "layout": layout}, alt, (table,))


def _reach(first: int | None, last_step: int) -> str:
    if first is None:
        return f"stays below 0.5 for all {last_step} steps"
    return f"passes 0.5 after {first} step{'' if first == 1 else 's'}"


def descent_race(
    p_ce: npt.ArrayLike,
    p_se: npt.ArrayLike,
    step: int,
    true_class: str,
    style: FigureStyle,
    *,
    passes_half: tuple[int | None, int | None],
) -> Chart:
    """p(true class) per step under cross-entropy and under squared error, from the same start.

    ``passes_half`` is the first step at which each reaches 0.5 (``None``: never), for the alt text.
    """
    a, b = _rounded(p_ce), _rounded(p_se)
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
    last = len(a) - 1
    alt = (
        f"Two lines of p({true_class}) against the step. Cross-entropy goes from {fmt(a[0])} to {fmt(a[-1])} and "
        f"{_reach(passes_half[0], last)}; squared error goes from {fmt(b[0])} to {fmt(b[-1])} and "
        f"{_reach(passes_half[1], last)}."
    )
    ce, se = np.asarray(p_ce, dtype=np.float64), np.asarray(p_se, dtype=np.float64)
    table = Table(
        f"p({true_class}) per step",
        ("step", "cross-entropy", "squared error"),
        tuple((str(i), fmt(float(ce[i])), fmt(float(se[i]))) for i in sample(len(a))),
    )
    return Chart({"data": data, "layout": layout}, alt, (table,))


# ---- a tiny classifier ----------------------------------------------------------------------------
def class_colours(n: int, style: FigureStyle) -> list[str]:
    """One colour per class when no class is "the true one" (blue, orange, green, ...)."""
    palette = [style.other, style.true, *style.series[1:]]
    return [palette[i % len(palette)] for i in range(n)]


SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star")
"""One marker shape per class, so points are told apart without colour."""


def decision_regions(
    classes: Sequence[str],
    regions: DecisionMap,
    X: npt.ArrayLike,
    y: npt.ArrayLike,
    style: FigureStyle,
) -> Chart:
    """The classifier's predicted class over the plane (tinted, darker where surer), under the training points."""
    pts = np.asarray(X, dtype=np.float64)
    labels = np.asarray(y)
    n, levels = len(classes), regions.bands
    colours = class_colours(n, style)
    # one colour per (class, confidence band): cell value class * bands + band
    z = regions.predicted * levels + regions.confidence
    scale: list[list[float | str]] = []
    top = max(n * levels - 1, 1)
    for c in range(n):
        for k in range(levels):
            colour = tint(colours[c], 0.85 - 0.2 * k)
            v = c * levels + k
            scale += [[(v - 0.5) / top if v else 0.0, colour], [min((v + 0.5) / top, 1.0), colour]]
    data: list[Spec] = [
        {
            "type": "heatmap",
            "x": _rounded(regions.xs, 4),
            "y": _rounded(regions.ys, 4),
            "z": z.tolist(),
            "zmin": 0,
            "zmax": top,
            "colorscale": scale,
            "showscale": False,
            "hoverinfo": "skip",
        }
    ]
    counts: list[int] = []
    for c, name in enumerate(classes):
        mine = pts[labels == c]
        counts.append(len(mine))
        safe = plotly_text(name)
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": _rounded(mine[:, 0], 4),
                "y": _rounded(mine[:, 1], 4),
                "name": safe,
                "marker": {
                    "symbol": SYMBOLS[c % len(SYMBOLS)],
                    "size": style.marker_size,
                    "color": colours[c],
                    "line": {"color": "#000000", "width": 1},
                },
                "hovertemplate": f"{safe} at (%{{x:.2f}}, %{{y:.2f}})<extra></extra>",
            }
        )
    xs, ys = regions.xs, regions.ys
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
    shares = [100 * float(s) for s in regions.shares]
    alt = "Map of the plane coloured by the predicted class, with the training points on top. Share of the map: " + (
        ", ".join(f"{c} {fmt(s, 1)}%" for c, s in zip(classes, shares, strict=True))
    )
    table = Table(
        "Decision regions",
        ("class", "share of the map", "training points"),
        tuple((c, f"{fmt(s, 1)}%", str(k)) for c, s, k in zip(classes, shares, counts, strict=True)),
    )
    return Chart({"data": data, "layout": layout}, alt + ".", (table,))


def training_curves(
    losses: npt.ArrayLike, accuracy_percents: npt.ArrayLike, epoch: int, unit: str, style: FigureStyle
) -> Chart:
    """Training loss (already in ``unit``, left axis) and accuracy (in percent, right axis) per epoch."""
    loss = _rounded(losses)
    acc = _rounded(accuracy_percents, 3)
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
            tickvals=[50, 100],  # no "0%" in the corner, on the last epoch's number
            ticktext=["50%", "100%"],
        ),
        shapes=dotted_vline(k),
    )
    alt = (
        f"Loss and accuracy over {len(loss) - 1} epochs: loss from {fmt(loss[0])} to {fmt(loss[-1])} {unit}, "
        f"accuracy from {fmt(acc[0], 1)}% to {fmt(acc[-1], 1)}%. At epoch {k}: loss {fmt(loss[k])} {unit}, "
        f"accuracy {fmt(acc[k], 1)}%."
    )
    lv, av = np.asarray(losses, dtype=np.float64), np.asarray(accuracy_percents, dtype=np.float64)
    rows = sorted({*sample(len(loss)), k})
    table = Table(
        "Loss and accuracy per epoch",
        ("epoch", f"loss ({unit})", "accuracy"),
        tuple((str(i), fmt(float(lv[i])), f"{fmt(float(av[i]), 1)}%") for i in rows),
    )
    return Chart({"data": data, "layout": layout}, alt, (table,))
