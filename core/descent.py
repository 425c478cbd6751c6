r"""Gradient descent on one example's logits: the Learning page's first tab.

:func:`logit_descent` takes gradient steps on one example's logits, under
cross-entropy or under squared error on the probabilities, so the two can be
compared from the same start; :func:`descent_steps` is everything the tab shows
at the example's temperature. Deterministic; no randomness.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from core.losses import check_target, smoothed_target, squared_error_grad
from core.softmax import check_logits, check_temperature, log_softmax, shifted_logits, softmax, softmax_with_log
from core.training import MAX_STEPS, FloatArray, check_count, check_lr
from core.units import in_unit_array

__all__ = [
    "LEARNING_RATES",
    "DescentPath",
    "DescentSteps",
    "StepFrame",
    "confidently_wrong",
    "descent_steps",
    "first_reaching",
    "logit_descent",
]

LossName = Literal["cross_entropy", "squared_error"]
LEARNING_RATES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
"""The learning rates the pages offer (a log-scale control: 1, 2, 5 in each decade)."""


# ---- gradient steps on one example's logits -----------------------------------------------------
@dataclass(frozen=True)
class DescentPath:
    """Where gradient descent on the logits went: row ``k`` is after ``k`` steps."""

    logits: FloatArray
    """shape ``(steps + 1, C)``"""
    probs: FloatArray
    """softmax(logits / T), shape ``(steps + 1, C)``"""
    losses: FloatArray
    """the loss being descended, shape ``(steps + 1,)``"""
    grads: FloatArray
    """its gradient with respect to the logits, shape ``(steps + 1, C)``"""


def logit_descent(
    logits: npt.ArrayLike,
    target: int,
    *,
    lr: float,
    steps: int,
    loss: LossName = "cross_entropy",
    temperature: float = 1.0,
) -> DescentPath:
    r"""Gradient descent on the logits :math:`z` of one example with true class ``target``.

    .. math:: z_{k+1} = z_k - \eta\, \nabla_z L\big(\operatorname{softmax}(z_k / T), y\big)

    With cross-entropy :math:`\nabla_z L = (p - y) / T`; with squared error
    :math:`\sum_c (p_c - y_c)^2` the gradient passes through the softmax Jacobian
    and vanishes as :math:`p_y \to 0`, which is why it crawls from a confidently
    wrong start.

    >>> path = logit_descent([0.0, 0.0], 0, lr=1.0, steps=1)
    >>> path.logits.tolist()
    [[0.0, 0.0], [0.5, -0.5]]
    """
    z = check_logits(logits)
    if z.ndim != 1:
        raise ValueError(f"logits must be one example (shape (C,)), got shape {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError(f"logits must all be finite for gradient steps, got {z.tolist()}")
    check_target(target, z.shape)
    rate = check_lr(lr)
    n = check_count(steps, "steps", MAX_STEPS)
    t = check_temperature(temperature)
    if loss not in ("cross_entropy", "squared_error"):
        raise ValueError(f"loss must be 'cross_entropy' or 'squared_error', got {loss!r}")
    path = np.empty((n + 1, z.size))
    grads = np.empty((n + 1, z.size))
    losses = np.empty(n + 1)
    y = smoothed_target(target, z.size)
    for k in range(n + 1):
        path[k] = z
        scaled = shifted_logits(z, t)  # (z - max z) / T: huge logits with a small T cannot overflow
        if loss == "cross_entropy":
            p, log_p = softmax_with_log(scaled)
            losses[k] = -log_p[target]
            g = (p - y) / t  # cross_entropy_grad(scaled, target) / T: softmax - one-hot, without re-checks
        else:
            losses[k] = float(np.sum((softmax(scaled) - y) ** 2))
            g = squared_error_grad(scaled, target) / t
        grads[k] = g
        z = z - rate * g
    return DescentPath(logits=path, probs=softmax(path, temperature=t), losses=losses, grads=grads)


def confidently_wrong(n_classes: int, target: int, *, margin: float = 6.0) -> tuple[float, ...]:
    """Logits that put the true class ``margin`` below a wrong class (the others halfway).

    >>> confidently_wrong(3, 1)
    (3.0, -3.0, 0.0)
    """
    n = check_count(n_classes, "n_classes", 1_000, low=2)
    if not (isinstance(target, int | np.integer) and 0 <= target < n):
        raise ValueError(f"target must be a class index from 0 to {n - 1}, got {target!r}")
    wrong = 1 if target == 0 else 0
    z = [0.0] * n
    z[target], z[wrong] = -margin / 2, margin / 2
    return tuple(z)


def first_reaching(values: npt.ArrayLike, level: float) -> int | None:
    """The first index whose value is ``>= level``, or ``None`` if none is.

    >>> first_reaching([0.1, 0.4, 0.6, 0.7], 0.5), first_reaching([0.1], 0.5)
    (2, None)
    """
    v = np.asarray(values, dtype=np.float64)
    hits = np.flatnonzero(v >= level)
    return int(hits[0]) if hits.size else None


@dataclass(frozen=True)
class StepFrame:
    """What the "gradient steps" tab shows at one step (losses in the page's unit)."""

    step: int
    steps: int
    """the last step"""
    logits: tuple[float, ...]
    """z after ``step`` steps of cross-entropy"""
    probs: FloatArray
    """softmax(z / T)"""
    log_probs: FloatArray
    """log_softmax(z / T): says what a probability that underflowed to 0 is"""
    grad: FloatArray
    """cross-entropy's gradient (p - y) / T"""
    loss: float
    """cross-entropy of z / T, in the unit"""
    p_true: float
    se_p_true: float
    """p(true) after as many steps of squared error from the same start"""
    se_log_p_true: float
    """its log (nats): says what a p(true) that underflowed to 0 is"""


@dataclass(frozen=True)
class DescentSteps:
    """Every number of the Learning page's "gradient steps" tab, for one example, T, rate and unit.

    Both losses start from the same logits and descend with the example's
    temperature: p = softmax(z / T), cross-entropy's gradient (p - y) / T.
    """

    temperature: float
    unit: str
    target: int
    ce: DescentPath
    """cross-entropy's path (its losses in nats)"""
    se: DescentPath
    """squared error's path from the same start"""
    losses: FloatArray
    """cross-entropy after each step, in ``unit``"""
    p_true: FloatArray
    """p(true) after each cross-entropy step"""
    se_p_true: FloatArray
    """p(true) after each squared-error step"""
    passes_half: tuple[int | None, int | None]
    """the first step at which p(true) >= 0.5, under cross-entropy and under squared error"""

    @property
    def steps(self) -> int:
        return len(self.losses) - 1

    def at(self, step: int) -> StepFrame:
        """The numbers at ``step`` (clamped to 0..steps)."""
        k = min(max(int(step), 0), self.steps)
        return StepFrame(
            step=k,
            steps=self.steps,
            logits=tuple(float(v) for v in self.ce.logits[k]),
            probs=self.ce.probs[k],
            log_probs=log_softmax(self.ce.logits[k], temperature=self.temperature),
            grad=self.ce.grads[k],
            loss=float(self.losses[k]),
            p_true=float(self.p_true[k]),
            se_p_true=float(self.se_p_true[k]),
            se_log_p_true=float(log_softmax(self.se.logits[k], temperature=self.temperature)[self.target]),
        )


def descent_steps(
    logits: npt.ArrayLike, target: int, *, temperature: float, lr: float, unit: str, steps: int
) -> DescentSteps:
    """Cross-entropy's and squared error's gradient steps on one example's logits, at temperature ``T``."""
    ce = logit_descent(logits, target, lr=lr, steps=steps, temperature=temperature)
    se = logit_descent(logits, target, lr=lr, steps=steps, loss="squared_error", temperature=temperature)
    p_ce, p_se = ce.probs[:, target], se.probs[:, target]
    return DescentSteps(
        temperature=float(temperature),
        unit=unit,
        target=int(target),
        ce=ce,
        se=se,
        losses=in_unit_array(ce.losses, unit),
        p_true=p_ce,
        se_p_true=p_se,
        passes_half=(first_reaching(p_ce, 0.5), first_reaching(p_se, 0.5)),
    )
