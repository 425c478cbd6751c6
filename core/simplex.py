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

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from core.descent import logit_descent
from core.softmax import check_temperature, shifted_logits, softmax, softmax_with_log
from core.softmax_views import TEMPERATURES, temperature_sweep
from core.units import in_unit

__all__ = [
    "Band",
    "SimplexPage",
    "SimplexView",
    "contour_levels",
    "corners",
    "pick_three",
    "simplex_page",
    "simplex_view",
]

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
    """the current point, shape ``(3,)``: the three classes' probabilities rescaled to sum to 1 (the triangle's
    view; with more than three classes these are not the model's probabilities, ``p_all`` are)"""
    log_now: FloatArray
    """log of ``now`` (nats), finite where ``now`` underflows to 0"""
    p_all: FloatArray
    """the three classes' probabilities over all classes, ``softmax(z / T)[classes]``: the model's own numbers"""
    log_p_all: FloatArray
    """log of ``p_all`` (nats), finite where ``p_all`` underflows to 0"""
    rest: float
    """probability held by the classes not shown (0 with three classes)"""
    temperature_path: FloatArray
    """p at each of :data:`TEMPERATURES`, shape ``(121, 3)``"""
    descent_path: FloatArray
    """p after each gradient step on the three logits, shape ``(steps + 1, 3)``"""
    descent_losses: FloatArray
    """cross-entropy (nats, on the triangle) after each step"""
    loss_shown: float
    """-log p(true) on the triangle, in nats, from log-softmax (finite where p(true) underflows to 0)"""
    loss_full: float
    """-log p(true) over all classes, in nats (``loss_shown - log`` of the three classes' share)"""


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
    p, log_p = softmax_with_log(z, temperature=t)
    idx = pick_three(p, target, wanted)
    z3 = z[list(idx)]
    now, log_now = softmax_with_log(z3, temperature=t)
    rest = float(max(0.0, 1.0 - p[list(idx)].sum()))
    # shifted by the max (softmax and its gradient do not change) and floored, so a gap of 2e308 stays finite
    start = np.maximum(shifted_logits(z3), -1e6)
    path = logit_descent(start, 0, lr=lr, steps=steps, temperature=t)
    return SimplexView(
        classes=idx,
        now=now,
        log_now=log_now,
        p_all=p[list(idx)],
        log_p_all=log_p[list(idx)],
        rest=rest,
        temperature_path=temperature_sweep(z3, TEMPERATURES),
        descent_path=path.probs,
        descent_losses=path.losses,
        loss_shown=float(-log_now[0]),
        loss_full=float(-log_p[target]),
    )


def contour_levels(unit: str) -> tuple[float, ...]:
    """Loss levels (in ``unit``) for the contour lines: round numbers in nats or bits."""
    return (0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0) if unit == "nats" else (0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0)


def corners(
    logits: npt.ArrayLike, target: int, *, temperature: float, wanted: Sequence[int] = ()
) -> tuple[int, int, int]:
    """The three classes the triangle shows for these logits: :func:`pick_three` of ``softmax(z / T)``."""
    return pick_three(softmax(logits, temperature=check_temperature(temperature)), target, wanted)


@dataclass(frozen=True)
class Band:
    """The points of the triangle whose loss is from ``lo`` to ``hi`` (in the unit): ``p_lo <= p(true) <= p_hi``."""

    lo: float
    hi: float
    """``inf`` for the last band"""
    p_hi: float
    """exp(-lo), in nats"""
    p_lo: float
    """exp(-hi), 0 for the last band"""


@dataclass(frozen=True)
class SimplexPage:
    """Every number the Simplex page shows, losses in ``unit``; see :func:`simplex_page`."""

    view: SimplexView
    temperature: float
    unit: str
    hidden: tuple[int, ...]
    """the classes not shown, in order"""
    rest_percent: float
    """their share of the probability, in percent"""
    loss_shown: float
    """-log p(true) on the triangle"""
    loss_full: float
    """-log p(true) over all classes"""
    levels: tuple[float, ...]
    """the contour lines' losses"""
    level_p: tuple[float, ...]
    """each contour's p(true): the loss level L sits at p = e^-L (2^-L in bits)"""
    bands: tuple[Band, ...]
    """the shaded bands between contours, from the top corner down"""
    temperatures: tuple[float, ...]
    """the temperature path's T values (0.01 to 100)"""
    marks: tuple[int, ...]
    """indices of T = 0.1, 1 and 10 on the temperature path"""

    @property
    def steps(self) -> int:
        return len(self.view.descent_path) - 1

    @property
    def descent_losses(self) -> FloatArray:
        """cross-entropy on the triangle after each gradient step, in the unit"""
        return np.array([in_unit(float(v), self.unit) for v in self.view.descent_losses])


def simplex_page(
    logits: npt.ArrayLike,
    target: int,
    *,
    temperature: float,
    unit: str,
    wanted: Sequence[int] = (),
    lr: float = 1.0,
    steps: int = 30,
) -> SimplexPage:
    """The Simplex page's numbers: :func:`simplex_view` (at temperature ``T``) and the contours in ``unit``."""
    view = simplex_view(logits, target, temperature=temperature, wanted=wanted, lr=lr, steps=steps)
    n = np.asarray(logits).size
    levels = contour_levels(unit)
    nats = [level / in_unit(1.0, unit) for level in levels]  # a level in the unit, back in nats
    bounds = [0.0, *levels]
    p_bounds = [1.0, *(math.exp(-v) for v in nats), 0.0]
    bands = tuple(
        Band(lo=lo, hi=hi, p_hi=p_hi, p_lo=p_lo)
        for (lo, hi), (p_hi, p_lo) in zip(
            itertools.pairwise([*bounds, math.inf]), itertools.pairwise(p_bounds), strict=True
        )
    )
    marks = tuple(i for i, t in enumerate(TEMPERATURES) if any(math.isclose(t, m) for m in (0.1, 1.0, 10.0)))
    return SimplexPage(
        view=view,
        temperature=float(temperature),
        unit=unit,
        hidden=tuple(i for i in range(n) if i not in view.classes),
        rest_percent=100.0 * view.rest,
        loss_shown=in_unit(view.loss_shown, unit),
        loss_full=in_unit(view.loss_full, unit),
        levels=levels,
        level_p=tuple(p_bounds[1:-1]),
        bands=bands,
        temperatures=tuple(float(t) for t in TEMPERATURES),
        marks=marks,
    )
