"""Units of information: the app computes in nats and shows nats or bits.

Every loss and entropy in :mod:`core` is in nats (natural logarithms); a page
converts once, where it shows the number, with :func:`in_unit`.
"""

from __future__ import annotations

import math

__all__ = ["LN2", "in_unit"]

LN2 = math.log(2.0)
"""One bit is ln 2 nats."""


def in_unit(nats: float, unit: str) -> float:
    """Convert an amount of information from nats to ``unit`` ("nats" or "bits").

    >>> in_unit(LN2, "bits"), in_unit(1.5, "nats")
    (1.0, 1.5)
    """
    if unit == "nats":
        return nats
    if unit == "bits":
        return nats / LN2
    raise ValueError(f"unit must be 'nats' or 'bits', got {unit!r}")
