"""The Cross-entropy page's charts: loss and gradient curves over p(true), the information bar."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from core.figures.style import Chart, FigureStyle, Spec, axis, base_layout, dotted_vline, legend
from core.text import fmt
from core.units import in_unit

if TYPE_CHECKING:
    from core.ce_views import Curves


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
    data = _three_lines(curves, (curves.ce, curves.se, curves.focal), gamma, style)
    alt = (
        f"Three loss curves against p of the true class. Cross-entropy rises without bound as p goes to 0; "
        f"squared error stays below 2; focal loss is cross-entropy scaled by (1 - p) to the power {gamma:g}. "
        f"The dotted line marks the current p = {fmt(p_now)}."
    )
    return Chart({"data": data, "layout": layout}, alt)


def gradient_curves(curves: Curves, p_now: float, gamma: float, style: FigureStyle) -> Chart:
    """d(loss)/d(true logit) over p(true) for the three losses."""
    yaxis = axis(style, title={"text": "∂L/∂z(true)"}, range=[-1.05, 0.05], zeroline=True)
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
    layout = base_layout(
        style,
        "information",
        f"Cross-entropy = entropy + KL divergence = {fmt(total)} {unit}",
        height=220,
        barmode="stack",
        showlegend=True,
        legend=legend(style),
        xaxis=axis(style, range=[0, max(total * 1.05, 1e-9)]),
        yaxis=axis(style, showticklabels=False),
    )
    alt = (
        f"Stacked bar: H(y) = {fmt(hu)} {unit} plus KL(y || p) = {fmt(klu)} {unit} make H(y, p) = {fmt(total)} {unit}."
    )
    return Chart({"data": data, "layout": layout}, alt)
