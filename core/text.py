"""How numbers are written for people: one function, used by every page and chart."""

from __future__ import annotations

import math

__all__ = ["fmt"]


def fmt(x: float, digits: int = 4) -> str:
    """A number as people read it: ``0.2419``, ``1.2e-07``, ``∞``; never ``nan``.

    Fixed ``digits`` decimals for ordinary sizes, scientific notation for tiny or
    huge ones, a true minus sign, and words or symbols instead of ``nan``/``inf``.

    >>> fmt(1.6094379124341003), fmt(-0.5), fmt(1.2e-7), fmt(float("inf"))
    ('1.6094', '−0.5000', '1.20e−07', '∞')
    """
    if math.isnan(x):
        return "undefined"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if x == 0:
        return "0"
    if abs(x) >= 10 ** (-digits + 1) and abs(x) < 1e6:
        return f"{x:.{digits}f}".replace("-", "−")
    return f"{x:.{max(digits - 2, 1)}e}".replace("-", "−")
