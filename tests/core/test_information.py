"""entropy, kl_divergence, focal_loss, squared_error, binary cross-entropy: formulas, properties, errors.

Expected values come from the definitions (written out here with math/scipy),
never from the functions under test.
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

from core.ce_views import information
from core.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    entropy,
    focal_loss,
    focal_loss_grad,
    kl_divergence,
    squared_error,
    squared_error_grad,
)


@st.composite
def distributions(draw: st.DrawFn, c: int | None = None) -> np.ndarray:
    n = c or draw(st.integers(2, 6))
    raw = draw(arrays(np.float64, n, elements=st.floats(0.0, 1.0)))
    raw[0] += 1e-3
    return raw / raw.sum()


@st.composite
def logits_and_index(draw: st.DrawFn) -> tuple[np.ndarray, int]:
    c = draw(st.integers(2, 6))
    z = draw(arrays(np.float64, c, elements=st.floats(-20, 20)))
    return z, draw(st.integers(0, c - 1))


# ---- entropy and KL ----------------------------------------------------------------------
@given(st.integers(1, 50))
def test_uniform_entropy_is_ln_c(c: int) -> None:
    assert float(entropy(np.full(c, 1 / c))) == pytest.approx(math.log(c), rel=1e-12, abs=1e-15)


def test_entropy_edge_cases() -> None:
    assert float(entropy([0.0, 1.0, 0.0])) == 0.0  # 0 log 0 = 0
    np.testing.assert_allclose(
        entropy([[0.5, 0.5], [0.9, 0.1]]), [math.log(2), -(0.9 * math.log(0.9) + 0.1 * math.log(0.1))]
    )


@given(distributions())
def test_entropy_agrees_with_scipy(p: np.ndarray) -> None:
    assert float(entropy(p)) == pytest.approx(float(sp.entr(p).sum()), rel=1e-12, abs=1e-15)


@given(st.integers(2, 6).flatmap(lambda c: st.tuples(distributions(c), distributions(c))))
def test_kl_is_non_negative_and_agrees_with_scipy(pq: tuple[np.ndarray, np.ndarray]) -> None:
    p, q = pq
    kl = float(kl_divergence(p, q))
    assert kl >= 0
    assert kl == pytest.approx(float(sp.rel_entr(p, q).sum()), rel=1e-9, abs=1e-12)
    assert float(kl_divergence(p, p)) == pytest.approx(0.0, abs=1e-12)


@given(
    st.integers(2, 6).flatmap(lambda c: st.tuples(distributions(c), arrays(np.float64, c, elements=st.floats(-10, 10))))
)
def test_cross_entropy_is_entropy_plus_kl(args: tuple[np.ndarray, np.ndarray]) -> None:
    """H(y, p) = H(y) + KL(y || p): the information view the Cross-entropy page shows."""
    y, z = args
    p = sp.softmax(z)
    assert float(cross_entropy(z, y)) == pytest.approx(float(entropy(y) + kl_divergence(y, p)), rel=1e-9, abs=1e-9)


@given(
    st.integers(2, 6).flatmap(
        lambda c: st.tuples(distributions(c), arrays(np.float64, c, elements=st.floats(-10, 10)), st.floats(0.05, 10))
    )
)
def test_the_pages_information_view_is_at_the_temperature(args: tuple[np.ndarray, np.ndarray, float]) -> None:
    """The Information tab's (H(y), KL(y || p), H(y, p)) with p = softmax(z / T), against scipy."""
    y, z, t = args
    p = sp.softmax(z / t)
    h, kl, ce = information(z, y, t)
    assert h == pytest.approx(float(sp.entr(y).sum()), rel=1e-12, abs=1e-15)
    assert kl == pytest.approx(float(sp.rel_entr(y, p).sum()), rel=1e-9, abs=1e-9)
    assert ce == pytest.approx(float(-(y * sp.log_softmax(z / t)).sum()), rel=1e-9, abs=1e-12)


def test_kl_is_infinite_where_q_rules_out_what_p_allows() -> None:
    assert float(kl_divergence([0.5, 0.5], [1.0, 0.0])) == math.inf
    assert float(kl_divergence([1.0, 0.0], [0.5, 0.5])) == pytest.approx(math.log(2), rel=1e-15)


# ---- focal loss ------------------------------------------------------------------------------
@given(logits_and_index())
def test_focal_with_gamma_zero_is_cross_entropy(args: tuple[np.ndarray, int]) -> None:
    z, t = args
    assert float(focal_loss(z, t, gamma=0.0)) == pytest.approx(float(cross_entropy(z, t)), rel=1e-12, abs=1e-12)


@given(logits_and_index(), st.floats(0.0, 5.0))
def test_focal_matches_its_definition_and_never_exceeds_ce(args: tuple[np.ndarray, int], gamma: float) -> None:
    z, t = args
    p_t = float(sp.softmax(z)[t])
    expected = -((1 - p_t) ** gamma) * float(sp.log_softmax(z)[t])
    got = float(focal_loss(z, t, gamma=gamma))
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert got <= float(cross_entropy(z, t)) + 1e-12


def _finite_difference(f, z: np.ndarray, h: float = 1e-6) -> np.ndarray:  # type: ignore[no-untyped-def]
    out = np.zeros_like(z)
    for i in range(z.size):
        up, down = z.copy(), z.copy()
        up[i] += h
        down[i] -= h
        out[i] = (f(up) - f(down)) / (2 * h)
    return out


@given(
    arrays(np.float64, 4, elements=st.floats(-6, 6)),
    st.integers(0, 3),
    st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.5]),
)
def test_focal_gradient_equals_finite_differences(z: np.ndarray, t: int, gamma: float) -> None:
    numeric = _finite_difference(lambda v: float(focal_loss(v, t, gamma=gamma)), z)
    np.testing.assert_allclose(focal_loss_grad(z, t, gamma=gamma), numeric, atol=2e-6)


def test_focal_gradient_is_finite_when_certain() -> None:
    g = focal_loss_grad([50.0, -50.0], 0, gamma=0.5)  # p_t = 1 exactly in float64
    assert np.all(np.isfinite(g))


# ---- squared error -----------------------------------------------------------------------------
@given(logits_and_index())
def test_squared_error_matches_its_definition(args: tuple[np.ndarray, int]) -> None:
    z, t = args
    p = sp.softmax(z)
    y = np.eye(z.size)[t]
    assert float(squared_error(z, t)) == pytest.approx(float(((p - y) ** 2).sum()), rel=1e-12, abs=1e-15)
    assert 0.0 <= float(squared_error(z, t)) <= 2.0


@given(arrays(np.float64, 4, elements=st.floats(-6, 6)), st.integers(0, 3))
def test_squared_error_gradient_equals_finite_differences(z: np.ndarray, t: int) -> None:
    numeric = _finite_difference(lambda v: float(squared_error(v, t)), z)
    np.testing.assert_allclose(squared_error_grad(z, t), numeric, atol=1e-7)


def test_confidently_wrong_cross_entropy_keeps_learning_but_squared_error_stalls() -> None:
    z = np.array([12.0, 0.0, 0.0])  # all but certain of class 0; the truth is class 1
    ce_push = abs(float((sp.softmax(z) - np.eye(3)[1])[1]))
    se_push = abs(float(squared_error_grad(z, 1)[1]))
    assert ce_push > 0.99
    assert se_push < 1e-4


# ---- binary cross-entropy ---------------------------------------------------------------------
def test_binary_cross_entropy_by_hand() -> None:
    assert float(binary_cross_entropy([0.8], [1.0])) == pytest.approx(-math.log(0.8), rel=1e-15)
    assert float(binary_cross_entropy([0.8], [0.0])) == pytest.approx(-math.log(0.2), rel=1e-14)
    soft = float(binary_cross_entropy([0.8], [0.3]))
    assert soft == pytest.approx(-(0.3 * math.log(0.8) + 0.7 * math.log(0.2)), rel=1e-14)
    np.testing.assert_allclose(
        binary_cross_entropy([0.8, 0.4], [1.0, 0.0], reduction="none"), [-math.log(0.8), -math.log(0.6)]
    )
    assert float(binary_cross_entropy([0.8, 0.4], [1.0, 0.0], reduction="sum")) == pytest.approx(
        -math.log(0.8) - math.log(0.6), rel=1e-14
    )


def test_binary_cross_entropy_clamps_logs_at_minus_100_like_pytorch() -> None:
    assert float(binary_cross_entropy([0.0], [1.0])) == 100.0
    assert float(binary_cross_entropy([1.0], [0.0])) == 100.0
    assert float(binary_cross_entropy([1.0], [1.0])) == 0.0


@given(arrays(np.float64, 5, elements=st.floats(-30, 30)), arrays(np.float64, 5, elements=st.floats(0, 1)))
def test_with_logits_is_the_exact_binary_cross_entropy(z: np.ndarray, y: np.ndarray) -> None:
    exact = -(y * sp.log_expit(z) + (1 - y) * sp.log_expit(-z))
    np.testing.assert_allclose(binary_cross_entropy_with_logits(z, y, reduction="none"), exact, rtol=1e-12, atol=1e-14)
    if np.all(np.abs(z) <= 10):  # where 1 - sigmoid(z) is still representable to ~1e-12
        via_p = binary_cross_entropy(sp.expit(z), y, reduction="none")
        np.testing.assert_allclose(
            binary_cross_entropy_with_logits(z, y, reduction="none"), via_p, rtol=1e-9, atol=1e-12
        )


def test_with_logits_is_exact_where_sigmoid_saturates() -> None:
    np.testing.assert_array_equal(
        binary_cross_entropy_with_logits([1000.0, -1000.0], [0.0, 1.0], reduction="none"), [1000.0, 1000.0]
    )


def test_two_class_softmax_cross_entropy_is_binary_cross_entropy_of_the_difference() -> None:
    for z1, z2 in itertools.product([-3.0, 0.0, 2.5], [-1.0, 4.0]):
        assert float(cross_entropy([z1, z2], 0)) == pytest.approx(
            float(binary_cross_entropy_with_logits([z1 - z2], [1.0])), rel=1e-12
        )


# ---- error paths ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: entropy([0.5, 0.6]), "sum to 1"),
        (lambda: entropy([1.5, -0.5]), "-0.5"),
        (lambda: entropy(0.5), "class axis"),
        (lambda: kl_divergence([0.5, 0.5], [1.0]), "same shape"),
        (lambda: kl_divergence([0.5, 0.5], [0.2, 0.2]), "q must sum to 1"),
        (lambda: focal_loss([1.0, 2.0], 0, gamma=-1.0), "gamma"),
        (lambda: focal_loss([1.0, 2.0], [0.5, 0.5]), "class-index targets"),
        (lambda: focal_loss([1.0, 2.0], 0, reduction="avg"), "reduction"),
        (lambda: focal_loss_grad([1.0, float("nan")], 0), "logits"),
        (lambda: squared_error([1.0, 2.0], 2), "target"),
        (lambda: binary_cross_entropy([1.2], [1.0]), "p must be in [0, 1]"),
        (lambda: binary_cross_entropy([0.2], [float("nan")]), "y must be in [0, 1]"),
        (lambda: binary_cross_entropy([0.2, 0.3], [1.0]), "same shape"),
        (lambda: binary_cross_entropy_with_logits([float("inf")], [1.0]), "z must be finite"),
    ],
)
def test_bad_input_raises_value_error(call, words: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=re.escape(words)):
        call()
