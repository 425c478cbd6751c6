"""Shared styling for every chart: the style, the Chart type, layouts, axes, class bars, safe labels."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from core.text import fmt

Spec = dict[str, Any]


OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
"""Okabe & Ito's palette: it stays distinguishable under the common colour-vision deficiencies.
The one palette of the app: every colour of every chart comes from here."""


@dataclass(frozen=True)
class FigureStyle:
    """Colours and sizes shared by every chart; the defaults are the app's look (:data:`STYLE`).

    The true class is orange, the other classes blue; the true class is also hatched
    and labelled "true", so colour is never the only cue.
    """

    other: str = OKABE_ITO["blue"]
    """bars of the classes that are not the true class"""
    true: str = OKABE_ITO["orange"]
    """the true class (also marked by a hatch pattern and the word "true")"""
    curve: str = OKABE_ITO["vermillion"]
    """lines such as the loss curve"""
    font_size: int = 17
    font_family: str = '"Source Sans", "Source Sans Pro", "Source Sans 3", sans-serif'
    """Streamlit's own typeface, which the page already serves (nothing downloaded)"""
    line_width: float = 3.0
    marker_size: float = 10.0
    """the usual marker's diameter in px (points, the current point a little larger): grows with the text"""
    height: int = 300
    series: tuple[str, ...] = tuple(
        OKABE_ITO[k] for k in ("blue", "bluish_green", "sky_blue", "reddish_purple", "black", "vermillion")
    )
    """colours for one line per class (the true class takes ``true``); dashes tell them apart too"""


STYLE = FigureStyle()
"""The chart style of every page (presentation mode enlarges it: :data:`PRESENT_STYLE`)."""
PRESENT_SCALE = 1.35
"""In presentation mode text is 1.35 times its usual size (charts and the page's root font size)."""
PRESENT_STYLE = replace(
    STYLE,
    font_size=round(STYLE.font_size * PRESENT_SCALE),
    line_width=STYLE.line_width * 1.7,
    marker_size=STYLE.marker_size * PRESENT_SCALE,
    height=round(STYLE.height * 1.2),
)
"""The chart style on a projector (``?present=1``): larger text, thicker lines, taller charts."""


def style_for(present: bool) -> FigureStyle:
    """The chart style in presentation mode or out of it (the page and the live route both ask here)."""
    return PRESENT_STYLE if present else STYLE


@dataclass(frozen=True)
class Table:
    """Numbers a chart draws, for "Show the numbers": plain text cells (set as text, never markup)."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def as_dict(self) -> dict[str, Any]:
        return {"caption": self.caption, "header": list(self.header), "rows": [list(r) for r in self.rows]}


@dataclass(frozen=True)
class Chart:
    """A Plotly spec, the alt text that says its numbers in words, and the same numbers as tables.

    A builder makes all three from the numbers it is given (computed by core), so
    the tables are the chart's numbers, not a re-reading of its spec.
    """

    spec: Spec
    alt: str
    tables: tuple[Table, ...]


def plotly_text(text: str) -> str:
    """Untrusted text for a Plotly label: no HTML tags, no ``$...$`` LaTeX.

    >>> plotly_text("<b>$x$</b>")
    '&lt;b&gt;&#36;x&#36;&lt;/b&gt;'
    """
    return html.escape(text, quote=False).replace("$", "&#36;")


INK = "#000000"
"""Text and outlines drawn in the page's text colour: black here, and the theme's light text on a dark
page (``ui/plotly_draw.js`` swaps it), so a label given INK reads in both themes."""
ON_LIGHT = "#1a1a1a"
"""Text on a light fill that stays light in both themes (an orange bar, a pale heatmap cell): dark always
(INK would turn light on a dark page, over the same light fill)."""
PAPER_BOX = "rgba(255,255,255,0.85)"
"""The box behind a label over lines or bands: white here, the page's dark background on a dark page."""

SHORT_NAME = 14
"""A class name longer than this is shortened on an axis or in a legend (whole in hover and tables)."""


def short_name(name: str, limit: int = SHORT_NAME) -> str:
    """``name`` cut to ``limit`` characters with an ellipsis, so long names cannot squeeze a chart.

    >>> short_name("Chesapeake Bay retriever"), short_name("cat")
    ('Chesapeake Ba…', 'cat')
    """
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def short_names(names: Sequence[str], limit: int = SHORT_NAME) -> list[str]:
    """:func:`short_name` of each, kept apart: names that would shorten alike keep their ends instead
    ("German shep…dog", "German shep…pup")."""
    first = [short_name(n, limit) for n in names]
    head = (limit - 1) // 2
    return [  # counted on the first shortening, so the last of a look-alike group is kept apart too
        n[:head].rstrip() + "…" + n[-(limit - 1 - head) :].lstrip() if len(n) > limit and first.count(s) > 1 else s
        for n, s in zip(names, first, strict=True)
    ]


def class_label(name: str, is_true: bool, *, short: str | None = None) -> str:
    """A class as an axis or legend shows it: the (shortened) name, the true class in bold and marked "✓ true"."""
    safe = plotly_text(short_name(name) if short is None else short)
    return f"<b>{safe}</b> ✓ true" if is_true else safe


def class_labels(classes: Sequence[str], target: int) -> list[str]:
    """:func:`class_label` of every class, shortened names kept apart."""
    return [
        class_label(c, i == target, short=s) for i, (c, s) in enumerate(zip(classes, short_names(classes), strict=True))
    ]


def bars_height(style: FigureStyle, n_bars: int) -> int:
    """Tall enough that every class keeps a readable bar (about 34 px each beyond 5)."""
    return max(style.height, 130 + 34 * n_bars)


def base_layout(style: FigureStyle, revision: str, title: str, **extra: Any) -> Spec:
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
    for key, value in layout.items():
        if key.startswith("xaxis") and isinstance(value, dict):
            # x labels a little lower: at the corner the y axis' "0" and the x axis' "0" no longer touch
            value.setdefault("ticklabelstandoff", round(0.4 * style.font_size))
    return layout


def legend(style: FigureStyle) -> Spec:
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


def class_bars(
    classes: Sequence[str],
    values: npt.ArrayLike,
    target: int,
    style: FigureStyle,
    *,
    text: list[str] | None,
    hover: str,
) -> Spec:
    """Horizontal bars, one per class top to bottom, the true class hatched and named.

    ``text`` is written just past each bar's end; ``None`` writes nothing on the bars (the chart
    places its values itself)."""
    v = np.asarray(values, dtype=np.float64)
    n = len(classes)
    colours = [style.true if i == target else style.other for i in range(n)]
    shapes = ["/" if i == target else "" for i in range(n)]
    trace: Spec = {
        "type": "bar",
        "orientation": "h",
        "x": v.tolist(),
        "y": list(range(n)),
        "marker": {"color": colours, "pattern": {"shape": shapes, "fgcolor": "#ffffff", "solidity": 0.25}},
        "customdata": [plotly_text(c) for c in classes],
        "hovertemplate": hover + "<extra></extra>",
    }
    if text is not None:
        trace.update(text=text, textposition="outside", cliponaxis=False)
    return trace


def axis(style: FigureStyle, **extra: Any) -> Spec:
    axis: Spec = {
        "tickfont": {"size": style.font_size},
        "gridcolor": "rgba(128,128,128,0.25)",
        "fixedrange": True,
        "automargin": True,
    }
    axis.update(extra)
    return axis


def alt_values(
    classes: Sequence[str], values: npt.NDArray[np.float64], target: int, shown: Sequence[str] | None = None
) -> str:
    """Each class and its value in words (``shown``: the values as already written, e.g. by fmt_prob)."""
    cells = list(shown) if shown is not None else [fmt(float(x)) for x in values]
    return "; ".join(
        f"{c}{' (true class)' if i == target else ''}: {cell}"
        for i, (c, cell) in enumerate(zip(classes, cells, strict=True))
    )


def class_axis(classes: Sequence[str], target: int) -> Spec:
    """One tick per class, top to bottom, long names shortened (:func:`class_labels`)."""
    return {
        "tickmode": "array",
        "tickvals": list(range(len(classes))),
        "ticktext": class_labels(classes, target),
        "autorange": "reversed",
        "automargin": True,
        "showgrid": False,
    }


def dotted_vline(x: float) -> list[Spec]:
    """A dotted vertical line at ``x``: where the reader is now (the current p, step or epoch)."""
    return [
        {
            "type": "line",
            "x0": x,
            "x1": x,
            "yref": "paper",
            "y0": 0,
            "y1": 1,
            "line": {"color": "#444444", "width": 2, "dash": "dot"},
        }
    ]


def rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha:.3f})"


def tint(hex_colour: str, amount: float) -> str:
    """``hex_colour`` mixed with white (``amount`` 0: unchanged, 1: white)."""
    rgb = [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in rgb)
