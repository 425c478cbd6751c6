"""The Softmax page in AppTest: deep links, every control, the shared scenario, bad parameters."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.pad import pad_data, send_logits
from tests.app.support import plain, url

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def open_softmax(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.switch_page("app_pages/softmax.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def html_text(at: AppTest) -> str:
    return " ".join(h.value for h in at.html)


def entropy_shown(at: AppTest) -> float:
    value = next(m.value for m in at.metric if m.label == "Entropy of p")
    return float(value.split()[0].replace("−", "-"))


def bits(p: list[float]) -> float:
    return -sum(x * math.log2(x) for x in p if x > 0)


def softmax(z: list[float], t: float = 1.0) -> list[float]:
    m = max(z)
    e = [math.exp((v - m) / t) for v in z]
    return [v / sum(e) for v in e]


def test_defaults_render_without_warnings() -> None:
    at = open_softmax()
    assert not at.warning
    assert [t.label for t in at.tabs] == ["Temperature", "Shift and scale", "Stability", "Two classes", "Jacobian"]
    assert entropy_shown(at) == pytest.approx(bits(softmax([2.0, 1.0, 0.1])), abs=5e-5)
    assert url(at)["sm_t"] == "1"
    assert url(at)["logits"] == "2,1,0.1"


def test_deep_link_restores_scenario_and_page_parameters() -> None:
    at = open_softmax(
        {
            "classes": "a,b",
            "logits": "3,-1",
            "target": "b",
            "sm_t": "0.1",
            "sm_shift": "-7",
            "sm_scale": "0.5",
            "sm_big": "712",
        }
    )
    assert not at.warning
    assert pad_data(at)["logits"] == [3.0, -1.0]
    assert at.select_slider(key="sm_t").value == 0.1
    assert at.slider(key="sm_shift").value == -7.0
    assert at.slider(key="sm_scale").value == 0.5
    assert at.number_input(key="sm_big").value == 712.0
    assert entropy_shown(at) == pytest.approx(bits(softmax([3.0, -1.0], 0.1)), abs=5e-5)
    assert "NaN" in html_text(at)  # 712 overflows the naive formula even in float64


@pytest.mark.parametrize(
    ("param", "value"), [("sm_t", "0"), ("sm_t", "abc"), ("sm_shift", "99"), ("sm_scale", "-1"), ("sm_big", "nan")]
)
def test_bad_page_parameters_are_named_and_replaced(param: str, value: str) -> None:
    at = open_softmax({param: value})
    assert any(f"'{param}'" in plain(w.value) for w in at.warning)
    defaults = {"sm_t": "1", "sm_shift": "5", "sm_scale": "2", "sm_big": "100"}
    assert url(at)[param] == defaults[param]


def test_every_control_moves_its_numbers_and_the_url() -> None:
    at = open_softmax()
    at.select_slider(key="sm_t").set_value(10.0).run()
    assert entropy_shown(at) == pytest.approx(bits(softmax([2.0, 1.0, 0.1], 10.0)), abs=5e-5)
    assert url(at)["sm_t"] == "10"
    at.slider(key="sm_shift").set_value(-3.0).run()
    assert url(at)["sm_shift"] == "-3"
    at.slider(key="sm_scale").set_value(0.5).run()
    assert "k = 0.5 makes p flatter" in html_text(at)
    at.number_input(key="sm_big").set_value(12.0).run()
    text = html_text(at)
    assert re.search(r"float16.*NaN", text)  # e^12 overflows float16 (max 65504)
    at.selectbox(key="sm_class_1").set_value(2).run()
    p = softmax([0.1, 1.0])[0]
    assert f"{p:.4f}" in html_text(at)
    at.selectbox(key="sm_class_2").set_value(2).run()
    assert any("two different classes" in i.value for i in at.info)
    assert not at.exception


def test_logits_are_shared_with_the_playground() -> None:
    at = open_softmax()
    send_logits(at, [0.0, 4.0, 0.0])
    assert url(at)["logits"] == "0,4,0"
    at.switch_page("app_pages/playground.py").run()
    assert pad_data(at)["logits"] == [0.0, 4.0, 0.0]
    ce = next(m.value for m in at.metric if m.label == "Cross-entropy")
    assert ce == f"{-math.log(softmax([0.0, 4.0, 0.0])[1]):.4f} nats"
