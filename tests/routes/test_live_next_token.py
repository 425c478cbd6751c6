"""The Next-token page on the live path: its panel through ``routes.live.answer``, checked, never raising.

While a decoding setting moves, the browser sends the page's settings in ``extra``; the route answers with
``core.panels.next_token.next_token_panel``, the function the page calls on a rerun. The numbers are checked
against an independent pipeline (scipy's softmax, sorting by hand), not the code under test.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import softmax
from scipy.stats import entropy

from core.figures.style import STYLE
from core.panels.next_token import next_token_panel, read_settings, settings_key, shipped_model
from core.scenario import Scenario
from core.text import fmt
from routes.live import answer

BASE: dict[str, Any] = {
    "t": 1.0,
    "k": 0,
    "p": 1.0,
    "min_p": 0.0,
    "prompt": "when the cat is",
    "greedy": True,
    "seed": 1,
    "n": 4,
    "step": 1,
}
EXAMPLE = {"classes": ["cat", "dog", "rabbit"], "logits": [2, 1, 0.1], "target": 1, "temperature": 1}


def message(**extra: Any) -> str:
    return json.dumps({"seq": 3, "page": "next_token", **EXAMPLE, "present": False, "extra": {**BASE, **extra}})


def metrics_of(panel: dict[str, Any]) -> dict[str, str]:
    return {
        m["label"]: m["value"] for part in panel["slots"]["facts"] if part["kind"] == "metrics" for m in part["items"]
    }


def kept_by_hand(z: np.ndarray, t: float, k: int, p: float, min_p: float) -> np.ndarray:
    """transformers' rules, written out: ÷T, then top-k (ties kept), top-p (smallest set reaching p), min-p."""
    s = z / t
    keep = np.ones(z.size, dtype=bool)
    if 0 < k < z.size:
        keep &= s >= np.sort(s)[::-1][k - 1]
    q = softmax(np.where(keep, s, -np.inf))
    if p < 1:
        order = np.lexsort((np.arange(z.size), -q))
        cum = np.cumsum(q[order])
        n = int(np.searchsorted(cum, p - 1e-12)) + 1  # the shortest prefix whose mass reaches p
        top = np.zeros(z.size, dtype=bool)
        top[order[:n]] = True
        keep &= top
    q = softmax(np.where(keep, s, -np.inf))
    if min_p > 0:
        keep &= q >= min_p * q.max()
    return keep


@pytest.mark.parametrize(("t", "k", "p", "min_p"), [(1.0, 0, 1.0, 0.0), (0.7, 5, 0.9, 0.05), (2.0, 0, 0.5, 0.0)])
def test_the_route_answers_the_pages_panel_with_the_right_numbers(t: float, k: int, p: float, min_p: float) -> None:
    reply = json.loads(answer(message(t=t, k=k, p=p, min_p=min_p)))
    assert reply["ok"], reply
    assert reply["seq"] == 3
    page = json.loads(json.dumps(next_token_panel(Scenario(), {**BASE, "t": t, "k": k, "p": p, "min_p": min_p}, STYLE)))
    assert reply["panel"] == page  # a live answer and a rerun cannot disagree
    model = shipped_model()
    z = model.logits(["when", "the", "cat", "is"])
    keep = kept_by_hand(z, t, k, p, min_p)
    final = softmax(np.where(keep, z / t, -np.inf))
    shown = metrics_of(reply["panel"])
    assert shown["Words kept"] == f"{int(keep.sum()):,} of {z.size:,}"
    assert shown["Probability kept"] == fmt(float(softmax(z / t)[keep].sum()))
    assert shown["Entropy H"] == f"{fmt(float(entropy(final)))} nats"
    first = str(reply["panel"]["slots"]["text"][0]["html"])
    greedy_word = model.vocabulary[int(np.argmax(final))]
    assert re.search(rf'<span class="nt-word" aria-current="step">{re.escape(greedy_word)}<small>', first)


def test_a_step_past_the_end_shows_the_last_word() -> None:
    reply = json.loads(answer(message(n=3, step=30)))
    assert reply["ok"]
    assert reply["panel"]["state"] == {"steps": 3, "step": 3}


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("t", 0, "t must be in"),
        ("t", True, "t must be a number"),
        ("t", "1", "t must be a number"),
        ("k", 2.5, "k must be a whole number"),
        ("k", -1, "k must be in"),
        ("p", 0, "p must be in"),
        ("min_p", 1.5, "min_p must be in"),
        ("prompt", "x" * 201, "prompt must be text of at most 200"),
        ("prompt", 7, "prompt must be text"),
        ("greedy", "yes", "greedy must be true or false"),
        ("seed", 10**7, "seed must be in"),
        ("n", 31, "n must be in"),
        ("step", 0, "step must be in"),
    ],
)
def test_bad_settings_get_an_error_naming_them(field: str, value: Any, says: str) -> None:
    reply = json.loads(answer(message(**{field: value})))
    assert reply == {"seq": 3, "ok": False, "error": reply["error"]}
    assert says in reply["error"]


def test_missing_and_unknown_settings_are_refused() -> None:
    extra = {k: v for k, v in BASE.items() if k != "t"}
    reply = json.loads(answer(json.dumps({"seq": 1, "page": "next_token", **EXAMPLE, "extra": extra})))
    assert not reply["ok"]
    assert "t must be a number" in reply["error"]
    with pytest.raises(ValueError, match="unknown settings"):
        read_settings({**BASE, "model": "gpt-4"})


@settings(max_examples=60, deadline=None)
@given(
    extra=st.dictionaries(
        st.sampled_from([*BASE, "x"]),
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30)),
    )
)
def test_any_settings_get_ok_or_a_reason_and_never_raise(extra: dict[str, Any]) -> None:
    text = json.dumps({"seq": 9, "page": "next_token", **EXAMPLE, "extra": {**BASE, **extra}})
    reply = json.loads(answer(text))
    assert reply["seq"] == 9
    assert reply["ok"] or (isinstance(reply["error"], str) and reply["error"] != "this value could not be computed")


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [("t", 10**400, "t must be in"), ("seed", -(10**400), "seed must be in"), ("prompt", "cat \ud800", "printable")],
)
def test_huge_integers_and_lone_surrogates_get_a_reason_not_a_crash(
    field: str, value: Any, says: str, caplog: pytest.LogCaptureFixture
) -> None:
    """JSON allows 10**400 and "\\ud800": both used to reach the catch-all (a logged traceback each)."""
    text = json.dumps({"seq": 2, "page": "next_token", **EXAMPLE, "extra": {**BASE, field: value}})
    reply = json.loads(answer(text))
    assert reply["ok"] is False
    assert says in reply["error"]
    assert not caplog.records  # refused by the rules, not logged as a failure


def test_a_projector_shows_ten_rows_and_a_screen_twenty() -> None:
    from core.figures.style import PRESENT_STYLE

    rows = {
        name: len(next_token_panel(Scenario(), BASE, style)["slots"]["pipeline"][0]["spec"]["data"][0]["x"])
        for name, style in (("screen", STYLE), ("projector", PRESENT_STYLE))
    }
    assert rows == {"screen": 20, "projector": 10}


def test_the_same_settings_give_the_same_panel_and_callers_cannot_change_it() -> None:
    first = next_token_panel(Scenario(), BASE, STYLE)
    first["slots"]["text"][0]["html"] = "changed by a caller"
    assert next_token_panel(Scenario(), BASE, STYLE)["slots"]["text"][0]["html"] != "changed by a caller"


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ((1.0, 0, 1.0, 0.0), "1|0|1|0"),
        ((0.05, 5, 0.9, 0.01), "0.05|5|0.9|0.01"),
        ((1.0500000000000003, 0, 1, 0), "1.05|0|1|0"),
    ],
)
def test_settings_key_is_what_the_browser_writes(values: tuple[float, int, float, float], key: str) -> None:
    """The browser writes String(Number(v.toFixed(6))): 1 → "1", 0.05 → "0.05" (ui/next_token_live.js)."""
    assert settings_key(*values) == key
    assert math.isclose(float(key.split("|")[0]), values[0], rel_tol=1e-6)
