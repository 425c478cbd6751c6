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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.losses import cross_entropy, cross_entropy_grad
from core.scenario import Scenario
from core.softmax import FloatArray, log_softmax, shifted_logits, softmax

__all__ = ["Evaluation", "evaluate"]


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
    surprise: FloatArray
    """-log p, in nats (inf where p = 0)"""
    loss: float
    """cross-entropy in nats"""
    grad: FloatArray
    """d(loss)/d(logit) = (p - y) / T"""
    target: int
    predicted: int
    temperature: float

    @property
    def p_true(self) -> float:
        return float(self.probs[self.target])


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
    surprise = -log_softmax(z, temperature=t)
    loss = float(cross_entropy(shifted, scenario.target))
    grad = cross_entropy_grad(shifted, scenario.target) / t
    return Evaluation(
        scaled=scaled,
        shifted=shifted,
        exps=exps,
        total=total,
        probs=probs,
        surprise=surprise,
        loss=loss,
        grad=grad,
        target=scenario.target,
        predicted=int(np.argmax(z)),
        temperature=t,
    )
