"""The Softmax page's numbers: temperature sweeps, naive vs stable softmax, sigmoid, Jacobian."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special as sp
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from core.softmax import softmax
from core.softmax_views import (
    DTYPES,
    jacobian,
    naive_softmax,
    overflow_point,
    sigmoid,
    stability_table,
    stable_softmax,
    temperature_sweep,
)

logits = arrays(np.float64, st.integers(2, 6), elements=st.floats(-20, 20))


@given(logits)
def test_temperature_sweep_is_softmax_of_scaled_logits(z: np.ndarray) -> None:
    ts = np.array([0.01, 0.5, 1.0, 7.0, 100.0])
    np.testing.assert_allclose(
        temperature_sweep(z, ts), np.stack([sp.softmax(z / t) for t in ts]), rtol=1e-12, atol=1e-300
    )


@pytest.mark.parametrize(("dtype", "expected"), [(np.float16, 11.09), (np.float32, 88.72), (np.float64, 709.78)])
def test_overflow_points(dtype: type[np.floating], expected: float) -> None:
    assert overflow_point(dtype) == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize("dtype", DTYPES)
def test_naive_breaks_exactly_past_the_overflow_point(dtype: type[np.floating]) -> None:
    edge = overflow_point(dtype)
    below = np.array([edge * 0.98, edge * 0.98 - 1.0])
    above = np.array([edge * 1.02 + 1.0, edge * 1.02])
    assert np.all(np.isfinite(naive_softmax(below, dtype)))
    assert not np.all(np.isfinite(naive_softmax(above, dtype)))
    for z in (below, above):
        stable = stable_softmax(z, dtype)
        assert np.all(np.isfinite(stable))
        np.testing.assert_allclose(stable, softmax(z), atol=8 * float(np.finfo(dtype).eps))


def test_stability_table_rows() -> None:
    rows = stability_table([100.0, 99.0, 0.0])
    assert [r.dtype for r in rows] == ["float16", "float32", "float64"]
    assert [r.naive_broke for r in rows] == [True, True, False]
    for r in rows:
        assert all(math.isfinite(v) for v in r.stable)
        assert sum(r.stable) == pytest.approx(1.0, abs=1e-3)
    with pytest.raises(ValueError, match="one row"):
        stability_table([[1.0, 2.0]])


@given(st.floats(-700, 700), st.floats(-700, 700))
def test_two_class_softmax_is_the_sigmoid_of_the_difference(z1: float, z2: float) -> None:
    assert float(softmax([z1, z2])[0]) == pytest.approx(float(sigmoid(z1 - z2)), rel=1e-12, abs=1e-300)
    assert float(sigmoid(z1 - z2)) == pytest.approx(float(sp.expit(z1 - z2)), rel=1e-12, abs=1e-300)


@given(logits)
def test_jacobian_is_the_derivative_of_softmax(z: np.ndarray) -> None:
    j = jacobian(softmax(z))
    np.testing.assert_allclose(j, j.T, atol=1e-15)
    np.testing.assert_allclose(j.sum(axis=1), 0.0, atol=1e-15)
    h = 1e-6
    numeric = np.stack([(softmax(z + h * e) - softmax(z - h * e)) / (2 * h) for e in np.eye(z.size)], axis=1)
    np.testing.assert_allclose(j, numeric, atol=1e-8)
    assert float(np.max(np.diag(j))) <= 0.25 + 1e-15


def test_jacobian_rejects_a_batch() -> None:
    with pytest.raises(ValueError, match="one distribution"):
        jacobian([[0.5, 0.5]])
