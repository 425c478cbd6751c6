"""The page's CSS. The one palette (Okabe-Ito) and the chart style live in :mod:`core.figures.style`
(core builds the charts and its tests build them with that style); they are re-exported here.
"""

from __future__ import annotations

from string import Template

from core.figures.style import OKABE_ITO, STYLE, rgba

__all__ = ["CSS", "OKABE_ITO", "STYLE"]  # the palette and chart style live in core.figures.style

CSS = Template("""
<style>
/* a collapsed sidebar is not a region to scroll (its squeezed text would make it one, unreachable by keyboard) */
[data-testid="stSidebar"][data-collapsed="true"] [data-testid="stSidebarContent"] { overflow: hidden !important; }
/* Streamlit leaves room for a tall header; a projector needs that space for content. */
[data-testid="stMainBlockContainer"] { padding-top: 2.75rem; padding-bottom: 2rem; }
/* Captions: Streamlit's faded grey (#828180) is below WCAG AA contrast (3.9:1); the text colour at
   88 % opacity passes in the light theme and the dark one. */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: inherit !important; opacity: 0.88; }
/* A visible keyboard focus on everything, including the page links of the top bar. */
a:focus-visible, summary:focus-visible, [role="tab"]:focus-visible {
  outline: 3px solid $focus !important; outline-offset: 2px; }
/* "Copy link" (ui/share.py) sits in the top bar, beside Streamlit's menu, on every page. */
.st-key-copy_link { position: fixed; top: 0.55rem; right: 3.75rem; z-index: 999991; width: auto !important; }
/* While a drag goes over the live path (ui/logit_pad.js marks the body), what the drag does not redraw
   (the tabs of the deep-dive pages, the Learning page's step view) fades until the commit redraws it,
   so two sets of numbers never stand side by side as if both were current. */
[data-testid="stTabPanel"] { transition: opacity 0.15s; }
body[data-live-drag] [data-testid="stTabPanel"]:not(:has(.live-panel)),
body[data-live-drag] [data-testid="stTabPanel"] > [data-testid="stVerticalBlock"] > [data-testid="stLayoutWrapper"]
  > [data-testid="stHorizontalBlock"] > [data-testid="stColumn"]:not(:has(.live-panel)) { opacity: 0.35; }
/* The worked example (core/panels/playground.py builds it as plain HTML). */
.explain { margin: 0.25rem 0 0.5rem; line-height: 1.5; }
table.steps { border-collapse: collapse; font-size: 1.05rem; font-variant-numeric: tabular-nums; }
table.steps th, table.steps td { padding: 0.3rem 0.75rem; border-bottom: 1px solid rgba(128,128,128,0.3); }
table.steps td { text-align: right; }
table.steps td.text, table.steps th.text { text-align: left; }
table.steps thead th { font-weight: 600; text-align: right; }
table.steps thead th:first-child, table.steps tbody th { text-align: left; font-weight: 400; }
table.steps tr.true { background: $true_tint; }
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
""").substitute(focus=OKABE_ITO["blue"], true_tint=rgba(OKABE_ITO["orange"], 0.14))
