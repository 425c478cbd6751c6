"""The "Copy link" button: every page keeps its whole state in its URL, so the link is the view."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

_share = st.components.v2.component(
    "softmax_explorer.share",
    html=(
        '<div class="share"><span class="status" role="status" aria-live="polite"></span>'
        '<button type="button" title="Copy this page\'s address: it opens exactly this view">'
        '<svg aria-hidden="true" width="14" height="14" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
        'stroke-width="2.5" stroke-linecap="round"><path d="M10 13a5 5 0 0 0 7.5.5l3-3a5 5 0 0 0-7-7l-1.7 1.7"/>'
        '<path d="M14 11a5 5 0 0 0-7.5-.5l-3 3a5 5 0 0 0 7 7l1.7-1.7"/></svg> Copy link</button></div>'
    ),
    css=(
        ".share { display: flex; gap: 0.75rem; align-items: center; justify-content: flex-end; font-family: inherit; }"
        ".share button { font: inherit; font-size: 0.875rem; padding: 0.3rem 0.8rem; border-radius: 0.5rem;"
        " border: 1px solid rgba(49, 51, 63, 0.35); background: transparent; color: inherit; cursor: pointer;"
        " display: inline-flex; align-items: center; gap: 0.35rem; }"
        ".share button:hover { border-color: #0072B2; color: #0072B2; }"
        ".share button:focus-visible { outline: 3px solid #0072B2; outline-offset: 2px; }"
        ".share .status { font-size: 0.875rem; }"
        "@media (max-width: 640px) { .share button, .share .status { font-size: 1rem; }"  # 16 px text on a phone,
        " .share button { min-height: 2.75rem; } }"  # and a 44 px tap target
    ),
    js=Path(__file__).with_name("share.js").read_text(encoding="utf-8"),
)


def copy_link_button() -> None:
    _share(key="copy_link")
