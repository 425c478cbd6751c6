"""The Cross-entropy page's numbers: curves over p(true), the information view, frameworks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.ce_views import KERAS_EPSILON, curves_over_p, framework_values, information, logits_for
from core.softmax import softmax


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
