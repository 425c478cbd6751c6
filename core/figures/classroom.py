"""Class mode's projector chart: the spread of a room's answers, and the truth on it after the reveal.

Numbers (p(true), the loss) become a histogram with fixed, readable bins; a choice becomes one bar per option;
a step question one pair of bars per class (how many said up, how many down). Counts are computed here and the
browser draws bars: no binning in JavaScript. Until the reveal nothing on the chart depends on the truth (not
even the loss axis' range), so the spread shown during the discussion gives nothing away. No nickname is ever
drawn: the chart knows only values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.figures.style import (
    INK,
    OKABE_ITO,
    PRESENT_STYLE,
    Chart,
    FigureStyle,
    Spec,
    Table,
    axis,
    base_layout,
    plotly_text,
    rgba,
    short_names,
)
from core.query import format_number
from core.quiz import P_TOLERANCE, Question, grade, loss_tolerance
from core.text import fmt

__all__ = ["P_BIN", "Bin", "histogram", "loss_top", "spread_chart", "truth_line"]

P_BIN = 0.05
"""Width of a bin of p(true) answers: 20 bins from 0 to 1 (1 itself falls in the last)."""
LOSS_BINS = 10
"""Bins of loss answers below the axis' top; answers at or above it fall in one overflow bin, "≥ top"."""
NICE_TOPS = (1.0, 2.0, 3.0, 5.0)
"""The loss axis ends at one of these times a power of ten (1, 2, 3, 5, 10, 20, 30, 50, 100, ...)."""
COVERED = 0.9
"""The loss axis covers at least this share of the answers (the rest land in the overflow bin)."""
BAR = OKABE_ITO["blue"]
RIGHT = OKABE_ITO["orange"]
TRUTH = OKABE_ITO["vermillion"]
DOWN = OKABE_ITO["sky_blue"]
OVERLAY: Spec = {"fillmode": "overlay", "fgcolor": "#ffffff", "solidity": 0.3}
"""Hatching drawn in white over the bar's own colour (the default would replace the colour by the stripes)."""
MIN_HEIGHT = 440
"""The projector's chart is at least this tall (px)."""


@dataclass(frozen=True)
class Bin:
    """One bar of the histogram: answers ``lo <= v < hi`` (the last p bin includes 1; overflow: ``v >= lo``)."""

    lo: float
    hi: float
    label: str
    count: int
    overflow: bool = False


def _numbers(q: Question, values: Sequence[Any]) -> list[float]:
    """The finite, non-negative numbers among ``values`` (stored answers were checked; anything else is skipped)."""
    out: list[float] = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int | float):
            continue
        try:
            x = float(v)
        except OverflowError:  # an integer too big for a float
            continue
        if math.isfinite(x) and x >= 0 and (q.kind != "p_true" or x <= 1):
            out.append(x)
    return out


def _edge(x: float) -> str:
    return fmt(x, 2) if x < 10 else f"{x:g}"


def loss_top(values: Sequence[float], truth: float | None) -> float:
    """The loss axis' top: the smallest 1, 2, 3 or 5 × 10ᵏ above 1, the truth (once revealed, else None) and
    :data:`COVERED` of the answers."""
    basis = 1.0
    if values:  # the smallest answer with at least COVERED of the answers at or below it
        basis = max(basis, sorted(values)[math.ceil(COVERED * len(values)) - 1])
    if truth is not None:
        basis = max(basis, truth)
    power = 10.0 ** math.floor(math.log10(basis))
    for scale in (1.0, 10.0):
        for nice in NICE_TOPS:
            if nice * power * scale > basis:
                return nice * power * scale
    return 10.0 * power * 10.0  # unreachable: 5 × 10ᵏ⁺¹ > basis always


def histogram(q: Question, values: Sequence[Any], *, revealed: bool) -> list[Bin]:
    """The bins of a number question's answers: p(true) in :data:`P_BIN` steps from 0 to 1; the loss in
    :data:`LOSS_BINS` equal steps up to :func:`loss_top` and one overflow bin. Every answer is in one bin."""
    xs = _numbers(q, values)
    if q.kind == "p_true":
        n = round(1 / P_BIN)
        edges = [i / n for i in range(n + 1)]
        counts = [0] * n
        for x in xs:
            counts[min(math.floor(round(x * n, 9)), n - 1)] += 1
        return [Bin(edges[i], edges[i + 1], f"{_edge(edges[i])}–{_edge(edges[i + 1])}", counts[i]) for i in range(n)]
    if q.kind != "loss":
        raise ValueError(f"a histogram is for number questions, not {q.kind!r}")
    top = loss_top(xs, float(q.truth) if revealed else None)  # type: ignore[arg-type]
    width = top / LOSS_BINS
    counts = [0] * (LOSS_BINS + 1)
    for x in xs:
        counts[min(math.floor(round(x / width, 9)), LOSS_BINS)] += 1
    bins = [
        Bin(i * width, (i + 1) * width, f"{_edge(i * width)}–{_edge((i + 1) * width)}", counts[i])
        for i in range(LOSS_BINS)
    ]
    return [*bins, Bin(top, top + width, f"≥ {format_number(top)}", counts[LOSS_BINS], overflow=True)]


def _count_top(top: int) -> float:
    """The count axis' top for a tallest bar of ``top`` answers: room above it for the bar's count."""
    return max(top, 1) * 1.25 + 0.5


def _count_axis(style: FigureStyle, top: int) -> Spec:
    return axis(
        style,
        title={"text": "answers", "font": {"size": style.font_size}},
        range=[0, _count_top(top)],
        rangemode="tozero",
        tickformat="d",
        dtick=max(1, math.ceil(max(top, 1) / 5)),
    )


def _layout(style: FigureStyle, title: str, **extra: Any) -> Spec:
    layout = base_layout(style, "class_spread", title, height=max(style.height, MIN_HEIGHT), bargap=0.08, **extra)
    return layout


def truth_line(bins: Sequence[Bin], truth: float, style: FigureStyle, height: float) -> list[tuple[float, float]]:
    """The stretches (count-axis units) of the dashed truth line: the whole axis, except where a bar's count
    label sits on the line (a labelled bar within one bin width of ``truth``): there the line stops at the bar's
    top and goes on above its label, so the line never crosses a count. ``height``: the chart's, in px."""
    width = bins[0].hi - bins[0].lo
    y_top = _count_top(max(b.count for b in bins))
    near = [b.count for b in bins if b.count and abs((b.lo + b.hi) / 2 - truth) < width]
    if not near:
        return [(0.0, y_top)]
    # The plot's height in px, counted low (title, axis ticks and title take the rest), so the gap is ample.
    plot_px = height - round(4.2 * style.font_size) - 3.2 * style.font_size - 8
    label = (1.6 * style.font_size + 6) / max(plot_px, 1.0) * y_top  # a count label's height, axis units
    stretches = [(0.0, float(min(near)))]
    above = max(near) + label
    if above < y_top:
        stretches.append((above, y_top))
    return stretches


def _number_chart(q: Question, values: Sequence[Any], revealed: bool, style: FigureStyle) -> Chart:
    bins = histogram(q, values, revealed=revealed)
    total = sum(b.count for b in bins)
    width = bins[0].hi - bins[0].lo
    unit = " (nats)" if q.kind == "loss" else ""
    what = f"p({q.scenario.target_name})" if q.kind == "p_true" else "the loss"
    trace: Spec = {
        "type": "bar",
        "x": [b.lo + width / 2 for b in bins],
        "y": [b.count for b in bins],
        "width": [width * 0.92] * len(bins),
        "marker": {
            "color": [rgba(BAR, 0.55) if b.overflow else BAR for b in bins],
            "pattern": {"shape": ["." if b.overflow else "" for b in bins], **OVERLAY},
        },
        "text": [str(b.count) if b.count else "" for b in bins],
        "textposition": "outside",
        "cliponaxis": False,
        "customdata": [b.label for b in bins],
        "hovertemplate": "%{customdata}: %{y}<extra></extra>",
    }
    top = bins[-1].hi
    if q.kind == "p_true":
        ticks = [i / 10 for i in range(11)]
        ticktext = [format_number(t) for t in ticks]
    else:  # every other bin edge below the top, then the overflow bin by its label
        ticks = [b.lo for b in bins[:-1]][::2]
        ticktext = [format_number(round(t, 6)) for t in ticks]
        ticks.append(bins[-1].lo + width / 2)
        ticktext.append(bins[-1].label)
    shapes: list[Spec] = []
    annotations: list[Spec] = []
    truth_text = ""
    if revealed:
        truth = float(q.truth)  # type: ignore[arg-type]
        shown = grade(q, truth).truth
        tol = P_TOLERANCE if q.kind == "p_true" else loss_tolerance(truth)
        hi_edge = 1.0 if q.kind == "p_true" else bins[-1].lo
        shapes = [
            {
                "type": "rect",
                "x0": max(0.0, truth - tol),
                "x1": min(hi_edge, truth + tol),
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "fillcolor": rgba(TRUTH, 0.12),
                "line": {"width": 0},
                "layer": "below",
            },
        ]
        height = max(style.height, MIN_HEIGHT)
        shapes += [
            {
                "type": "line",
                "x0": truth,
                "x1": truth,
                "yref": "y",
                "y0": y0,
                "y1": y1,
                "line": {"color": TRUTH, "width": style.line_width, "dash": "dash"},
            }
            for y0, y1 in truth_line(bins, truth, style, height)
        ]
        truth_text = f"the true value is {shown} (within ±{format_number(round(tol, 2))} counts as right, shaded)"
        annotations = [
            {
                "x": truth,
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "xanchor": "left" if truth < 0.6 * top else "right",
                "text": f"▼ true: {plotly_text(shown)}",
                "showarrow": False,
                "font": {"size": style.font_size + 2, "color": INK, "weight": 700},
            }
        ]
    layout = _layout(
        style,
        f"Answers: {total}",
        xaxis=axis(
            style,
            title={"text": f"{what}{unit}", "font": {"size": style.font_size}},
            range=[0, top],
            tickvals=ticks,
            ticktext=ticktext,
            showgrid=False,
        ),
        yaxis=_count_axis(style, max(b.count for b in bins)),
        shapes=shapes,
        annotations=annotations,
    )
    if revealed:
        layout["margin"] = {**layout["margin"], "t": round(4.2 * style.font_size)}
    listed = "; ".join(f"{b.label}: {b.count}" for b in bins if b.count) or "none yet"
    alt = f"Histogram of {total} answers for {what}{unit}, in bins of {format_number(round(width, 6))}. {listed}."
    if truth_text:
        alt += f" After the reveal: {truth_text}."
    table = Table(
        f"Answers for {what}{unit}" + (f"; {truth_text}" if truth_text else ""),
        ("answer", "students"),
        tuple((b.label, str(b.count)) for b in bins),
    )
    return Chart({"data": [trace], "layout": layout}, alt, (table,))


def _choice_chart(q: Question, values: Sequence[Any], revealed: bool, style: FigureStyle) -> Chart:
    n = len(q.scenarios)
    counts = [0] * n
    for v in values:
        if not isinstance(v, bool) and isinstance(v, int | float) and 0 <= v < n and v == int(v):
            counts[int(v)] += 1
    best = int(q.truth) if revealed else -1  # type: ignore[arg-type]
    names = [f"Option {'ABC'[i]}" for i in range(n)]
    ticktext = [f"<b>{name}</b><br>✓ lowest loss" if i == best else name for i, name in enumerate(names)]
    trace: Spec = {
        "type": "bar",
        "x": list(range(n)),
        "y": counts,
        "marker": {
            "color": [RIGHT if i == best else BAR for i in range(n)],
            "pattern": {"shape": ["/" if i == best else "" for i in range(n)], **OVERLAY},
            "line": {"color": INK, "width": [3 if i == best else 0 for i in range(n)]},
        },
        "text": [str(c) for c in counts],
        "textposition": "outside",
        "cliponaxis": False,
        "customdata": names,
        "hovertemplate": "%{customdata}: %{y}<extra></extra>",
    }
    layout = _layout(
        style,
        f"Answers: {sum(counts)}",
        xaxis=axis(style, tickvals=list(range(n)), ticktext=ticktext, showgrid=False),
        yaxis=_count_axis(style, max(counts)),
    )
    listed = "; ".join(f"{name}: {c}" for name, c in zip(names, counts, strict=True))
    alt = f"Bar chart of {sum(counts)} answers, one bar per option. {listed}."
    if revealed:
        alt += f" {names[best]} has the lowest loss (the right answer)."
    rows = tuple(
        (name + (" (right: lowest loss)" if i == best else ""), str(c))
        for i, (name, c) in enumerate(zip(names, counts, strict=True))
    )
    return Chart({"data": [trace], "layout": layout}, alt, (Table("Answers per option", ("option", "students"), rows),))


def _step_chart(q: Question, values: Sequence[Any], revealed: bool, style: FigureStyle) -> Chart:
    sc = q.scenario
    c = sc.n_classes
    ups, downs = [0] * c, [0] * c
    total = 0
    for v in values:
        if isinstance(v, list | tuple) and len(v) == c and all(isinstance(u, bool) for u in v):
            total += 1
            for i, u in enumerate(v):
                (ups if u else downs)[i] += 1
    truth: tuple[bool, ...] = q.truth if revealed else ()  # type: ignore[assignment]
    labels = short_names(sc.classes)
    ticktext = []
    for i, s in enumerate(labels):
        name = plotly_text(s) + (" (true)" if i == sc.target else "")
        if revealed:
            name += f"<br><b>✓ {'up' if truth[i] else 'down'}</b>"
        ticktext.append(name)

    def trace(name: str, counts: list[int], colour: str, pattern: str, up: bool) -> Spec:
        right = [bool(revealed and truth[i] == up) for i in range(c)]
        return {
            "type": "bar",
            "name": name,
            "x": list(range(c)),
            "y": counts,
            "marker": {
                "color": colour,
                "pattern": {"shape": pattern, **OVERLAY},
                "line": {"color": INK, "width": [3 if r else 0 for r in right]},
            },
            "text": [("✓ " if r else "") + str(n) for r, n in zip(right, counts, strict=True)],
            "textposition": "outside",
            "cliponaxis": False,
            "customdata": [plotly_text(n) for n in sc.classes],
            "hovertemplate": f"%{{customdata}} {name}: %{{y}}<extra></extra>",
        }

    layout = _layout(
        style,
        f"Answers: {total}",
        barmode="group",
        showlegend=True,
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"},
        xaxis=axis(style, tickvals=list(range(c)), ticktext=ticktext, showgrid=False),
        yaxis=_count_axis(style, max(ups + downs)),
    )
    data = [trace("▲ up", ups, BAR, "", True), trace("▼ down", downs, DOWN, "x", False)]
    listed = "; ".join(f"{n}: {u} up, {d} down" for n, u, d in zip(sc.classes, ups, downs, strict=True))
    alt = f"Grouped bar chart of {total} answers: how many said each class's probability goes up or down. {listed}."
    if revealed:
        alt += (
            " Right: " + ", ".join(f"{n} {'up' if t else 'down'}" for n, t in zip(sc.classes, truth, strict=True)) + "."
        )
    rows = tuple(
        (
            n + (" (true class)" if i == sc.target else ""),
            str(u),
            str(d),
            *((("up" if truth[i] else "down"),) if revealed else ()),
        )
        for i, (n, u, d) in enumerate(zip(sc.classes, ups, downs, strict=True))
    )
    header = ("class", "up", "down", *(("right",) if revealed else ()))
    return Chart({"data": data, "layout": layout}, alt, (Table("Answers per class", header, rows),))


def spread_chart(q: Question, values: Sequence[Any], *, revealed: bool, style: FigureStyle = PRESENT_STYLE) -> Chart:
    """The spread of the room's answers to ``q`` (stored values, as :func:`core.classroom.read_answer` returns
    them), with the truth drawn once ``revealed``: as a line, a shaded tolerance band and a label for numbers;
    a hatched, outlined bar marked "✓" for choices and step directions. The projector's style by default."""
    if q.kind in ("p_true", "loss"):
        return _number_chart(q, values, revealed, style)
    if q.kind == "lowest_loss":
        return _choice_chart(q, values, revealed, style)
    return _step_chart(q, values, revealed, style)
