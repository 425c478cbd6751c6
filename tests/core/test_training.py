"""core.training: gradient steps on logits, the toy data, softmax regression.

Expected values come from scipy and from the formulas (finite differences), never
from the code under test.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import log_softmax as sp_log_softmax
from scipy.special import softmax as sp_softmax

from core.training import (
    CENTRES,
    confidently_wrong,
    decision_grid,
    logit_descent,
    loss_and_grad,
    make_blobs,
    train_softmax_regression,
)

EPS = np.finfo(float).eps


# ---- the done-when of issue 5 -------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(5))
def test_well_separated_blobs_loss_falls_every_epoch_and_accuracy_exceeds_90_percent(seed: int) -> None:
    X, y = make_blobs(50, seed=seed, spread=0.5)
    result = train_softmax_regression(X, y, lr=0.5, epochs=200, seed=seed)
    assert result.history.shape == (201,)
    assert np.all(np.diff(result.history) < 0), "the loss rose in some epoch"
    assert result.accuracy > 0.9
    # The accuracy is the model's own: recompute it from W and b.
    assert result.accuracy == pytest.approx(np.mean(np.argmax(X @ result.W + result.b, axis=1) == y))


def test_history_starts_with_the_initial_loss_from_scipy() -> None:
    X, y = make_blobs(20, seed=3)
    result = train_softmax_regression(X, y, lr=0.5, epochs=5, seed=7)
    W0, b0 = result.Ws[0], result.bs[0]
    assert np.all(b0 == 0)
    assert np.abs(W0).max() < 0.05
    expected = -np.mean(sp_log_softmax(X @ W0 + b0, axis=1)[np.arange(y.size), y])
    assert result.history[0] == pytest.approx(expected, rel=1e-12)
    final = -np.mean(sp_log_softmax(X @ result.W + result.b, axis=1)[np.arange(y.size), y])
    assert result.history[-1] == pytest.approx(final, rel=1e-12)


def test_training_is_deterministic_for_a_seed() -> None:
    X, y = make_blobs(30, seed=11, spread=1.5)
    a = train_softmax_regression(X, y, lr=0.5, epochs=20, seed=4)
    b = train_softmax_regression(X, y, lr=0.5, epochs=20, seed=4)
    c = train_softmax_regression(X, y, lr=0.5, epochs=20, seed=5)
    np.testing.assert_array_equal(a.history, b.history)
    np.testing.assert_array_equal(a.Ws, b.Ws)
    assert not np.array_equal(a.Ws[0], c.Ws[0])


@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.5])
def test_gradients_match_finite_differences(smoothing: float) -> None:
    rng = np.random.default_rng(0)
    X, y = make_blobs(8, seed=2)
    W, b = rng.standard_normal((2, 3)), rng.standard_normal(3)
    _, gW, gb = loss_and_grad(W, b, X, y, label_smoothing=smoothing)
    h = 1e-6

    def loss(W_: np.ndarray, b_: np.ndarray) -> float:
        return loss_and_grad(W_, b_, X, y, label_smoothing=smoothing)[0]

    for idx in np.ndindex(W.shape):
        d = np.zeros_like(W)
        d[idx] = h
        assert gW[idx] == pytest.approx((loss(W + d, b) - loss(W - d, b)) / (2 * h), abs=1e-7)
    for i in range(3):
        d = np.zeros(3)
        d[i] = h
        assert gb[i] == pytest.approx((loss(W, b + d) - loss(W, b - d)) / (2 * h), abs=1e-7)


def test_label_smoothing_keeps_the_loss_above_the_smoothed_targets_entropy() -> None:
    X, y = make_blobs(30, seed=0, spread=0.3)
    eps = 0.3
    result = train_softmax_regression(X, y, lr=1.0, epochs=300, label_smoothing=eps)
    ys = np.full(3, eps / 3)
    ys[0] += 1 - eps
    floor = -np.sum(ys * np.log(ys))  # the cross-entropy can never go below H(smoothed target)
    assert result.history.min() >= floor - 1e-12
    assert result.history[-1] == pytest.approx(floor, abs=0.05)


# ---- the data ------------------------------------------------------------------------------------
def test_blobs_are_deterministic_labelled_and_spread_as_asked() -> None:
    X, y = make_blobs(4000, seed=1, spread=0.7)
    X2, _ = make_blobs(4000, seed=1, spread=0.7)
    np.testing.assert_array_equal(X, X2)
    assert not np.array_equal(X, make_blobs(4000, seed=2, spread=0.7)[0])
    assert X.shape == (12000, 2)
    assert np.bincount(y).tolist() == [4000] * 3
    for c in range(3):
        pts = X[y == c]
        np.testing.assert_allclose(pts.mean(axis=0), CENTRES[c], atol=0.05)
        np.testing.assert_allclose(pts.std(axis=0), [0.7, 0.7], rtol=0.05)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: make_blobs(0, seed=0), "n_per_class"),
        (lambda: make_blobs(5, seed=-1), "seed"),
        (lambda: make_blobs(5, seed=0, spread=0.0), "spread"),
        (lambda: make_blobs(5, seed=0, spread=float("nan")), "spread"),
        (lambda: train_softmax_regression([[0.0, 1.0]], [0], lr=0.0, epochs=1), "lr"),
        (lambda: train_softmax_regression([[0.0, 1.0]], [0], lr=float("inf"), epochs=1), "lr"),
        (lambda: train_softmax_regression([[0.0, 1.0]], [0], lr=0.1, epochs=-1), "epochs"),
        (lambda: train_softmax_regression([[0.0, 1.0]], [0], lr=0.1, epochs=True), "epochs"),
        (lambda: train_softmax_regression([[np.nan, 1.0]], [0], lr=0.1, epochs=1), "X"),
        (lambda: train_softmax_regression([[0.0, 1.0]], [0, 1], lr=0.1, epochs=1), "y"),
        (lambda: train_softmax_regression([[0.0, 1.0]], [0.5], lr=0.1, epochs=1), "y"),
        (lambda: train_softmax_regression([[0.0, 1.0]], [3], lr=0.1, epochs=1, n_classes=3), "n_classes"),
        (lambda: train_softmax_regression([[0.0, 1.0]], [0], lr=0.1, epochs=1, label_smoothing=2.0), "smoothing"),
        (lambda: logit_descent([1.0, 2.0], 0, lr=-1.0, steps=3), "lr"),
        (lambda: logit_descent([1.0, 2.0], 5, lr=1.0, steps=3), "target"),
        (lambda: logit_descent([1.0, float("-inf")], 0, lr=1.0, steps=3), "logits"),
        (lambda: logit_descent([1.0, 2.0], 0, lr=1.0, steps=3, loss="hinge"), "loss"),  # type: ignore[arg-type]
        (lambda: logit_descent([[1.0, 2.0]], 0, lr=1.0, steps=3), "logits"),
        (lambda: confidently_wrong(3, 3), "target"),
    ],
)
def test_bad_input_raises_a_value_error_naming_the_argument(call: object, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        call()  # type: ignore[operator]


# ---- gradient steps on the logits -----------------------------------------------------------------
@given(
    z=st.lists(st.floats(-8, 8), min_size=2, max_size=6),
    t=st.floats(0.1, 5.0),
    lr=st.floats(0.01, 3.0),
    data=st.data(),
)
@settings(max_examples=60)
def test_one_step_of_each_loss_follows_its_gradient(z: list[float], t: float, lr: float, data: st.DataObject) -> None:
    target = data.draw(st.integers(0, len(z) - 1))
    y = np.eye(len(z))[target]
    za = np.array(z)
    ce = logit_descent(za, target, lr=lr, steps=1, temperature=t)
    np.testing.assert_allclose(ce.logits[1], za - lr * (sp_softmax(za / t) - y) / t, atol=1e-12)
    assert ce.losses[0] == pytest.approx(-sp_log_softmax(za / t)[target], rel=1e-12, abs=1e-12)
    se = logit_descent(za, target, lr=lr, steps=1, loss="squared_error", temperature=t)
    h = 1e-6

    def se_loss(v: np.ndarray) -> float:
        return float(np.sum((sp_softmax(v / t) - y) ** 2))

    numeric = [(se_loss(za + h * e) - se_loss(za - h * e)) / (2 * h) for e in np.eye(len(z))]
    np.testing.assert_allclose(se.grads[0], numeric, atol=1e-6)
    np.testing.assert_allclose(se.probs, sp_softmax(se.logits / t, axis=1), atol=1e-12)


def test_cross_entropy_escapes_a_confidently_wrong_start_and_squared_error_crawls() -> None:
    z = confidently_wrong(3, 1)
    assert sp_softmax(z)[1] < 0.01
    ce = logit_descent(z, 1, lr=1.0, steps=100)
    se = logit_descent(z, 1, lr=1.0, steps=100, loss="squared_error")
    assert ce.probs[10, 1] > 0.9
    assert se.probs[10, 1] < 0.05
    assert np.all(np.diff(ce.probs[:, 1]) > 0)  # every cross-entropy step raises p(true)
    assert np.all(np.diff(ce.losses) < 0)


def test_decision_grid_holds_the_classifiers_probabilities() -> None:
    rng = np.random.default_rng(1)
    W, b = rng.standard_normal((2, 3)), rng.standard_normal(3)
    xs, ys, probs = decision_grid(W, b, (-1.0, 1.0), (-2.0, 2.0), 5)
    assert probs.shape == (5, 5, 3)
    np.testing.assert_allclose(probs.sum(axis=-1), 1.0, atol=10 * EPS)
    np.testing.assert_allclose(probs[4, 0], sp_softmax(np.array([xs[0], ys[4]]) @ W + b), atol=1e-12)
