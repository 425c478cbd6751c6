"""The Cross-entropy page in AppTest: deep links, every control, bad parameters, the batch."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.special as sp
from streamlit.testing.v1 import AppTest

from tests.app.pad import pad_data
from tests.app.support import plain, url

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def open_ce(query: dict[str, str] | None = None) -> AppTest:
    """A fresh session opened on /cross-entropy with ``query`` in its URL.

    AppTest finds a page whose url_path differs from its file name only after a
    first run, so: run, switch, then drop the session's scenario so that the
    next run reads the deep link's URL, as a new browser session would.
    """
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page("app_pages/cross-entropy.py")
    for k, v in (query or {}).items():
        at.query_params[k] = v
    del at.session_state["scenario"]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def html_text(at: AppTest) -> str:
    return " ".join(h.value for h in at.html)


def ce(z: list[float], t: int, eps: float = 0.0, temperature: float = 1.0) -> float:
    """Cross-entropy of softmax(z / T) against the true class smoothed with eps, written out by hand."""
    s = [v / temperature for v in z]
    m = max(s)
    logp = [v - m - math.log(sum(math.exp(u - m) for u in s)) for v in s]
    c = len(z)
    return -sum(((1 - eps) * (i == t) + eps / c) * lp for i, lp in enumerate(logp))


def chart_data(at: AppTest, key: str) -> list[dict[str, Any]]:
    """The traces of the chart drawn under ``key`` (the spec the page sent to its chart component)."""
    element = next(e for e in at.get("bidi_component") if e.key == key)
    return list(json.loads(element.proto.json)["spec"]["data"])


def test_defaults_render_without_warnings() -> None:
    at = open_ce()
    assert not at.warning
    assert [t.label for t in at.tabs] == ["Loss curves", "Soft targets", "Information", "A batch", "In your framework"]
    assert url(at)["ce_gamma"] == "2"
    assert url(at)["ce_eps"] == "0.1"
    text = html_text(at)
    assert f"{ce([2.0, 1.0, 0.1], 1, 0.1):.4f} nats" in text  # the smoothed loss
    assert "1.4170" in text  # framework table: PyTorch's value for the default example


def test_deep_link_restores_everything() -> None:
    at = open_ce({"classes": "a,b,c", "logits": "0,5,0", "target": "a", "ce_gamma": "0.5", "ce_eps": "0.3"})
    assert not at.warning
    assert pad_data(at)["logits"] == [0.0, 5.0, 0.0]
    assert at.slider(key="ce_gamma").value == 0.5
    assert at.slider(key="ce_eps").value == 0.3
    assert f"{ce([0.0, 5.0, 0.0], 0, 0.3):.4f} nats" in html_text(at)


@pytest.mark.parametrize(
    ("param", "value"), [("ce_gamma", "-1"), ("ce_gamma", "x"), ("ce_eps", "2"), ("ce_eps", "nan")]
)
def test_bad_page_parameters_are_named_and_replaced(param: str, value: str) -> None:
    at = open_ce({param: value})
    assert any(f"'{param}'" in plain(w.value) for w in at.warning)
    assert url(at)[param] == {"ce_gamma": "2", "ce_eps": "0.1"}[param]


def test_controls() -> None:
    at = open_ce()
    at.slider(key="ce_eps").set_value(0.0).run()
    assert f"{ce([2.0, 1.0, 0.1], 1):.4f} nats" in html_text(at)
    assert url(at)["ce_eps"] == "0"
    at.slider(key="ce_gamma").set_value(0.0).run()
    assert url(at)["ce_gamma"] == "0"
    assert not at.exception


def framework_row(at: AppTest, call: str) -> str:
    """The value the framework table gives for the call whose name starts with ``call``."""
    table = next(h.value for h in at.html if "<th>call</th>" in h.value)
    start = table.index(f"<th>{call}")
    return table[table.index("<td>", start) + 4 : table.index("</td>", start)]


def test_framework_smoothing_toggle_turns_the_value_into_the_smoothed_loss() -> None:
    at = open_ce({"ce_eps": "0.2"})
    assert framework_row(at, "PyTorch") == f"{ce([2.0, 1.0, 0.1], 1):.4f}"  # off: the plain loss
    at.toggle(key="ce_fw_smooth").set_value(True).run()
    smoothed = f"{ce([2.0, 1.0, 0.1], 1, 0.2):.4f}"
    assert smoothed != f"{ce([2.0, 1.0, 0.1], 1):.4f}"
    assert framework_row(at, "PyTorch") == smoothed
    assert framework_row(at, "Keras CategoricalCrossentropy(from_logits=True)") == smoothed
    assert "label_smoothing=0.2" in " ".join(c.value for c in at.code)
    assert url(at)["ce_fw_smooth"] == "1"


def test_batch_losses_mean_sum_and_weighted_mean() -> None:
    at = open_ce({"ce_eps": "0"})
    rows = [([2.0, 1.0, 0.1], 1), ([0.0, 3.0, 0.0], 1), ([0.0, 0.0, 3.0], 1), ([0.0, 0.0, 0.0], 1)]
    losses = [ce(z, t) for z, t in rows]
    text = html_text(at)
    assert f"mean = {sum(losses) / 4:.4f} nats" in text
    assert f"sum = {sum(losses):.4f} nats" in text
    at.toggle(key="ce_use_weights").set_value(True).run()
    at.number_input(key="ce_w_1").set_value(3.0).run()  # every example is a dog: the weighted mean is the mean
    assert f"weighted mean = {sum(losses) / 4:.4f} nats" in html_text(at)


def test_batch_edits_and_incomplete_rows() -> None:
    at = open_ce({"ce_eps": "0"})
    # the user sets cat's logit in row 1 to 9, deletes rows 2 and 3, and adds a row with an empty cell
    at.session_state["ce_batch"] = {
        "edited_rows": {0: {"cat": 9.0}},
        "added_rows": [{"cat": 1.0, "dog": None, "rabbit": 0.0, "target": "cat"}],
        "deleted_rows": [1, 2],
    }
    at.run()
    assert not at.exception
    losses = [ce([9.0, 1.0, 0.1], 1), ce([0.0, 0.0, 0.0], 1)]
    assert f"mean = {sum(losses) / 2:.4f} nats" in html_text(at)
    assert any("Rows 3 skipped" in w.value for w in at.warning)
    assert url(at)["ce_batch"] == "9,1,0.1,dog;0,0,0,dog"  # the complete rows, in the URL
    again = open_ce({"ce_eps": "0", "ce_batch": url(at)["ce_batch"]})
    assert f"mean = {sum(losses) / 2:.4f} nats" in html_text(again)


def test_typed_target_distribution_drives_loss_gradient_and_information() -> None:
    at = open_ce({"ce_eps": "0"})
    at.toggle(key="ce_custom").set_value(True).run()
    for i, v in enumerate([0.2, 0.5, 0.3]):
        at.number_input(key=f"ce_y_{i}").set_value(v)
    at.run()
    assert not at.warning
    z = [2.0, 1.0, 0.1]
    m = max(z)
    logp = [v - m - math.log(sum(math.exp(u - m) for u in z)) for v in z]
    expected = -(0.2 * logp[0] + 0.5 * logp[1] + 0.3 * logp[2])
    assert f"{expected:.4f} nats" in html_text(at)
    # the gradient chart uses the typed target too: p − ỹ (T = 1), not the smoothed one-hot target
    p = [math.exp(lp) for lp in logp]
    np.testing.assert_allclose(chart_data(at, "ce_soft_grad")[0]["x"], [p[0] - 0.2, p[1] - 0.5, p[2] - 0.3])
    h = -(0.2 * math.log(0.2) + 0.5 * math.log(0.5) + 0.3 * math.log(0.3))
    assert f"H(ỹ) = {h:.4f} nats" in html_text(at)  # the information tab
    at.number_input(key="ce_y_0").set_value(0.7).run()  # now they sum to 1.5: rescaled to (0.7, 0.5, 0.3) / 1.5
    assert any("sum to 1.5000, not 1" in plain(w.value) for w in at.warning)
    y = [0.7 / 1.5, 0.5 / 1.5, 0.3 / 1.5]
    np.testing.assert_allclose(chart_data(at, "ce_soft_grad")[0]["x"], [pi - yi for pi, yi in zip(p, y, strict=True)])
    assert not at.exception


def test_typing_starts_from_the_smoothed_target_without_a_warning() -> None:
    """Turning on "Type the target distribution" starts from the smoothed target: nothing to rescale, same loss."""
    at = open_ce()  # ε = 0.1, three classes: ỹ = (0.1/3, 0.9 + 0.1/3, 0.1/3)
    before = ce([2.0, 1.0, 0.1], 1, eps=0.1)
    assert f"{before:.4f} nats" in html_text(at)
    at.toggle(key="ce_custom").set_value(True).run()
    assert not at.warning
    assert f"{before:.4f} nats" in html_text(at)
    assert "PyTorch's convention for smoothing" not in html_text(at)  # ε is not applied to a typed target


def test_the_whole_page_state_round_trips_through_the_url() -> None:
    query = {
        "ce_target": "0.5,0.3,0.2",
        "ce_weights": "1,2,0.5",
        "ce_fw_smooth": "1",
        "ce_batch": "2,1,0.1,dog;0,0,3,rabbit;1,1,1,cat",
    }
    at = open_ce(query)
    assert not at.warning
    assert at.toggle(key="ce_custom").value is True
    assert [at.number_input(key=f"ce_y_{i}").value for i in range(3)] == [0.5, 0.3, 0.2]
    assert at.toggle(key="ce_use_weights").value is True
    assert [at.number_input(key=f"ce_w_{i}").value for i in range(3)] == [1.0, 2.0, 0.5]
    assert at.toggle(key="ce_fw_smooth").value is True
    rows = [([2.0, 1.0, 0.1], 1), ([0.0, 0.0, 3.0], 2), ([1.0, 1.0, 1.0], 0)]
    text = html_text(at)
    mean = sum(ce(z, t) for z, t in rows) / 3
    assert f"mean = {mean:.4f} nats" in text
    w = [1.0, 2.0, 0.5]
    wmean = sum(w[t] * ce(z, t) for z, t in rows) / sum(w[t] for _, t in rows)
    assert f"weighted mean = {wmean:.4f} nats" in text
    for k, v in query.items():
        assert url(at)[k] == v  # written back exactly


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("ce_target", "0.5,0.5"),
        ("ce_target", "0.5,x,0.5"),
        ("ce_weights", "1,2,-1"),
        ("ce_fw_smooth", "yes"),
        ("ce_batch", "1,2,dog"),
        ("ce_batch", "1,2,3,wolf"),
        ("ce_batch", ";".join(["1,2,3,dog"] * 51)),
    ],
)
def test_bad_list_parameters_are_named_and_the_page_keeps_its_defaults(param: str, value: str) -> None:
    at = open_ce({param: value})
    assert any(f"'{param}'" in plain(w.value) for w in at.warning)
    assert param not in url(at)
    assert not at.exception


# ---- one temperature rule: at T = 2 every tab uses p = softmax(z / 2) -------------------------------
Z = [2.0, 1.0, 0.1]


P2 = sp.softmax(np.array(Z) / 2)
Y2 = np.array([0.1 / 3, 0.9 + 0.1 / 3, 0.1 / 3])  # dog smoothed with the default ε = 0.1


@pytest.fixture(scope="module")
def at_t2() -> AppTest:
    return open_ce({"temperature": "2"})


def test_every_tab_states_t_once(at_t2: AppTest) -> None:
    captions = [plain(c.value) for c in at_t2.caption]
    assert sum("With T = 2: p = softmax(z / 2)" in c for c in captions) == 5


def test_loss_curves_at_t2_push_with_p_minus_1_over_t(at_t2: AppTest) -> None:
    text = html_text(at_t2)
    assert f"p(dog) = {P2[1]:.4f}" in text
    push = f"{(P2[1] - 1) / 2:.4f}".replace("-", "−")  # −0.3479, not p − 1 = −0.6957
    assert f"pushes its logit with (p − 1) / 2 = {push}" in text
    grad_chart = chart_data(at_t2, "ce_grad_curves")[0]
    np.testing.assert_allclose(grad_chart["y"], (np.array(grad_chart["x"]) - 1) / 2, atol=2e-6)


def test_soft_targets_at_t2_loss_and_gradient(at_t2: AppTest) -> None:
    assert f"H(ỹ, p) = <b>{ce(Z, 1, 0.1, 2.0):.4f} nats</b>" in html_text(at_t2)
    np.testing.assert_allclose(chart_data(at_t2, "ce_soft_grad")[0]["x"], (P2 - Y2) / 2, atol=1e-12)


def test_information_at_t2(at_t2: AppTest) -> None:
    kl = float(sp.rel_entr(Y2, P2).sum())
    assert f"KL(ỹ ‖ p) = {kl:.4f} nats" in html_text(at_t2)
    bar = chart_data(at_t2, "ce_information")
    assert bar[1]["x"] == pytest.approx([kl], rel=1e-9)


def test_batch_at_t2(at_t2: AppTest) -> None:
    rows = [(Z, 1), ([0.0, 3.0, 0.0], 1), ([0.0, 0.0, 3.0], 1), ([0.0, 0.0, 0.0], 1)]
    assert f"mean = {sum(ce(z, t, 0.0, 2.0) for z, t in rows) / 4:.4f} nats" in html_text(at_t2)


def test_frameworks_at_t2_divide_the_logits_by_t(at_t2: AppTest) -> None:
    assert framework_row(at_t2, "PyTorch F.cross_entropy(logits / T, target)") == f"{ce(Z, 1, 0.0, 2.0):.4f}"
    code = " ".join(c.value for c in at_t2.code)
    assert "T = 2" in code
    assert "F.cross_entropy(logits / T, target)" in code


def test_naive_numpy_note_blames_underflow_for_minus_800() -> None:
    at = open_ce({"logits": "0,-800,0", "target": "cat"})
    table = next(h.value for h in at.html if "<th>call</th>" in h.value)
    naive = table[table.index("<th>NumPy") :]
    assert "<td>undefined</td>" in naive  # NaN: 0 · log 0 for the class whose exp(−800) underflowed
    assert "underflow: exp(z) = 0" in naive
    assert "log 0 = −∞" in naive
    assert "overflow" not in naive.replace("underflow", "")


def test_class_names_in_widget_labels_are_escaped() -> None:
    at = open_ce({"classes": "*cat*,dog,rabbit", "ce_target": "0.2,0.5,0.3", "ce_weights": "1,1,1"})
    assert at.number_input(key="ce_y_0").label == "y(\\*cat\\*)"
    assert at.number_input(key="ce_w_0").label == "weight of \\*cat\\*"
