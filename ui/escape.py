"""Escaping at the sink: untrusted text is escaped exactly once, where it meets markup.

Class names and URL values are data, never markup. One helper per kind of sink:

- :func:`md_escape` where text meets Streamlit markdown (``st.markdown``, widget
  labels, metric labels, warnings, segmented-control options);
- :func:`html_escape` where it meets ``st.html``;
- :func:`core.figures.style.plotly_text` where it meets a chart label (in core,
  where the charts are built).

Plain-text sinks (a selectbox's options, ``st.code``, a table cell set with
textContent) take the text as it is. Messages are kept unescaped until they are
shown. Pure Python (no Streamlit import), so it is unit-tested like core.
"""

from __future__ import annotations

import html
import re

__all__ = ["html_escape", "md_escape"]

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping
# them all also disarms Streamlit's own syntax (:emoji:, :color[...], $latex$).
_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")


def md_escape(text: str) -> str:
    r"""Text that Streamlit's markdown shows literally.

    >>> md_escape("**cat** $x$ <b>")
    '\\*\\*cat\\*\\* \\$x\\$ \\<b\\>'
    """
    return _MD_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def html_escape(text: str) -> str:
    """Text that ``st.html`` shows literally.

    >>> html_escape('<b>"cat" & dog</b>')
    '&lt;b&gt;&quot;cat&quot; &amp; dog&lt;/b&gt;'
    """
    return html.escape(text)
