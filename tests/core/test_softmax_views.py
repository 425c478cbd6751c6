"""The Softmax page's numbers: temperature sweeps, naive vs stable softmax, sigmoid, Jacobian; every tab at T."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special as sp
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from core.scenario import Scenario
from core.softmax import softmax
from core.softmax_views import (
    DTYPES,
    jacobian,
    jacobian_tab,
    naive_softmax,
    overflow_point,
    shift_scale_tab,
    sigmoid,
    stability_tab,
    stability_table,
    stable_softmax,
    temperature_sweep,
    temperature_tab,
    two_classes_tab,
)
from core.text import temperature_rule

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


# ---- the page's tabs, all at the example's T -----------------------------------------------------
T2 = Scenario(temperature=2.0)
"""The default example (cat, dog, rabbit; logits 2, 1, 0.1; true class dog) at T = 2."""


def entropy_in(p: np.ndarray, unit: str) -> float:
    nats = float(sp.entr(p).sum())
    return nats / math.log(2) if unit == "bits" else nats


def test_temperature_rule_states_t() -> None:
    assert temperature_rule(2.0) == "With T = 2: p = softmax(z / 2)."
    assert temperature_rule(0.35) == "With T = 0.35: p = softmax(z / 0.35)."
    assert temperature_rule(1.0) == "T = 1: p = softmax(z)."


def test_temperature_tab_uses_the_example_t() -> None:
    tab = temperature_tab(T2)
    z = np.array(T2.logits)
    assert tab.temperature == 2.0
    np.testing.assert_allclose(tab.probs, sp.softmax(z / 2.0), rtol=1e-12)
    assert float(tab.probs[1]) == pytest.approx(0.3043, abs=5e-5)  # p(dog) at T = 2, not 0.2424
    np.testing.assert_allclose(tab.sweep, np.stack([sp.softmax(z / t) for t in tab.temperatures]), rtol=1e-12)
    assert tab.temperatures[0] == pytest.approx(0.01)
    assert tab.temperatures[-1] == pytest.approx(100.0)
    np.testing.assert_allclose(tab.cold, sp.softmax(z / 0.01), atol=1e-300)
    np.testing.assert_allclose(tab.hot, sp.softmax(z / 100.0), rtol=1e-12)
    assert tab.top == (0,)


@pytest.mark.parametrize("unit", ["nats", "bits"])
def test_temperature_tab_entropy_is_in_the_example_unit(unit: str) -> None:
    sc = Scenario(temperature=2.0, unit=unit)  # type: ignore[arg-type]
    tab = temperature_tab(sc)
    p = sp.softmax(np.array(sc.logits) / 2.0)
    assert tab.unit == unit
    assert tab.entropy == pytest.approx(entropy_in(p, unit), rel=1e-12)
    assert tab.max_entropy == pytest.approx(math.log(3) if unit == "nats" else math.log2(3), rel=1e-12)


@pytest.mark.parametrize("unit", ["nats", "bits"])
def test_shift_and_scale_at_t(unit: str) -> None:
    sc = Scenario(temperature=2.0, unit=unit)  # type: ignore[arg-type]
    z = np.array(sc.logits)
    tab = shift_scale_tab(sc, shift=5.0, scale=3.0)
    np.testing.assert_allclose(tab.probs, sp.softmax(z / 2.0), rtol=1e-12)
    np.testing.assert_allclose(tab.shifted, sp.softmax((z + 5.0) / 2.0), rtol=1e-12)
    np.testing.assert_allclose(tab.scaled, sp.softmax(3.0 * z / 2.0), rtol=1e-12)
    assert tab.largest_change <= 4 * np.finfo(np.float64).eps
    assert tab.effective_temperature == pytest.approx(2.0 / 3.0)
    assert tab.entropy == pytest.approx(entropy_in(sp.softmax(z / 2.0), unit), rel=1e-12)
    assert tab.scaled_entropy == pytest.approx(entropy_in(sp.softmax(1.5 * z), unit), rel=1e-12)
    with pytest.raises(ValueError, match="scale"):
        shift_scale_tab(sc, shift=0.0, scale=0.0)


def test_stability_tab_works_on_what_the_softmax_sees() -> None:
    tab = stability_tab(T2, largest=100.0)
    np.testing.assert_allclose(tab.logits, [100.0, 99.0, 98.1])
    np.testing.assert_allclose(tab.seen, [50.0, 49.5, 49.05])  # z / T
    by_dtype = {r.dtype: r for r in tab.rows}
    assert by_dtype["float16"].naive_broke  # e^50 overflows float16
    assert not by_dtype["float32"].naive_broke  # e^50 does not overflow float32 (e^100 would)
    np.testing.assert_allclose(by_dtype["float64"].stable, sp.softmax(np.array([50.0, 49.5, 49.05])), rtol=1e-12)
    # at T = 1 the same setting overflows float32 too
    assert stability_tab(Scenario(), largest=100.0).rows[1].naive_broke


@given(st.floats(-50, 50), st.floats(-50, 50), st.sampled_from([0.05, 0.5, 1.0, 2.0, 10.0]))
def test_two_classes_is_the_sigmoid_of_the_difference_over_t(z1: float, z2: float, t: float) -> None:
    sc = Scenario(classes=("a", "b"), logits=(z1, z2), target=0, temperature=t)
    tab = two_classes_tab(sc, 0, 1)
    assert tab.x == pytest.approx((z1 - z2) / t)
    assert tab.p == pytest.approx(float(sp.expit((z1 - z2) / t)), rel=1e-12, abs=1e-300)
    assert tab.p == pytest.approx(float(sp.softmax(np.array([z1, z2]) / t)[0]), rel=1e-12, abs=1e-300)


def test_two_classes_at_t2_and_its_curve() -> None:
    tab = two_classes_tab(T2, 0, 1)  # cat vs dog: σ((2 − 1) / 2)
    assert tab.p == pytest.approx(float(sp.expit(0.5)), rel=1e-12)
    np.testing.assert_allclose(tab.curve_y, sp.expit(tab.curve_x), rtol=1e-12)
    np.testing.assert_allclose(tab.marks_y, [sp.softmax([x, 0.0])[0] for x in tab.marks_x], rtol=1e-12)
    with pytest.raises(ValueError, match="two different"):
        two_classes_tab(T2, 1, 1)


@given(logits, st.sampled_from([0.05, 0.5, 2.0, 10.0]))
def test_jacobian_at_t_is_the_derivative_of_softmax_z_over_t(z: np.ndarray, t: float) -> None:
    j = jacobian(sp.softmax(z / t), temperature=t)
    h = 1e-6
    numeric = np.stack([(sp.softmax((z + h * e) / t) - sp.softmax((z - h * e) / t)) / (2 * h) for e in np.eye(z.size)])
    np.testing.assert_allclose(j, numeric.T, atol=1e-7)
    assert float(np.max(j)) <= 0.25 / t + 1e-15


def test_jacobian_tab_at_t2() -> None:
    tab = jacobian_tab(T2)
    p = sp.softmax(np.array(T2.logits) / 2.0)
    np.testing.assert_allclose(tab.matrix, (np.diag(p) - np.outer(p, p)) / 2.0, rtol=1e-12, atol=1e-17)
    assert tab.bound == 0.125
    assert tab.largest == 0
    assert tab.largest_value == pytest.approx(p[0] * (1 - p[0]) / 2.0, rel=1e-12)
