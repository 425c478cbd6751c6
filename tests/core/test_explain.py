"""evaluate(): the Playground's worked example, checked against independent formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special as sp
from hypothesis import given
from hypothesis import strategies as st

from core.explain import evaluate, loss_curve_points
from core.presets import PRESETS, apply_preset
from core.scenario import DEFAULT, Scenario
from core.units import in_unit


@given(
    st.lists(st.floats(-50, 50), min_size=2, max_size=10).flatmap(
        lambda zs: st.tuples(st.just(zs), st.integers(0, len(zs) - 1), st.floats(0.05, 10))
    )
)
def test_steps_agree_with_scipy(args) -> None:  # type: ignore[no-untyped-def]
    zs, target, t = args
    sc = Scenario(tuple(f"c{i}" for i in range(len(zs))), tuple(zs), target, t)
    ev = evaluate(sc)
    z = np.array(zs) / t
    np.testing.assert_allclose(ev.scaled, z, rtol=1e-15)
    np.testing.assert_allclose(ev.probs, sp.softmax(z), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(ev.exps / ev.total, ev.probs, rtol=1e-12, atol=1e-300)
    assert ev.exps.max() == 1.0
    assert ev.loss == pytest.approx(-sp.log_softmax(z)[target], rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(ev.surprise, -sp.log_softmax(z), rtol=1e-12, atol=1e-12)
    assert ev.predicted == int(np.argmax(z))


@given(st.lists(st.floats(-8, 8), min_size=2, max_size=6), st.floats(0.1, 5))
def test_gradient_with_temperature_is_finite_difference_of_the_loss(zs: list[float], t: float) -> None:
    sc = Scenario(tuple(f"c{i}" for i in range(len(zs))), tuple(zs), 0, t)
    grad = evaluate(sc).grad
    h = 1e-6
    for i in range(len(zs)):
        up = evaluate(sc.with_logit(i, zs[i] + h)).loss
        down = evaluate(sc.with_logit(i, zs[i] - h)).loss
        assert grad[i] == pytest.approx((up - down) / (2 * h), abs=2e-6 / t)


def test_huge_logits_and_small_temperature_stay_exact() -> None:
    sc = Scenario(logits=(1e308, -1e308, 0.0), target=1, temperature=0.05)
    ev = evaluate(sc)
    np.testing.assert_array_equal(ev.probs, [1.0, 0.0, 0.0])
    assert ev.loss == math.inf
    assert not np.isnan(ev.grad).any()


def test_units() -> None:
    assert in_unit(math.log(2), "bits") == pytest.approx(1.0, rel=1e-15)
    assert in_unit(1.5, "nats") == 1.5
    with pytest.raises(ValueError, match="hartleys"):
        in_unit(1.0, "hartleys")


def test_presets_give_the_documented_situations() -> None:
    article = evaluate(apply_preset("The article's example", DEFAULT))
    np.testing.assert_allclose(article.probs, [0.7, 0.2, 0.1], rtol=1e-14)
    assert article.loss == pytest.approx(-math.log(0.2), rel=1e-14)
    right = evaluate(apply_preset("Confident and right", DEFAULT))
    assert right.predicted == DEFAULT.target
    assert right.p_true > 0.98
    wrong = evaluate(apply_preset("Confident and wrong", DEFAULT))
    assert wrong.predicted != DEFAULT.target
    assert wrong.p_true < 0.01
    unsure = evaluate(apply_preset("Unsure (all equal)", DEFAULT.with_class_added()))
    assert unsure.loss == pytest.approx(math.log(4), rel=1e-14)
    assert set(PRESETS) == {"The article's example", "Confident and right", "Confident and wrong", "Unsure (all equal)"}
    with pytest.raises(ValueError, match="unknown preset"):
        apply_preset("nope", DEFAULT)


@given(
    st.lists(st.floats(-50, 50), min_size=2, max_size=10).flatmap(
        lambda zs: st.tuples(st.just(zs), st.integers(0, len(zs) - 1), st.floats(0.05, 10))
    ),
    st.sampled_from(["nats", "bits"]),
)
def test_numbers_in_the_pages_unit_agree_with_scipy(args, unit: str) -> None:  # type: ignore[no-untyped-def]
    zs, target, t = args
    sc = Scenario(tuple(f"c{i}" for i in range(len(zs))), tuple(zs), target, t, unit)  # type: ignore[arg-type]
    ev = evaluate(sc)
    log_p = sp.log_softmax(np.array(zs) / t)
    per = {"nats": 1.0, "bits": math.log(2)}
    other = "bits" if unit == "nats" else "nats"
    assert (ev.unit, ev.other_unit) == (unit, other)
    assert ev.loss_in_unit == pytest.approx(-log_p[target] / per[unit], rel=1e-12, abs=1e-12)
    assert ev.loss_in_other_unit == pytest.approx(-log_p[target] / per[other], rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(ev.surprise_in_unit, -log_p / per[unit], rtol=1e-12, atol=1e-12)
    assert ev.prob_total == pytest.approx(1.0, abs=1e-12)
    assert ev.curve.unit == unit
    assert ev.curve.p_now == pytest.approx(float(np.exp(log_p[target])), rel=1e-12, abs=1e-300)
    assert ev.curve.loss_now == pytest.approx(-log_p[target] / per[unit], rel=1e-12, abs=1e-12)


def test_at_t_2_p_dog_is_softmax_of_z_over_2() -> None:
    """Issue 11's example: logits (2, 1, 0.1), T = 2: p(dog) = softmax([1, 0.5, 0.05])[1] = 0.3043."""
    ev = evaluate(Scenario(logits=(2.0, 1.0, 0.1), target=1, temperature=2.0))
    assert ev.p_true == pytest.approx(sp.softmax([1.0, 0.5, 0.05])[1], rel=1e-12)
    assert round(ev.p_true, 4) == 0.3043
    np.testing.assert_allclose(ev.grad, (sp.softmax([1.0, 0.5, 0.05]) - [0, 1, 0]) / 2, rtol=1e-12)


@pytest.mark.parametrize(("unit", "base"), [("nats", math.e), ("bits", 2.0)])
def test_loss_curve_points_are_minus_log_p_over_the_grid(unit: str, base: float) -> None:
    curve = loss_curve_points(0.25, math.log(4), unit)
    assert curve.p[0] == pytest.approx(1e-4)
    assert curve.p[-1] == 1.0
    assert np.all(np.diff(curve.p) > 0)
    np.testing.assert_allclose(curve.loss, [-math.log(p, base) for p in curve.p], rtol=1e-12, atol=1e-15)
    assert curve.loss_now == pytest.approx(-math.log(0.25, base), rel=1e-12)
    assert curve.reference == pytest.approx(-math.log(0.01, base), rel=1e-12)
    with pytest.raises(ValueError, match="read-only"):
        curve.loss[0] = 0.0  # shared between calls: read-only


def test_the_loss_curve_takes_the_loss_log_softmax_gives_where_p_underflows() -> None:
    ev = evaluate(Scenario(logits=(0.0, -800.0, 0.0), target=1))
    assert ev.p_true == 0.0
    assert ev.curve.loss_now == pytest.approx(800 + math.log(2), rel=1e-12)
    assert ev.curve.loss_now == ev.loss_in_unit
