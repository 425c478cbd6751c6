"""The one palette and the chart style every page uses.

Okabe & Ito's palette stays distinguishable under the common colour-vision
deficiencies. The true class is orange, the other classes blue; the true class
is also hatched and labelled "true", so colour is never the only cue.
Pure Python (no Streamlit), so core tests can build figures with it.
"""

from __future__ import annotations

from core.figures.style import FigureStyle

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
/* Captions: Streamlit's faded grey (#828180) is below WCAG AA contrast (3.9:1); the text colour at
   88 % opacity passes in the light theme and the dark one. */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: inherit !important; opacity: 0.88; }
/* A visible keyboard focus on everything, including the page links of the top bar. */
a:focus-visible, summary:focus-visible, [role="tab"]:focus-visible {
  outline: 3px solid #0072B2 !important; outline-offset: 2px; }
/* "Copy link" (ui/share.py) sits in the top bar, beside Streamlit's menu, on every page. */
.st-key-copy_link { position: fixed; top: 0.55rem; right: 3.75rem; z-index: 999991; width: auto !important; }
/* The worked example (ui/results.py builds it as plain HTML). */
.explain { margin: 0.25rem 0 0.5rem; line-height: 1.5; }
table.steps { border-collapse: collapse; font-size: 1.05rem; font-variant-numeric: tabular-nums; }
table.steps th, table.steps td { padding: 0.3rem 0.75rem; border-bottom: 1px solid rgba(128,128,128,0.3); }
table.steps td { text-align: right; }
table.steps td.text, table.steps th.text { text-align: left; }
table.steps thead th { font-weight: 600; text-align: right; }
table.steps thead th:first-child, table.steps tbody th { text-align: left; font-weight: 400; }
table.steps tr.true { background: rgba(230,159,0,0.14); }
table.steps tr.sum th, table.steps tr.sum td { border-bottom: none; font-weight: 600; }
.formulas .math { font-family: "Latin Modern Math", "STIX Two Math", "Cambria Math", serif; font-size: 1.2rem;
  margin: 0.35rem 0 0.6rem; }
table.steps caption { text-align: left; font-weight: 600; padding-bottom: 0.25rem; }
table.quiz { font-size: 1.2rem; margin-bottom: 0.75rem; }
table.stability td.broke { color: #B33C00; font-weight: 700; }
table.stability small { font-weight: 400; opacity: 0.8; }
.frac { display: inline-flex; flex-direction: column; vertical-align: middle; text-align: center; margin: 0 0.15em; }
.frac > span:first-child { border-bottom: 1px solid currentColor; padding: 0 0.2em; }
.frac > span:last-child { padding: 0 0.2em; }
</style>
"""
