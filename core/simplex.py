r"""The probability simplex: with three classes every prediction is a point in a triangle.

:func:`simplex_view` gathers what the Simplex page draws: the current ``p``, the
path ``p`` takes as the temperature goes from 0.01 to 100, and the path of
gradient descent on the logits. With more than three classes it shows the true
class and two others, with their probabilities rescaled to sum to 1:

.. math:: \tilde p_i = \frac{p_i}{p_a + p_b + p_c} = \operatorname{softmax}(z_a, z_b, z_c)_i

which is exactly softmax over those three logits, so every path stays inside the
triangle. The loss on the triangle is then :math:`-\log \tilde p_y`, lower than the
full loss by :math:`-\log(p_a + p_b + p_c)`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from core.softmax import check_temperature, softmax
from core.softmax_views import TEMPERATURES, temperature_sweep
from core.training import logit_descent

__all__ = ["SimplexView", "contour_levels", "pick_three", "simplex_view"]

FloatArray = npt.NDArray[np.float64]


def pick_three(probs: npt.ArrayLike, target: int, wanted: Sequence[int] = ()) -> tuple[int, int, int]:
    """The true class first, then two other classes: those ``wanted`` that are valid, else the most probable.

    >>> pick_three([0.1, 0.2, 0.3, 0.4], 0)
    (0, 3, 2)
    >>> pick_three([0.1, 0.2, 0.3, 0.4], 0, wanted=[1, 0, 9])
    (0, 1, 3)
    """
    p = np.asarray(probs, dtype=np.float64)
    if p.ndim != 1 or p.size < 3:
        raise ValueError(f"probs must hold at least 3 classes, got shape {p.shape}")
    if not 0 <= target < p.size:
        raise ValueError(f"target must be a class index from 0 to {p.size - 1}, got {target!r}")
    others: list[int] = []
    for i in wanted:
        if 0 <= i < p.size and i != target and i not in others and len(others) < 2:
            others.append(int(i))
    for i in np.argsort(-p, kind="stable"):
        if len(others) == 2:
            break
        if int(i) != target and int(i) not in others:
            others.append(int(i))
    return target, others[0], others[1]


@dataclass(frozen=True)
class SimplexView:
    """Points of the triangle as ``(p_true, p_b, p_c)`` rows; see :func:`simplex_view`."""

    classes: tuple[int, int, int]
    """the three class indices shown: the true class, then the two others"""
    now: FloatArray
    """the current point, shape ``(3,)``"""
    rest: float
    """probability held by the classes not shown (0 with three classes)"""
    temperature_path: FloatArray
    """p at each of :data:`TEMPERATURES`, shape ``(121, 3)``"""
    descent_path: FloatArray
    """p after each gradient step on the three logits, shape ``(steps + 1, 3)``"""
    descent_losses: FloatArray
    """cross-entropy (nats, on the triangle) after each step"""

    @property
    def loss_shown(self) -> float:
        """-log p(true) on the triangle, in nats."""
        return -math.log(self.now[0]) if self.now[0] > 0 else math.inf

    @property
    def loss_full(self) -> float:
        """-log p(true) over all classes, in nats: ``loss_shown - log(1 - rest)``."""
        return self.loss_shown - math.log1p(-self.rest) if self.rest < 1 else math.inf


def simplex_view(
    logits: npt.ArrayLike,
    target: int,
    *,
    temperature: float = 1.0,
    wanted: Sequence[int] = (),
    lr: float = 1.0,
    steps: int = 30,
) -> SimplexView:
    """Everything the Simplex page draws for these logits and this true class."""
    z = np.asarray(logits, dtype=np.float64)
    t = check_temperature(temperature)
    p = softmax(z, temperature=t)
    idx = pick_three(p, target, wanted)
    z3 = z[list(idx)]
    now = softmax(z3, temperature=t)
    rest = float(max(0.0, 1.0 - p[list(idx)].sum()))
    path = logit_descent(np.maximum(z3, -1e6), 0, lr=lr, steps=steps, temperature=t)
    return SimplexView(
        classes=idx,
        now=now,
        rest=rest,
        temperature_path=temperature_sweep(z3, TEMPERATURES),
        descent_path=path.probs,
        descent_losses=path.losses,
    )


def contour_levels(unit: str) -> tuple[float, ...]:
    """Loss levels (in ``unit``) for the contour lines: round numbers in nats or bits."""
    return (0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0) if unit == "nats" else (0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0)
