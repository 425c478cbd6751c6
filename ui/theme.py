"""The one palette and the chart style every page uses.

Okabe & Ito's palette stays distinguishable under the common colour-vision
deficiencies. The true class is orange, the other classes blue; the true class
is also hatched and labelled "true", so colour is never the only cue.
Pure Python (no Streamlit), so core tests can build figures with it.
"""

from __future__ import annotations

from core.figures import FigureStyle

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

STYLE = FigureStyle(
    other=OKABE_ITO["blue"],
    true=OKABE_ITO["orange"],
    curve=OKABE_ITO["vermillion"],
)

CSS = """
<style>
/* Streamlit leaves room for a tall header; a projector needs that space for content. */
[data-testid="stMainBlockContainer"] { padding-top: 2.75rem; padding-bottom: 2rem; }
/* The worked table is read from the back of the room too. */
[data-testid="stMarkdownContainer"] table { font-size: 1.05rem; }
</style>
"""
