"""Reading back a number as the app writes it (``−0.5000``, ``1.50 × 10⁻⁴``, ``∞``), for assertions."""

from __future__ import annotations

import math

_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


def read_number(text: str) -> float:
    """The value of a number written by ``core.text.fmt``, parsed independently of it.

    >>> read_number("1.50 × 10⁻⁴"), read_number("−0.5000"), read_number("∞")
    (0.00015, -0.5, inf)
    """
    t = text.strip().replace("−", "-")
    if t in ("∞", "-∞"):
        return math.inf if t == "∞" else -math.inf
    if " × 10" in t:
        mantissa, power = t.split(" × 10")
        return float(f"{mantissa}e{power.translate(_DIGITS)}")
    return float(t)
