"""The page's CSS. The one palette (Okabe-Ito) and the chart style live in :mod:`core.figures.style`
(core builds the charts and its tests build them with that style); they are re-exported here.
"""

from __future__ import annotations

from string import Template

from core.figures.style import OKABE_ITO, STYLE, rgba
from ui.live_panel import panel_key

__all__ = ["CSS", "OKABE_ITO", "STYLE"]  # the palette and chart style live in core.figures.style

TOKENS = {
    "keyword, tag, function, class-name, selector": (OKABE_ITO["blue"], 70),
    "number, regex, boolean, constant, symbol": (OKABE_ITO["bluish_green"], 60),
    "string, char, attr-value, important": (OKABE_ITO["vermillion"], 60),
    "operator, entity, decorator, atrule": (OKABE_ITO["orange"], 45),
    "attr-name, property, variable": (OKABE_ITO["sky_blue"], 45),
    "url": (OKABE_ITO["reddish_purple"], 50),
    "comment, prolog, doctype, cdata, punctuation": ("#808495", 45),
}
"""Syntax colours of code examples: (hue, its share in a mix with the text colour)."""
CODE_TOKENS = "\n".join(
    ", ".join(f'[data-testid="stCode"] .token.{t.strip()}' for t in kinds.split(","))
    + f" {{ color: color-mix(in srgb, {hue} {share}%, currentColor) !important; background: none !important; }}"
    for kinds, (hue, share) in TOKENS.items()
)

STICKY = Template("""
  /* The deep-dive pages' readout (the loss and the bars) and the Simplex page's facts stick to the bottom of the
     screen while their column (the logits above them) is in view: a drag never pushes them off-screen. Their
     column is the sticky box's bounds, so once the logits are scrolled away, they go too. */
  $readout, $facts { position: sticky; bottom: 0; z-index: 3; }
  $readout .live-panel, $facts .live-panel {
    gap: 0.3rem; padding: 0.4rem 0 0.35rem; background: var(--st-background-color, #fff);
    border-top: 1px solid rgba(128, 128, 128, 0.45); box-shadow: 0 -0.4rem 0.6rem -0.5rem rgba(0, 0, 0, 0.35); }
  /* The Playground's side (the headline numbers, then the gradient chart) is too tall to stick: its
     wrappers step aside (display: contents) so that the headline numbers alone stick, in the logits' column. */
  $side, $side div:has(.live-panel), $side .live-panel {
    display: contents; }
  $side .lp-metrics { position: sticky; bottom: 0; z-index: 3; flex-wrap: nowrap; gap: 0.3rem;
    padding: 0.4rem 0 0.35rem; background: var(--st-background-color, #fff);
    border-top: 1px solid rgba(128, 128, 128, 0.45); box-shadow: 0 -0.4rem 0.6rem -0.5rem rgba(0, 0, 0, 0.35); }
  $side .lp-metric { flex: 1 1 0; }
  /* compact while stuck: a metric is a label and a number, a bar a row */
  $readout .lp-metric, $facts .lp-metric, $side .lp-metric {
    padding: 0.2rem 0.5rem; }
  $readout .lp-metric, $facts .lp-metric {
    display: flex; flex-wrap: wrap; align-items: baseline; column-gap: 0.6rem; }
  $readout .lp-value, $facts .lp-value, $side .lp-value {
    font-size: 1.2rem; }
  $side .lp-label { font-size: 0.72rem; line-height: 1.2; }
  $side .lp-delta { font-size: 0.72rem; margin-top: 0.1rem; }
  $readout table.readout th, $readout table.readout td { padding: 0 0.4rem; }
  $readout table.readout caption { font-size: 0.75rem; padding-bottom: 0.1rem; }
  $facts ul.probs { display: flex; flex-wrap: wrap; gap: 0 1rem; list-style: none; padding: 0;
    font-size: 0.9rem; }
  $facts .note { font-size: 0.75rem; line-height: 1.35; padding: 0.2rem 0.5rem; }
""").substitute(
    readout=f".st-key-{panel_key('readout', 'readout')}",
    facts=f".st-key-{panel_key('simplex', 'facts')}",
    side=f".st-key-{panel_key('playground', 'side')}",
)

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
/* vermillion mixed with the text colour: a dark red-brown on the light theme, a light orange on the dark one
   (AA on both, where a fixed #B33C00 is 3:1 on the dark background) */
table.stability td.broke { color: color-mix(in srgb, $vermillion 55%, currentColor); font-weight: 700; }
table.stability small { font-weight: 400; opacity: 0.8; }
/* A table wider than its column (a phone) scrolls inside this box, never the page; it takes keyboard focus. */
.scroll-x { overflow-x: auto; max-width: 100%; }
.scroll-x:focus-visible { outline: 3px solid $focus; outline-offset: 2px; }
/* Code examples wrap instead of scrolling sideways (a scrolling block the keyboard cannot reach), and
   the syntax colours (Streamlit's keyword blue is 3.8:1, its comment grey 3.6:1) are Okabe-Ito hues mixed
   towards the text colour: AA in both themes. */
[data-testid="stCode"] pre, [data-testid="stCode"] code { white-space: pre-wrap !important; overflow-wrap: anywhere; }
$code_tokens
/* A phone (Streamlit stacks the columns below 640 px): tables fit, long words break instead of pushing the page
   sideways, and what the logits move stays in view while one is dragged. */
@media (max-width: 640px) {
  table.steps { font-size: 0.95rem; }
  table.steps th, table.steps td { padding: 0.3rem 0.4rem; }
  table.steps tbody th, table.steps td.text { overflow-wrap: anywhere; }
$sticky
}
.frac { display: inline-flex; flex-direction: column; vertical-align: middle; text-align: center; margin: 0 0.15em; }
.frac > span:first-child { border-bottom: 1px solid currentColor; padding: 0 0.2em; }
.frac > span:last-child { padding: 0 0.2em; }
</style>
""").substitute(
    focus=OKABE_ITO["blue"],
    vermillion=OKABE_ITO["vermillion"],
    true_tint=rgba(OKABE_ITO["orange"], 0.14),
    sticky=STICKY,
    code_tokens=CODE_TOKENS,
)
