r"""Cross-entropy and its gradient, with PyTorch's ``F.cross_entropy`` semantics.

Logits have shape ``(..., C)`` (classes on the last axis). A target is either
class indices, integers of shape ``(...)``, or class probabilities, shape
``(..., C)``. Everything goes through :func:`core.softmax.log_softmax`, never
``log(softmax(z))``, and a term whose coefficient is 0 counts as 0 (``0 log 0 = 0``),
so a ``-inf`` logit on a class with no target mass costs nothing.

Label smoothing follows PyTorch: the target becomes ``y (1 - eps) + eps / C``.
With class weights ``w`` and class-index targets, PyTorch weights the smoothing
term per class, and ``reduction="mean"`` divides by ``sum_n w[y_n]``; with
probability targets it divides by the number of examples.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import numpy.typing as npt

from core.softmax import FloatArray, log_softmax, softmax

__all__ = [
    "Reduction",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "check_distribution",
    "check_target",
    "cross_entropy",
    "cross_entropy_grad",
    "entropy",
    "focal_loss",
    "focal_loss_grad",
    "kl_divergence",
    "smoothed_target",
    "squared_error",
    "squared_error_grad",
]

Reduction = Literal["none", "mean", "sum"]
PROB_TOLERANCE = 1e-6


def _check_smoothing(label_smoothing: float) -> float:
    eps = float(label_smoothing)
    if not (0.0 <= eps <= 1.0):
        raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing!r}")
    return eps


def check_distribution(p: npt.ArrayLike, *, name: str = "p") -> FloatArray:
    """``p`` as float64 if every row (last axis) is a probability distribution, else ``ValueError``.

    Entries finite and >= 0, each row summing to 1 within 1e-6.
    """
    try:
        a = np.asarray(p, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be real numbers, got {p!r}") from exc
    if a.ndim == 0 or a.shape[-1] == 0:
        raise ValueError(f"{name} must have a class axis with at least one class, got shape {a.shape}")
    if not np.all(np.isfinite(a)) or np.any(a < 0):
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(a) | (a < 0))[0])
        raise ValueError(f"{name} must be finite and >= 0, got {a[where]!r} at {where}")
    sums = a.sum(axis=-1)
    off = np.abs(sums - 1.0) > PROB_TOLERANCE
    if off.any():
        total = sums[tuple(np.argwhere(off)[0])] if sums.ndim else sums.item()
        raise ValueError(f"{name} must sum to 1 (tolerance 1e-6), got a sum of {float(total)!r}")
    return a


def _check_reduction(reduction: str) -> None:
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"reduction must be 'none', 'mean' or 'sum', got {reduction!r}")


def _reduce(per_example: FloatArray, reduction: Reduction) -> FloatArray:
    """PyTorch's plain reductions: ``none`` keeps shape ``(...)``; ``mean`` averages over examples."""
    if reduction == "none":
        return np.asarray(per_example, dtype=np.float64)
    total = np.sum(per_example)
    return np.asarray(total if reduction == "sum" else total / max(per_example.size, 1), dtype=np.float64)


def _xlogx(p: FloatArray) -> FloatArray:
    """``p log p`` with ``0 log 0 = 0``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)


def check_target(target: npt.ArrayLike, logits_shape: tuple[int, ...]) -> tuple[bool, np.ndarray]:
    """Validate ``target`` against logits of ``logits_shape``.

    Returns ``(is_index, target_array)``: class indices as int64 of shape ``(...)``,
    or probabilities as float64 of shape ``(..., C)``.
    """
    t = np.asarray(target)
    n_classes = logits_shape[-1]
    if t.shape == logits_shape[:-1]:
        if not np.issubdtype(t.dtype, np.integer):
            raise ValueError(f"target of shape {t.shape} must hold integer class indices, got dtype {t.dtype}")
        bad = (t < 0) | (t >= n_classes)
        if bad.any():
            value = t[tuple(np.argwhere(bad)[0])] if t.ndim else t.item()
            raise ValueError(f"target class index must be in [0, {n_classes - 1}], got {int(value)}")
        return True, t.astype(np.int64)
    if t.shape == logits_shape:
        return False, check_distribution(t, name="target probabilities")
    raise ValueError(
        f"target shape {t.shape} matches neither class indices {logits_shape[:-1]} "
        f"nor class probabilities {logits_shape} for logits of shape {logits_shape}"
    )


def _check_weight(weight: npt.ArrayLike | None, n_classes: int) -> FloatArray | None:
    if weight is None:
        return None
    w = np.asarray(weight, dtype=np.float64)
    if w.shape != (n_classes,):
        raise ValueError(f"weight must have shape ({n_classes},), one per class, got shape {w.shape}")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        i = int(np.argwhere(~np.isfinite(w) | (w < 0))[0, 0])
        raise ValueError(f"weight must be finite and >= 0, got {w[i]!r} for class {i}")
    return w


def _xlogy_neg(coef: FloatArray, logp: FloatArray) -> FloatArray:
    """``-coef * logp`` with ``0 * (-inf) = 0``."""
    with np.errstate(invalid="ignore"):
        out = -coef * logp
    return np.where(coef == 0, 0.0, out)


def smoothed_target(target: npt.ArrayLike, n_classes: int, label_smoothing: float = 0.0) -> FloatArray:
    r"""The target distribution after PyTorch's label smoothing, shape ``(..., C)``.

    .. math:: \tilde y = y\,(1 - \varepsilon) + \varepsilon / C

    ``target`` is class indices (one-hot encoded first) or probabilities.

    >>> smoothed_target(1, 3, 0.3).round(2).tolist()
    [0.1, 0.8, 0.1]
    """
    eps = _check_smoothing(label_smoothing)
    t = np.asarray(target)
    if np.issubdtype(t.dtype, np.integer):
        y = np.zeros((*t.shape, n_classes))
        np.put_along_axis(y, t[..., None].astype(np.int64), 1.0, axis=-1)
    else:
        y = t.astype(np.float64)
    return np.asarray(y * (1.0 - eps) + eps / n_classes, dtype=np.float64)


def cross_entropy(
    logits: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    weight: npt.ArrayLike | None = None,
    label_smoothing: float = 0.0,
    reduction: Reduction = "mean",
) -> FloatArray:
    r"""Cross-entropy between ``softmax(logits)`` and a target, as ``F.cross_entropy``.

    Per example, with :math:`\ell = \log\operatorname{softmax}(z)`, weights
    :math:`w` (all 1 when not given) and :math:`\varepsilon` = ``label_smoothing``:

    .. math::
        L_n = -(1-\varepsilon)\, w_{y_n} \ell_{n,y_n}
              - \frac{\varepsilon}{C} \sum_c w_c\, \ell_{n,c}
        \quad\text{(class index } y_n\text{)}, \qquad
        L_n = -\sum_c w_c\, \tilde y_{n,c}\, \ell_{n,c}
        \quad\text{(probabilities } y_n\text{)}

    ``reduction="none"`` returns shape ``(...)``; ``"sum"`` the sum; ``"mean"`` the sum
    divided by :math:`\sum_n w_{y_n}` for class indices, by the number of examples
    for probabilities. Shapes: logits ``(..., C)``; target ``(...)`` or ``(..., C)``.

    >>> round(float(cross_entropy([2.0, 1.0, 0.1], 1)), 4)  # true class: index 1
    1.417
    """
    logp = log_softmax(logits)
    n_classes = logp.shape[-1]
    is_index, t = check_target(target, logp.shape)
    w = _check_weight(weight, n_classes)
    eps = _check_smoothing(label_smoothing)
    _check_reduction(reduction)

    w_row = np.ones(n_classes) if w is None else w
    if is_index:
        idx = t[..., None]
        nll = _xlogy_neg(np.take(w_row, t)[..., None], np.take_along_axis(logp, idx, axis=-1))[..., 0]
        loss = (1.0 - eps) * nll if eps < 1.0 else np.zeros(nll.shape)
        if eps > 0.0:
            loss = loss + (eps / n_classes) * _xlogy_neg(np.broadcast_to(w_row, logp.shape), logp).sum(-1)
        denominator = float(np.take(w_row, t).sum())
    else:
        y = t * (1.0 - eps) + eps / n_classes if eps > 0.0 else t
        loss = _xlogy_neg(y * w_row, logp).sum(-1)
        denominator = float(math.prod(loss.shape))

    if reduction == "none":
        return np.asarray(loss, dtype=np.float64)
    total = np.sum(loss)
    if reduction == "sum":
        return np.asarray(total, dtype=np.float64)
    if denominator == 0:
        raise ValueError("reduction='mean' is undefined: the weights of the targets sum to 0")
    return np.asarray(total / denominator, dtype=np.float64)


def cross_entropy_grad(logits: npt.ArrayLike, target: npt.ArrayLike, *, label_smoothing: float = 0.0) -> FloatArray:
    r"""Gradient of each example's cross-entropy with respect to its logits.

    .. math:: \frac{\partial L_n}{\partial z_{n,i}} = p_{n,i} - \tilde y_{n,i},
              \qquad p_n = \operatorname{softmax}(z_n)

    Unweighted and unreduced: shape ``(..., C)``, one row per example; each row sums to 0.

    >>> cross_entropy_grad([0.0, 0.0], 0).tolist()
    [-0.5, 0.5]
    """
    p = softmax(logits)
    _is_index, t = check_target(target, p.shape)
    y = smoothed_target(t, p.shape[-1], label_smoothing)
    return np.asarray(p - y, dtype=np.float64)


# ---- information ------------------------------------------------------------------------
def entropy(p: npt.ArrayLike) -> FloatArray:
    r"""Entropy of each distribution (last axis), in nats, with :math:`0 \log 0 = 0`.

    .. math:: H(p) = -\sum_c p_c \log p_c

    Shapes: ``(..., C) -> (...)``. Uniform over C classes gives ``ln C``; one-hot gives 0.

    >>> round(float(entropy([0.5, 0.5])), 6)  # ln 2
    0.693147
    """
    a = check_distribution(p)
    return np.asarray(-_xlogx(a).sum(axis=-1), dtype=np.float64)


def kl_divergence(p: npt.ArrayLike, q: npt.ArrayLike) -> FloatArray:
    r"""Kullback-Leibler divergence :math:`\mathrm{KL}(p \,\|\, q)` per row, in nats.

    .. math:: \mathrm{KL}(p \,\|\, q) = \sum_c p_c \log \frac{p_c}{q_c}

    Terms with :math:`p_c = 0` are 0; a class with :math:`q_c = 0 < p_c` makes it infinite.
    Always >= 0, and 0 exactly when p = q. Shapes: ``(..., C), (..., C) -> (...)``.

    >>> round(float(kl_divergence([1.0, 0.0], [0.5, 0.5])), 6)  # ln 2
    0.693147
    """
    a = check_distribution(p, name="p")
    b = check_distribution(q, name="q")
    if a.shape != b.shape:
        raise ValueError(f"p and q must have the same shape, got {a.shape} and {b.shape}")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(a > 0, a * (np.log(np.where(a > 0, a, 1.0)) - np.log(b)), 0.0)
    return np.asarray(np.maximum(terms.sum(axis=-1), 0.0), dtype=np.float64)


# ---- other losses on softmax outputs --------------------------------------------------------
def _index_target(target: npt.ArrayLike, logits_shape: tuple[int, ...], what: str) -> np.ndarray:
    is_index, t = check_target(target, logits_shape)
    if not is_index:
        raise ValueError(f"{what} takes class-index targets of shape {logits_shape[:-1]}, got probabilities")
    return t


def _check_gamma(gamma: float) -> float:
    g = float(gamma)
    if not (g >= 0 and math.isfinite(g)):
        raise ValueError(f"gamma must be finite and >= 0, got {gamma!r}")
    return g


def focal_loss(
    logits: npt.ArrayLike, target: npt.ArrayLike, *, gamma: float = 2.0, reduction: Reduction = "mean"
) -> FloatArray:
    r"""Focal loss (Lin et al., 2017): cross-entropy scaled down where the model is already right.

    .. math:: \mathrm{FL} = -(1 - p_t)^{\gamma} \log p_t, \qquad p_t = \operatorname{softmax}(z)_{y}

    ``gamma = 0`` is cross-entropy. Class-index targets, shapes ``(..., C), (...) -> (...)``
    before ``reduction`` (``"mean"`` over examples).

    >>> round(float(focal_loss([0.0, 0.0], 0, gamma=2.0)), 6)  # 0.25 * ln 2
    0.173287
    """
    logp = log_softmax(logits)
    t = _index_target(target, logp.shape, "focal_loss")
    g = _check_gamma(gamma)
    _check_reduction(reduction)
    logp_t = np.take_along_axis(logp, t[..., None], axis=-1)[..., 0]
    per = -((-np.expm1(logp_t)) ** g) * logp_t  # -expm1(log p) = 1 - p, exact near p = 1; x**0 = 1
    return _reduce(per, reduction)


def focal_loss_grad(logits: npt.ArrayLike, target: npt.ArrayLike, *, gamma: float = 2.0) -> FloatArray:
    r"""Gradient of each example's focal loss with respect to its logits, shape ``(..., C)``.

    With :math:`A = \gamma (1 - p_t)^{\gamma - 1} p_t \log p_t - (1 - p_t)^{\gamma}`:

    .. math:: \frac{\partial \mathrm{FL}}{\partial z_i} = A\,(\delta_{it} - p_i)

    (``gamma = 0`` gives ``p - y``, the cross-entropy gradient.)
    """
    p = softmax(logits)
    t = _index_target(target, p.shape, "focal_loss_grad")
    g = _check_gamma(gamma)
    p_t = np.take_along_axis(p, t[..., None], axis=-1)
    one_minus = 1.0 - p_t
    with np.errstate(divide="ignore", invalid="ignore"):
        log_p_t = np.log(p_t)
        first = np.where(one_minus > 0, g * one_minus ** (g - 1) * p_t * log_p_t, 0.0) if g > 0 else 0.0
        a = first - one_minus**g
    onehot = np.zeros_like(p)
    np.put_along_axis(onehot, t[..., None], 1.0, axis=-1)
    return np.asarray(a * (onehot - p), dtype=np.float64)


def squared_error(logits: npt.ArrayLike, target: npt.ArrayLike, *, reduction: Reduction = "mean") -> FloatArray:
    r"""Squared error between the softmax probabilities and the target (the Brier score).

    .. math:: \mathrm{SE} = \sum_c (p_c - y_c)^2, \qquad p = \operatorname{softmax}(z)

    Target: class indices (one-hot) or probabilities. Between 0 and 2 for every example.

    >>> round(float(squared_error([0.0, 0.0], 0)), 6)  # (0.5 - 1)^2 + 0.5^2
    0.5
    """
    p = softmax(logits)
    _, t = check_target(target, p.shape)
    _check_reduction(reduction)
    y = smoothed_target(t, p.shape[-1])
    return _reduce(np.sum((p - y) ** 2, axis=-1), reduction)


def squared_error_grad(logits: npt.ArrayLike, target: npt.ArrayLike) -> FloatArray:
    r"""Gradient of each example's squared error with respect to its logits, shape ``(..., C)``.

    Through the softmax Jacobian :math:`\operatorname{diag}(p) - p p^\top`, with :math:`r = p - y`:

    .. math:: \frac{\partial \mathrm{SE}}{\partial z_i} = 2\, p_i \Big(r_i - \sum_c p_c r_c\Big)

    It vanishes as :math:`p_t \to 0`: confidently wrong, squared error barely learns.
    """
    p = softmax(logits)
    _, t = check_target(target, p.shape)
    r = p - smoothed_target(t, p.shape[-1])
    return np.asarray(2.0 * p * (r - np.sum(p * r, axis=-1, keepdims=True)), dtype=np.float64)


# ---- two classes --------------------------------------------------------------------------------
LOG_CLAMP = -100.0
"""PyTorch clamps each log in binary_cross_entropy to >= -100, so p = 0 or 1 gives a finite loss."""


def _check_unit_interval(x: npt.ArrayLike, name: str) -> FloatArray:
    try:
        a = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be real numbers, got {x!r}") from exc
    bad = ~((a >= 0) & (a <= 1))
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0]) if a.ndim else ()
        raise ValueError(f"{name} must be in [0, 1], got {a[where]!r}")
    return a


def binary_cross_entropy(p: npt.ArrayLike, y: npt.ArrayLike, *, reduction: Reduction = "mean") -> FloatArray:
    r"""PyTorch's ``F.binary_cross_entropy`` on probabilities ``p`` and targets ``y`` in [0, 1].

    .. math:: \ell = -\big[y \max(\log p, -100) + (1 - y) \max(\log(1 - p), -100)\big]

    Shapes: ``p`` and ``y`` the same shape ``(...)``.

    >>> round(float(binary_cross_entropy([0.8], [1.0])), 6)  # -ln 0.8
    0.223144
    """
    a = _check_unit_interval(p, "p")
    b = _check_unit_interval(y, "y")
    if a.shape != b.shape:
        raise ValueError(f"p and y must have the same shape, got {a.shape} and {b.shape}")
    _check_reduction(reduction)
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(a), LOG_CLAMP)
        log_q = np.maximum(np.log1p(-a), LOG_CLAMP)
    return _reduce(-(b * log_p + (1.0 - b) * log_q), reduction)


def binary_cross_entropy_with_logits(
    z: npt.ArrayLike, y: npt.ArrayLike, *, reduction: Reduction = "mean"
) -> FloatArray:
    r"""Binary cross-entropy of ``sigmoid(z)`` against ``y``, stable for any finite logit.

    .. math:: \ell = \max(z, 0) - z\,y + \log\big(1 + e^{-|z|}\big)

    PyTorch's ``F.binary_cross_entropy_with_logits`` (no clamp needed). Shapes: ``(...)``.

    >>> float(binary_cross_entropy_with_logits([1000.0], [0.0]))  # sigmoid(1000) = 1: finite, exact
    1000.0
    """
    a = np.asarray(z, dtype=np.float64)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"z must be finite, got {a[~np.isfinite(a)][0]!r}")
    b = _check_unit_interval(y, "y")
    if a.shape != b.shape:
        raise ValueError(f"z and y must have the same shape, got {a.shape} and {b.shape}")
    _check_reduction(reduction)
    return _reduce(np.maximum(a, 0.0) - a * b + np.log1p(np.exp(-np.abs(a))), reduction)
