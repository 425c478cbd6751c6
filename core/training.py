r"""Learning with softmax and cross-entropy: gradient steps on logits, and a tiny classifier.

Two things a learner can watch:

* :func:`logit_descent` takes gradient steps on one example's logits, under
  cross-entropy or under squared error on the probabilities, so the two can be
  compared from the same start.
* :func:`train_softmax_regression` fits softmax regression
  :math:`p = \operatorname{softmax}(x W + b)` by full-batch gradient descent on
  the toy data of :func:`make_blobs`, keeping every epoch's parameters so a
  page can replay the training.

Everything is deterministic for a given seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from core.losses import check_target, cross_entropy, cross_entropy_grad, smoothed_target, squared_error_grad
from core.softmax import check_logits, check_temperature, log_softmax, softmax

__all__ = [
    "CENTRES",
    "MAX_EPOCHS",
    "MAX_STEPS",
    "DescentPath",
    "TrainingResult",
    "confidently_wrong",
    "decision_grid",
    "logit_descent",
    "loss_and_grad",
    "make_blobs",
    "train_softmax_regression",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
LossName = Literal["cross_entropy", "squared_error"]

MAX_STEPS = 10_000
MAX_EPOCHS = 10_000
CENTRES: FloatArray = np.array([[0.0, 2.0], [-math.sqrt(3.0), -1.0], [math.sqrt(3.0), -1.0]])
"""The three clusters' centres (cat, dog, rabbit): an equilateral triangle of radius 2 around 0."""


def _check_lr(lr: float) -> float:
    if not (isinstance(lr, int | float) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a finite number > 0, got {lr!r}")
    return float(lr)


def _check_count(value: int, name: str, high: int, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}")
    return int(value)


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
    rate = _check_lr(lr)
    n = _check_count(steps, "steps", MAX_STEPS)
    t = check_temperature(temperature)
    if loss not in ("cross_entropy", "squared_error"):
        raise ValueError(f"loss must be 'cross_entropy' or 'squared_error', got {loss!r}")
    path = np.empty((n + 1, z.size))
    grads = np.empty((n + 1, z.size))
    losses = np.empty(n + 1)
    y = smoothed_target(target, z.size)
    for k in range(n + 1):
        path[k] = z
        scaled = z / t
        if loss == "cross_entropy":
            losses[k] = -log_softmax(scaled)[target]
            g = cross_entropy_grad(scaled, target) / t
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
    n = _check_count(n_classes, "n_classes", 1_000, low=2)
    if not (isinstance(target, int | np.integer) and 0 <= target < n):
        raise ValueError(f"target must be a class index from 0 to {n - 1}, got {target!r}")
    wrong = 1 if target == 0 else 0
    z = [0.0] * n
    z[target], z[wrong] = -margin / 2, margin / 2
    return tuple(z)


# ---- a tiny classifier ---------------------------------------------------------------------------
def make_blobs(n_per_class: int, *, seed: int, spread: float = 1.0) -> tuple[FloatArray, IntArray]:
    """Three Gaussian clusters in the plane, ``n_per_class`` points each, around :data:`CENTRES`.

    ``spread`` is each cluster's standard deviation: 0.5 keeps them apart, 2 makes
    them overlap a lot. Returns ``X`` of shape ``(3 n, 2)`` and labels ``y`` in {0, 1, 2}.

    >>> X, y = make_blobs(2, seed=0)
    >>> X.shape, y.tolist()
    ((6, 2), [0, 0, 1, 1, 2, 2])
    """
    n = _check_count(n_per_class, "n_per_class", 100_000, low=1)
    if not (isinstance(spread, int | float) and math.isfinite(spread) and spread > 0):
        raise ValueError(f"spread must be a finite number > 0, got {spread!r}")
    rng = np.random.default_rng(_check_count(seed, "seed", 2**32 - 1))
    y = np.repeat(np.arange(len(CENTRES), dtype=np.int64), n)
    X = CENTRES[y] + float(spread) * rng.standard_normal((y.size, 2))
    return X, y


def _check_data(X: npt.ArrayLike, y: npt.ArrayLike) -> tuple[FloatArray, IntArray]:
    x = np.asarray(X, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] == 0 or not np.all(np.isfinite(x)):
        raise ValueError(f"X must be a finite array of shape (n, d) with n >= 1, got shape {x.shape}")
    labels = np.asarray(y)
    if labels.shape != (x.shape[0],) or not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0:
        raise ValueError(f"y must hold one class index >= 0 per row of X, got shape {labels.shape}")
    return x, labels.astype(np.int64)


def loss_and_grad(
    W: npt.ArrayLike, b: npt.ArrayLike, X: npt.ArrayLike, y: npt.ArrayLike, *, label_smoothing: float = 0.0
) -> tuple[float, FloatArray, FloatArray]:
    r"""Mean cross-entropy of softmax regression and its gradients with respect to ``W`` and ``b``.

    .. math:: L = \frac1n \sum_n \mathrm{CE}(x_n W + b, y_n), \qquad
              \nabla_W L = \frac1n X^\top (P - \tilde Y), \qquad \nabla_b L = \frac1n \sum_n (p_n - \tilde y_n)
    """
    x, labels = _check_data(X, y)
    w = np.asarray(W, dtype=np.float64)
    bias = np.asarray(b, dtype=np.float64)
    if w.ndim != 2 or w.shape[0] != x.shape[1] or bias.shape != (w.shape[1],):
        raise ValueError(f"W must have shape (d, C) and b shape (C,), got {w.shape} and {bias.shape}")
    z = x @ w + bias
    loss = float(cross_entropy(z, labels, label_smoothing=label_smoothing))
    g = cross_entropy_grad(z, labels, label_smoothing=label_smoothing) / x.shape[0]
    return loss, x.T @ g, g.sum(axis=0)


@dataclass(frozen=True)
class TrainingResult:
    """Softmax regression after training, and every epoch on the way."""

    W: FloatArray
    """final weights, shape ``(d, C)``"""
    b: FloatArray
    """final biases, shape ``(C,)``"""
    history: FloatArray
    """mean training loss before each epoch and after the last: shape ``(epochs + 1,)``"""
    accuracies: FloatArray
    """training accuracy at the same moments, shape ``(epochs + 1,)``"""
    Ws: FloatArray
    """the weights at the same moments, shape ``(epochs + 1, d, C)``"""
    bs: FloatArray
    """the biases at the same moments, shape ``(epochs + 1, C)``"""

    @property
    def accuracy(self) -> float:
        """Final training accuracy, from 0 to 1."""
        return float(self.accuracies[-1])


def train_softmax_regression(
    X: npt.ArrayLike,
    y: npt.ArrayLike,
    *,
    lr: float,
    epochs: int,
    label_smoothing: float = 0.0,
    seed: int = 0,
    n_classes: int | None = None,
) -> TrainingResult:
    r"""Fit :math:`p = \operatorname{softmax}(x W + b)` by full-batch gradient descent on cross-entropy.

    ``W`` starts from small random numbers (standard deviation 0.01, from ``seed``)
    and ``b`` from zeros; each epoch takes one step of size ``lr`` along the mean
    gradient of :func:`loss_and_grad`. ``label_smoothing`` is PyTorch's.

    >>> X, y = make_blobs(20, seed=1, spread=0.5)
    >>> result = train_softmax_regression(X, y, lr=0.5, epochs=50)
    >>> result.history.shape, result.accuracy == 1.0
    ((51,), True)
    """
    x, labels = _check_data(X, y)
    rate = _check_lr(lr)
    n_epochs = _check_count(epochs, "epochs", MAX_EPOCHS)
    c = int(labels.max()) + 1 if n_classes is None else _check_count(n_classes, "n_classes", 1_000, low=2)
    if labels.max() >= c:
        raise ValueError(f"y holds class {int(labels.max())}, but n_classes is {c}")
    rng = np.random.default_rng(_check_count(seed, "seed", 2**32 - 1))
    w = 0.01 * rng.standard_normal((x.shape[1], c))
    bias = np.zeros(c)
    Ws = np.empty((n_epochs + 1, *w.shape))
    bs = np.empty((n_epochs + 1, c))
    history = np.empty(n_epochs + 1)
    accuracies = np.empty(n_epochs + 1)
    for epoch in range(n_epochs + 1):
        loss, gw, gb = loss_and_grad(w, bias, x, labels, label_smoothing=label_smoothing)
        Ws[epoch], bs[epoch], history[epoch] = w, bias, loss
        accuracies[epoch] = float(np.mean(np.argmax(x @ w + bias, axis=1) == labels))
        w, bias = w - rate * gw, bias - rate * gb
    return TrainingResult(W=Ws[-1], b=bs[-1], history=history, accuracies=accuracies, Ws=Ws, bs=bs)


def decision_grid(
    W: npt.ArrayLike, b: npt.ArrayLike, x_range: tuple[float, float], y_range: tuple[float, float], resolution: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The classifier's probabilities on a ``resolution`` × ``resolution`` grid.

    Returns the grid's x values, its y values and ``probs`` of shape
    ``(resolution, resolution, C)``, rows along y.
    """
    r = _check_count(resolution, "resolution", 1_000, low=2)
    xs = np.linspace(*x_range, r)
    ys = np.linspace(*y_range, r)
    gx, gy = np.meshgrid(xs, ys)
    points = np.stack([gx.ravel(), gy.ravel()], axis=1)
    probs = softmax(points @ np.asarray(W, dtype=np.float64) + np.asarray(b, dtype=np.float64))
    return xs, ys, probs.reshape(r, r, -1)
