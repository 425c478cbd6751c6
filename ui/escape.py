"""Turning untrusted text into Streamlit markdown safely.

Class names and URL values are data, never markup: every one goes through
:func:`md_escape` before it reaches markdown (``st.markdown``, widget labels,
warnings), and through ``html.escape`` before it reaches ``st.html``.
Pure Python (no Streamlit import), so it is unit-tested like core.
"""

from __future__ import annotations

import re

__all__ = ["md_escape"]

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping
# them all also disarms Streamlit's own syntax (:emoji:, :color[...], $latex$).
_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")


def md_escape(text: str) -> str:
    r"""Text that Streamlit's markdown shows literally.

    >>> md_escape("**cat** $x$ <b>")
    '\\*\\*cat\\*\\* \\$x\\$ \\<b\\>'
    """
    return _MD_SPECIAL.sub(r"\\\1", text.replace("\n", " "))
