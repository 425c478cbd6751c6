"""Small helpers shared by the AppTest modules."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest


def plain(markdown: str) -> str:
    """Markdown as the reader sees it (backslash escapes removed)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def url(at: AppTest) -> dict[str, str]:
    """The page's query parameters, last value of each."""
    return {
        k: at.query_params[k][-1] if isinstance(at.query_params[k], list) else at.query_params[k]
        for k in at.query_params
    }
