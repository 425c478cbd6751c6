"""Learning › "Use step k's logits" commits step k's logits at once, from inside the step player.

The button sits in the step player's fragment (``ui.animation.frames``). In the
browser a click there asks for a rerun of that fragment only, which would leave
the logit pad, the readout and the URL (all outside it) on the old logits until
some later full rerun. AppTest always reruns the whole script, so
:func:`fragment_click` sends the click as the browser does: as a rerun of the
button's fragment.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import numpy as np
import pytest
from scipy.special import softmax as sp_softmax
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData
from streamlit.testing.v1 import AppTest, local_script_runner

from core.query import parse_typed_number
from tests.app.pad import pad_data
from tests.app.support import metric, open_page, panel_metric, url

PAGE = "app_pages/learning.py"


def steps_by_hand(z: list[float], target: int, lr: float, temperature: float, k: int) -> np.ndarray:
    """k steps of gradient descent on cross-entropy: z ← z − lr (softmax(z / T) − y) / T."""
    logits = np.array(z, dtype=float)
    y = np.eye(len(z))[target]
    for _ in range(k):
        logits = logits - lr * (sp_softmax(logits / temperature) - y) / temperature
    return logits


@contextmanager
def as_fragment_rerun(at: AppTest, widget_id: str) -> Iterator[None]:
    """Runs inside the block are reruns of the widget's fragment, as the browser asks for them."""
    state = at.session_state._state._state  # the SessionState behind AppTest's wrapper
    fragment = state._new_widget_state.widget_metadata[widget_id].fragment_id
    assert fragment, f"{widget_id} is not in a fragment: nothing to simulate"
    rerun = functools.partial(RerunData, fragment_id=fragment)
    with mock.patch.object(local_script_runner, "RerunData", rerun):
        yield


def fragment_click(at: AppTest, widget_key: str) -> None:
    with as_fragment_rerun(at, at.button(key=widget_key).id):
        at.button(key=widget_key).click().run()
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.parametrize(("player", "query", "to"), [("lg_step", {}, 7), ("lg_epoch", {"lg_epochs": "50"}, 20)])
def test_scrubbing_a_player_puts_the_frame_shown_in_the_url(player: str, query: dict[str, str], to: int) -> None:
    """The scrub slider sits in the player's fragment too: its rerun must still write the URL."""
    at = open_page(PAGE, query)
    slider = at.slider(key=player)
    with as_fragment_rerun(at, slider.id):
        slider.set_value(to).run()
    assert not at.exception
    assert at.session_state[player] == to
    assert url(at)[player] == str(to)


@pytest.mark.parametrize(("temperature", "k"), [(1.0, 10), (2.0, 37)])
def test_one_click_on_use_step_k_sets_pad_url_and_readout_at_once(temperature: float, k: int) -> None:
    z0, target, lr = [3.0, -3.0, 0.0], 1, 1.0
    at = open_page(PAGE, {"logits": "3,-3,0", "target": "dog", "temperature": str(temperature), "lg_lr": "1"})
    at.slider(key="lg_step").set_value(k).run()
    assert at.button(key="lg_use").label == f"Use step {k}'s logits"
    want = steps_by_hand(z0, target, lr, temperature, k)

    fragment_click(at, "lg_use")

    np.testing.assert_allclose(pad_data(at)["logits"], want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose([float(v) for v in url(at)["logits"].split(",")], want, rtol=1e-12, atol=1e-12)
    assert url(at)["lg_step"] == "0"
    loss = -math.log(sp_softmax(want / temperature)[target])
    readout = panel_metric(at, "ce")["value"]
    assert float(readout.split()[0]) == pytest.approx(loss, abs=5e-5)
    assert metric(at, "Step") == "0 of 100"  # the player starts again from the new logits
    assert at.session_state["lg_step"] == 0


def test_a_click_while_playing_stops_the_player_and_uses_the_step_shown() -> None:
    at = open_page(PAGE, {"logits": "3,-3,0", "target": "dog", "lg_step": "4"})
    at.button(key="lg_step_play").click().run()  # step 5 is drawn; the player's timer is on
    assert at.session_state["lg_step_playing"] is True
    shown = int(metric(at, "Step").split()[0])
    fragment_click(at, "lg_use")
    assert at.session_state["lg_step_playing"] is False
    want = steps_by_hand([3.0, -3.0, 0.0], 1, 1.0, 1.0, shown)
    np.testing.assert_allclose(pad_data(at)["logits"], want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose([float(v) for v in url(at)["logits"].split(",")], want, rtol=1e-12, atol=1e-12)


# ---- typed numbers: never a silent misreading -----------------------------------------------
@pytest.mark.parametrize(
    ("query", "param", "why"),
    [
        ({"logits": "1_5,1,0.1"}, "logits", "'1_5' is not a number"),  # Python's float() reads 15
        ({"temperature": "1,5"}, "temperature", "decimals take a point: 1.5"),
        ({"temperature": "1_0"}, "temperature", "'1_0' is not a number"),
    ],
)
def test_url_numbers_are_read_as_people_write_them_or_refused_by_name(
    query: dict[str, str], param: str, why: str
) -> None:
    at = open_page("app_pages/playground.py", query)
    warnings = [w.value.replace("\\", "") for w in at.warning]
    assert any(f"'{param}'" in w and why in w for w in warnings), warnings
    assert url(at)["logits"] == "2,1,0.1"  # the default example, never 15 or 10
    assert url(at)["temperature"] == "1"


def test_a_true_minus_in_the_url_is_a_minus() -> None:
    at = open_page("app_pages/playground.py", {"logits": "−1,1,0.1"})  # as the app writes numbers
    assert not at.warning
    assert url(at)["logits"] == "-1,1,0.1"


@pytest.mark.parametrize(
    ("typed", "value", "note"),
    [
        ("0,7", 0.7, "Read “0,7” as 0.7."),
        ("-0,25", -0.25, "Read “-0,25” as −0.25."),
        ("0,125", 0.125, "Read “0,125” as 0.125."),
        (" 2.5 ", 2.5, None),
        ("−1.5", -1.5, None),
        ("1e-3", 0.001, None),
    ],
)
def test_a_typed_decimal_comma_reads_as_a_point_and_says_so(typed: str, value: float, note: str | None) -> None:
    assert parse_typed_number(typed) == (value, note)


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("1,000", "could be 1.000 or 1000"),
        ("-12,345", "could be −12.345 or −12345"),
        ("1.000,5", "not one number"),
        ("1,2,3", "not one number"),
        ("abc", "“abc” is not a number"),
        ("1_5", "is not a number"),
        ("nan", "is not a number"),
        ("Infinity", "is not a number"),
        ("1e999", "too large"),
        ("", "empty"),
    ],
)
def test_typed_text_that_is_not_one_number_is_refused_with_the_reason(typed: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_typed_number(typed)
