"""The Simplex page in AppTest: deep links, the true class, more than three classes, bad parameters."""

from __future__ import annotations

import math

import pytest
from scipy.special import softmax as sp_softmax
from streamlit.testing.v1 import AppTest

from tests.app.support import html_text, metric, open_page, panel_part, plain, url

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


def simplex_spec(at: AppTest) -> dict:
    return panel_part(at, "sx_simplex")["spec"]


def contours(at: AppTest) -> list[dict]:
    """The contour lines (a loss level each), as drawn."""
    return [t for t in simplex_spec(at)["data"] if t.get("mode") == "lines+text"]


def test_true_class_and_unit_move_the_contours() -> None:
    at = open_page(PAGE)
    before = contours(at)
    assert before[0]["a"] == pytest.approx([math.exp(-0.1)] * 2, abs=1e-6)  # 0.1 nats: p(true) = e^-0.1
    assert "dog" in simplex_spec(at)["layout"]["ternary"]["aaxis"]["title"]["text"]
    at.segmented_control(key="target").set_value(0).run()
    assert shown_loss(at) == pytest.approx(-math.log(sp_softmax([2.0, 1.0, 0.1])[0]), abs=5e-5)
    assert url(at)["target"] == "cat"
    # the true class's corner is the contours' top: the lines now run across the cat corner's triangle
    assert "cat" in simplex_spec(at)["layout"]["ternary"]["aaxis"]["title"]["text"]
    now = next(t for t in simplex_spec(at)["data"] if t.get("name") == "now")
    assert now["a"][0] == pytest.approx(sp_softmax([2.0, 1.0, 0.1])[0], abs=1e-6)
    at.segmented_control(key="unit").set_value("bits").run()
    assert shown_loss(at) == pytest.approx(-math.log2(sp_softmax([2.0, 1.0, 0.1])[0]), abs=5e-5)
    after = contours(at)
    assert after[0]["a"] != before[0]["a"]  # the contours moved
    assert len(after) == 7  # 0.25, 0.5, 1, 2, 3, 5, 8 bits; labelled where the triangle has room (p = 2^-L at
    # most 0.7) and 0.08 apart in p: 1 bit (0.5), 2 (0.25), 3 (0.125), 5 (0.031), not 8 (0.0039, 0.027 below 5)
    assert [c["text"][0] for c in after if c["text"][0]] == ["1 bits", "2 bits", "3 bits", "5 bits"]
    for line, level in zip(after, (0.25, 0.5, 1, 2, 3, 5, 8), strict=True):
        assert line["a"] == pytest.approx([2**-level] * 2, abs=1e-6)  # L bits at p(true) = 2^-L
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
    info = html_text(panel_part(at, "sx_hidden")["html"])
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


def test_the_page_states_its_temperature_and_uses_it() -> None:
    at = open_page(PAGE, {"temperature": "2"})
    assert any(
        "With T = 2: p = softmax(z / 2). The point and the gradient steps use it." in plain(c.value) for c in at.caption
    )
    p = sp_softmax([1.0, 0.5, 0.05])  # z / 2
    assert shown_loss(at) == pytest.approx(-math.log(p[1]), abs=5e-5)
    assert f"p(dog) = {p[1]:.4f}" in html_text(panel_part(at, "sx_probs")["html"])


@pytest.mark.parametrize("name", ["t-rex", "*a*<b>"])
def test_a_corner_warning_shows_the_class_name_once_and_literally(name: str) -> None:
    classes = f"cat,dog,rabbit,{name},owl"
    at = open_page(PAGE, {"classes": classes, "logits": "0,1,0.1,3,-1", "target": "cat", "sx_b": "0"})
    (warning,) = [plain(w.value) for w in at.warning if "'sx_b'" in plain(w.value)]
    assert f"showing {name} instead." in warning  # escaped once by the frame: the reader sees the name
    assert warning.count(name) == 1
    # the corner pickers are plain-text selectboxes: their options are the names as they are
    assert name in at.selectbox(key="sx_b").options


def test_two_classes_explain_the_triangle_and_offer_a_third() -> None:
    """With two classes (allowed everywhere, Edit classes can remove down to two) the page explains
    instead of failing, and one click adds a third class and draws the triangle."""
    at = open_page(PAGE, {"classes": "cat,dog", "logits": "2,1", "target": "dog"})
    assert not at.exception
    assert any("needs three classes" in i.value for i in at.info)
    at.button(key="sx_add_class").click().run()
    assert not at.exception
    assert len(url(at)["classes"].split(",")) == 3
    assert shown_loss(at) > 0
