r"""The numbers behind the Softmax page: temperature sweeps, stability, two classes, the Jacobian.

Everything here builds on :mod:`core.softmax`; the naive formula exists only to
show where it breaks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from core.softmax import FloatArray, check_logits, softmax

__all__ = [
    "DTYPES",
    "TEMPERATURES",
    "StabilityRow",
    "jacobian",
    "naive_softmax",
    "overflow_point",
    "sigmoid",
    "stability_table",
    "stable_softmax",
    "temperature_sweep",
]

DTYPES: tuple[type[np.floating], ...] = (np.float16, np.float32, np.float64)


TEMPERATURES: FloatArray = np.geomspace(0.01, 100.0, 121)
"""The temperatures every sweep is drawn at: 30 a decade from 0.01 to 100 (0.1, 1 and 10 included)."""


def temperature_sweep(z: npt.ArrayLike, temperatures: npt.ArrayLike) -> FloatArray:
    """``softmax(z / T)`` for each ``T``: shape ``(len(temperatures), C)``.

    >>> temperature_sweep([1.0, 0.0], [1e-3, 1e3]).round(3).tolist()
    [[1.0, 0.0], [0.5, 0.5]]
    """
    ts = np.asarray(temperatures, dtype=np.float64)
    return np.stack([softmax(z, temperature=float(t)) for t in ts])


def naive_softmax(z: npt.ArrayLike, dtype: type[np.floating]) -> npt.NDArray[np.floating]:
    r"""``exp(z) / sum(exp(z))`` computed in ``dtype``, exactly as the formula reads (no shift).

    It overflows once a logit passes :func:`overflow_point` and returns ``inf`` / ``nan``.
    For teaching only: use :func:`core.softmax.softmax`.
    """
    a = np.asarray(z, dtype=dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(a)
        return np.asarray(e / e.sum(dtype=dtype))


def stable_softmax(z: npt.ArrayLike, dtype: type[np.floating]) -> npt.NDArray[np.floating]:
    """The max-shifted softmax computed in ``dtype``: finite for every finite input."""
    a = np.asarray(z, dtype=dtype)
    with np.errstate(under="ignore"):
        e = np.exp(a - a.max())
        return np.asarray(e / e.sum(dtype=dtype))


def overflow_point(dtype: type[np.floating]) -> float:
    """The largest x with ``exp(x)`` finite in ``dtype``: ln(max float), about 11.09, 88.72, 709.78."""
    return math.log(float(np.finfo(dtype).max))


@dataclass(frozen=True)
class StabilityRow:
    dtype: str
    overflow_at: float
    naive: tuple[float, ...]
    stable: tuple[float, ...]

    @property
    def naive_broke(self) -> bool:
        return not all(math.isfinite(v) for v in self.naive)


def stability_table(z: npt.ArrayLike) -> list[StabilityRow]:
    """Naive against stable softmax of ``z`` in float16, float32 and float64."""
    a = check_logits(z)
    if a.ndim != 1:
        raise ValueError(f"z must be one row of logits, got shape {a.shape}")
    return [
        StabilityRow(
            dtype=np.dtype(d).name,
            overflow_at=overflow_point(d),
            naive=tuple(float(v) for v in naive_softmax(a, d)),
            stable=tuple(float(v) for v in stable_softmax(a, d)),
        )
        for d in DTYPES
    ]


def sigmoid(x: npt.ArrayLike) -> FloatArray:
    r"""The logistic function, stable for any finite input.

    .. math:: \sigma(x) = \frac{1}{1 + e^{-x}}

    With two classes, :math:`\operatorname{softmax}(z_1, z_2)_1 = \sigma(z_1 - z_2)`.

    >>> sigmoid([0.0, 1000.0, -1000.0]).tolist()
    [0.5, 1.0, 0.0]
    """
    a = np.asarray(x, dtype=np.float64)
    out = np.empty_like(a)
    pos = a >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-a[pos]))
    e = np.exp(a[~pos])
    out[~pos] = e / (1.0 + e)
    return out


def jacobian(p: npt.ArrayLike) -> FloatArray:
    r"""The softmax Jacobian at probabilities ``p``: :math:`\partial p_i / \partial z_j`.

    .. math:: J = \operatorname{diag}(p) - p\,p^\top

    Shape ``(C,) -> (C, C)``; symmetric, rows sum to 0.

    >>> jacobian([0.5, 0.5]).tolist()
    [[0.25, -0.25], [-0.25, 0.25]]
    """
    v = np.asarray(p, dtype=np.float64)
    if v.ndim != 1:
        raise ValueError(f"p must be one distribution, got shape {v.shape}")
    return np.asarray(np.diag(v) - np.outer(v, v), dtype=np.float64)
