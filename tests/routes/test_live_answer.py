"""The live route's reply function: the page's own panel, right numbers, and a guarded door.

``routes.live.answer`` must return exactly what the page computes with its core panel
function (``core.panels.PANELS``) for the same example, so a drag and a commit cannot
disagree. The numbers shown are also checked independently of the code under test:
cross-entropy and probabilities from ``scipy.special.log_softmax`` of ``z / T`` (only
the formatting is borrowed, from ``core.text.fmt`` and ``fmt_prob``: a probability that underflows is written
from its log, "≈ 3.1 × 10⁻⁴³⁴³"), the top pick from an argmax, and the
Simplex page's three classes picked by hand.
"""

from __future__ import annotations

import html
import json
import logging
import math
import re
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import log_softmax
from starlette.datastructures import Headers

from core.figures.style import style_for
from core.panels import PANELS
from core.scenario import Scenario
from core.text import fmt, fmt_prob
from routes.live import answer, same_origin

NAMES = ("cat", "dog", "rabbit", "<b>fox</b>", "a&b", "élan", "猫", "o'brien", 'say "hi"', "owl", "eel", "ant")
PAGES = ("playground", "simplex", "readout")
LN2 = math.log(2.0)


# ---- the scenarios -----------------------------------------------------------------------------------------------
def _logits(rng: np.random.Generator, n: int, kind: int) -> list[float]:
    if kind == 0:  # everyday values, as the slider gives
        return [round(float(v), 2) for v in rng.uniform(-10, 10, n)]
    if kind == 1:  # extremes: ±1e4 and zeros
        return [float(v) for v in rng.choice([-1e4, 0.0, 1e4], n)]
    if kind == 2:  # ties
        return [float(v) for v in rng.choice([-1.0, 2.0], n)]
    return [float(v) for v in rng.normal(0, 3, n)]


def _scenarios(count: int = 200, seed: int = 20240612) -> list[dict[str, Any]]:
    """``count`` messages spread over the pages, class counts 2 to 10, both units, T from 0.05 to 10."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(count):
        page = PAGES[k % 3]
        lowest = 3 if page == "simplex" else 2  # the triangle needs three classes
        n = (lowest, 10)[k % 2] if k < 12 else int(rng.integers(lowest, 11))
        temperature = (0.05, 10.0, 1.0)[k % 3] if k < 30 else float(np.exp(rng.uniform(math.log(0.05), math.log(10))))
        extra: dict[str, Any] = {}
        if page == "simplex":
            extra = {
                "lr": float(rng.choice([0.01, 10.0, float(np.exp(rng.uniform(math.log(0.01), math.log(10))))])),
                "steps": int(rng.choice([1, 100, int(rng.integers(1, 101))])),
                "corners": [int(c) for c in rng.integers(-1, n, 2)],
            }
            if k % 7 == 0:
                del extra["corners"]  # settings may be left out: their defaults apply
        out.append(
            {
                "seq": k,
                "page": page,
                "classes": [str(c) for c in rng.choice(NAMES, n, replace=False)],
                "logits": _logits(rng, n, k % 4),
                "target": int(rng.integers(0, n)),
                "temperature": temperature,
                "unit": ("nats", "bits")[int(rng.integers(0, 2))],
                "present": bool(rng.integers(0, 2)),
                "extra": extra,
            }
        )
    return out


SCENARIOS = _scenarios()


def _page_panel(msg: dict[str, Any]) -> Any:
    """What the page draws for ``msg``: its core panel function, through JSON as the browser gets it."""
    sc = Scenario(tuple(msg["classes"]), tuple(msg["logits"]), msg["target"], msg["temperature"], msg["unit"])
    return json.loads(json.dumps(PANELS[msg["page"]](sc, msg["extra"], style_for(msg["present"]))))


def _reply(msg: dict[str, Any]) -> dict[str, Any]:
    reply = json.loads(answer(json.dumps(msg)))
    assert isinstance(reply, dict)
    return reply


def _metrics(panel: dict[str, Any]) -> dict[str, str]:
    """Every metric's value in the panel, by key."""
    found: dict[str, str] = {}

    def walk(parts: list[dict[str, Any]]) -> None:
        for part in parts:
            if part["kind"] == "metrics":
                found.update({item["key"]: item["value"] for item in part["items"]})
            elif part["kind"] == "row":
                walk(part["parts"])

    for parts in panel["slots"].values():
        walk(parts)
    return found


def _html(panel: dict[str, Any], key: str) -> str:
    for parts in panel["slots"].values():
        for part in parts:
            if part["kind"] == "html" and part["key"] == key:
                return str(part["html"])
    raise AssertionError(f"no html part {key!r}")


def _p(log_p: float) -> str:
    """A probability as the panels write it, from its log (scipy's): "0.2424" or "≈ 3.1 × 10⁻⁴³⁴³"."""
    return fmt_prob(float(np.exp(log_p)), float(log_p))


def _is(shown: str) -> str:
    """What follows "p(name)": "= 0.2424", or "≈ 3.1 × 10⁻⁴³⁴³" (never "= ≈")."""
    return shown if shown.startswith("≈") else f"= {shown}"


def _in_unit(nats: float, unit: str) -> float:
    return nats / LN2 if unit == "bits" else nats


def _three(p: np.ndarray, target: int, corners: list[int]) -> list[int]:
    """The Simplex page's classes, by its stated rule: the true class, the valid corners asked for, then the most
    probable others (the first of equal probabilities first; probabilities that underflow to 0 are equal)."""
    shown = [target]
    for c in corners:
        if 0 <= c < p.size and c not in shown and len(shown) < 3:
            shown.append(c)
    for i in sorted(range(p.size), key=lambda i: (-p[i], i)):
        if len(shown) < 3 and i not in shown:
            shown.append(i)
    return shown


# ---- the route's answer is the page's panel -----------------------------------------------------------------------
def test_the_scenarios_reach_every_page_and_extreme() -> None:
    assert {m["page"] for m in SCENARIOS} == set(PAGES)
    assert {len(m["classes"]) for m in SCENARIOS} >= {2, 3, 10}
    assert {m["temperature"] for m in SCENARIOS} >= {0.05, 10.0}
    assert {m["unit"] for m in SCENARIOS} == {"nats", "bits"}
    assert any(abs(z) == 1e4 for m in SCENARIOS for z in m["logits"])
    assert {m["extra"].get("lr") for m in SCENARIOS} >= {0.01, 10.0}
    assert {m["extra"].get("steps") for m in SCENARIOS} >= {1, 100}


@pytest.mark.parametrize("msg", SCENARIOS, ids=lambda m: f"{m['seq']}-{m['page']}-{len(m['classes'])}")
def test_answer_is_the_pages_panel_with_the_right_numbers(msg: dict[str, Any]) -> None:
    reply = _reply(msg)
    assert reply["ok"] is True, reply.get("error")
    assert reply["seq"] == msg["seq"]
    panel = reply["panel"]
    assert panel == _page_panel(msg)
    assert panel["page"] == msg["page"]

    z = np.asarray(msg["logits"], dtype=np.float64)
    t, y, unit, names = msg["temperature"], msg["target"], msg["unit"], msg["classes"]
    shown = _metrics(panel)
    if msg["page"] == "simplex":
        idx = _three(np.exp(log_softmax(z / t)), y, msg["extra"].get("corners", [-1, -1]))
        assert panel["state"]["corners"] == idx[1:]
        log_p3 = log_softmax(z[idx] / t)
        assert shown["sx_loss"] == f"{fmt(_in_unit(-log_p3[0], unit))} {unit}"
        items = re.findall(r"<li>(.*?)</li>", _html(panel, "sx_probs"))
        log_p = log_softmax(z / t)
        # the model's own probability first; with hidden classes, the triangle's rescaled one, said to be so
        rescaled = (lambda k: f" ({_p(log_p3[k])} on the triangle)") if z.size > 3 else (lambda k: "")
        assert items == [f"p({html.escape(names[i])}) {_is(_p(log_p[i]))}{rescaled(k)}" for k, i in enumerate(idx)]
        if z.size > 3:  # the note on the hidden classes gives the loss over all classes
            full = -log_softmax(z / t)[y]
            assert f"The full cross-entropy is {fmt(_in_unit(full, unit))} {unit}" in _html(panel, "sx_hidden")
        return
    log_p = log_softmax(z / t)
    assert shown["ce"] == f"{fmt(_in_unit(-log_p[y], unit))} {unit}"
    if msg["page"] == "playground":
        assert shown["p_true"] == _p(log_p[y])
        tied = [i for i in range(z.size) if z[i] == z.max()]  # every class with the largest logit: a tie if several
        assert shown["top"] == ", ".join(names[i] for i in tied)
    else:
        cells = re.findall(r"</th><td[^>]*>(.*?)</td>", _html(panel, "readout_probs"))
        assert cells == [_p(lp) for lp in log_p]


def test_the_worked_example_is_exact() -> None:
    """cat, dog, rabbit with logits 2, 1, 0.1 and the true class dog: CE = 1.4170 nats = 2.0443 bits."""
    msg = {**SCENARIOS[0], "page": "playground", "classes": ["cat", "dog", "rabbit"], "logits": [2, 1, 0.1]}
    msg.update(target=1, temperature=1, unit="nats", extra={})
    ce = -math.log(math.exp(1) / (math.exp(2) + math.exp(1) + math.exp(0.1)))
    assert f"{ce:.4f}" == "1.4170"
    assert _metrics(_reply(msg)["panel"])["ce"] == "1.4170 nats"
    assert _metrics(_reply({**msg, "unit": "bits"})["panel"])["ce"] == f"{ce / LN2:.4f} bits"


def test_two_classes_on_the_simplex_are_refused_like_the_page_refuses_them() -> None:
    msg = {**SCENARIOS[1], "classes": ["cat", "dog"], "logits": [1.0, 2.0], "target": 0}
    reply = _reply(msg)
    assert reply == {"seq": msg["seq"], "ok": False, "error": reply["error"]}
    assert "at least 3 classes" in reply["error"]
    with pytest.raises(ValueError, match="at least 3 classes"):
        _page_panel(msg)


def test_simplex_loss_stays_finite_when_p_true_underflows() -> None:
    msg = {**SCENARIOS[1], "classes": ["cat", "dog", "rabbit"], "logits": [1e4, -1e4, 0.0], "target": 1}
    msg.update(temperature=0.05, unit="nats", extra={})
    expected = -log_softmax(np.array([-1e4, 1e4, 0.0]) / 0.05)[0]  # true class first, then the most probable
    assert _metrics(_reply(msg)["panel"])["sx_loss"] == f"{fmt(expected)} nats"


# ---- answer() never raises, whatever the JSON --------------------------------------------------------------------
GOOD = {
    "seq": 5,
    "page": "playground",
    "classes": ["cat", "dog", "rabbit"],
    "logits": [2, 1, 0.1],
    "target": 1,
    "temperature": 1,
    "unit": "nats",
    "present": False,
    "extra": {},
}
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()  # also beyond float range
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=12) | st.dictionaries(st.text(max_size=8), inner, max_size=6),
    max_leaves=30,
)


class _Errors(logging.Handler):
    """Collects what ``routes.live`` logs as an error: an exception no rule of the protocol expected."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@settings(max_examples=150)
@given(field=st.sampled_from([*GOOD, "other"]), value=JSON, page=st.sampled_from(PAGES))
def test_answer_never_raises_and_always_says_ok_or_why(field: str, value: Any, page: str) -> None:
    msg = {**GOOD, "page": page, field: value}
    errors, log = _Errors(), logging.getLogger("routes.live")
    log.addHandler(errors)
    try:
        reply = _reply(msg)
    finally:
        log.removeHandler(errors)
    assert [r.getMessage() for r in errors.records] == []  # every bad value is named by a rule, not caught blind
    assert isinstance(reply["ok"], bool)
    if not reply["ok"]:
        assert isinstance(reply["error"], str)
        assert reply["error"]
    if field != "seq":
        assert reply["seq"] == 5


@pytest.mark.parametrize(
    ("field", "value", "word"),
    [("logits", [10**400, 1, 0], "logit"), ("temperature", 10**400, "temperature"), ("extra", {"lr": 10**400}, "lr")],
    ids=["logit", "temperature", "simplex-lr"],
)
def test_integers_beyond_float_range_get_an_error_reply_naming_them(field: str, value: Any, word: str) -> None:
    page = "simplex" if field == "extra" else "playground"
    reply = _reply({**GOOD, "page": page, field: value})
    assert reply["ok"] is False
    assert word in reply["error"]
    assert reply["seq"] == 5


# ---- same_origin --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("origin", "host"),
    [
        ("http://127.0.0.1:8501", "127.0.0.1:8501"),
        ("https://explorer.example.org", "explorer.example.org"),
        ("http://LocalHost:8501", "localhost:8501"),
        ("http://localhost:8501", "LOCALHOST:8501"),
        ("https://explorer.example.org", "explorer.example.org:443"),  # the default port, written or not
        ("http://explorer.example.org:80", "explorer.example.org"),
        ("http://[::1]:8501", "[::1]:8501"),  # IPv6
        ("http://[::1]", "[::1]:80"),
    ],
)
def test_same_origin_accepts_the_apps_own_page(origin: str, host: str) -> None:
    assert same_origin({"origin": origin, "host": host})


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        ("http://evil.example:8501", "127.0.0.1:8501"),  # another host
        ("http://127.0.0.1:8502", "127.0.0.1:8501"),  # another port
        ("http://127.0.0.1", "127.0.0.1:8501"),  # no port
        ("file://127.0.0.1:8501", "127.0.0.1:8501"),  # another scheme
        ("ws://127.0.0.1:8501", "127.0.0.1:8501"),
        ("null", "127.0.0.1:8501"),  # a sandboxed frame or a file:// page
        ("http://127.0.0.1:8501@evil.example", "127.0.0.1:8501"),
        ("http://evil.example@127.0.0.1:8501", "127.0.0.1:8501"),
        ("http://127.0.0.1.evil.example:8501", "127.0.0.1:8501"),
        ("", "127.0.0.1:8501"),
        ("http://127.0.0.1:8501", ""),
        ("https://explorer.example.org", "explorer.example.org:80"),  # https's port is 443
        ("http://[::1]:8501", "[::1]:8502"),
        ("http://[::2]:8501", "[::1]:8501"),
    ],
)
def test_same_origin_refuses_everyone_else(origin: str, host: str) -> None:
    assert not same_origin({"origin": origin, "host": host})


def test_same_origin_refuses_missing_headers_and_reads_real_headers() -> None:
    assert not same_origin({})
    assert not same_origin({"host": "127.0.0.1:8501"})
    assert not same_origin({"origin": "http://127.0.0.1:8501"})
    raw = [(b"Host", b"127.0.0.1:8501"), (b"Origin", b"http://127.0.0.1:8501")]
    assert same_origin(Headers(raw=[(k.lower(), v) for k, v in raw]))
    assert not same_origin(Headers(raw=[(b"host", b"127.0.0.1:8501"), (b"origin", b"http://127.0.0.1:9999")]))
