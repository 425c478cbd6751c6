r"""The numbers behind the Cross-entropy page: loss curves, the information view, frameworks.

Loss curves over :math:`p_t` (the true class's probability) need the rest of the
mass placed somewhere: here it is spread evenly over the other classes, the
convention the page states. Every value comes from :mod:`core.losses`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from core.losses import (
    cross_entropy,
    cross_entropy_grad,
    entropy,
    focal_loss,
    focal_loss_grad,
    kl_divergence,
    smoothed_target,
    squared_error,
    squared_error_grad,
)
from core.query import QueryParams, format_number, parse_number, read_param
from core.softmax import FloatArray, softmax

__all__ = ["KERAS_EPSILON", "Curves", "FrameworkValue", "curves_over_p", "framework_values", "information"]

KERAS_EPSILON = 1e-7
"""Keras clips probabilities to [1e-7, 1 - 1e-7] when ``from_logits=False`` (``backend.epsilon()``)."""


def logits_for(p_true: npt.ArrayLike, n_classes: int) -> FloatArray:
    """Logits whose softmax gives class 0 probability ``p_true`` and the others equal shares."""
    p = np.asarray(p_true, dtype=np.float64)
    if np.any((p <= 0) | (p >= 1)):
        raise ValueError("p_true must lie strictly between 0 and 1")
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2, got {n_classes}")
    rest = np.log((1.0 - p) / (n_classes - 1))
    z = np.repeat(rest[..., None], n_classes, axis=-1)
    z[..., 0] = np.log(p)
    return z


@dataclass(frozen=True)
class Curves:
    """Loss and d(loss)/d(true logit) for each ``p``: cross-entropy, squared error, focal."""

    p: FloatArray
    ce: FloatArray
    se: FloatArray
    focal: FloatArray
    ce_grad: FloatArray
    se_grad: FloatArray
    focal_grad: FloatArray


def curves_over_p(p_true: npt.ArrayLike, n_classes: int, gamma: float) -> Curves:
    """The three losses and their gradients with respect to the true class's logit."""
    p = np.asarray(p_true, dtype=np.float64)
    z = logits_for(p, n_classes)
    t = np.zeros(p.shape, dtype=np.int64)
    return Curves(
        p=p,
        ce=cross_entropy(z, t, reduction="none"),
        se=squared_error(z, t, reduction="none"),
        focal=focal_loss(z, t, gamma=gamma, reduction="none"),
        ce_grad=cross_entropy_grad(z, t)[..., 0],
        se_grad=squared_error_grad(z, t)[..., 0],
        focal_grad=focal_loss_grad(z, t, gamma=gamma)[..., 0],
    )


def information(logits: npt.ArrayLike, target_dist: npt.ArrayLike) -> tuple[float, float, float]:
    r"""``(H(y), KL(y || p), H(y, p))`` in nats, with :math:`H(y, p) = H(y) + \mathrm{KL}(y \| p)`.

    The cross-entropy comes from :func:`core.losses.cross_entropy` (exact through
    log-softmax); KL from :func:`core.losses.kl_divergence` on ``softmax(logits)``.
    """
    y = np.asarray(target_dist, dtype=np.float64)
    h = float(entropy(y))
    ce = float(cross_entropy(logits, y))
    kl = float(kl_divergence(y, softmax(logits)))
    if not math.isfinite(kl):  # p underflowed to 0 where y has mass: KL is what remains of H(y, p)
        kl = ce - h
    return h, kl, ce


@dataclass(frozen=True)
class FrameworkValue:
    name: str
    value: float
    convention: str


def framework_values(logits: npt.ArrayLike, target: int, label_smoothing: float = 0.0) -> list[FrameworkValue]:
    """The loss each framework returns for one example, under its documented convention."""
    z = np.asarray(logits, dtype=np.float64)
    n = z.shape[-1]
    y = smoothed_target(np.asarray(target), n, label_smoothing)
    exact = float(cross_entropy(z, target, label_smoothing=label_smoothing))
    # Keras from_logits=False: normalise, clip to [eps, 1 - eps], then -sum(y log p).
    p = softmax(z)
    clipped = np.clip(p / p.sum(), KERAS_EPSILON, 1.0 - KERAS_EPSILON)
    keras_probs = float(-(y * np.log(clipped)).sum())
    # A hand-written NumPy: log of softmax computed naively (no shift).
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        e = np.exp(z)
        naive = float(-(y * np.log(e / e.sum())).sum())
    return [
        FrameworkValue("PyTorch F.cross_entropy(logits, target)", exact, "log-softmax of the logits; exact"),
        FrameworkValue("Keras CategoricalCrossentropy(from_logits=True)", exact, "log-softmax of the logits; exact"),
        FrameworkValue(
            "Keras CategoricalCrossentropy(from_logits=False) on softmax(z)",
            keras_probs,
            "probabilities clipped to [1e-7, 1 − 1e-7]: the loss tops out at −ln 1e-7 = 16.118",
        ),
        FrameworkValue("NumPy, naive -log(exp(z) / sum(exp(z)))", naive, "overflows past z ≈ 710: nan or inf"),
    ]


MAX_BATCH_ROWS = 50


def read_batch(
    params: QueryParams, key: str, classes: Sequence[str]
) -> tuple[list[tuple[tuple[float, ...], int]] | None, list[str]]:
    """A batch from the URL: rows ``z1,...,zC,class`` separated by ``;``. ``(None, [])`` when absent.

    >>> read_batch({"b": "2,1,dog;0,3,cat"}, "b", ["cat", "dog"])
    ([((2.0, 1.0), 1), ((0.0, 3.0), 0)], [])
    """
    lowered = [c.casefold() for c in classes]

    def parse(text: str) -> list[tuple[tuple[float, ...], int]]:
        parts = [r for r in text.split(";") if r.strip()]
        if not 1 <= len(parts) <= MAX_BATCH_ROWS:
            raise ValueError(f"{len(parts)} rows; 1 to {MAX_BATCH_ROWS} are allowed")
        rows = []
        for k, part in enumerate(parts, start=1):
            *numbers, name = part.split(",")
            if len(numbers) != len(classes):
                raise ValueError(f"row {k} has {len(numbers)} logits for {len(classes)} classes")
            if name.strip().casefold() not in lowered:
                raise ValueError(f"row {k}: {name.strip()[:24]!r} is not a class")
            z = tuple(parse_number(t, name=f"{key} row {k}") for t in numbers)
            rows.append((z, lowered.index(name.strip().casefold())))
        return rows

    rows, why = read_param(params, key, parse)
    return rows, ([] if why is None else [f"'{key}' ignored ({why})."])


def write_batch(rows: Sequence[tuple[Sequence[float], int]], classes: Sequence[str]) -> str:
    """The inverse of :func:`read_batch`."""
    return ";".join(",".join([*(format_number(float(v)) for v in z), classes[t]]) for z, t in rows)
