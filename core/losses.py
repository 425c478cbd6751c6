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

__all__ = ["Reduction", "check_target", "cross_entropy", "cross_entropy_grad", "smoothed_target"]

Reduction = Literal["none", "mean", "sum"]
PROB_TOLERANCE = 1e-6


def _check_smoothing(label_smoothing: float) -> float:
    eps = float(label_smoothing)
    if not (0.0 <= eps <= 1.0):
        raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing!r}")
    return eps


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
        try:
            p = t.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"target probabilities must be real numbers, got {target!r}") from exc
        if not np.all(np.isfinite(p)) or np.any(p < 0):
            where = tuple(int(i) for i in np.argwhere(~np.isfinite(p) | (p < 0))[0])
            raise ValueError(f"target probabilities must be finite and >= 0, got {p[where]!r} at {where}")
        sums = p.sum(axis=-1)
        off = np.abs(sums - 1.0) > PROB_TOLERANCE
        if off.any():
            s = sums[tuple(np.argwhere(off)[0])] if sums.ndim else sums.item()
            raise ValueError(f"target probabilities must sum to 1 (tolerance 1e-6), got a sum of {float(s)!r}")
        return False, p
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
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"reduction must be 'none', 'mean' or 'sum', got {reduction!r}")

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
