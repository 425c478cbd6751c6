"""The Simplex page in AppTest: deep links, the true class, more than three classes, bad parameters."""

from __future__ import annotations

import math

import pytest
from scipy.special import softmax as sp_softmax

from tests.app.support import metric, open_page, plain, url

PAGE = "app_pages/simplex.py"


def shown_loss(at: object) -> float:
    label = "Loss on the triangle"
    return float(metric(at, label).split()[0])  # type: ignore[arg-type]


def test_defaults_render_without_warnings() -> None:
    at = open_page(PAGE)
    assert not at.warning
    assert shown_loss(at) == pytest.approx(-math.log(sp_softmax([2.0, 1.0, 0.1])[1]), abs=5e-5)
    assert not at.selectbox  # three classes: no corners to choose
    assert url(at)["sx_lr"] == "1"
    assert url(at)["sx_steps"] == "30"


def test_true_class_and_unit_move_the_contours() -> None:
    at = open_page(PAGE)
    at.segmented_control(key="target").set_value(0).run()
    assert shown_loss(at) == pytest.approx(-math.log(sp_softmax([2.0, 1.0, 0.1])[0]), abs=5e-5)
    assert url(at)["target"] == "cat"
    at.segmented_control(key="unit").set_value("bits").run()
    assert shown_loss(at) == pytest.approx(-math.log2(sp_softmax([2.0, 1.0, 0.1])[0]), abs=5e-5)
    at.select_slider(key="sx_lr").set_value(0.1).run()
    at.slider(key="sx_steps").set_value(80).run()
    assert url(at)["sx_steps"] == "80"
    assert not at.exception


def test_more_than_three_classes_pick_two_corners_and_say_how_the_rest_is_handled() -> None:
    z = [2.0, 1.0, 0.1, 0.5, -1.0]
    at = open_page(PAGE, {"classes": "cat,dog,rabbit,fox,owl", "logits": "2,1,0.1,0.5,-1", "target": "cat"})
    assert [s.label for s in at.selectbox] == ["Second corner", "Third corner"]
    assert (at.selectbox(key="sx_b").value, at.selectbox(key="sx_c").value) == (1, 3)  # the most probable others
    p = sp_softmax(z)
    info = plain(at.info[0].value)
    assert "rabbit, owl" in info
    assert f"{100 * (p[2] + p[4]):.2f}%" in info
    assert f"{-math.log(p[0]):.4f} nats" in info  # the full loss
    at.selectbox(key="sx_c").set_value(4).run()
    assert url(at)["sx_c"] == "4"
    shown = sp_softmax([z[0], z[1], z[4]])[0]
    assert shown_loss(at) == pytest.approx(-math.log(shown), abs=5e-5)
    at.selectbox(key="sx_b").set_value(4).run()  # the same class twice: the other corner moves on
    assert at.selectbox(key="sx_b").value == 4
    assert at.selectbox(key="sx_c").value != 4
    assert not at.exception


@pytest.mark.parametrize(("param", "value"), [("sx_lr", "-1"), ("sx_steps", "0"), ("sx_b", "x"), ("sx_c", "99")])
def test_bad_page_parameters_are_named_and_replaced(param: str, value: str) -> None:
    at = open_page(PAGE, {param: value})
    assert any(f"'{param}'" in plain(w.value) for w in at.warning)
    assert not at.exception
