"""The Cross-entropy page's charts: loss and gradient curves over p(true), the information bar."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from core.figures.style import ON_LIGHT, Chart, FigureStyle, Spec, Table, axis, base_layout, dotted_vline, legend
from core.figures.tables import curve_table
from core.query import format_number
from core.text import fmt
from core.units import in_unit

if TYPE_CHECKING:
    from core.ce_views import Curves


# ---- Cross-entropy page ----------------------------------------------------------------------
def _names(gamma: float) -> tuple[str, str, str]:
    return ("cross-entropy", "squared error", f"focal (γ = {gamma:g})")


def _tables(
    curves: Curves, series: tuple[npt.ArrayLike, npt.ArrayLike, npt.ArrayLike], gamma: float, y_name: str
) -> tuple[Table, ...]:
    return tuple(
        curve_table(name, "p(true class)", y_name, curves.p, y) for name, y in zip(_names(gamma), series, strict=True)
    )


def _three_lines(
    curves: Curves, series: tuple[npt.ArrayLike, npt.ArrayLike, npt.ArrayLike], gamma: float, style: FigureStyle
) -> list[Spec]:
    names = _names(gamma)
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


def _over_p_layout(style: FigureStyle, revision: str, title: str, p_now: float, yaxis: Spec) -> Spec:
    return base_layout(
        style,
        revision,
        title,
        height=style.height + 60,
        showlegend=True,
        legend=legend(style),
        xaxis=axis(style, title={"text": "p(true class)"}, range=[0, 1]),
        yaxis=yaxis,
        shapes=dotted_vline(p_now),
    )


def loss_curves(curves: Curves, p_now: float, gamma: float, style: FigureStyle) -> Chart:
    """Cross-entropy, squared error and focal loss over p(true), in nats (squared error: no unit)."""
    yaxis = axis(style, title={"text": "loss"}, range=[0, 5.0])
    layout = _over_p_layout(style, "ce_losses", "Loss against p(true class)", p_now, yaxis)
    series = (curves.ce, curves.se, curves.focal)
    data = _three_lines(curves, series, gamma, style)
    alt = (
        f"Three loss curves against p of the true class. Cross-entropy rises without bound as p goes to 0; "
        f"squared error stays below 2; focal loss is cross-entropy scaled by (1 - p) to the power {gamma:g}. "
        f"The dotted line marks the current p = {fmt(p_now)}."
    )
    return Chart({"data": data, "layout": layout}, alt, _tables(curves, series, gamma, "loss"))


def gradient_curves(curves: Curves, p_now: float, gamma: float, style: FigureStyle) -> Chart:
    """d(loss)/d(true logit) over p(true) for the three losses, at the curves' temperature T (divided by T)."""
    t = curves.temperature
    at_t = "" if t == 1 else f" at T = {format_number(t)}"
    series = (curves.ce_grad, curves.se_grad, curves.focal_grad)
    # the axis title stays short (the chart's title says "at T"): a long one ran above the plot, into the title
    yaxis = axis(style, title={"text": "∂L/∂z(true)"}, range=_holding(series, -1.0 / t, 0.0), zeroline=True)
    layout = _over_p_layout(style, "ce_grads", f"How hard each loss pushes the true logit{at_t}", p_now, yaxis)
    data = _three_lines(curves, series, gamma, style)
    rule = "p - 1" if t == 1 else f"(p - 1) / T with T = {format_number(t)}"
    alt = (
        "Gradients of the three losses with respect to the true class's logit against p of the true class"
        f"{at_t}. Cross-entropy's is {rule}: strongest when the model is confidently wrong. "
        "Squared error's vanishes as p goes to 0. "
        f"The dotted line marks the current p = {fmt(p_now)}."
    )
    return Chart({"data": data, "layout": layout}, alt, _tables(curves, series, gamma, f"∂L/∂z(true){at_t}"))


def _holding(series: tuple[npt.ArrayLike, ...], lo: float, hi: float) -> list[float]:
    """An axis range holding every curve drawn and at least [lo, hi] (cross-entropy's (−1/T, 0)), 5% to spare
    (focal loss's gradient dips below −1/T, squared error's too at small T)."""
    values = np.concatenate([np.ravel(np.asarray(y, dtype=np.float64)) for y in series])
    values = values[np.isfinite(values)]
    low = min(lo, float(values.min())) if values.size else lo
    high = max(hi, float(values.max())) if values.size else hi
    pad = 0.05 * (high - low)
    return [low - pad, high + pad]


def information_bar(h: float, kl: float, unit: str, style: FigureStyle, *, symbol: str = "y") -> Chart:
    """H(y, p) as one bar: the entropy of the target plus the divergence of p from it.

    ``symbol`` names the target: "y" for a one-hot one, "ỹ" for a smoothed or typed one.
    """
    y = symbol
    hu, klu = in_unit(h, unit), in_unit(kl, unit)
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "y": [f"H({y}, p)"],
            "x": [hu],
            "name": f"H({y}): the target's own entropy",
            "marker": {"color": style.other},
            "text": [f"H({y}) = {fmt(hu)}"],
            "textposition": "inside",
            "insidetextanchor": "middle",
            "hovertemplate": f"H({y}) = %{{x:.6f}} {unit}<extra></extra>",
        },
        {
            "type": "bar",
            "orientation": "h",
            "y": [f"H({y}, p)"],
            "x": [klu],
            "name": f"KL({y} ‖ p): the model's extra cost",
            "marker": {"color": style.true},
            "text": [f"KL = {fmt(klu)}"],
            "textposition": "inside",
            "insidetextfont": {"color": ON_LIGHT},  # dark text on the orange bar in both themes (AA)
            "insidetextanchor": "middle",
            "hovertemplate": f"KL({y} ‖ p) = %{{x:.6f}} {unit}<extra></extra>",
        },
    ]
    total = hu + klu
    layout = base_layout(
        style,
        "information",
        f"Cross-entropy H({y}, p) = {fmt(total)} {unit}",  # names the target: ỹ when smoothed or typed
        height=220,
        barmode="stack",
        showlegend=True,
        legend={**legend(style), "traceorder": "normal"},  # as the bar stacks them, H then KL (Plotly reverses)
        xaxis=axis(style, range=[0, max(total * 1.05, 1e-9)]),
        yaxis=axis(style, showticklabels=False),
    )
    alt = (
        f"Stacked bar: H({y}) = {fmt(hu)} {unit} plus KL({y} || p) = {fmt(klu)} {unit} "
        f"make H({y}, p) = {fmt(total)} {unit}."
    )
    table = Table(
        "Cross-entropy = entropy + KL divergence",
        ("", unit),
        ((f"H({y})", fmt(hu)), (f"KL({y} ‖ p)", fmt(klu)), (f"H({y}, p)", fmt(total))),
    )
    return Chart({"data": data, "layout": layout}, alt, (table,))
