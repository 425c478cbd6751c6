"""core.simplex: which three classes the triangle shows, and the points it draws."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import softmax as sp_softmax

from core.simplex import contour_levels, corners, pick_three, simplex_page, simplex_view
from core.softmax_views import TEMPERATURES


def test_pick_three_puts_the_true_class_first_and_fills_with_the_most_probable() -> None:
    p = [0.05, 0.4, 0.1, 0.3, 0.15]
    assert pick_three(p, 2) == (2, 1, 3)
    assert pick_three(p, 2, wanted=[4]) == (2, 4, 1)
    assert pick_three(p, 2, wanted=[2, 2, 0, 0, 9, -1]) == (2, 0, 1)  # invalid and repeated ones skipped
    assert pick_three([0.2, 0.3, 0.5], 1) == (1, 2, 0)
    with pytest.raises(ValueError, match="probs"):
        pick_three([0.5, 0.5], 0)
    with pytest.raises(ValueError, match="target"):
        pick_three([0.2, 0.3, 0.5], 3)


def test_three_classes_show_softmax_itself() -> None:
    z = [2.0, 1.0, 0.1]
    view = simplex_view(z, 1, temperature=0.7)
    assert view.classes == (1, 0, 2)
    np.testing.assert_allclose(view.now, sp_softmax(np.array(z) / 0.7)[[1, 0, 2]], atol=1e-15)
    assert view.rest == 0
    assert view.loss_shown == pytest.approx(-math.log(sp_softmax(np.array(z) / 0.7)[1]))
    assert view.loss_full == pytest.approx(view.loss_shown)


def test_more_classes_are_rescaled_and_the_full_loss_is_reported() -> None:
    z = np.array([2.0, 1.0, 0.1, 0.5, -1.0])
    p = sp_softmax(z)
    view = simplex_view(z, 0, wanted=[3, 1])
    assert view.classes == (0, 3, 1)
    share = p[[0, 3, 1]].sum()
    np.testing.assert_allclose(view.now, p[[0, 3, 1]] / share, atol=1e-15)  # rescaled ...
    np.testing.assert_allclose(view.now, sp_softmax(z[[0, 3, 1]]), atol=1e-15)  # ... = softmax of the three
    assert view.rest == pytest.approx(1 - share)
    assert view.loss_full == pytest.approx(-math.log(p[0]), rel=1e-12)
    assert view.loss_full > view.loss_shown


def test_paths_run_from_a_corner_to_the_centre_and_towards_the_true_corner() -> None:
    view = simplex_view([0.5, 2.0, -1.0], 0, lr=1.0, steps=40)
    cold, hot = view.temperature_path[0], view.temperature_path[-1]
    assert TEMPERATURES[0] == pytest.approx(0.01)
    assert TEMPERATURES[-1] == pytest.approx(100)
    assert cold[1] > 0.999  # T = 0.01: the largest logit's corner (class 1, shown second)
    np.testing.assert_allclose(hot, 1 / 3, atol=0.01)  # T = 100: nearly uniform
    np.testing.assert_allclose(view.temperature_path.sum(axis=1), 1.0, atol=1e-12)
    at_one = int(np.argmin(np.abs(TEMPERATURES - 1.0)))
    np.testing.assert_allclose(view.temperature_path[at_one], view.now, atol=1e-12)
    np.testing.assert_allclose(view.descent_path[0], view.now, atol=1e-12)
    assert np.all(np.diff(view.descent_path[:, 0]) > 0)  # every step raises p(true)
    assert view.descent_path.shape == (41, 3)
    assert np.all(np.diff(view.descent_losses) < 0)


def test_minus_infinity_logits_stay_on_the_edge() -> None:
    view = simplex_view([1.0, float("-inf"), 0.0], 0)
    assert view.classes == (0, 2, 1)
    assert view.now[2] == 0
    assert np.all(np.isfinite(view.descent_path))
    assert math.isfinite(view.loss_full)


# ---- the Simplex page's numbers --------------------------------------------------------------------
@pytest.mark.parametrize("unit", ["nats", "bits"])
def test_simplex_page_uses_the_examples_temperature_and_unit(unit: str) -> None:
    z, t = np.array([2.0, 1.0, 0.1, 0.5, -1.0]), 2.0
    page = simplex_page(z, 1, temperature=t, unit=unit, wanted=[0, 3])
    per = 1.0 if unit == "nats" else math.log(2)
    p = sp_softmax(z / t)
    assert page.view.classes == (1, 0, 3)
    assert page.hidden == (2, 4)
    assert page.rest_percent == pytest.approx(100 * (p[2] + p[4]), rel=1e-12)
    assert page.loss_full == pytest.approx(-math.log(p[1]) / per, rel=1e-12)
    shown = sp_softmax(z[[1, 0, 3]] / t)
    np.testing.assert_allclose(page.view.now, shown, atol=1e-15)
    assert page.loss_shown == pytest.approx(-math.log(shown[0]) / per, rel=1e-12)
    # the descent path's losses are -log p(true) of its own points, in the unit
    np.testing.assert_allclose(page.descent_losses, -np.log(page.view.descent_path[:, 0]) / per, rtol=1e-9)


@pytest.mark.parametrize("unit", ["nats", "bits"])
def test_contours_sit_where_the_loss_equals_their_level(unit: str) -> None:
    page = simplex_page([2.0, 1.0, 0.1], 1, temperature=1.0, unit=unit)
    base = math.e if unit == "nats" else 2.0
    assert page.levels == contour_levels(unit)
    np.testing.assert_allclose(page.level_p, [base**-level for level in page.levels], rtol=1e-12)
    # bands tile the triangle from the top corner (loss 0, p = 1) to the bottom edge (loss ∞, p = 0)
    assert page.bands[0].lo == 0
    assert page.bands[0].p_hi == 1
    assert page.bands[-1].hi == math.inf
    assert page.bands[-1].p_lo == 0
    for upper, lower in zip(page.bands, page.bands[1:], strict=False):
        assert upper.hi == lower.lo
        assert upper.p_lo == lower.p_hi
    for band in page.bands[:-1]:
        assert band.p_lo == pytest.approx(base**-band.hi, rel=1e-12)
    assert [page.temperatures[i] for i in page.marks] == pytest.approx([0.1, 1.0, 10.0])


def test_corners_follow_the_probabilities_at_the_examples_temperature() -> None:
    z = [0.0, 1.0, 1.2, 3.0]  # at T = 1 class 3 is far ahead; class 2 is second
    assert corners(z, 0, temperature=1.0) == (0, 3, 2)
    assert corners(z, 0, temperature=1.0, wanted=[1]) == (0, 1, 3)
