"""Presentation mode: larger type, thicker lines, fewer words, higher contrast, for a projector.

Turned on by ``?present=1`` on any page or by the sidebar toggle. It lives in the
session (so it survives page switches) and in every page's URL (so a shared link
opens in the same mode). Charts take :data:`PRESENT_STYLE` instead of
``core.figures.style.STYLE``; the page takes :data:`CSS`.
"""

from __future__ import annotations

import streamlit as st

from core.figures.style import PRESENT_SCALE, PRESENT_STYLE, FigureStyle, style_for

PARAM = "present"
KEY = "present"
SCALE = PRESENT_SCALE
"""Text is 1.35 times its usual size (the root font size; Streamlit sizes text in rem)."""
__all__ = ["CSS", "KEY", "PARAM", "PRESENT_STYLE", "SCALE", "active", "init", "style", "toggle", "url_value"]
CSS = f"""
<style>
html {{ font-size: {18 * SCALE:.1f}px !important; }}
/* fewer words: captions and helper notes go; the numbers and charts stay */
[data-testid="stCaptionContainer"] {{ display: none !important; }}
[data-testid="stElementContainer"]:has([data-testid="stCaptionContainer"]) {{ display: none !important; }}
/* higher contrast, in the light theme and the dark one: full-strength text, firmer borders */
[data-testid="stMain"] p, [data-testid="stMetricLabel"] p, [data-testid="stWidgetLabel"] p {{
  opacity: 1 !important; font-weight: 500; }}
[data-testid="stMetric"], .lp-metric {{ border-color: currentColor !important; border-width: 2px !important; }}
table.steps th, table.steps td {{ border-bottom: 2px solid currentColor !important; }}
/* the worked table keeps all its columns, the loss last, in the Playground's right column at 1440 px */
table.steps {{ font-size: 0.9rem; }}
table.steps th, table.steps td {{ padding: 0.25rem 0.4rem; }}
/* big numbers in narrow columns wrap instead of ending in "…"; so do labels and buttons */
[data-testid="stMetricValue"] *, [data-testid="stMetricLabel"] *, [data-testid="stWidgetLabel"] *,
[data-testid="stMain"] button p {{
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }}
/* the screen is for the content: narrow side margins, tighter spacing, compact metric boxes and sliders,
   so that each page's main chart is on screen without scrolling (1440 x 900) */
[data-testid="stMainBlockContainer"] {{ padding-left: 1.5rem !important; padding-right: 1.5rem !important;
  padding-top: 3.35rem !important; max-width: none !important; }}
[data-testid="stHeader"] {{ min-height: 3.1rem !important; height: 3.1rem !important; }}  /* the page links fit */
[data-testid="stMain"] [data-testid="stVerticalBlock"] {{ gap: 0.45rem; }}
[data-testid="stMain"] h1 {{ padding: 0 0 0.4rem !important; }}
[data-testid="stMain"] h3 {{ padding: 0.25rem 0 !important; }}
[data-testid="stMain"] [data-testid="stTab"] {{ height: 2.1rem !important; }}
[data-testid="stMain"] [role="tabpanel"] {{ padding-top: 0.35rem !important; }}
/* a slider's min and max (shown on hover) go, and the room kept under the track for them */
[data-testid="stSliderTickBar"] {{ display: none !important; }}
[data-testid="stSlider"] > div > div:has([data-testid="stSliderThumbValue"]) {{ padding-bottom: 0.35rem !important; }}
[data-testid="stMetric"] {{ padding: 0 !important; }}
[data-testid="stMetric"] > div {{ padding: 0.3rem 0.6rem !important; }}
[data-testid="stMetricValue"] {{ font-size: 1.5rem !important; }}
.lp-value {{ font-size: 1.6rem !important; }}  /* the live panel's numbers: "1.1898 nats" on one line */
</style>
"""


def init(query: dict[str, list[str]]) -> list[str]:
    """Read ``present`` from the URL on a session's first run; return a problem for a bad value."""
    if KEY in st.session_state:
        return []
    values = query.get(PARAM, [])
    raw = values[-1].strip().lower() if values else "0"
    on = raw in ("1", "true", "yes", "on")
    st.session_state[KEY] = on
    if not on and raw not in ("0", "false", "no", "off", ""):
        return [f"URL parameter 'present' must be 1 or 0, got {raw[:20]!r}; presentation mode stays off."]
    return []


def active() -> bool:
    return bool(st.session_state.get(KEY, False))


def toggle() -> None:
    st.toggle(
        "Presentation mode",
        key=KEY,
        help="Larger type, thicker lines, fewer words and higher contrast for a projector. Also ?present=1.",
    )


def style() -> FigureStyle:
    """The chart style for this session."""
    return style_for(active())


def url_value() -> dict[str, str]:
    return {PARAM: "1"} if active() else {}
