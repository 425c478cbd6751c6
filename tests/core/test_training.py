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

from core.descent import confidently_wrong, descent_steps, first_reaching, logit_descent
from core.training import (
    CENTRES,
    classifier_frame,
    decision_grid,
    decision_map,
    loss_and_grad,
    make_blobs,
    map_bounds,
    train_classifier,
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


# ---- the Learning page's numbers (one core function per tab) ---------------------------------------
def test_descent_steps_use_the_examples_temperature_everywhere() -> None:
    """At T = 2 the default example's p(dog) is softmax([1, 0.5, 0.05])[1] = 0.3043 (0.2424 is T = 1's)."""
    z, t = np.array([2.0, 1.0, 0.1]), 2.0
    steps = descent_steps(z, 1, temperature=t, lr=0.5, unit="bits", steps=20)
    first = steps.at(0)
    p = sp_softmax(z / t)
    assert first.p_true == pytest.approx(p[1], abs=1e-15)
    assert round(first.p_true, 4) == 0.3043
    np.testing.assert_allclose(first.probs, p, atol=1e-15)
    np.testing.assert_allclose(first.grad, (p - [0, 1, 0]) / t, atol=1e-15)  # (p - y) / T, not p - y
    assert first.loss == pytest.approx(-sp_log_softmax(z / t)[1] / np.log(2), rel=1e-12)  # bits
    # step k's numbers follow from step k's logits by the same formulas
    k = steps.at(7)
    zk = np.array(k.logits)
    np.testing.assert_allclose(k.probs, sp_softmax(zk / t), atol=1e-12)
    np.testing.assert_allclose(k.grad, (sp_softmax(zk / t) - [0, 1, 0]) / t, atol=1e-12)
    assert k.loss == pytest.approx(-sp_log_softmax(zk / t)[1] / np.log(2), rel=1e-12)
    assert steps.at(999).step == 20  # clamped
    assert steps.at(-3).step == 0


def test_descent_steps_report_the_first_step_past_one_half() -> None:
    z = confidently_wrong(3, 1)
    steps = descent_steps(z, 1, temperature=1.0, lr=1.0, unit="nats", steps=60)
    ce_first, se_first = steps.passes_half
    p = sp_softmax(steps.ce.logits, axis=1)[:, 1]
    assert ce_first is not None
    assert p[ce_first] >= 0.5 > p[ce_first - 1]
    q = sp_softmax(steps.se.logits, axis=1)[:, 1]
    assert se_first is not None
    assert se_first > ce_first
    assert q[se_first] >= 0.5 > q[se_first - 1]
    short = descent_steps(z, 1, temperature=1.0, lr=1.0, unit="nats", steps=se_first - 1)
    assert short.passes_half[1] is None  # never within the steps taken
    np.testing.assert_allclose(steps.se_p_true, q, atol=1e-12)


def test_first_reaching_is_the_first_index_at_or_above_the_level() -> None:
    assert first_reaching([0.1, 0.5, 0.9], 0.5) == 1
    assert first_reaching([0.6], 0.5) == 0
    assert first_reaching([], 0.5) is None


@given(
    points=st.lists(st.tuples(st.floats(-50, 50), st.floats(-50, 50)), min_size=1, max_size=40),
    margin=st.floats(0.1, 3.0),
)
@settings(max_examples=80)
def test_map_bounds_hold_every_point_with_the_margin_and_are_square(
    points: list[tuple[float, float]], margin: float
) -> None:
    X = np.array(points)
    (x0, x1), (y0, y1) = map_bounds(X, margin)
    tol = 1e-9
    assert np.all(X[:, 0] - x0 >= margin - tol)
    assert np.all(x1 - X[:, 0] >= margin - tol)
    assert np.all(X[:, 1] - y0 >= margin - tol)
    assert np.all(y1 - X[:, 1] >= margin - tol)
    assert x1 - x0 == pytest.approx(y1 - y0, rel=1e-12)  # a square: the plane is not stretched
    longer = max(np.ptp(X[:, 0]), np.ptp(X[:, 1]))
    assert x1 - x0 == pytest.approx(longer + 2 * margin, rel=1e-12, abs=1e-12)  # no bigger than needed


def test_the_classifier_map_contains_every_training_point() -> None:
    for seed, spread in [(0, 1.0), (3, 3.0), (9999, 0.2)]:
        run = train_classifier(n_per_class=50, spread=spread, seed=seed, lr=0.5, epochs=10, label_smoothing=0.0)
        (x0, x1), (y0, y1) = run.x_range, run.y_range
        assert x0 + 0.8 <= run.X[:, 0].min() + 1e-9
        assert run.X[:, 0].max() <= x1 - 0.8 + 1e-9
        assert y0 + 0.8 <= run.X[:, 1].min() + 1e-9
        assert run.X[:, 1].max() <= y1 - 0.8 + 1e-9


def test_decision_map_predicts_the_argmax_and_bands_its_confidence() -> None:
    rng = np.random.default_rng(5)
    W, b = 2 * rng.standard_normal((2, 3)), rng.standard_normal(3)
    m = decision_map(W, b, (-3.0, 3.0), (-2.0, 2.0), 9)
    gx, gy = np.meshgrid(np.linspace(-3, 3, 9), np.linspace(-2, 2, 9))
    probs = sp_softmax(np.stack([gx, gy], axis=-1) @ W + b, axis=-1)
    np.testing.assert_array_equal(m.predicted, probs.argmax(axis=-1))
    sure = (probs.max(axis=-1) - 1 / 3) / (2 / 3)  # 0 at uniform, 1 when certain
    np.testing.assert_array_equal(m.confidence, np.minimum(np.floor(3 * sure), 2))
    np.testing.assert_allclose(m.shares, [np.mean(probs.argmax(axis=-1) == c) for c in range(3)])
    assert m.shares.sum() == pytest.approx(1.0)


def test_classifier_frame_gives_the_runs_numbers_in_the_unit() -> None:
    run = train_classifier(n_per_class=20, spread=0.5, seed=1, lr=0.5, epochs=30, label_smoothing=0.0)
    frame = classifier_frame(run, 12, "bits", 5)
    X, y, W, b = run.X, run.y, run.result.Ws[12], run.result.bs[12]
    expected = -np.mean(sp_log_softmax(X @ W + b, axis=1)[np.arange(y.size), y]) / np.log(2)
    assert frame.loss == pytest.approx(expected, rel=1e-12)
    assert frame.accuracy_percent == pytest.approx(100 * np.mean(np.argmax(X @ W + b, axis=1) == y))
    assert frame.losses[12] == pytest.approx(frame.loss)
    assert (frame.epoch, frame.epochs) == (12, 30)
    assert classifier_frame(run, 500, "nats", 5).epoch == 30  # clamped to the run
