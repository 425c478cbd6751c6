"""Turning untrusted text and numbers into Streamlit markdown and LaTeX safely.

Class names and URL values are data, never markup: every one goes through
:func:`md_escape` before it reaches markdown (``st.markdown``, widget labels,
warnings), and numbers reach LaTeX only through :func:`tex_num`.
Pure Python (no Streamlit import), so it is unit-tested like core.
"""

from __future__ import annotations

import math
import re

from core.text import fmt

__all__ = ["md_escape", "tex_num"]

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping
# them all also disarms Streamlit's own syntax (:emoji:, :color[...], $latex$).
_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")


def md_escape(text: str) -> str:
    r"""Text that Streamlit's markdown shows literally.

    >>> md_escape("**cat** $x$ <b>")
    '\\*\\*cat\\*\\* \\$x\\$ \\<b\\>'
    """
    return _MD_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def tex_num(x: float, digits: int = 4) -> str:
    r"""A number as LaTeX: ``0.2419``, ``1.20 \times 10^{-7}``, ``\infty``.

    >>> tex_num(-1.2e-7), tex_num(float("inf")), tex_num(0.5)
    ('-1.20 \\times 10^{-7}', '\\infty', '0.5000')
    """
    if math.isinf(x):
        return r"\infty" if x > 0 else r"-\infty"
    text = fmt(x, digits).replace("−", "-")
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text
