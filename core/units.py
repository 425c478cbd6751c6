"""Units of information: the app computes in nats and shows nats or bits.

Every loss and entropy in :mod:`core` is in nats (natural logarithms); a page
converts once, where it shows the number, with :func:`in_unit`.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = ["LN2", "in_unit", "in_unit_array"]

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


def in_unit_array(nats: npt.ArrayLike, unit: str) -> npt.NDArray[np.float64]:
    """:func:`core.units.in_unit` for an array of amounts in nats."""
    a = np.asarray(nats, dtype=np.float64)
    return a / LN2 if unit == "bits" else a * in_unit(1.0, unit)  # in_unit checks the unit's name
