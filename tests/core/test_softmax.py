"""softmax, log_softmax, logsumexp: exactness, stability, properties, error paths."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special as sp
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from core.softmax import log_softmax, logsumexp, softmax, softmax_with_log

EPS = np.finfo(np.float64).eps
finite = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False, allow_infinity=False)
logit_arrays = arrays(np.float64, array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6), elements=finite)
wide = st.floats(min_value=-1e300, max_value=1e300, allow_nan=False, allow_infinity=False)


# ---- agreement with scipy.special -------------------------------------------------
@given(logit_arrays)
def test_agrees_with_scipy(z: np.ndarray) -> None:
    np.testing.assert_allclose(softmax(z), sp.softmax(z, axis=-1), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(log_softmax(z), sp.log_softmax(z, axis=-1), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(logsumexp(z), sp.logsumexp(z, axis=-1), rtol=1e-12, atol=1e-12)


@given(logit_arrays, st.floats(min_value=0.05, max_value=20))
def test_temperature_is_division_of_the_logits(z: np.ndarray, t: float) -> None:
    # z / T carries a rounding error of about |z / T| * eps, which exp turns into that relative error:
    # the tolerance follows it (|z| = 833 at T = 0.05 differed by 1.1e-12 between the two orders)
    rtol = max(1e-12, 8 * np.finfo(np.float64).eps * float(np.max(np.abs(z))) / t)
    np.testing.assert_allclose(softmax(z, temperature=t), sp.softmax(z / t, axis=-1), rtol=rtol, atol=1e-300)
    np.testing.assert_allclose(log_softmax(z, temperature=t), sp.log_softmax(z / t, axis=-1), rtol=1e-11, atol=1e-11)


def test_axis_argument() -> None:
    z = np.arange(12.0).reshape(3, 4) / 3
    np.testing.assert_allclose(softmax(z, axis=0), sp.softmax(z, axis=0), rtol=1e-12)
    np.testing.assert_allclose(log_softmax(z, axis=0), sp.log_softmax(z, axis=0), rtol=1e-12)
    np.testing.assert_allclose(logsumexp(z, axis=0), sp.logsumexp(z, axis=0), rtol=1e-12)


# ---- properties ---------------------------------------------------------------------
@given(logit_arrays)
def test_rows_sum_to_one_and_lie_in_unit_interval(z: np.ndarray) -> None:
    p = softmax(z)
    assert np.all((p >= 0) & (p <= 1))
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, atol=8 * z.shape[-1] * EPS)


@given(logit_arrays, st.floats(min_value=-1e3, max_value=1e3))
def test_shift_invariance(z: np.ndarray, c: float) -> None:
    np.testing.assert_allclose(softmax(z + c), softmax(z), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(logsumexp(z + c), logsumexp(z) + c, rtol=1e-12, atol=1e-9)


@given(st.integers(min_value=1, max_value=50), st.floats(min_value=-1e6, max_value=1e6))
def test_uniform_logits_give_uniform_probabilities(c: int, value: float) -> None:
    z = np.full(c, value)
    np.testing.assert_allclose(softmax(z), 1.0 / c, rtol=4 * EPS)
    np.testing.assert_allclose(log_softmax(z), -math.log(c), rtol=4 * EPS)


@given(arrays(np.float64, st.integers(min_value=1, max_value=8), elements=wide))
def test_any_finite_input_stays_finite(z: np.ndarray) -> None:
    assert np.all(np.isfinite(softmax(z)))
    assert np.all(np.isfinite(logsumexp(z)))
    assert not np.any(np.isnan(log_softmax(z)))


@given(logit_arrays)
def test_log_softmax_is_log_of_softmax_where_representable(z: np.ndarray) -> None:
    p = softmax(z)
    ok = p > 1e-300
    np.testing.assert_allclose(log_softmax(z)[ok], np.log(p[ok]), rtol=1e-12, atol=1e-12)


# ---- stability at the extremes ------------------------------------------------------
def test_extreme_logits_are_exact() -> None:
    z = [1e4, -1e4, 0.0]
    np.testing.assert_array_equal(softmax(z), [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(log_softmax(z), [0.0, -2e4, -1e4])
    assert float(logsumexp(z)) == 1e4
    # the naive formula overflows here; ours does not
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.exp(z) / np.exp(z).sum()
    assert np.isnan(naive).any()


def test_log_softmax_beats_log_of_softmax() -> None:
    z = [0.0, -800.0]
    assert log_softmax(z)[1] == -800.0
    with np.errstate(divide="ignore"):
        assert np.log(softmax(z))[1] == -np.inf


def test_minus_infinity_logits_get_probability_zero() -> None:
    z = [1.0, -np.inf, 0.0]
    p = softmax(z)
    assert p[1] == 0.0
    np.testing.assert_allclose(p[[0, 2]], sp.softmax([1.0, 0.0]), rtol=1e-15)
    assert log_softmax(z)[1] == -np.inf
    np.testing.assert_allclose(logsumexp(z), math.log(math.e + 1), rtol=1e-15)


def test_tiny_temperature_reaches_the_argmax() -> None:
    np.testing.assert_array_equal(softmax([2.0, 1.0, 0.1], temperature=1e-6), [1.0, 0.0, 0.0])
    # ties share the mass equally in the limit
    np.testing.assert_array_equal(softmax([3.0, 3.0, -1.0], temperature=1e-6), [0.5, 0.5, 0.0])


def test_huge_temperature_tends_to_uniform() -> None:
    np.testing.assert_allclose(softmax([2.0, 1.0, 0.1], temperature=1e9), 1 / 3, rtol=1e-8)


def test_huge_logits_with_small_temperature_do_not_overflow() -> None:
    p = softmax([1e308, -1e308, 0.0], temperature=0.05)
    np.testing.assert_array_equal(p, [1.0, 0.0, 0.0])


# ---- error paths ----------------------------------------------------------------------
@pytest.mark.parametrize("fn", [softmax, log_softmax, logsumexp])
@pytest.mark.parametrize(
    ("z", "words"),
    [
        ([1.0, float("nan"), 0.0], ["logits", "nan", "(1,)"]),
        ([1.0, float("inf")], ["logits", "inf", "(1,)"]),
        ([[0.0, 1.0], [-np.inf, -np.inf]], ["logits", "row (1,)", "all -inf"]),
        (3.0, ["logits", "class axis", "3.0"]),
        (np.zeros((2, 0)), ["logits", "at least one class"]),
        (["a", "b"], ["logits", "real numbers"]),
    ],
)
def test_bad_logits_raise_value_error_naming_them(fn, z, words: list[str]) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="logits") as info:
        fn(z)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize("t", [0.0, -1.0, float("nan"), float("inf"), "hot"])
@pytest.mark.parametrize("fn", [softmax, log_softmax])
def test_bad_temperature_raises(fn, t) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="temperature") as info:
        fn([1.0, 2.0], temperature=t)
    assert repr(t) in str(info.value)


@given(
    arrays(np.float64, array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=6), elements=st.floats(-1e4, 1e4)),
    st.sampled_from([0.05, 0.5, 1.0, 3.0, 10.0]),
)
def test_softmax_with_log_gives_exactly_softmax_and_log_softmax(z: np.ndarray, t: float) -> None:
    """The descent loop and the live path take both from one pass: the same bits as the two functions."""
    p, log_p = softmax_with_log(z, temperature=t)
    assert np.array_equal(p, softmax(z, temperature=t))
    assert np.array_equal(log_p, log_softmax(z, temperature=t))
    rtol = max(1e-12, 8 * np.finfo(np.float64).eps * float(np.max(np.abs(z))) / t)  # z / T's rounding, as above
    np.testing.assert_allclose(p, sp.softmax(z / t, axis=-1), rtol=rtol, atol=1e-300)
