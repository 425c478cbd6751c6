"""The Simplex page's chart: the ternary plot with loss bands, paths and the current point."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from core.figures.style import Chart, FigureStyle, Spec, base_layout, legend, plotly_text, rgba
from core.softmax_views import TEMPERATURES
from core.text import fmt

if TYPE_CHECKING:
    from core.simplex import SimplexView


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
                "fillcolor": rgba(style.curve, 0.07 + 0.5 * i / (len(bounds) - 2)),  # see-through: any theme
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
    layout = base_layout(
        style,
        "simplex",
        "The probability simplex",
        height=style.height + 320,
        showlegend=True,
        legend=legend(style),
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
