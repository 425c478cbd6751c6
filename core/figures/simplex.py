"""The Simplex page's chart: the ternary plot with loss bands, paths and the current point.

The builder takes :func:`core.simplex.simplex_page`'s numbers (the bands' and
contours' p(true), the paths, the losses in the page's unit) and lays them out;
its tables are built from the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from core.figures.style import Chart, FigureStyle, Spec, Table, base_layout, legend, plotly_text, rgba
from core.figures.tables import sample
from core.simplex import SimplexPage
from core.text import fmt

__all__ = ["simplex_chart"]


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


def _tern(points: npt.ArrayLike) -> Spec:
    r = np.round(np.asarray(points, dtype=np.float64), 6)
    return {"a": r[:, 0].tolist(), "b": r[:, 1].tolist(), "c": r[:, 2].tolist()}


def _edge_to_edge(p: float) -> list[list[float]]:
    """The segment p(true) = p across the triangle: from the edge without b to the edge without c."""
    return [[p, 0.0, 1.0 - p], [p, 1.0 - p, 0.0]]


def simplex_chart(names: Sequence[str], page: SimplexPage, style: FigureStyle) -> Chart:
    """The triangle of (p_true, p_b, p_c): cross-entropy contours and bands, the temperature path,
    the gradient-descent path and the current point."""
    view, unit = page.view, page.unit
    true, b, c = (plotly_text(n) for n in names)
    data: list[Spec] = []
    for i, band in enumerate(page.bands):
        top, bottom = _edge_to_edge(band.p_hi), _edge_to_edge(band.p_lo)
        corners = [top[1], top[0], bottom[0], bottom[1], top[1]]
        label = (
            f"loss {band.lo:g} to {band.hi:g} {unit}" if band.hi != float("inf") else f"loss above {band.lo:g} {unit}"
        )
        data.append(
            {
                "type": "scatterternary",
                "mode": "lines",
                **_tern(corners),
                "fill": "toself",
                "fillcolor": rgba(style.curve, 0.07 + 0.5 * i / max(len(page.bands) - 1, 1)),  # see-through
                "line": {"width": 0},
                "hoveron": "fills",
                "text": label,
                "hoverinfo": "text",
                "showlegend": False,
            }
        )
    for level, p in zip(page.levels, page.level_p, strict=True):
        data.append(
            {
                "type": "scatterternary",
                "mode": "lines+text",
                **_tern(_edge_to_edge(p)),
                "text": [f"{level:g} {unit}", ""],
                "textposition": "middle left",
                "textfont": {"size": style.font_size - 3},
                "cliponaxis": False,
                "line": {"color": "rgba(80,80,80,0.7)", "width": 1},
                "hoverinfo": "skip",
                "showlegend": False,
            }
        )
    ts = page.temperatures
    data += [
        {
            "type": "scatterternary",
            "mode": "lines",
            **_tern(view.temperature_path),
            "name": "as T goes from 0.01 to 100",
            "line": {"color": style.other, "width": style.line_width, "dash": "dash"},
            "customdata": [round(t, 4) for t in ts],
            "hovertemplate": f"T = %{{customdata}}: p({true}) = %{{a:.3f}}<extra></extra>",
        },
        {
            "type": "scatterternary",
            "mode": "markers+text",
            **_tern(view.temperature_path[list(page.marks)]),
            "text": [f"T={ts[i]:g}" for i in page.marks],
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
            "name": f"{page.steps} gradient steps on the logits",
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
        f"{', '.join(f'{v:g}' for v in page.levels)} {unit}. As T goes from 0.01 to 100 the point moves from the "
        f"corner of the largest logit to the centre. After {page.steps} gradient steps "
        f"p({names[0]}) = {fmt(float(end[0]))}. Temperature now: {fmt(page.temperature, 2)}."
    )
    return Chart({"data": data, "layout": layout}, alt, _tables(names, page))


def _tables(names: Sequence[str], page: SimplexPage) -> tuple[Table, ...]:
    view = page.view
    p_cols = tuple(f"p({n})" for n in names)
    now = Table(
        f"Now (T = {fmt(page.temperature, 2)})",
        ("class", "p"),
        tuple(
            (f"{n} (true class)" if i == 0 else n, fmt(float(v)))
            for i, (n, v) in enumerate(zip(names, view.now, strict=True))
        ),
    )
    contours = Table(
        "Contours of equal cross-entropy",
        (f"loss ({page.unit})", f"p({names[0]})"),
        tuple((f"{level:g}", fmt(p)) for level, p in zip(page.levels, page.level_p, strict=True)),
    )
    ts, path = page.temperatures, view.temperature_path
    temperature = Table(
        "As T goes from 0.01 to 100",
        ("T", *p_cols),
        tuple((fmt(ts[i], 2), *(fmt(float(v)) for v in path[i])) for i in sample(len(ts))),
    )
    losses, steps = page.descent_losses, view.descent_path
    descent = Table(
        f"{page.steps} gradient steps on the logits",
        ("step", *p_cols, f"loss ({page.unit})"),
        tuple((str(i), *(fmt(float(v)) for v in steps[i]), fmt(float(losses[i]))) for i in sample(len(steps))),
    )
    return (now, contours, temperature, descent)
