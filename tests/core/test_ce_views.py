"""The Cross-entropy page's numbers, tab by tab, at the example's temperature: checked against scipy or the formula."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
import scipy.special as sp
from hypothesis import given
from hypothesis import strategies as st

from core.ce_views import (
    KERAS_EPSILON,
    P_GRID,
    FrameworkValue,
    batch_view,
    curves_over_p,
    default_rows,
    framework_values,
    frameworks_view,
    information,
    information_view,
    logits_for,
    loss_curves_view,
    soft_targets_view,
    target_distribution,
)
from core.scenario import Scenario
from core.softmax import softmax
from core.text import temperature_rule


@given(st.floats(0.001, 0.999), st.integers(2, 10))
def test_logits_for_give_the_asked_probability_with_equal_shares(p: float, c: int) -> None:
    q = softmax(logits_for(p, c))
    assert float(q[0]) == pytest.approx(p, rel=1e-12)
    np.testing.assert_allclose(q[1:], (1 - p) / (c - 1), rtol=1e-12)


@pytest.mark.parametrize("c", [2, 3, 10])
def test_curves_match_their_closed_forms(c: int) -> None:
    p = np.array([0.01, 0.2, 0.5, 0.9, 0.999])
    cv = curves_over_p(p, c, gamma=2.0)
    np.testing.assert_allclose(cv.ce, -np.log(p), rtol=1e-12)
    np.testing.assert_allclose(cv.se, (1 - p) ** 2 + (1 - p) ** 2 / (c - 1), rtol=1e-12)
    np.testing.assert_allclose(cv.focal, -((1 - p) ** 2) * np.log(p), rtol=1e-12)
    np.testing.assert_allclose(cv.ce_grad, p - 1, rtol=1e-12, atol=1e-15)
    # d SE / d z_t = dSE/dp_t * dp_t/dz_t, with the others following: SE = (1-p)^2 * c/(c-1), dp/dz = p(1-p)
    np.testing.assert_allclose(cv.se_grad, -2 * (1 - p) * c / (c - 1) * p * (1 - p), rtol=1e-9, atol=1e-15)


def test_confidently_wrong_ce_keeps_pushing_squared_error_and_focal_do_not() -> None:
    cv = curves_over_p(np.array([1e-4]), 3, gamma=2.0)
    assert float(cv.ce_grad[0]) < -0.999
    assert abs(float(cv.se_grad[0])) < 1e-3
    assert abs(float(cv.focal_grad[0])) > 0.99  # focal still pushes hard when wrong: it only mutes the easy cases


@given(st.lists(st.floats(-8, 8), min_size=3, max_size=3), st.floats(0.0, 1.0))
def test_information_adds_up(z: list[float], eps: float) -> None:
    y = np.array([1 - eps, eps / 2, eps / 2])
    h, kl, ce = information(z, y)
    assert ce == pytest.approx(h + kl, rel=1e-9, abs=1e-9)
    assert kl >= 0


def test_information_when_p_underflows() -> None:
    h, kl, ce = information([0.0, -2000.0], [0.5, 0.5])  # p = (1, e^-2000): 0 in float64
    assert ce == pytest.approx(1000.0, rel=1e-12)  # -(0.5 ln 1 + 0.5 ln e^-2000)
    assert h == pytest.approx(math.log(2), rel=1e-12)
    assert kl == pytest.approx(1000.0 - math.log(2), rel=1e-12)


def test_framework_conventions() -> None:
    z = [2.0, 1.0, 0.1]
    values = {v.name.split()[0] + ("-probs" if "False" in v.name else ""): v.value for v in framework_values(z, 1)}
    exact = -math.log(float(softmax(z)[1]))
    assert values["PyTorch"] == pytest.approx(exact, rel=1e-12)
    assert values["Keras"] == pytest.approx(exact, rel=1e-12)
    assert values["Keras-probs"] == pytest.approx(exact, rel=1e-6)
    assert values["NumPy,"] == pytest.approx(exact, rel=1e-12)
    wrong = {
        v.name.split()[0] + ("-probs" if "False" in v.name else ""): v.value for v in framework_values([40.0, 0.0], 1)
    }
    assert wrong["PyTorch"] == pytest.approx(40.0, rel=1e-12)
    assert wrong["Keras-probs"] == pytest.approx(-math.log(KERAS_EPSILON), rel=1e-9)  # 16.118: clipped
    broken = {v.name.split()[0]: v.value for v in framework_values([800.0, 0.0], 1)}
    assert not math.isfinite(broken["NumPy,"])
    assert broken["PyTorch"] == pytest.approx(800.0)


# ---- one temperature rule: every tab's numbers at the example's T --------------------------------
# At T = 2 the default example (logits 2, 1, 0.1; true class dog) has p = softmax([1, 0.5, 0.05]).
T2 = Scenario(classes=("cat", "dog", "rabbit"), logits=(2.0, 1.0, 0.1), target=1, temperature=2.0)
Z = np.array(T2.logits)


def test_temperature_rule_states_t() -> None:
    assert temperature_rule(2.0, "(p − ỹ)") == "With T = 2: p = softmax(z / 2), gradients (p − ỹ) / 2."
    assert temperature_rule(1.0) == "T = 1: p = softmax(z)."


@pytest.mark.parametrize("t", [0.5, 1.0, 2.0, 7.0])
def test_curve_gradients_are_with_respect_to_z_at_t(t: float) -> None:
    p = np.array([0.01, 0.3, 0.9])
    cv = curves_over_p(p, 3, gamma=2.0, temperature=t)
    np.testing.assert_allclose(cv.ce, -np.log(p), rtol=1e-12)  # the loss over p does not depend on T
    np.testing.assert_allclose(cv.ce_grad, (p - 1) / t, rtol=1e-12)
    # focal: d/ds of -(1-p)^g log p with dp/ds = p(1-p) (the others share the rest): chain rule, then / T
    g = 2.0
    dfocal_dp = g * (1 - p) ** (g - 1) * np.log(p) - (1 - p) ** g / p
    np.testing.assert_allclose(cv.focal_grad, dfocal_dp * p * (1 - p) / t, rtol=1e-9)
    assert cv.temperature == t


def test_loss_curves_view_at_t2_pushes_with_p_minus_1_over_t() -> None:
    view = loss_curves_view(T2, gamma=2.0)
    p_dog = float(sp.softmax(Z / 2)[1])
    assert view.p_now == pytest.approx(p_dog, rel=1e-12)
    assert round(view.p_now, 4) == 0.3043
    assert view.ce_push == pytest.approx((p_dog - 1) / 2, rel=1e-12)  # −0.3479; the old page said −0.6957 = p − 1
    np.testing.assert_allclose(view.curves.p, P_GRID)
    np.testing.assert_allclose(view.curves.ce_grad, (P_GRID - 1) / 2, rtol=1e-12)


def test_target_distribution_smoothed_typed_rescaled_and_uniform() -> None:
    smoothed = target_distribution(3, 1, 0.3)
    np.testing.assert_allclose(smoothed.y, [0.1, 0.8, 0.1])
    assert (smoothed.problem, smoothed.symbol, smoothed.typed) == (None, "ỹ", False)
    assert target_distribution(3, 1, 0.0).symbol == "y"  # one-hot
    typed = target_distribution(3, 1, 0.3, [0.2, 0.5, 0.3])
    np.testing.assert_allclose(typed.y, [0.2, 0.5, 0.3])
    assert typed.problem is None
    assert typed.typed
    rescaled = target_distribution(3, 1, 0.3, [0.6, 0.6, None])  # an empty entry counts as 0
    np.testing.assert_allclose(rescaled.y, [0.5, 0.5, 0.0])
    assert rescaled.problem is not None
    assert "sum to 1.2000, not 1" in rescaled.problem
    uniform = target_distribution(4, 1, 0.3, [0.0, 0.0, None, 0.0])
    np.testing.assert_allclose(uniform.y, [0.25] * 4)
    assert uniform.problem is not None
    assert "sum to 0" in uniform.problem
    with pytest.raises(ValueError, match="typed"):
        target_distribution(3, 1, 0.0, [0.5, 0.5])


@pytest.mark.parametrize("t", [1.0, 2.0])
def test_soft_targets_gradient_uses_the_typed_target_of_the_loss(t: float) -> None:
    sc = replace(T2, temperature=t)
    y = np.array([0.2, 0.5, 0.3])
    view = soft_targets_view(sc, target_distribution(3, 1, 0.1, y.tolist()))
    p = sp.softmax(Z / t)
    np.testing.assert_allclose(view.p, p, rtol=1e-12)
    assert view.loss == pytest.approx(float(-(y * sp.log_softmax(Z / t)).sum()), rel=1e-12)
    assert view.one_hot_loss == pytest.approx(float(-sp.log_softmax(Z / t)[1]), rel=1e-12)
    np.testing.assert_allclose(view.grad, (p - y) / t, rtol=1e-12, atol=1e-15)
    # not the smoothed one-hot target (what the old gradient chart used whatever was typed)
    smoothed = np.array([0.1 / 3, 1 - 0.1 + 0.1 / 3, 0.1 / 3])
    assert not np.allclose(view.grad, (p - smoothed) / t)


def test_soft_targets_at_t2_with_smoothing() -> None:
    view = soft_targets_view(T2, target_distribution(3, 1, 0.1))
    y = np.array([0.1 / 3, 0.9 + 0.1 / 3, 0.1 / 3])
    assert view.loss == pytest.approx(float(-(y * sp.log_softmax(Z / 2)).sum()), rel=1e-12)
    np.testing.assert_allclose(view.grad, (sp.softmax(Z / 2) - y) / 2, rtol=1e-12)


def test_information_view_at_t2_agrees_with_scipy() -> None:
    y = np.array([0.1 / 3, 0.9 + 0.1 / 3, 0.1 / 3])
    view = information_view(T2, target_distribution(3, 1, 0.1))
    p = sp.softmax(Z / 2)
    assert view.entropy == pytest.approx(float(sp.entr(y).sum()), rel=1e-12)
    assert view.kl == pytest.approx(float(sp.rel_entr(y, p).sum()), rel=1e-9)
    assert view.cross_entropy == pytest.approx(float(-(y * np.log(p)).sum()), rel=1e-12)


def test_batch_view_applies_t_to_every_row_and_skips_incomplete_ones() -> None:
    records = [
        {"cat": 2.0, "dog": 1.0, "rabbit": 0.1, "target": "dog"},
        {"cat": 1.0, "dog": None, "rabbit": 0.0, "target": "cat"},  # an empty cell
        {"cat": 0.0, "dog": 0.0, "rabbit": 3.0, "target": "rabbit"},
        {"cat": 0.0, "dog": float("nan"), "rabbit": 3.0, "target": "cat"},  # not finite
        {"cat": 0.0, "dog": 0.0, "rabbit": 3.0, "target": None},  # no class
        {"cat": 1.0, "dog": 1.0, "rabbit": 1.0, "target": "cat"},
    ]
    zs = np.array([[2.0, 1.0, 0.1], [0.0, 0.0, 3.0], [1.0, 1.0, 1.0]])
    ts = np.array([1, 2, 0])
    w = np.array([1.0, 2.0, 0.5])
    view = batch_view(records, ("cat", "dog", "rabbit"), 2.0, w.tolist())
    assert view.skipped == (2, 4, 5)
    assert view.problems == ("Rows 2, 4, 5 skipped: every cell needs a finite number and a class.",)
    assert [t for _, t in view.rows] == ts.tolist()
    losses = -sp.log_softmax(zs / 2, axis=-1)[np.arange(3), ts]
    np.testing.assert_allclose(view.losses, losses, rtol=1e-12)
    assert view.mean == pytest.approx(float(losses.mean()), rel=1e-12)
    assert view.total == pytest.approx(float(losses.sum()), rel=1e-12)
    assert view.weighted_mean == pytest.approx(float((w[ts] * losses).sum() / w[ts].sum()), rel=1e-12)


def test_batch_view_zero_weights_and_no_rows() -> None:
    records = [{"a": 1.0, "b": 0.0, "target": "a"}]
    view = batch_view(records, ("a", "b"), 1.0, [0.0, 1.0])
    assert view.weighted_mean is None
    assert view.problems == ("The weights of these examples' classes sum to 0: the weighted mean is undefined.",)
    assert view.mean == pytest.approx(float(-sp.log_softmax([1.0, 0.0])[0]))
    empty = batch_view([{"a": None, "b": 0.0, "target": "a"}], ("a", "b"), 1.0)
    assert empty.rows == ()
    assert empty.mean is None
    assert empty.skipped == (1,)


def test_default_rows() -> None:
    assert default_rows(T2) == [
        ((2.0, 1.0, 0.1), 1),
        ((0.0, 3.0, 0.0), 1),
        ((0.0, 0.0, 3.0), 1),
        ((0.0, 0.0, 0.0), 1),
    ]


@pytest.mark.parametrize("eps", [0.0, 0.1])
def test_framework_values_at_t2(eps: float) -> None:
    values = framework_values(Z, 1, eps, temperature=2.0)
    y = (1 - eps) * np.eye(3)[1] + eps / 3
    exact = float(-(y * sp.log_softmax(Z / 2)).sum())
    assert [v.value for v in values] == pytest.approx([exact, exact, exact, exact], rel=1e-6)
    assert values[0].name == "PyTorch F.cross_entropy(logits / T, target)"


def test_frameworks_view_code_divides_the_logits_by_t() -> None:
    view = frameworks_view(T2, 0.1)
    code = dict(view.code)
    assert "T = 2  # the temperature" in code["PyTorch"]
    assert "F.cross_entropy(logits / T, target, label_smoothing=0.1)" in code["PyTorch"]
    assert "(y, logits / T)" in code["Keras"]
    assert "tf.nn.softmax(logits / T)" in code["Keras"]
    assert "z = np.array([2, 1, 0.1]) / T" in code["NumPy"]
    y = 0.9 * np.eye(3)[1] + 0.1 / 3
    assert view.values[0].value == pytest.approx(float(-(y * sp.log_softmax(Z / 2)).sum()), rel=1e-12)
    at_one = dict(frameworks_view(replace(T2, temperature=1.0), 0.0).code)
    assert "F.cross_entropy(logits, target)" in at_one["PyTorch"]
    assert "/ T" not in "".join(at_one.values())


def _naive(z: list[float], t: int) -> FrameworkValue:
    return next(v for v in framework_values(z, t) if v.name.startswith("NumPy"))


@pytest.mark.parametrize("t", [0, 1])
def test_naive_numpy_note_names_underflow_for_minus_800(t: int) -> None:
    naive = _naive([0.0, -800.0, 0.0], t)
    with np.errstate(under="ignore"):
        assert np.exp(-800.0) == 0.0  # the cause: exp underflows, log 0 = -inf
    assert not math.isfinite(naive.value)
    assert "underflow" in naive.convention
    assert "log 0 = −∞" in naive.convention
    assert "overflow:" not in naive.convention  # nothing here passes z ≈ 709.78
    # 0 · −∞ = NaN when the true class is cat; −log 0 = ∞ when it is the −800 class
    assert naive.convention.endswith(": it returns NaN" if t == 0 else ": it returns ∞")


def test_naive_numpy_note_names_overflow_past_709() -> None:
    naive = _naive([800.0, 0.0], 1)
    assert math.isnan(naive.value)
    assert naive.convention.startswith(f"overflow: exp(z) = inf past z ≈ {math.log(np.finfo(np.float64).max):.2f}")
    assert "709.78" in naive.convention
    assert "underflow:" not in naive.convention
    fine = _naive([2.0, 1.0, 0.1], 1)
    assert fine.value == pytest.approx(float(-sp.log_softmax([2.0, 1.0, 0.1])[1]), rel=1e-12)
    assert "exact for these logits" in fine.convention
