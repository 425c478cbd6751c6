"""Plotly figure specs for the pages, as plain dicts (cheap to build and serialise).

Each builder returns a :class:`Chart`: the spec plus an ``alt`` text that states
the chart's numbers in words. Class names are untrusted text: they are
HTML-escaped before they reach any Plotly label, so a name is always shown
literally, never interpreted as markup. Colours and sizes come in through a
:class:`FigureStyle` (the palette itself lives in ``ui.theme``).
"""

from __future__ import annotations

import functools
import html
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from core.explain import in_unit
from core.softmax import softmax
from core.softmax_views import TEMPERATURES, sigmoid, temperature_sweep

if TYPE_CHECKING:
    from core.ce_views import Curves
    from core.simplex import SimplexView
from core.text import fmt

__all__ = [
    "SYMBOLS",
    "Chart",
    "FigureStyle",
    "chart_tables",
    "class_colours",
    "decision_regions",
    "descent_losses",
    "descent_race",
    "gradient_bars",
    "gradient_curves",
    "information_bar",
    "jacobian_heatmap",
    "loss_curve",
    "loss_curves",
    "plotly_text",
    "probability_bars",
    "sigmoid_chart",
    "simplex_chart",
    "temperature_curves",
    "training_curves",
    "transform_bars",
]

Spec = dict[str, Any]


@dataclass(frozen=True)
class FigureStyle:
    """Colours and sizes shared by every chart."""

    other: str
    """bars of the classes that are not the true class"""
    true: str
    """the true class (also marked by a hatch pattern and the word "true")"""
    curve: str
    """lines such as the loss curve"""
    font_size: int = 17
    font_family: str = '"Source Sans", "Source Sans Pro", "Source Sans 3", sans-serif'
    """Streamlit's own typeface, which the page already serves (nothing downloaded)"""
    line_width: float = 3.0
    height: int = 300
    series: tuple[str, ...] = ("#0072B2", "#009E73", "#56B4E9", "#CC79A7", "#000000", "#D55E00")
    """colours for one line per class (the true class takes ``true``); dashes tell them apart too"""


@dataclass(frozen=True)
class Chart:
    spec: Spec
    alt: str


def plotly_text(text: str) -> str:
    """Untrusted text for a Plotly label: no HTML tags, no ``$...$`` LaTeX.

    >>> plotly_text("<b>$x$</b>")
    '&lt;b&gt;&#36;x&#36;&lt;/b&gt;'
    """
    return html.escape(text, quote=False).replace("$", "&#36;")


def _label(name: str, is_true: bool) -> str:
    safe = plotly_text(name)
    return f"<b>{safe}</b> ✓ true" if is_true else safe


def _bars_height(style: FigureStyle, n_bars: int) -> int:
    """Tall enough that every class keeps a readable bar (about 34 px each beyond 5)."""
    return max(style.height, 130 + 34 * n_bars)


def _layout(style: FigureStyle, revision: str, title: str, **extra: Any) -> Spec:
    layout: Spec = {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": style.font_size + 1, "weight": 600}},
        "height": style.height,
        "margin": {"l": 8, "r": 24, "t": round(2.6 * style.font_size), "b": 8},  # room for the title
        "font": {"size": style.font_size, "family": style.font_family},
        "showlegend": False,
        "uirevision": revision,
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "hoverlabel": {"font": {"size": style.font_size}},
    }
    layout.update(extra)
    return layout


def _legend(style: FigureStyle) -> Spec:
    """A horizontal legend at the bottom of the figure, under the x axis and its title at any text size.

    Pinned to the container's bottom edge, so Plotly makes room for it below the
    axis instead of drawing it over the axis title (as a legend at a fixed paper
    position did once the text grew or the legend wrapped).
    """
    return {
        "orientation": "h",
        "yref": "container",
        "y": 0,
        "yanchor": "bottom",
        "x": 0,
        "font": {"size": style.font_size - 1},
    }


def _class_bars(
    classes: Sequence[str],
    values: npt.ArrayLike,
    target: int,
    style: FigureStyle,
    *,
    text: list[str],
    hover: str,
) -> Spec:
    """Horizontal bars, one per class top to bottom, the true class hatched and named."""
    v = np.asarray(values, dtype=np.float64)
    n = len(classes)
    colours = [style.true if i == target else style.other for i in range(n)]
    shapes = ["/" if i == target else "" for i in range(n)]
    return {
        "type": "bar",
        "orientation": "h",
        "x": v.tolist(),
        "y": list(range(n)),
        "text": text,
        "textposition": "outside",
        "cliponaxis": False,
        "marker": {"color": colours, "pattern": {"shape": shapes, "fgcolor": "#ffffff", "solidity": 0.25}},
        "customdata": [plotly_text(c) for c in classes],
        "hovertemplate": hover + "<extra></extra>",
    }


def _axis(style: FigureStyle, **extra: Any) -> Spec:
    axis: Spec = {
        "tickfont": {"size": style.font_size},
        "gridcolor": "rgba(128,128,128,0.25)",
        "fixedrange": True,
        "automargin": True,
    }
    axis.update(extra)
    return axis


def _alt_values(classes: Sequence[str], values: npt.NDArray[np.float64], target: int) -> str:
    return "; ".join(
        f"{c}{' (true class)' if i == target else ''}: {fmt(float(x))}"
        for i, (c, x) in enumerate(zip(classes, values, strict=True))
    )


_SPANS = tuple(m * 10.0**e for e in range(-6, 3) for m in (1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0))


def _nice_span(largest: float) -> float:
    """A round axis half-width leaving room for the labels: it changes rarely while dragging,
    so the chart updates without a relayout (and reads more calmly)."""
    need = 1.6 * largest
    return next((s for s in _SPANS if s >= need), need if need > 0 else 1.0)


def _class_axis(classes: Sequence[str], target: int) -> Spec:
    return {
        "tickmode": "array",
        "tickvals": list(range(len(classes))),
        "ticktext": [_label(c, i == target) for i, c in enumerate(classes)],
        "autorange": "reversed",
        "automargin": True,
        "showgrid": False,
    }


def probability_bars(classes: Sequence[str], probs: npt.ArrayLike, target: int, style: FigureStyle) -> Chart:
    """Softmax probabilities as labelled bars on a fixed 0..1 axis."""
    p = np.asarray(probs, dtype=np.float64)
    trace = _class_bars(classes, p, target, style, text=[fmt(x) for x in p], hover="p(%{customdata}) = %{x:.6f}")
    layout = _layout(
        style,
        "probs",
        "Probabilities  p = softmax(z / T)",
        height=_bars_height(style, len(classes)),
        xaxis=_axis(style, range=[0, 1.2], tickvals=[0, 0.25, 0.5, 0.75, 1], zeroline=True),
        yaxis=_axis(style, **_class_axis(classes, target)),
    )
    alt = "Bar chart of probabilities. " + _alt_values(classes, p, target)
    return Chart({"data": [trace], "layout": layout}, alt)


def gradient_bars(classes: Sequence[str], grad: npt.ArrayLike, target: int, style: FigureStyle) -> Chart:
    """d(loss)/d(logit) per class: negative for the true class, positive for the rest."""
    g = np.asarray(grad, dtype=np.float64)
    span = _nice_span(float(np.max(np.abs(g))) if g.size else 0.0)
    trace = _class_bars(
        classes,
        g,
        target,
        style,
        text=[("+" if x > 0 else "") + fmt(float(x)) for x in g],
        hover="∂L/∂z(%{customdata}) = %{x:.6f}",
    )
    layout = _layout(
        style,
        "grad",
        "Gradient  ∂L/∂z",
        height=_bars_height(style, len(classes)),
        xaxis=_axis(
            style,
            range=[-span, span],
            zeroline=True,
            zerolinewidth=2,
            zerolinecolor="rgba(128,128,128,0.8)",
        ),
        yaxis=_axis(style, **_class_axis(classes, target)),
    )
    alt = "Bar chart of the gradient of the loss with respect to each logit. " + _alt_values(classes, g, target)
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
    layout = _layout(
        style,
        "loss_curve",
        f"Loss = −{symbol} p(true)",
        xaxis=_axis(style, title={"text": "p(true class)"}, range=[0, 1.02]),
        yaxis=_axis(style, title={"text": unit}, range=[0, top]),
        annotations=annotations,
    )
    alt = (
        f"Curve of the loss −{symbol} p against the probability p of the true class: "
        f"infinite at p = 0, zero at p = 1. Now p({true_class}) = {fmt(p_true)}, loss = {fmt(loss)} {unit}."
    )
    return Chart({"data": data, "layout": layout}, alt)


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
            "name": _label(c, i == target),
            "line": {
                "color": _series_colour(i, target, style),
                "width": style.line_width * (1.6 if i == target else 1.0),
                "dash": DASHES[i % len(DASHES)],
            },
            "hovertemplate": f"{plotly_text(c)}: p = %{{y:.4f}} at T = %{{x:.3g}}<extra></extra>",
        }
        for i, c in enumerate(classes)
    ]
    layout = _layout(
        style,
        "temperature",
        "Probabilities as the temperature changes",
        height=style.height + 60,
        showlegend=True,
        legend=_legend(style),
        xaxis=_axis(style, type="log", title={"text": "temperature T (log scale)"}, range=[-2, 2]),
        yaxis=_axis(style, title={"text": "p"}, range=[-0.02, 1.02]),
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
        _alt_values(classes, now, target)
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
    layout = _layout(
        style,
        revision,
        "",
        height=_bars_height(style, 2 * n),
        barmode="group",
        showlegend=True,
        legend={"orientation": "h", "y": 1.12, "x": 0, "font": {"size": style.font_size - 1}},
        margin={"l": 8, "r": 24, "t": 48, "b": 8},
        xaxis=_axis(style, range=[0, 1.25], tickvals=[0, 0.25, 0.5, 0.75, 1]),
        yaxis=_axis(style, **_class_axis(classes, target)),
    )
    alt = (
        f"Grouped bars. {names[0]}: {_alt_values(classes, np.asarray(before, dtype=np.float64), target)}. "
        f"{names[1]}: {_alt_values(classes, np.asarray(after, dtype=np.float64), target)}."
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
    layout = _layout(
        style,
        "sigmoid",
        "Two classes: softmax is the sigmoid of the difference",
        showlegend=True,
        legend=_legend(style),
        xaxis=_axis(style, title={"text": "z₁ − z₂"}, range=[-10.5, 10.5]),
        yaxis=_axis(style, title={"text": "p(class 1)"}, range=[-0.02, 1.05]),
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
    labels = [_label(c, i == target) for i, c in enumerate(classes)]
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
    layout = _layout(
        style,
        "jacobian",
        "∂pᵢ/∂zⱼ = pᵢ(δᵢⱼ − pⱼ)",
        height=_bars_height(style, len(classes)) + 40,
        xaxis=_axis(style, title={"text": "logit zⱼ"}, side="bottom", type="category"),
        yaxis=_axis(style, title={"text": "probability pᵢ"}, autorange="reversed", type="category"),
    )
    cells = "; ".join(
        f"row {a}, column {b}: {fmt(float(j[r, c]))}" for r, a in enumerate(classes) for c, b in enumerate(classes)
    )
    return Chart({"data": data, "layout": layout}, f"Heatmap of the softmax Jacobian. {cells}")


# ---- Cross-entropy page ----------------------------------------------------------------------
def _three_lines(
    curves: Curves, series: tuple[npt.ArrayLike, npt.ArrayLike, npt.ArrayLike], gamma: float, style: FigureStyle
) -> list[Spec]:
    names = ("cross-entropy", "squared error", f"focal (γ = {gamma:g})")
    colours = (style.curve, style.other, style.series[1])
    dashes = ("solid", "dash", "dot")
    return [
        {
            "type": "scatter",
            "mode": "lines",
            "x": np.round(curves.p, 6).tolist(),
            "y": np.round(np.asarray(y, dtype=np.float64), 6).tolist(),
            "name": name,
            "line": {"color": colour, "width": style.line_width, "dash": dash},
            "hovertemplate": f"{name}: %{{y:.4f}} at p = %{{x:.4f}}<extra></extra>",
        }
        for name, y, colour, dash in zip(names, series, colours, dashes, strict=True)
    ]


def _p_marker(p_now: float) -> list[Spec]:
    """A dotted vertical line at x = ``p_now`` (the current p, step or epoch)."""
    return [
        {
            "type": "line",
            "x0": p_now,
            "x1": p_now,
            "yref": "paper",
            "y0": 0,
            "y1": 1,
            "line": {"color": "#444444", "width": 2, "dash": "dot"},
        }
    ]


def _over_p_layout(style: FigureStyle, revision: str, title: str, p_now: float, yaxis: Spec) -> Spec:
    return _layout(
        style,
        revision,
        title,
        height=style.height + 60,
        showlegend=True,
        legend=_legend(style),
        xaxis=_axis(style, title={"text": "p(true class)"}, range=[0, 1]),
        yaxis=yaxis,
        shapes=_p_marker(p_now),
    )


def loss_curves(curves: Curves, p_now: float, gamma: float, style: FigureStyle) -> Chart:
    """Cross-entropy, squared error and focal loss over p(true), in nats (squared error: no unit)."""
    yaxis = _axis(style, title={"text": "loss"}, range=[0, 5.0])
    layout = _over_p_layout(style, "ce_losses", "Loss against p(true class)", p_now, yaxis)
    data = _three_lines(curves, (curves.ce, curves.se, curves.focal), gamma, style)
    alt = (
        f"Three loss curves against p of the true class. Cross-entropy rises without bound as p goes to 0; "
        f"squared error stays below 2; focal loss is cross-entropy scaled by (1 - p) to the power {gamma:g}. "
        f"The dotted line marks the current p = {fmt(p_now)}."
    )
    return Chart({"data": data, "layout": layout}, alt)


def gradient_curves(curves: Curves, p_now: float, gamma: float, style: FigureStyle) -> Chart:
    """d(loss)/d(true logit) over p(true) for the three losses."""
    yaxis = _axis(style, title={"text": "∂L/∂z(true)"}, range=[-1.05, 0.05], zeroline=True)
    layout = _over_p_layout(style, "ce_grads", "How hard each loss pushes the true logit", p_now, yaxis)
    data = _three_lines(curves, (curves.ce_grad, curves.se_grad, curves.focal_grad), gamma, style)
    alt = (
        "Gradients of the three losses with respect to the true class's logit against p of the true class. "
        "Cross-entropy's is p - 1: strongest (-1) when the model is confidently wrong. "
        "Squared error's vanishes as p goes to 0. "
        f"The dotted line marks the current p = {fmt(p_now)}."
    )
    return Chart({"data": data, "layout": layout}, alt)


def information_bar(h: float, kl: float, unit: str, style: FigureStyle) -> Chart:
    """H(y, p) as one bar: the entropy of the target plus the divergence of p from it."""
    hu, klu = in_unit(h, unit), in_unit(kl, unit)
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "y": ["H(y, p)"],
            "x": [hu],
            "name": "H(y): the target's own entropy",
            "marker": {"color": style.other},
            "text": [f"H(y) = {fmt(hu)}"],
            "textposition": "inside",
            "insidetextanchor": "middle",
            "hovertemplate": f"H(y) = %{{x:.6f}} {unit}<extra></extra>",
        },
        {
            "type": "bar",
            "orientation": "h",
            "y": ["H(y, p)"],
            "x": [klu],
            "name": "KL(y ‖ p): the model's extra cost",
            "marker": {"color": style.true},
            "text": [f"KL = {fmt(klu)}"],
            "textposition": "inside",
            "insidetextanchor": "middle",
            "hovertemplate": f"KL(y ‖ p) = %{{x:.6f}} {unit}<extra></extra>",
        },
    ]
    total = hu + klu
    layout = _layout(
        style,
        "information",
        f"Cross-entropy = entropy + KL divergence = {fmt(total)} {unit}",
        height=220,
        barmode="stack",
        showlegend=True,
        legend=_legend(style),
        xaxis=_axis(style, range=[0, max(total * 1.05, 1e-9)]),
        yaxis=_axis(style, showticklabels=False),
    )
    alt = (
        f"Stacked bar: H(y) = {fmt(hu)} {unit} plus KL(y || p) = {fmt(klu)} {unit} make H(y, p) = {fmt(total)} {unit}."
    )
    return Chart({"data": data, "layout": layout}, alt)


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
    layout = _layout(
        style,
        "descent_losses",
        "Cross-entropy per step",
        xaxis=_axis(style, title={"text": "step"}, range=[0, len(y) - 1]),
        yaxis=_axis(style, title={"text": unit}, range=[0, max(1.1 * max(y), 1e-3)]),
        shapes=_p_marker(k),
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
    layout = _layout(
        style,
        "descent_race",
        f"p({name}) per step: the two losses from the same start",
        height=style.height + 60,
        showlegend=True,
        legend=_legend(style),
        xaxis=_axis(style, title={"text": "step"}, range=[0, len(a) - 1]),
        yaxis=_axis(style, title={"text": f"p({name})"}, range=[-0.02, 1.02]),
        shapes=_p_marker(min(max(step, 0), len(a) - 1)),
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


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha:.3f})"


def _tint(hex_colour: str, amount: float) -> str:
    """``hex_colour`` mixed with white (``amount`` 0: unchanged, 1: white)."""
    rgb = [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in rgb)


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
            colour = _tint(colours[c], 0.85 - 0.2 * k)
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
    layout = _layout(
        style,
        "regions",
        "Decision regions (darker: more confident)",
        height=style.height + 240,
        showlegend=True,
        legend=_legend(style),
        xaxis=_axis(style, range=[float(xs[0]), float(xs[-1])], showgrid=False, zeroline=False, constrain="domain"),
        yaxis=_axis(
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
    layout = _layout(
        style,
        "training",
        "Loss and accuracy per epoch",
        height=style.height + 60,
        showlegend=True,
        legend=_legend(style),
        xaxis=_axis(style, title={"text": "epoch"}, range=[0, max(len(loss) - 1, 1)]),
        yaxis=_axis(style, title={"text": unit}, range=[0, max(1.05 * max(loss), 1e-3)]),
        yaxis2=_axis(
            style,
            overlaying="y",
            side="right",
            range=[0, 102],
            showgrid=False,
            tickvals=[0, 50, 100],
            ticktext=["0%", "50%", "100%"],
        ),
        shapes=_p_marker(k),
    )
    alt = (
        f"Loss and accuracy over {len(loss) - 1} epochs: loss from {fmt(loss[0])} to {fmt(loss[-1])} {unit}, "
        f"accuracy from {fmt(acc[0], 1)}% to {fmt(acc[-1], 1)}%. At epoch {k}: loss {fmt(loss[k])} {unit}, "
        f"accuracy {fmt(acc[k], 1)}%."
    )
    return Chart({"data": data, "layout": layout}, alt)


# ---- the probability simplex ----------------------------------------------------------------------
def _ternary_axis(title: str, style: FigureStyle) -> Spec:
    return {
        "title": {"text": title, "font": {"size": style.font_size + 1}},
        "min": 0,
        "tickformat": ".1f",
        "tickfont": {"size": style.font_size - 3},
        "gridcolor": "rgba(128,128,128,0.35)",
        "linewidth": 2,
    }


def _tern(points: npt.NDArray[np.float64]) -> Spec:
    r = np.round(points, 6)
    return {"a": r[:, 0].tolist(), "b": r[:, 1].tolist(), "c": r[:, 2].tolist()}


def simplex_chart(
    names: Sequence[str],
    view: SimplexView,
    temperature: float,
    levels: Sequence[float],
    unit: str,
    style: FigureStyle,
) -> Chart:
    """The triangle of (p_true, p_b, p_c): cross-entropy contours and bands, the temperature path,
    the gradient-descent path and the current point."""
    true, b, c = (plotly_text(n) for n in names)
    per_nat = 1.0 if unit == "nats" else 1.0 / math.log(2.0)
    bounds = [0.0, *levels, math.inf]
    data: list[Spec] = []
    for i, (lo, hi) in enumerate(itertools.pairwise(bounds)):
        p_hi, p_lo = math.exp(-lo / per_nat), (math.exp(-hi / per_nat) if math.isfinite(hi) else 0.0)
        corners = np.array(
            [[p_hi, 1 - p_hi, 0], [p_hi, 0, 1 - p_hi], [p_lo, 0, 1 - p_lo], [p_lo, 1 - p_lo, 0], [p_hi, 1 - p_hi, 0]]
        )
        label = f"loss {lo:g} to {hi:g} {unit}" if math.isfinite(hi) else f"loss above {lo:g} {unit}"
        data.append(
            {
                "type": "scatterternary",
                "mode": "lines",
                **_tern(corners),
                "fill": "toself",
                "fillcolor": _rgba(style.curve, 0.07 + 0.5 * i / (len(bounds) - 2)),  # see-through: any theme
                "line": {"width": 0},
                "hoveron": "fills",
                "text": label,
                "hoverinfo": "text",
                "showlegend": False,
            }
        )
    for level in levels:
        p = math.exp(-level / per_nat)
        data.append(
            {
                "type": "scatterternary",
                "mode": "lines+text",
                **_tern(np.array([[p, 0, 1 - p], [p, 1 - p, 0]])),
                "text": [f"{level:g} {unit}", ""],
                "textposition": "middle left",
                "textfont": {"size": style.font_size - 3},
                "cliponaxis": False,
                "line": {"color": "rgba(80,80,80,0.7)", "width": 1},
                "hoverinfo": "skip",
                "showlegend": False,
            }
        )
    marks = [i for i, t in enumerate(TEMPERATURES) if any(math.isclose(t, m) for m in (0.1, 1.0, 10.0))]
    data += [
        {
            "type": "scatterternary",
            "mode": "lines",
            **_tern(view.temperature_path),
            "name": "as T goes from 0.01 to 100",
            "line": {"color": style.other, "width": style.line_width, "dash": "dash"},
            "customdata": np.round(TEMPERATURES, 4).tolist(),
            "hovertemplate": f"T = %{{customdata}}: p({true}) = %{{a:.3f}}<extra></extra>",
        },
        {
            "type": "scatterternary",
            "mode": "markers+text",
            **_tern(view.temperature_path[marks]),
            "text": [f"T={TEMPERATURES[i]:g}" for i in marks],
            "textposition": "bottom center",
            "textfont": {"color": style.other, "size": style.font_size - 2},
            "marker": {"size": 8, "color": style.other, "symbol": "circle"},
            "hoverinfo": "skip",
            "showlegend": False,
        },
        {
            "type": "scatterternary",
            "mode": "lines+markers",
            **_tern(view.descent_path),
            "name": f"{len(view.descent_path) - 1} gradient steps on the logits",
            "line": {"color": "#000000", "width": 2},
            "marker": {"size": 6, "color": "#000000", "symbol": "triangle-up"},
            "hovertemplate": f"p({true}) = %{{a:.3f}}<extra>gradient steps</extra>",
        },
        {
            "type": "scatterternary",
            "mode": "markers+text",
            **_tern(view.now[None, :]),
            "name": "now",
            "text": ["now"],
            "textposition": "top right",
            "textfont": {"size": style.font_size, "color": "#000000"},
            "marker": {"size": 18, "color": style.true, "symbol": "star", "line": {"color": "#000000", "width": 1.5}},
            "hovertemplate": f"now: p({true}) = %{{a:.4f}}, p({b}) = %{{b:.4f}}, p({c}) = %{{c:.4f}}<extra></extra>",
        },
    ]
    layout = _layout(
        style,
        "simplex",
        "The probability simplex",
        height=style.height + 320,
        showlegend=True,
        legend=_legend(style),
        margin={"l": 60, "r": 60, "t": 70, "b": 30},
        ternary={
            "sum": 1,
            "bgcolor": "rgba(0,0,0,0)",
            "aaxis": _ternary_axis(f"<b>{true}</b> ✓ true", style),
            "baxis": _ternary_axis(b, style),
            "caxis": _ternary_axis(c, style),
        },
    )
    end = view.descent_path[-1]
    alt = (
        f"Triangle of probabilities for {names[0]} (true class, top corner), {names[1]} and {names[2]}. "
        f"Now: {fmt(float(view.now[0]))}, {fmt(float(view.now[1]))}, {fmt(float(view.now[2]))}. "
        f"Shaded bands of equal cross-entropy run parallel to the edge opposite {names[0]}, at "
        f"{', '.join(f'{v:g}' for v in levels)} {unit}. As T goes from 0.01 to 100 the point moves from the "
        f"corner of the largest logit to the centre. After {len(view.descent_path) - 1} gradient steps "
        f"p({names[0]}) = {fmt(float(end[0]))}. Temperature now: {fmt(temperature, 2)}."
    )
    return Chart({"data": data, "layout": layout}, alt)


# ---- the numbers behind a chart -------------------------------------------------------------------
MAX_TABLE_ROWS = 12
"""Long curves are sampled to this many evenly spaced points (ends included) in their table."""

Table = dict[str, Any]


def _sample(n: int) -> list[int]:
    if n <= MAX_TABLE_ROWS:
        return list(range(n))
    return sorted({round(i * (n - 1) / (MAX_TABLE_ROWS - 1)) for i in range(MAX_TABLE_ROWS)})


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
    """The numbers a chart draws, as small tables (one per trace), for readers who cannot see it.

    Bars list one row per bar; heatmaps one row per cell row; curves are sampled to
    :data:`MAX_TABLE_ROWS` points; ternary points give their three coordinates.
    """
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
            tables.append({"caption": name, "header": ["", "value"], "rows": rows})
        elif kind == "heatmap":
            xs, ys, z = trace.get("x"), trace.get("y"), trace["z"]
            if xs is None or len(z) > MAX_TABLE_ROWS or len(z[0]) > MAX_TABLE_ROWS:
                continue  # a map of thousands of cells: its alt text summarises it
            rows = [[_label_text(str(y)), *(_cell(v) for v in row)] for y, row in zip(ys, z, strict=True)]
            tables.append({"caption": name, "header": ["", *(_label_text(str(x)) for x in xs)], "rows": rows})
        elif kind == "scatterternary":
            axes = [_label_text(layout["ternary"][f"{k}axis"]["title"]["text"]) for k in "abc"]
            idx = _sample(len(trace["a"]))
            rows = [[_cell(trace[k][i]) for k in "abc"] for i in idx]
            tables.append({"caption": name, "header": axes, "rows": rows})
        elif kind == "scatter" and "x" in trace and "y" in trace:
            xt = _label_text(str(layout.get("xaxis", {}).get("title", {}).get("text", "x")))
            yt = _label_text(str(layout.get("yaxis", {}).get("title", {}).get("text", "y")))
            idx = _sample(len(trace["x"]))
            rows = [[_cell(trace["x"][i]), _cell(trace["y"][i])] for i in idx]
            tables.append({"caption": name, "header": [xt, yt], "rows": rows})
    return tables
