r"""Every number the Playground shows, computed in one place from a Scenario.

:func:`evaluate` walks softmax and cross-entropy step by step the way a teacher
would on the board, with temperature ``T``:

1. scale: :math:`s_i = z_i / T`;
2. shift: :math:`s_i - \max_j s_j` (nothing changes, nothing overflows);
3. exponentiate: :math:`e^{s_i - m}`, and sum them;
4. normalise: :math:`p_i = e^{s_i - m} / \sum_j e^{s_j - m}`;
5. surprise: :math:`-\log p_i`; the loss is the surprise of the true class;
6. gradient: :math:`\partial L / \partial z_i = (p_i - y_i) / T`.

The loss and gradient come from :mod:`core.losses` and the probabilities from
:mod:`core.softmax`; the step columns only spell out the same computation.
Losses are computed in nats and also given in the scenario's unit (nats or bits),
so the page only formats them; :class:`LossCurve` holds the points of the loss
curve :math:`-\log p` the page draws.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from core.losses import cross_entropy, cross_entropy_grad
from core.scenario import Scenario
from core.softmax import FloatArray, log_softmax, shifted_logits, softmax
from core.units import in_unit

__all__ = ["CURVE_P", "REFERENCE_P", "Evaluation", "LossCurve", "evaluate", "loss_curve_points"]

CURVE_P: FloatArray = np.unique(np.round(np.concatenate([np.geomspace(1e-4, 1.0, 90), np.linspace(0.02, 1.0, 50)]), 6))
"""Where the loss curve is drawn: dense near p = 0, where -log p is steep; the same for every example."""
CURVE_P.setflags(write=False)
REFERENCE_P = 0.01
"""The loss curve's axis always reaches the loss at this p (4.6 nats), so a small loss still looks small."""


@dataclass(frozen=True)
class LossCurve:
    r"""The loss :math:`-\log p` over p in (0, 1], in ``unit``, and where the example is on it."""

    p: FloatArray
    """the grid :data:`CURVE_P`"""
    loss: FloatArray
    """-log p at each grid point, in ``unit``"""
    p_now: float
    """the example's p(true class)"""
    log_p_now: float
    """its natural log, from log-softmax: finite where p_now underflows to 0"""
    loss_now: float
    """the example's loss in ``unit`` (from log-softmax: finite even where p_now underflows to 0)"""
    reference: float
    """-log :data:`REFERENCE_P` in ``unit``"""
    unit: str


@functools.lru_cache(maxsize=4)
def _curve_loss(unit: str) -> FloatArray:
    """-log p over :data:`CURVE_P` in ``unit`` (the same for every example: computed once per unit)."""
    loss = np.array([in_unit(-math.log(p), unit) for p in CURVE_P])
    loss.setflags(write=False)
    return loss


def loss_curve_points(p_now: float, loss_nats: float, unit: str) -> LossCurve:
    """The loss curve in ``unit``, with the example's p(true) and its loss (in nats, converted here;
    ``-loss_nats`` is log p(true), exact where ``p_now`` underflows)."""
    return LossCurve(
        p=CURVE_P,
        loss=_curve_loss(unit),
        p_now=p_now,
        log_p_now=-loss_nats,
        loss_now=in_unit(loss_nats, unit),
        reference=in_unit(-math.log(REFERENCE_P), unit),
        unit=unit,
    )


@dataclass(frozen=True)
class Evaluation:
    """The worked example for one scenario; arrays have one entry per class."""

    scaled: FloatArray
    """z / T"""
    shifted: FloatArray
    """z / T - max(z / T)"""
    exps: FloatArray
    """exp(shifted)"""
    total: float
    """sum of exps (>= 1: the largest term is exactly 1)"""
    probs: FloatArray
    """softmax(z / T); an entry can underflow to 0 where its log (``log_probs``) is finite"""
    log_probs: FloatArray
    """log p, in nats, from log-softmax: finite for every finite logit (the truth where p underflows)"""
    surprise: FloatArray
    """-log p, in nats"""
    loss: float
    """cross-entropy in nats"""
    grad: FloatArray
    """d(loss)/d(logit) = (p - y) / T"""
    target: int
    predicted: int
    """the first class with the largest logit (a single pick only when ``top`` has one class)"""
    top: tuple[int, ...]
    """every class with the largest logit: more than one is a tie, not one pick"""
    temperature: float
    prob_total: float
    """sum of probs (1 up to rounding)"""
    unit: str
    """the unit the page shows ("nats" or "bits")"""
    loss_in_unit: float
    """the loss in ``unit``"""
    other_unit: str
    """the unit the page does not show"""
    loss_in_other_unit: float
    surprise_in_unit: FloatArray
    """-log p in ``unit``"""
    curve: LossCurve
    """the loss curve -log p(true) in ``unit``, with this example on it"""

    @property
    def p_true(self) -> float:
        return float(self.probs[self.target])

    @property
    def log_p_true(self) -> float:
        """log p(true class), in nats: ``-loss``"""
        return float(self.log_probs[self.target])


def evaluate(scenario: Scenario) -> Evaluation:
    """Compute the whole worked example for ``scenario``."""
    z = np.asarray(scenario.logits, dtype=np.float64)
    t = scenario.temperature
    with np.errstate(over="ignore"):
        scaled = z / t
    shifted = shifted_logits(z, t)
    exps = np.exp(shifted)
    total = float(exps.sum())
    probs = softmax(z, temperature=t)
    log_probs = log_softmax(z, temperature=t)
    surprise = -log_probs
    loss = float(cross_entropy(shifted, scenario.target))
    grad = cross_entropy_grad(shifted, scenario.target) / t
    unit = scenario.unit
    other = "bits" if unit == "nats" else "nats"
    p_true = float(probs[scenario.target])
    return Evaluation(
        scaled=scaled,
        shifted=shifted,
        exps=exps,
        total=total,
        probs=probs,
        log_probs=log_probs,
        surprise=surprise,
        loss=loss,
        grad=grad,
        target=scenario.target,
        predicted=int(np.argmax(z)),
        top=tuple(int(i) for i in np.flatnonzero(z == z.max())),
        temperature=t,
        prob_total=float(probs.sum()),
        unit=unit,
        loss_in_unit=in_unit(loss, unit),
        other_unit=other,
        loss_in_other_unit=in_unit(loss, other),
        surprise_in_unit=np.array([in_unit(float(s), unit) for s in surprise]),
        curve=loss_curve_points(p_true, loss, unit),
    )
