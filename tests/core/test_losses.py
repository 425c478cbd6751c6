"""cross_entropy and cross_entropy_grad against hand-derived values and PyTorch's documented semantics.

Expected values are written from the formulas in PyTorch's documentation for
``torch.nn.functional.cross_entropy`` (class-index and probability targets,
``weight``, ``label_smoothing``, ``reduction``), computed with scipy.special, never
with the code under test.
"""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pytest
import scipy.special as sp
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from core.losses import cross_entropy, cross_entropy_grad, smoothed_target

finite = st.floats(min_value=-30, max_value=30, allow_nan=False, allow_infinity=False)


@st.composite
def batches(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(logits (N, C), class indices (N,), probability targets (N, C))."""
    n = draw(st.integers(1, 5))
    c = draw(st.integers(2, 6))
    z = draw(arrays(np.float64, (n, c), elements=finite))
    idx = np.array(draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)), dtype=np.int64)
    raw = draw(arrays(np.float64, (n, c), elements=st.floats(0.0, 1.0)))
    raw[:, 0] += 1e-3  # keep every row's sum away from 0
    return z, idx, raw / raw.sum(axis=1, keepdims=True)


def one_hot(idx: np.ndarray, c: int) -> np.ndarray:
    return np.eye(c)[idx]


# ---- the worked example ------------------------------------------------------------
def test_article_example_is_minus_ln_point_two() -> None:
    z = np.log([0.7, 0.2, 0.1])
    assert float(cross_entropy(z, 1)) == pytest.approx(-math.log(0.2), rel=1e-15)
    assert round(float(cross_entropy(z, 1)), 4) == 1.6094
    assert round(float(cross_entropy(z, 0)), 4) == 0.3567


def test_url_example_values() -> None:
    z = [-0.356675, -1.609438, -2.302585]
    assert f"{float(cross_entropy(z, 1)):.4f}" == "1.6094"
    assert f"{float(cross_entropy(z, 0)):.4f}" == "0.3567"


# ---- PyTorch semantics -------------------------------------------------------------------
def expected_index(z, idx, w, eps, reduction):  # type: ignore[no-untyped-def]
    """PyTorch: (1-eps) * nll(weight) + eps/C * sum_c w_c (-log p_c); mean divides by sum w[y]."""
    c = z.shape[-1]
    logp = sp.log_softmax(z, axis=-1)
    w = np.ones(c) if w is None else w
    per = -(1 - eps) * w[idx] * np.take_along_axis(logp, idx[..., None], -1)[..., 0]
    per = per - eps / c * (w * logp).sum(-1)
    if reduction == "none":
        return per
    if reduction == "sum":
        return per.sum()
    return per.sum() / w[idx].sum()


def expected_probs(z, y, w, eps, reduction):  # type: ignore[no-untyped-def]
    """PyTorch: -sum_c w_c y~_c log p_c with y~ = y(1-eps) + eps/C; mean divides by N."""
    c = z.shape[-1]
    logp = sp.log_softmax(z, axis=-1)
    w = np.ones(c) if w is None else w
    ys = y * (1 - eps) + eps / c
    per = -(w * ys * logp).sum(-1)
    if reduction == "none":
        return per
    if reduction == "sum":
        return per.sum()
    return per.sum() / per.size


@given(batches(), st.sampled_from([0.0, 0.1, 0.5, 1.0]), st.booleans())
def test_every_combination_matches_pytorch_semantics(batch, eps: float, weighted: bool) -> None:  # type: ignore[no-untyped-def]
    z, idx, y = batch
    w = np.linspace(0.5, 2.0, z.shape[1]) if weighted else None
    for reduction in ("none", "mean", "sum"):
        got = cross_entropy(z, idx, weight=w, label_smoothing=eps, reduction=reduction)
        np.testing.assert_allclose(got, expected_index(z, idx, w, eps, reduction), rtol=1e-12, atol=1e-12)
        got = cross_entropy(z, y, weight=w, label_smoothing=eps, reduction=reduction)
        np.testing.assert_allclose(got, expected_probs(z, y, w, eps, reduction), rtol=1e-12, atol=1e-12)


def test_weighted_mean_divides_by_the_targets_weights() -> None:
    z = np.array([[1.0, 0.0, 0.0], [0.0, 2.0, 0.0]])
    idx = np.array([0, 1])
    w = np.array([3.0, 1.0, 5.0])
    l0 = -math.log(math.e / (math.e + 2))
    l1 = -math.log(math.e**2 / (math.e**2 + 2))
    assert float(cross_entropy(z, idx, weight=w)) == pytest.approx((3 * l0 + 1 * l1) / 4, rel=1e-14)
    # probability targets divide by N, not by the weights
    y = one_hot(idx, 3)
    assert float(cross_entropy(z, y, weight=w)) == pytest.approx((3 * l0 + 1 * l1) / 2, rel=1e-14)


def test_index_and_one_hot_targets_agree_without_weights() -> None:
    rng = np.random.default_rng(7)
    z = rng.normal(size=(4, 5)) * 4
    idx = rng.integers(0, 5, size=4)
    for eps, reduction in itertools.product([0.0, 0.2], ["none", "mean", "sum"]):
        a = cross_entropy(z, idx, label_smoothing=eps, reduction=reduction)
        b = cross_entropy(z, one_hot(idx, 5), label_smoothing=eps, reduction=reduction)
        np.testing.assert_allclose(a, b, rtol=1e-13)


def test_higher_dimensional_batches_use_the_last_axis_for_classes() -> None:
    rng = np.random.default_rng(3)
    z = rng.normal(size=(2, 3, 4))
    idx = rng.integers(0, 4, size=(2, 3))
    per = cross_entropy(z, idx, reduction="none")
    assert per.shape == (2, 3)
    np.testing.assert_allclose(per, -np.take_along_axis(sp.log_softmax(z, -1), idx[..., None], -1)[..., 0])


# ---- properties ----------------------------------------------------------------------------
@given(batches())
def test_cross_entropy_is_non_negative(batch) -> None:  # type: ignore[no-untyped-def]
    z, idx, y = batch
    assert np.all(cross_entropy(z, idx, reduction="none") >= 0)
    assert np.all(cross_entropy(z, y, reduction="none") >= 0)


@given(st.integers(2, 60), st.floats(-1e5, 1e5))
def test_uniform_logits_give_ln_c(c: int, value: float) -> None:
    assert float(cross_entropy(np.full(c, value), c - 1)) == pytest.approx(math.log(c), rel=1e-13)


@given(batches(), st.floats(0.0, 1.0))
def test_gradient_equals_finite_differences(batch, eps: float) -> None:  # type: ignore[no-untyped-def]
    z, idx, _ = batch
    grad = cross_entropy_grad(z, idx, label_smoothing=eps)
    h = 1e-6
    numeric = np.zeros_like(z)
    for n, c in itertools.product(range(z.shape[0]), range(z.shape[1])):
        up, down = z.copy(), z.copy()
        up[n, c] += h
        down[n, c] -= h
        f_up = cross_entropy(up, idx, label_smoothing=eps, reduction="none")[n]
        f_down = cross_entropy(down, idx, label_smoothing=eps, reduction="none")[n]
        numeric[n, c] = (f_up - f_down) / (2 * h)
    np.testing.assert_allclose(grad, numeric, atol=1e-6)


@given(batches())
def test_gradient_is_p_minus_y_and_rows_sum_to_zero(batch) -> None:  # type: ignore[no-untyped-def]
    z, idx, y = batch
    np.testing.assert_allclose(cross_entropy_grad(z, idx), sp.softmax(z, -1) - one_hot(idx, z.shape[1]), atol=1e-15)
    np.testing.assert_allclose(cross_entropy_grad(z, y).sum(-1), 0.0, atol=1e-14)


def test_smoothed_target_is_pytorch_mixture() -> None:
    np.testing.assert_allclose(smoothed_target(np.array([2]), 4, 0.2), [[0.05, 0.05, 0.85, 0.05]])
    np.testing.assert_allclose(smoothed_target(np.array([0.5, 0.5, 0.0]), 3, 0.3), [0.45, 0.45, 0.1])


# ---- extremes and -inf -----------------------------------------------------------------------
def test_extreme_logits_give_exact_finite_losses() -> None:
    z = [1e4, -1e4, 0.0]
    assert float(cross_entropy(z, 0)) == 0.0
    assert float(cross_entropy(z, 1)) == 2e4
    assert float(cross_entropy(z, 2)) == 1e4
    np.testing.assert_array_equal(cross_entropy_grad(z, 1), [1.0, -1.0, 0.0])


def test_minus_infinity_on_a_wrong_class_costs_nothing() -> None:
    z = [2.0, -np.inf, 1.0]
    assert float(cross_entropy(z, 0)) == pytest.approx(-math.log(math.e**2 / (math.e**2 + math.e)), rel=1e-15)
    # 0 * log 0 = 0 for a probability target with no mass on the impossible class
    assert math.isfinite(float(cross_entropy(z, [0.5, 0.0, 0.5])))
    # a zero weight on the impossible class also costs nothing
    assert math.isfinite(float(cross_entropy(z, [1.0, 0.0, 0.0], weight=[1.0, 0.0, 1.0], label_smoothing=0.1)))


def test_minus_infinity_on_the_true_class_is_infinite_loss() -> None:
    assert float(cross_entropy([0.0, -np.inf], 1)) == math.inf
    # label smoothing puts mass on every class, so an impossible class costs infinity
    assert float(cross_entropy([0.0, -np.inf], 0, label_smoothing=0.1)) == math.inf


# ---- error paths ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"logits": [1.0, float("nan")], "target": 0}, ["logits", "nan"]),
        ({"logits": [1.0, float("inf")], "target": 0}, ["logits", "inf"]),
        ({"logits": [-np.inf, -np.inf], "target": 0}, ["logits", "all -inf"]),
        ({"logits": [1.0, 2.0, 3.0], "target": 3}, ["target", "[0, 2]", "3"]),
        ({"logits": [1.0, 2.0, 3.0], "target": -1}, ["target", "-1"]),
        ({"logits": [1.0, 2.0], "target": 1.0}, ["target", "integer"]),
        ({"logits": [1.0, 2.0], "target": [1.2, -0.2]}, ["target", "-0.2"]),
        ({"logits": [1.0, 2.0], "target": [0.5, 0.6]}, ["target", "sum to 1", "1.1"]),
        ({"logits": [1.0, 2.0], "target": [0.5, float("nan")]}, ["target", "nan"]),
        ({"logits": [[1.0, 2.0]], "target": [0, 1]}, ["target shape (2,)", "(1,)", "(1, 2)"]),
        ({"logits": [1.0, 2.0], "target": 0, "label_smoothing": 1.5}, ["label_smoothing", "1.5"]),
        ({"logits": [1.0, 2.0], "target": 0, "label_smoothing": -0.1}, ["label_smoothing", "-0.1"]),
        ({"logits": [1.0, 2.0], "target": 0, "label_smoothing": float("nan")}, ["label_smoothing", "nan"]),
        ({"logits": [1.0, 2.0], "target": 0, "weight": [1.0]}, ["weight", "(2,)", "(1,)"]),
        ({"logits": [1.0, 2.0], "target": 0, "weight": [1.0, -2.0]}, ["weight", "-2.0", "class 1"]),
        ({"logits": [1.0, 2.0], "target": 0, "weight": [0.0, 1.0]}, ["weights", "sum to 0"]),
        ({"logits": [1.0, 2.0], "target": 0, "reduction": "avg"}, ["reduction", "'avg'"]),
    ],
)
def test_bad_input_raises_value_error_naming_argument_and_value(kwargs: dict, words: list[str]) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValueError, match=re.escape(words[0])) as info:
        cross_entropy(**kwargs)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize(
    ("args", "kwargs", "word"),
    [
        (([1.0, float("nan")], 0), {}, "logits"),
        (([1.0, 2.0], 2), {}, "target"),
        (([1.0, 2.0], 0), {"label_smoothing": 2.0}, "label_smoothing"),
    ],
)
def test_gradient_validates_like_the_loss(args: tuple, kwargs: dict, word: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValueError, match=word):
        cross_entropy_grad(*args, **kwargs)
