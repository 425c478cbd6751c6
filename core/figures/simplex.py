"""The Simplex page's chart: the ternary plot with loss bands, paths and the current point.

The builder takes :func:`core.simplex.simplex_page`'s numbers (the bands' and
contours' p(true), the paths, the losses in the page's unit) and lays them out;
its tables are built from the same numbers.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from core.figures.style import INK, Chart, FigureStyle, Spec, Table, base_layout, legend, plotly_text, rgba
from core.figures.tables import sample
from core.simplex import SimplexPage, SimplexView
from core.text import fmt, fmt_prob

__all__ = ["simplex_chart"]


# ---- the probability simplex ----------------------------------------------------------------------
def _ternary_axis(title: str, style: FigureStyle) -> Spec:
    return {
        "title": {"text": title, "font": {"size": style.font_size + 1}},
        "min": 0,
        "tickmode": "array",
        "tickvals": [0.2, 0.4, 0.6, 0.8],  # 0 and 1 sit at the corners, under the class names
        "tickformat": ".1f",
        "tickfont": {"size": style.font_size - 3},
        "gridcolor": "rgba(128,128,128,0.35)",
        "linewidth": 2,
    }


def _tern(points: npt.ArrayLike) -> Spec:
    r = np.round(np.asarray(points, dtype=np.float64), 6)
    return {"a": r[:, 0].tolist(), "b": r[:, 1].tolist(), "c": r[:, 2].tolist()}


# ---- where labels go: the drawing's geometry (a triangle of side 1), not the model's maths ---------
_HEIGHT = math.sqrt(3) / 2
_CENTRE = np.array([0.5, _HEIGHT / 3])
_OUTWARD = (  # each edge's outward normal and a point on it
    (np.array([0.0, -1.0]), np.array([0.5, 0.0])),
    (np.array([-_HEIGHT, 0.5]), np.array([0.0, 0.0])),
    (np.array([_HEIGHT, 0.5]), np.array([1.0, 0.0])),
)
EDGE = 0.1
"""A label of a point nearer an edge than this keeps inside (the axes' labels are outside)."""
_SIDES = {
    "top center": (0.0, 1.0),
    "bottom center": (0.0, -1.0),
    "middle left": (-1.0, 0.0),
    "middle right": (1.0, 0.0),
    "top left": (-math.sqrt(0.5), math.sqrt(0.5)),
    "top right": (math.sqrt(0.5), math.sqrt(0.5)),
    "bottom left": (-math.sqrt(0.5), -math.sqrt(0.5)),
    "bottom right": (math.sqrt(0.5), -math.sqrt(0.5)),
}
EM = 0.065
"""A line of label text, in sides of the triangle, where the triangle is smallest for its text (a 390 px
phone: about 270 px for 17 px text); labels placed apart there are apart on every screen."""
STAR, MARK = 1.8, 0.8
"""The current point's and the temperature marks' marker sizes, in the style's marker size."""
NEAR = 0.12
"""How close (in sides of the triangle) a path must come to a label's point to be kept clear of."""
CLEAR_OF_STAR = 0.08
"""A temperature mark closer than this to the current point loses its label (it would sit under the star)."""
CONTOUR_GAP = 0.08
"""Labelled contour lines are at least this far apart in p(true) (their labels would touch)."""
CONTOUR_TOP = 0.7
"""Contours above this p(true) stay unlabelled: the triangle is too narrow there for "0.25 nats"."""


def _plane(points: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """(a, b, c) rows to points in the plane: b's corner at (0, 0), c's at (1, 0), a's on top."""
    abc = np.atleast_2d(np.asarray(points, dtype=np.float64))
    abc = abc / abc.sum(axis=1, keepdims=True)
    return np.stack([abc[:, 2] + abc[:, 0] / 2, abc[:, 0] * _HEIGHT], axis=1)


def _dense(path: npt.NDArray[np.float64], step: float = 0.01) -> npt.NDArray[np.float64]:
    """A drawn polyline with points at most ``step`` apart (a long jump still counts along its length)."""
    out = [path[:1]]
    for a, b in itertools.pairwise(path):
        k = max(int(np.linalg.norm(b - a) / step), 1)
        out.append(a + (b - a) * (np.arange(1, k + 1)[:, None] / k))
    return np.concatenate(out)


def _ranked_sides(point: npt.NDArray[np.float64], busy: npt.NDArray[np.float64]) -> list[str]:
    """Text positions around ``point``, best first: away from the drawn points ``busy`` nearby, leaning
    toward the triangle's inside; never across a near edge (outside are the axes' labels)."""
    d = busy - point
    r = np.linalg.norm(d, axis=1)
    near = d[(r > 1e-9) & (r < NEAR)] / r[(r > 1e-9) & (r < NEAR), None]
    inward = _CENTRE - point
    inward = inward / max(float(np.linalg.norm(inward)), 1e-9)
    edges = [n for n, on in _OUTWARD if float((point - on) @ -n) < EDGE]  # distance to the edge's line

    def score(side: str) -> float:
        u = np.array(_SIDES[side])
        crowded = float(np.max(near @ u)) if len(near) else -1.0
        return -crowded + 0.4 * float(u @ inward)

    inside = [side for side in _SIDES if all(float(np.array(_SIDES[side]) @ n) <= -0.1 for n in edges)]
    return sorted(inside or list(_SIDES), key=score, reverse=True)


Box = tuple[float, float, float, float]


def _box(point: npt.NDArray[np.float64], side: str, text: str, marker_em: float) -> Box:
    """Where Plotly draws ``text`` at ``side`` of a marker ``marker_em`` across (x0, y0, x1, y1), roughly."""
    w, h = 0.55 * len(text) * EM, 1.1 * EM
    gap = marker_em / 2 + 0.005
    ux, uy = (round(v, 3) for v in _SIDES[side])
    x0 = point[0] + gap if ux > 0 else point[0] - gap - w if ux < 0 else point[0] - w / 2
    y0 = point[1] + gap if uy > 0 else point[1] - gap - h if uy < 0 else point[1] - h / 2
    return (x0, y0, x0 + w, y0 + h)


def _around(point: npt.NDArray[np.float64], size_em: float) -> Box:
    r = size_em / 2
    return (point[0] - r, point[1] - r, point[0] + r, point[1] + r)


def _hits(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _place(
    point: npt.NDArray[np.float64], text: str, marker_em: float, busy: npt.NDArray[np.float64], taken: list[Box]
) -> tuple[str, Box] | None:
    """The best side for ``text`` whose box meets none of ``taken`` (None: no room)."""
    for side in _ranked_sides(point, busy):
        box = _box(point, side, text, marker_em)
        if not any(_hits(box, t) for t in taken):
            return side, box
    return None


def _contour_labels(levels: Sequence[float], level_p: Sequence[float], unit: str) -> list[str]:
    """A label for each contour where the triangle has room, apart from the last labelled one."""
    out, last = [], math.inf
    for level, p in zip(levels, level_p, strict=True):
        keep = p <= CONTOUR_TOP and last - p >= CONTOUR_GAP
        out.append(f"{level:g} {unit}" if keep else "")
        last = p if keep else last
    return out


def _point_labels(
    star: npt.NDArray[np.float64],
    marks: npt.NDArray[np.float64],
    names: list[str],
    busy: npt.NDArray[np.float64],
    style: FigureStyle,
) -> tuple[str, list[str], list[str]]:
    """Sides for "now" and the temperature marks' labels (a mark under the star, or with no free side
    left, goes unlabelled): off the paths ``busy``, the markers and each other."""
    em = 1 / style.font_size  # px to text lines
    star_em, mark_em = STAR * style.marker_size * em * EM, MARK * style.marker_size * em * EM
    taken = [_around(star, star_em), *(_around(m, mark_em) for m in marks)]
    placed = _place(star, "now", star_em, np.concatenate([busy, marks]), taken)
    now_side = placed[0] if placed else _ranked_sides(star, busy)[0]
    if placed:
        taken.append(placed[1])
    texts, sides = [], []
    for point, name in zip(marks, names, strict=True):
        spot = None if np.linalg.norm(point - star) < CLEAR_OF_STAR else _place(point, name, mark_em, busy, taken)
        texts.append(name if spot else "")
        sides.append(spot[0] if spot else "top center")
        if spot:
            taken.append(spot[1])
    return now_side, texts, sides


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
    for label, p in zip(_contour_labels(page.levels, page.level_p, unit), page.level_p, strict=True):
        data.append(
            {
                "type": "scatterternary",
                "mode": "lines+text",
                **_tern(_edge_to_edge(p)),
                "text": [label, ""],
                "textposition": "middle left",
                "textfont": {"size": style.font_size - 3},
                "cliponaxis": False,
                "line": {"color": "rgba(80,80,80,0.7)", "width": 1},
                "hoverinfo": "skip",
                "showlegend": False,
            }
        )
    ts = page.temperatures
    t_path, d_path = _plane(view.temperature_path), _plane(view.descent_path)
    star = _plane(view.now)[0]
    busy = np.concatenate([_dense(t_path), _dense(d_path)])
    marks = t_path[list(page.marks)]
    now_side, mark_text, mark_side = _point_labels(star, marks, [f"T={ts[i]:g}" for i in page.marks], busy, style)
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
            "text": mark_text,
            "textposition": mark_side,
            "textfont": {"color": INK, "size": style.font_size - 2},  # the path's blue read dark on the bands
            "marker": {"size": MARK * style.marker_size, "color": style.other, "symbol": "circle"},
            "hoverinfo": "skip",
            "showlegend": False,
        },
        {
            "type": "scatterternary",
            "mode": "lines+markers",
            **_tern(view.descent_path),
            "name": f"{page.steps} gradient steps on the logits",
            "line": {"color": "#000000", "width": 2},
            "marker": {"size": 0.6 * style.marker_size, "color": "#000000", "symbol": "triangle-up"},
            "hovertemplate": f"p({true}) = %{{a:.3f}}<extra>gradient steps</extra>",
        },
        {
            "type": "scatterternary",
            "mode": "markers+text",
            **_tern(view.now[None, :]),
            "name": "now",
            "text": ["now"],
            "textposition": now_side,
            "textfont": {"size": style.font_size, "color": INK},
            "marker": {
                "size": STAR * style.marker_size,
                "color": style.true,
                "symbol": "star",
                "line": {"color": "#000000", "width": 1.5},
            },
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
            # room under the triangle for its corner labels, above the legend (Plotly does not reserve it)
            "domain": {"x": [0, 1], "y": [_under_triangle(style), 1]},
            "bgcolor": "rgba(0,0,0,0)",
            "aaxis": _ternary_axis(f"<b>{true}</b> ✓ true", style),
            "baxis": _ternary_axis(b, style),
            "caxis": _ternary_axis(c, style),
        },
    )
    end = view.descent_path[-1]
    alt = (
        f"Triangle of probabilities for {names[0]} (true class, top corner), {names[1]} and {names[2]}. "
        f"Now on the triangle: {', '.join(_now(view))}. "
        f"Shaded bands of equal cross-entropy run parallel to the edge opposite {names[0]}, at "
        f"{', '.join(f'{v:g}' for v in page.levels)} {unit}. As T goes from 0.01 to 100 the point moves from the "
        f"corner of the largest logit to the centre. After {page.steps} gradient steps "
        f"p({names[0]}) = {fmt(float(end[0]))}. Temperature now: {fmt(page.temperature, 2)}."
    )
    return Chart({"data": data, "layout": layout}, alt, _tables(names, page))


def _under_triangle(style: FigureStyle) -> float:
    """The share of the plot under the triangle for the bottom axes' tick labels and corner names."""
    need = 2.4 * style.font_size + 12  # two lines of text, px
    plot = style.height + 320 - 100 - 4.5 * style.font_size  # the figure less its margins and the legend
    return round(need / plot, 3)


def _now(view: SimplexView) -> list[str]:
    """The point on the triangle, each coordinate written from its log where it underflows (fmt_prob)."""
    return [fmt_prob(float(v), float(lv)) for v, lv in zip(view.now, view.log_now, strict=True)]


def _tables(names: Sequence[str], page: SimplexPage) -> tuple[Table, ...]:
    view = page.view
    p_cols = tuple(f"p({n})" for n in names)
    now = Table(
        f"Now on the triangle (T = {fmt(page.temperature, 2)})",
        ("class", "p"),
        tuple(
            (f"{n} (true class)" if i == 0 else n, shown)
            for i, (n, shown) in enumerate(zip(names, _now(view), strict=True))
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
