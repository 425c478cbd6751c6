r"""Learning with softmax and cross-entropy: gradient steps on logits, and a tiny classifier.

Two things a learner can watch:

* (in :mod:`core.descent`) gradient steps on one example's logits;
* :func:`train_softmax_regression` fits softmax regression
  :math:`p = \operatorname{softmax}(x W + b)` by full-batch gradient descent on
  the toy data of :func:`make_blobs`, keeping every epoch's parameters so a
  page can replay the training.

Everything is deterministic for a given seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from core.losses import cross_entropy, cross_entropy_grad
from core.softmax import softmax
from core.units import in_unit_array

__all__ = [
    "CENTRES",
    "MAX_EPOCHS",
    "MAX_STEPS",
    "ClassifierFrame",
    "ClassifierRun",
    "DecisionMap",
    "TrainingResult",
    "classifier_frame",
    "decision_grid",
    "decision_map",
    "loss_and_grad",
    "make_blobs",
    "map_bounds",
    "train_classifier",
    "train_softmax_regression",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MAX_STEPS = 10_000
MAX_EPOCHS = 10_000
CENTRES: FloatArray = np.array([[0.0, 2.0], [-math.sqrt(3.0), -1.0], [math.sqrt(3.0), -1.0]])
"""The three clusters' centres (cat, dog, rabbit): an equilateral triangle of radius 2 around 0."""


def check_lr(lr: float) -> float:
    if not (isinstance(lr, int | float) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a finite number > 0, got {lr!r}")
    return float(lr)


def check_count(value: int, name: str, high: int, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}")
    return int(value)


# ---- a tiny classifier ---------------------------------------------------------------------------
def make_blobs(n_per_class: int, *, seed: int, spread: float = 1.0) -> tuple[FloatArray, IntArray]:
    """Three Gaussian clusters in the plane, ``n_per_class`` points each, around :data:`CENTRES`.

    ``spread`` is each cluster's standard deviation: 0.5 keeps them apart, 2 makes
    them overlap a lot. Returns ``X`` of shape ``(3 n, 2)`` and labels ``y`` in {0, 1, 2}.

    >>> X, y = make_blobs(2, seed=0)
    >>> X.shape, y.tolist()
    ((6, 2), [0, 0, 1, 1, 2, 2])
    """
    n = check_count(n_per_class, "n_per_class", 100_000, low=1)
    if not (isinstance(spread, int | float) and math.isfinite(spread) and spread > 0):
        raise ValueError(f"spread must be a finite number > 0, got {spread!r}")
    rng = np.random.default_rng(check_count(seed, "seed", 2**32 - 1))
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
    rate = check_lr(lr)
    n_epochs = check_count(epochs, "epochs", MAX_EPOCHS)
    c = int(labels.max()) + 1 if n_classes is None else check_count(n_classes, "n_classes", 1_000, low=2)
    if labels.max() >= c:
        raise ValueError(f"y holds class {int(labels.max())}, but n_classes is {c}")
    rng = np.random.default_rng(check_count(seed, "seed", 2**32 - 1))
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
    r = check_count(resolution, "resolution", 1_000, low=2)
    xs = np.linspace(*x_range, r)
    ys = np.linspace(*y_range, r)
    gx, gy = np.meshgrid(xs, ys)
    points = np.stack([gx.ravel(), gy.ravel()], axis=1)
    probs = softmax(points @ np.asarray(W, dtype=np.float64) + np.asarray(b, dtype=np.float64))
    return xs, ys, probs.reshape(r, r, -1)


@dataclass(frozen=True)
class DecisionMap:
    """The classifier's predictions over a square of the plane, for the decision-regions chart."""

    xs: FloatArray
    """the grid's x values, shape ``(r,)``"""
    ys: FloatArray
    """its y values, shape ``(r,)``"""
    predicted: IntArray
    """the most probable class in each cell, shape ``(r, r)``, rows along y"""
    confidence: IntArray
    """how sure it is, from 0 (near uniform) to ``bands - 1`` (near certain), shape ``(r, r)``"""
    shares: FloatArray
    """the share of the map's cells predicted as each class, shape ``(C,)``"""
    bands: int


def decision_map(
    W: npt.ArrayLike,
    b: npt.ArrayLike,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    resolution: int,
    *,
    bands: int = 3,
) -> DecisionMap:
    r"""The predicted class per cell of :func:`decision_grid`, and its confidence in ``bands`` equal steps.

    A cell's band is :math:`\lfloor \text{bands} \cdot (p_{max} - 1/C) / (1 - 1/C) \rfloor`,
    at most ``bands - 1``: ``p_max = 1/C`` (uniform) is band 0, near 1 the top band.
    """
    n_bands = check_count(bands, "bands", 100, low=1)
    xs, ys, probs = decision_grid(W, b, x_range, y_range, resolution)
    c = probs.shape[-1]
    predicted = np.argmax(probs, axis=-1).astype(np.int64)
    top = np.max(probs, axis=-1)
    sure = (top - 1 / c) / (1 - 1 / c) if c > 1 else np.ones_like(top)
    confidence = np.clip(np.floor(sure * n_bands), 0, n_bands - 1).astype(np.int64)
    shares = np.bincount(predicted.ravel(), minlength=c) / predicted.size
    return DecisionMap(xs=xs, ys=ys, predicted=predicted, confidence=confidence, shares=shares, bands=n_bands)


def map_bounds(X: npt.ArrayLike, margin: float = 0.8) -> tuple[tuple[float, float], tuple[float, float]]:
    """A square of the plane holding every point of ``X`` at least ``margin`` inside its edges.

    The square is centred on the points' bounding box, its side the box's longer
    side plus ``2 margin``, so the map is not stretched.

    >>> map_bounds([[0.0, 0.0], [2.0, 1.0]], margin=1.0)
    ((-1.0, 3.0), (-1.5, 2.5))
    """
    x = np.asarray(X, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2 or x.shape[0] == 0 or not np.all(np.isfinite(x)):
        raise ValueError(f"X must be finite points of shape (n, 2), got shape {x.shape}")
    if not (math.isfinite(margin) and margin > 0):
        raise ValueError(f"margin must be a finite number > 0, got {margin!r}")
    lo, hi = x.min(axis=0) - margin, x.max(axis=0) + margin
    centre, half = (lo + hi) / 2, float(np.max(hi - lo)) / 2
    return (
        (float(centre[0] - half), float(centre[0] + half)),
        (float(centre[1] - half), float(centre[1] + half)),
    )


@dataclass(frozen=True)
class ClassifierRun:
    """The tiny classifier's data set, its training run and the square its map covers."""

    X: FloatArray
    y: IntArray
    result: TrainingResult
    x_range: tuple[float, float]
    y_range: tuple[float, float]


def train_classifier(
    *, n_per_class: int, spread: float, seed: int, lr: float, epochs: int, label_smoothing: float
) -> ClassifierRun:
    """:func:`make_blobs` then :func:`train_softmax_regression` (both from ``seed``), and :func:`map_bounds`."""
    X, y = make_blobs(n_per_class, seed=seed, spread=spread)
    result = train_softmax_regression(X, y, lr=lr, epochs=epochs, label_smoothing=label_smoothing, seed=seed)
    x_range, y_range = map_bounds(X)
    return ClassifierRun(X=X, y=y, result=result, x_range=x_range, y_range=y_range)


@dataclass(frozen=True)
class ClassifierFrame:
    """Every number of the "tiny classifier" tab at one epoch (losses in the page's unit).

    The classifier is its own model, p = softmax(x W + b): the example's logits
    and temperature play no part in it.
    """

    epoch: int
    epochs: int
    """the last epoch"""
    loss: float
    """mean training cross-entropy at ``epoch``, in the unit"""
    accuracy_percent: float
    losses: FloatArray
    """the loss at every epoch, in the unit, shape ``(epochs + 1,)``"""
    accuracy_percents: FloatArray
    """the training accuracy at every epoch, in percent"""
    regions: DecisionMap
    """the classifier's map at ``epoch``"""


def classifier_frame(run: ClassifierRun, epoch: int, unit: str, resolution: int) -> ClassifierFrame:
    """The numbers at ``epoch`` (clamped to the run), the map on a ``resolution``-cell grid per side."""
    result = run.result
    last = len(result.history) - 1
    k = min(max(int(epoch), 0), last)
    losses = in_unit_array(result.history, unit)
    percents = 100.0 * result.accuracies
    return ClassifierFrame(
        epoch=k,
        epochs=last,
        loss=float(losses[k]),
        accuracy_percent=float(percents[k]),
        losses=losses,
        accuracy_percents=percents,
        regions=decision_map(result.Ws[k], result.bs[k], run.x_range, run.y_range, resolution),
    )
