"""The Learning page in AppTest: deep links, the players, both sections' controls, bad parameters."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy.special import softmax as sp_softmax
from streamlit.testing.v1 import AppTest

from tests.app.pad import pad_data, send_logits
from tests.app.support import metric, open_page, plain, url

PAGE = "app_pages/learning.py"


def open_learning(query: dict[str, str] | None = None) -> AppTest:
    return open_page(PAGE, query)


def number(text: str) -> float:
    return float(text.split()[0].replace("−", "-").rstrip("%"))


def test_defaults_render_both_sections_without_warnings() -> None:
    at = open_learning()
    assert not at.warning
    assert [t.label for t in at.tabs] == ["Gradient steps on the logits", "A tiny classifier"]
    assert metric(at, "Step") == "0 of 100"
    p = sp_softmax([2.0, 1.0, 0.1])
    assert number(metric(at, "Cross-entropy")) == pytest.approx(-math.log(p[1]), abs=5e-5)
    assert metric(at, "Epoch") == "200 of 200"  # the classifier opens trained
    assert number(metric(at, "Accuracy")) > 90
    assert url(at)["lg_step"] == "0"
    assert url(at)["lg_epochs"] == "200"


def test_step_moves_the_logits_along_the_negative_gradient_and_reset_goes_back() -> None:
    at = open_learning({"lg_lr": "0.5"})
    at.button(key="lg_step_step").click().run()
    assert metric(at, "Step") == "1 of 100"
    z = np.array([2.0, 1.0, 0.1])
    z1 = z - 0.5 * (sp_softmax(z) - [0, 1, 0])
    assert number(metric(at, "p(dog)")) == pytest.approx(sp_softmax(z1)[1], abs=5e-5)
    assert url(at)["lg_step"] == "1"
    at.button(key="lg_step_reset").click().run()
    assert metric(at, "Step") == "0 of 100"


def test_play_animates_to_the_last_step_and_stops_by_itself() -> None:
    at = open_learning({"lg_step": "97"})
    at.button(key="lg_step_play").click().run()
    assert at.session_state["lg_step_playing"] is True
    assert metric(at, "Step") == "98 of 100"
    assert "lg_step" not in at.query_params or url(at)["lg_step"] == "97"  # the URL waits while playing
    at.run()  # each run stands for one timer tick of the fragment
    at.run()
    assert metric(at, "Step") == "100 of 100"
    assert at.session_state["lg_step_playing"] is False
    assert any(b.key == "lg_step_play" for b in at.button)  # the Play button is back
    assert url(at)["lg_step"] == "100"
    at.run()
    assert metric(at, "Step") == "100 of 100"  # stopped: no further steps
    at.button(key="lg_step_play").click().run()  # Play at the end starts again from 0
    assert metric(at, "Step") == "1 of 100"
    at.button(key="lg_step_pause").click().run()
    assert at.session_state["lg_step_playing"] is False
    assert metric(at, "Step") == "1 of 100"


def test_confidently_wrong_start_and_using_a_steps_logits() -> None:
    at = open_learning()
    at.button(key="lg_wrong").click().run()
    assert pad_data(at)["logits"] == [3.0, -3.0, 0.0]
    assert number(metric(at, "p(dog)")) < 0.01
    at.slider(key="lg_step").set_value(10).run()
    ce_p = number(metric(at, "p(dog)"))
    se_p = number(metric(at, "Squared error's p at this step"))
    assert ce_p > 0.9 > 0.05 > se_p  # cross-entropy escapes, squared error crawls
    at.button(key="lg_use").click().run()
    assert metric(at, "Step") == "0 of 100"
    assert number(metric(at, "p(dog)")) == pytest.approx(ce_p, abs=1e-4)
    logits = url(at)["logits"].split(",")
    assert float(logits[1]) > -3.0  # the true class's logit went up


def test_the_pad_changes_the_starting_point() -> None:
    at = open_learning()
    send_logits(at, [0.0, 0.0, 0.0])
    assert number(metric(at, "Cross-entropy")) == pytest.approx(math.log(3), abs=5e-5)


def test_classifier_controls_retrain_and_the_same_seed_gives_the_same_run() -> None:
    at = open_learning({"lg_epochs": "50", "lg_epoch": "50"})
    first = (metric(at, "Training loss"), metric(at, "Accuracy"))
    at.number_input(key="lg_seed").set_value(7).run()
    assert (metric(at, "Training loss"), metric(at, "Accuracy")) != first
    at.number_input(key="lg_seed").set_value(0).run()
    assert (metric(at, "Training loss"), metric(at, "Accuracy")) == first
    at.slider(key="lg_spread").set_value(3.0).run()
    assert number(metric(at, "Accuracy")) < number(first[1])  # heavy overlap: less separable
    at.slider(key="lg_smooth").set_value(0.3).run()
    at.select_slider(key="lg_clf_lr").set_value(2.0).run()
    at.slider(key="lg_epochs").set_value(20).run()
    assert metric(at, "Epoch") == "20 of 20"  # the shown epoch follows a shorter run
    assert url(at)["lg_smooth"] == "0.3"
    assert url(at)["lg_epochs"] == "20"
    at.slider(key="lg_epoch").set_value(0).run()
    assert number(metric(at, "Training loss")) == pytest.approx(math.log(3), abs=0.02)  # W ≈ 0 at the start
    assert not at.exception


def test_classifier_play_steps_by_its_stride_and_stops() -> None:
    at = open_learning({"lg_epochs": "400", "lg_epoch": "380"})
    at.button(key="lg_epoch_play").click().run()
    assert metric(at, "Epoch") == "390 of 400"  # 400 epochs in 40 frames: 10 a frame
    at.run()
    assert metric(at, "Epoch") == "400 of 400"
    assert at.session_state["lg_epoch_playing"] is False


@pytest.mark.parametrize(
    ("param", "value"),
    [("lg_lr", "0"), ("lg_step", "abc"), ("lg_seed", "-5"), ("lg_epochs", "1e9"), ("lg_smooth", "nan")],
)
def test_bad_page_parameters_are_named_and_replaced(param: str, value: str) -> None:
    at = open_learning({param: value})
    assert any(f"'{param}'" in plain(w.value) for w in at.warning)
    defaults = {"lg_lr": "1", "lg_step": "0", "lg_seed": "0", "lg_epochs": "200", "lg_smooth": "0"}
    assert url(at)[param] == defaults[param]


def chart_spec(at: AppTest, key: str) -> dict:
    """The spec the page sent to the chart component ``key``."""
    element = next(e for e in at.get("bidi_component") if e.key == key)
    return json.loads(element.proto.json)["spec"]


def test_gradient_steps_use_the_examples_temperature_and_say_so() -> None:
    """At T = 2: p(dog) = softmax([1, 0.5, 0.05])[1] = 0.3043 and the gradient is (p − y) / 2."""
    at = open_learning({"temperature": "2", "lg_lr": "0.5"})
    z, t = np.array([2.0, 1.0, 0.1]), 2.0
    p = sp_softmax(z / t)
    assert metric(at, "p(dog)") == "0.3043"
    assert number(metric(at, "Cross-entropy")) == pytest.approx(-math.log(p[1]), abs=5e-5)
    np.testing.assert_allclose(chart_spec(at, "lg_probs")["data"][0]["x"], p, atol=1e-9)
    np.testing.assert_allclose(chart_spec(at, "lg_grad")["data"][0]["x"], (p - [0, 1, 0]) / t, atol=1e-9)
    assert any("With T = 2: p = softmax(z / 2)" in plain(c.value) for c in at.caption)
    at.button(key="lg_step_step").click().run()
    z1 = z - 0.5 * (p - [0, 1, 0]) / t
    assert number(metric(at, "p(dog)")) == pytest.approx(sp_softmax(z1 / t)[1], abs=5e-5)
    losses = chart_spec(at, "lg_losses")["data"][0]["y"]
    assert losses[1] == pytest.approx(-math.log(sp_softmax(z1 / t)[1]), abs=1e-6)
    assert any("does not use the example" in plain(c.value) for c in at.caption)  # the classifier's own model
