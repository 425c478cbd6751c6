"""The Softmax page in AppTest: deep links, every control, the shared scenario, bad parameters, one temperature.

Every tab uses the example's T (the toolbar's slider): p = softmax(z / T). Expected numbers come from
scipy.special, never from the code under test.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import scipy.special as sp
from streamlit.testing.v1 import AppTest

from core.text import fmt
from tests.app.pad import pad_data, send_logits
from tests.app.support import metric, open_page, plain, url

Z = np.array([2.0, 1.0, 0.1])
T2 = {"classes": "cat,dog,rabbit", "logits": "2,1,0.1", "target": "dog", "temperature": "2"}


def open_softmax(query: dict[str, str] | None = None) -> AppTest:
    return open_page("app_pages/softmax.py", query)


def html_text(at: AppTest) -> str:
    return " ".join(h.value for h in at.html)


def entropy_shown(at: AppTest) -> tuple[float, str]:
    value = next(m.value for m in at.metric if m.label == "Entropy of p")
    number, unit = value.split()
    return float(number.replace("−", "-")), unit


def entropy(p: np.ndarray, unit: str = "nats") -> float:
    nats = float(sp.entr(p).sum())
    return nats / math.log(2) if unit == "bits" else nats


def test_defaults_render_without_warnings() -> None:
    at = open_softmax()
    assert not at.warning
    assert [t.label for t in at.tabs] == ["Temperature", "Shift and scale", "Stability", "Two classes", "Jacobian"]
    assert entropy_shown(at) == (pytest.approx(entropy(sp.softmax(Z)), abs=5e-5), "nats")
    assert "sm_t" not in url(at)
    assert url(at)["logits"] == "2,1,0.1"
    assert {url(at)[k] for k in ("sm_shift", "sm_scale", "sm_big")} == {"5", "2", "100"}


def test_deep_link_restores_scenario_and_page_parameters() -> None:
    at = open_softmax(
        {
            "classes": "a,b",
            "logits": "3,-1",
            "target": "b",
            "temperature": "0.5",
            "sm_shift": "-7",
            "sm_scale": "0.5",
            "sm_big": "712",
        }
    )
    assert not at.warning
    assert pad_data(at)["logits"] == [3.0, -1.0]
    assert at.slider(key="sm_shift").value == -7.0
    assert at.slider(key="sm_scale").value == 0.5
    assert at.number_input(key="sm_big").value == 712.0
    assert entropy_shown(at)[0] == pytest.approx(entropy(sp.softmax(np.array([3.0, -1.0]) / 0.5)), abs=5e-5)
    # 712 / 0.5 = 1424 overflows the naive formula even in float64
    assert re.search(r"float64.*naive</th><td class=\"broke\">NaN", html_text(at))


def test_a_link_with_the_old_sm_t_and_a_temperature_keeps_the_temperature() -> None:
    at = open_softmax({**T2, "sm_t": "0.1"})
    assert any("'sm_t' ignored: the link's 'temperature' sets T" in plain(w.value) for w in at.warning)
    assert "sm_t" not in url(at)
    assert "Now, at T = 2" in html_text(at)  # the toolbar's T, not the link's sm_t


def test_an_old_link_with_only_sm_t_sets_the_example_temperature() -> None:
    at = open_softmax({"classes": "cat,dog,rabbit", "logits": "2,1,0.1", "target": "dog", "sm_t": "2"})
    assert any("'sm_t' is now the example's temperature: T = 2" in plain(w.value) for w in at.warning)
    assert url(at)["temperature"] == "2"
    assert "sm_t" not in url(at)
    p_dog = math.exp(0.5) / (math.exp(1.0) + math.exp(0.5) + math.exp(0.05))  # softmax(z / 2), by hand
    assert f"dog {p_dog:.4f}" in html_text(at)


@pytest.mark.parametrize(("param", "value"), [("sm_shift", "99"), ("sm_scale", "-1"), ("sm_big", "nan")])
def test_bad_page_parameters_are_named_and_replaced(param: str, value: str) -> None:
    at = open_softmax({param: value})
    assert any(f"'{param}'" in plain(w.value) for w in at.warning)
    defaults = {"sm_shift": "5", "sm_scale": "2", "sm_big": "100"}
    assert url(at)[param] == defaults[param]


def test_temperature_tab_says_now_at_the_example_t() -> None:
    at = open_softmax(T2)
    text = html_text(at)
    p = sp.softmax(Z / 2.0)
    assert f"Now, at T = 2</b> (the toolbar's temperature, marked on the chart): cat {fmt(p[0])}, dog 0.3043" in text
    assert "0.2424" not in text  # p(dog) at T = 1
    assert not any(s.label.startswith("Temperature T (log") for s in at.select_slider)  # the tab's own control is gone
    assert any("With T = 2: p = softmax(z / 2)." in plain(c.value) for c in at.caption)


def test_the_toolbar_temperature_moves_the_temperature_tab() -> None:
    at = open_softmax()
    next(s for s in at.slider if s.label == "Temperature T").set_value(2.0).run()
    assert "dog 0.3043" in html_text(at)
    assert entropy_shown(at)[0] == pytest.approx(entropy(sp.softmax(Z / 2.0)), abs=5e-5)
    assert url(at)["temperature"] == "2"


@pytest.mark.parametrize("unit", ["nats", "bits"])
def test_entropy_is_in_the_example_unit(unit: str) -> None:
    at = open_softmax({**T2, "unit": unit})
    p = sp.softmax(Z / 2.0)
    value, shown_unit = entropy_shown(at)
    assert shown_unit == unit
    assert value == pytest.approx(entropy(p, unit), abs=5e-5)
    log = "ln 3" if unit == "nats" else "log₂ 3"
    top = math.log(3) if unit == "nats" else math.log2(3)
    assert any(f"At most {log} = {fmt(top)} {unit}" in c.value for c in at.caption)
    scale = sp.softmax(2.0 * Z / 2.0)  # k = 2 at T = 2
    assert f"entropy {fmt(entropy(p, unit))} → {fmt(entropy(scale, unit))} {unit}" in html_text(at)


def test_two_classes_at_t() -> None:
    at = open_softmax(T2)
    text = html_text(at)
    p = float(sp.expit((2.0 - 1.0) / 2.0))  # cat vs dog at T = 2
    assert f"σ((2.0000 − 1.0000) / 2) = σ(0.5000) = <b>{fmt(p)}</b>" in text
    assert fmt(float(sp.expit(1.0))) not in text  # σ(z₁ − z₂) without T
    at.selectbox(key="sm_class_2").set_value(2).run()  # cat vs rabbit: σ(1.9 / 2)
    assert f"<b>{fmt(float(sp.expit(0.95)))}</b>" in html_text(at)


def test_jacobian_at_t() -> None:
    at = open_softmax(T2)
    text = html_text(at)
    p = sp.softmax(Z / 2.0)
    assert f"it can never exceed 0.25 / 2 = {fmt(0.125)}" in text
    assert f"for <b>cat</b>: {fmt(p[0] * (1 - p[0]) / 2.0)}" in text
    assert "∂p/∂z = (diag(p) − p pᵀ) / 2" in text


def test_stability_table_is_on_z_over_t() -> None:
    at = open_softmax({**T2, "sm_big": "100"})
    text = html_text(at)
    assert "divided by T = 2, z / 2: 50.0000, 49.5000, 49.0500" in text
    assert re.search(r"float16.*naive</th><td class=\"broke\">NaN", text)  # e^50 overflows float16
    assert not re.search(r"float32<br>.*?naive</th><td class=\"broke\">", text)  # but not float32


def test_every_control_moves_its_numbers_and_the_url() -> None:
    at = open_softmax()
    at.slider(key="sm_shift").set_value(-3.0).run()
    assert url(at)["sm_shift"] == "-3"
    at.slider(key="sm_scale").set_value(0.5).run()
    assert "k = 0.5 makes p flatter" in html_text(at)
    assert url(at)["sm_scale"] == "0.5"
    at.number_input(key="sm_big").set_value(12.0).run()
    text = html_text(at)
    assert re.search(r"float16.*NaN", text)  # e^12 overflows float16 (max 65504)
    assert url(at)["sm_big"] == "12"
    at.selectbox(key="sm_class_1").set_value(2).run()
    p = sp.softmax([0.1, 1.0])[0]
    assert f"{p:.4f}" in html_text(at)
    at.selectbox(key="sm_class_2").set_value(2).run()
    assert any("two different classes" in i.value for i in at.info)
    assert not at.exception


def test_class_selectboxes_show_names_as_plain_text() -> None:
    at = open_softmax({"classes": "a*b*,c_d_", "logits": "1,0", "target": "a*b*"})
    assert at.selectbox(key="sm_class_1").options == ["a*b*", "c_d_"]


def test_logits_are_shared_with_the_playground() -> None:
    at = open_softmax()
    send_logits(at, [0.0, 4.0, 0.0])
    assert url(at)["logits"] == "0,4,0"
    at.switch_page("app_pages/playground.py").run()
    assert pad_data(at)["logits"] == [0.0, 4.0, 0.0]
    assert metric(at, "Cross-entropy") == f"{-math.log(sp.softmax([0.0, 4.0, 0.0])[1]):.4f} nats"
