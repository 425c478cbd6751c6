r"""Softmax, log-softmax and log-sum-exp, exact in float64.

Every function takes logits of shape ``(..., C)`` (the class axis is ``axis``,
last by default), works in float64 and shifts by the row maximum before
exponentiating, so any finite input stays finite (``1e4`` and ``-1e4`` included).
A logit of ``-inf`` is allowed and means "probability exactly 0"; ``NaN``, ``+inf``
and a row whose logits are all ``-inf`` raise :class:`ValueError`.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

__all__ = [
    "FloatArray",
    "check_logits",
    "check_temperature",
    "log_softmax",
    "logsumexp",
    "shifted_logits",
    "softmax",
    "softmax_with_log",
]


def check_logits(z: npt.ArrayLike, *, name: str = "logits", axis: int = -1) -> FloatArray:
    """Return ``z`` as a float64 array, or raise ``ValueError`` naming the bad value.

    Rejects: no class axis, an empty class axis, ``NaN``, ``+inf``, and a row whose
    logits are all ``-inf`` (it has no probability to share out).
    """
    return _checked(z, name, axis)[0]


def _checked(z: npt.ArrayLike, name: str, axis: int) -> tuple[FloatArray, FloatArray]:
    """``(z as float64, row max with keepdims)``, validated with a single reduction.

    The row max is NaN if the row holds a NaN, +inf if it holds +inf, and -inf if
    every logit is -inf, so checking the (small) max array checks the whole input.
    """
    try:
        a = np.asarray(z, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be an array of real numbers, got {z!r}") from exc
    if a.ndim == 0:
        raise ValueError(f"{name} must have a class axis (shape (..., C)), got the scalar {a.item()!r}")
    if a.shape[axis] == 0:
        raise ValueError(f"{name} must have at least one class, got shape {a.shape}")
    m = np.max(a, axis=axis, keepdims=True)
    if not np.all(np.isfinite(m)):
        bad = ~(a < np.inf)
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(f"{name} must be finite or -inf, got {a[where]!r} at index {where}")
        row = tuple(int(i) for i in np.argwhere(~np.isfinite(np.squeeze(m, axis=axis)))[0])
        raise ValueError(f"{name} must have at least one finite logit per row; row {row} is all -inf")
    return a, m


def check_temperature(temperature: float) -> float:
    """Return ``temperature`` as a float, or raise ``ValueError`` unless it is finite and > 0."""
    try:
        t = float(temperature)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"temperature must be a number, got {temperature!r}") from exc
    if not (t > 0 and math.isfinite(t)):
        raise ValueError(f"temperature must be finite and > 0, got {temperature!r}")
    return t


def shifted_logits(z: npt.ArrayLike, temperature: float = 1.0, axis: int = -1) -> FloatArray:
    r"""``(z - max z) / T``, validated: every entry is ``<= 0`` and the row maximum is exactly 0.

    Shifting before scaling means huge logits with a small ``T`` cannot overflow.

    >>> shifted_logits([2.0, 1.0, 0.1], temperature=0.5).tolist()
    [0.0, -2.0, -3.8]
    """
    a, m = _checked(z, "logits", axis)
    t = check_temperature(temperature)
    # Overflow here can only go to -inf (every entry is <= 0), which exp() maps to 0: exact.
    with np.errstate(over="ignore"):
        s = a - m
        if t != 1.0:
            s = s / t
    return s


def logsumexp(z: npt.ArrayLike, axis: int = -1) -> FloatArray:
    r"""Log of the sum of exponentials along ``axis``, computed without overflow.

    .. math:: \operatorname{LSE}(z) = m + \log \sum_j e^{z_j - m}, \qquad m = \max_j z_j

    Shapes: ``(..., C) -> (...)``.

    >>> float(logsumexp([1000.0, 1000.0]))  # 1000 + ln 2
    1000.6931471805599
    """
    a, m = _checked(z, "logits", axis)
    out = np.log(np.sum(np.exp(a - m), axis=axis)) + np.squeeze(m, axis=axis)
    return np.asarray(out, dtype=np.float64)


def softmax(z: npt.ArrayLike, temperature: float = 1.0, axis: int = -1) -> FloatArray:
    r"""Probabilities from logits, with an optional temperature ``T``.

    .. math:: \operatorname{softmax}(z/T)_i = \frac{e^{(z_i - m)/T}}{\sum_j e^{(z_j - m)/T}},
              \qquad m = \max_j z_j

    Shapes: ``(..., C) -> (..., C)``; each row sums to 1. ``T -> 0`` tends to the
    argmax (ties share equally), ``T -> inf`` to the uniform distribution.

    >>> softmax([2.0, 1.0, 0.1]).round(4).tolist()
    [0.659, 0.2424, 0.0986]
    """
    e = np.exp(shifted_logits(z, temperature, axis))
    return np.asarray(e / np.sum(e, axis=axis, keepdims=True), dtype=np.float64)


def log_softmax(z: npt.ArrayLike, temperature: float = 1.0, axis: int = -1) -> FloatArray:
    r"""Log-probabilities from logits, exact where ``log(softmax(z))`` would underflow.

    .. math:: \log \operatorname{softmax}(z/T)_i = \frac{z_i - m}{T}
              - \log \sum_j e^{(z_j - m)/T}

    Shapes: ``(..., C) -> (..., C)``. A ``-inf`` logit gives ``-inf``.

    >>> log_softmax([0.0, -1000.0]).tolist()
    [0.0, -1000.0]
    """
    s = shifted_logits(z, temperature, axis)
    out = s - np.log(np.sum(np.exp(s), axis=axis, keepdims=True))
    return np.asarray(out, dtype=np.float64)


def softmax_with_log(z: npt.ArrayLike, temperature: float = 1.0, axis: int = -1) -> tuple[FloatArray, FloatArray]:
    r"""``(softmax(z / T), log_softmax(z / T))`` from one shift, one exponential and one sum.

    The same numbers as calling :func:`softmax` and :func:`log_softmax` (they compute exactly these
    steps), for a caller that needs both many times over (gradient steps, the live path).

    >>> p, log_p = softmax_with_log([2.0, 1.0, 0.1])
    >>> p.round(4).tolist(), log_p.round(4).tolist()
    ([0.659, 0.2424, 0.0986], [-0.417, -1.417, -2.317])
    """
    s = shifted_logits(z, temperature, axis)
    e = np.exp(s)
    total = np.sum(e, axis=axis, keepdims=True)
    return np.asarray(e / total, dtype=np.float64), np.asarray(s - np.log(total), dtype=np.float64)
