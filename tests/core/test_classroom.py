"""Class mode's pure rules (core/classroom.py): codes, nicknames, specs, answers, grading views, summary, CSV.

Truths are recomputed here with scipy (softmax, log-softmax) and by hand, never read from the code under test.
"""

from __future__ import annotations

import csv
import io
import json
import math
import statistics
from urllib.parse import parse_qsl

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import log_softmax as sp_log_softmax
from scipy.special import softmax as sp_softmax

from core import classroom as cr
from core.quiz import KINDS, LOSS_TOLERANCE, P_TOLERANCE, about, question
from core.scenario import Scenario

EXAMPLE = Scenario()  # cat 2, dog 1, rabbit 0.1; the true class is dog


def p_true(sc: Scenario) -> float:
    return float(sp_softmax(np.asarray(sc.logits) / sc.temperature)[sc.target])


def loss(sc: Scenario) -> float:
    return float(-sp_log_softmax(np.asarray(sc.logits) / sc.temperature)[sc.target])


def ups_by_hand(sc: Scenario) -> tuple[bool, ...]:
    """One gradient step of cross-entropy (lr 1) on z: z − (p − y) / T, then which probabilities rose."""
    z = np.asarray(sc.logits)
    p = sp_softmax(z / sc.temperature)
    y = np.zeros(sc.n_classes)
    y[sc.target] = 1.0
    after = sp_softmax((z - (p - y) / sc.temperature) / sc.temperature)
    return tuple(bool(a > b) for a, b in zip(after, p, strict=True))


@st.composite
def scenarios(draw: st.DrawFn, *, low: float = -8.0, high: float = 8.0) -> Scenario:
    c = draw(st.integers(2, 6))
    logits = tuple(draw(st.lists(st.floats(low, high), min_size=c, max_size=c)))
    t = draw(st.sampled_from([0.5, 1.0, 2.0, 4.0]))
    return Scenario(tuple(f"c{i}" for i in range(c)), logits, draw(st.integers(0, c - 1)), t)


# ---- codes ----------------------------------------------------------------------------------------------------


def test_code_alphabet_has_no_look_alikes_and_no_repeats() -> None:
    assert not set("0O1IL") & set(cr.CODE_ALPHABET)
    assert len(set(cr.CODE_ALPHABET)) == len(cr.CODE_ALPHABET) == 31
    assert cr.CODE_ALPHABET.upper() == cr.CODE_ALPHABET
    assert cr.CODE_LENGTH == 6


def test_new_codes_pass_the_check() -> None:
    for _ in range(50):
        code = cr.new_code()
        assert len(code) == 6
        assert cr.check_code(code) == code


@pytest.mark.parametrize(
    ("typed", "code"), [("K7M2QX", "K7M2QX"), ("k7m2qx", "K7M2QX"), (" k7m-2qx ", "K7M2QX"), ("K7M 2QX", "K7M2QX")]
)
def test_check_code_normalises(typed: str, code: str) -> None:
    assert cr.check_code(typed) == code


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Type the class code"),
        ("   ", "Type the class code"),
        ("K7M2Q", "has 5"),
        ("K7M2QXA", "has 7"),
        ("K0M2QX", "never use 0"),
        ("KOM2QX", "never use O"),
        ("K1M2QX", "never use 1"),
        ("kim2qx", "never use I"),
        ("KLM2QX", "never use L"),
        ("K7M2Q!", "only letters and digits"),
        ("K7M2QÉ", "only letters and digits"),
        (None, "Type the class code"),
        (123456, "Type the class code"),
    ],
)
def test_check_code_refusals_say_why(typed: object, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        cr.check_code(typed)  # type: ignore[arg-type]


# ---- nicknames ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("  Ana  ", "Ana"),
        ("", ""),
        ("   ", ""),
        ("x" * 24, "x" * 24),
        ("<script>alert(1)</script>"[:24], "<script>alert(1)</script"),
        ("Robert'); DROP TABLE--", "Robert'); DROP TABLE--"),
        ("**bold** $x$", "**bold** $x$"),
        ("👩\u200d💻 Zoë", "👩\u200d💻 Zoë"),
        ("Zoe\u0308", "Zoë"),  # NFC: one character, as the composed form
    ],
)
def test_nicknames_kept_as_data(typed: str, name: str) -> None:
    assert cr.check_nickname(typed) == name


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("x" * 25, "at most 24 characters; this one has 25"),
        ("a\x00b", "control or invisible"),
        ("a\nb", "control or invisible"),
        ("a\tb", "control or invisible"),
        ("evil\u202eefil", "control or invisible"),  # right-to-left override
        ("a\u200bb", "control or invisible"),  # zero-width space
        ("a\u2028b", "control or invisible"),  # line separator
        ("a\u00a0b", "plain spaces only"),
        ("\u200d", "at least one letter"),
        ("\u0301\u0301", "at least one letter"),
        (None, "is text"),
        (42, "is text"),
    ],
)
def test_nickname_refusals_say_why(typed: object, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        cr.check_nickname(typed)  # type: ignore[arg-type]


# ---- specs and questions --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", cr.ABOUT_KINDS)
def test_spec_about_round_trips_through_json(kind: str) -> None:
    sc = Scenario(("cat", "dog", "rabbit", "fox"), (-0.5, 1.25, 3.0, 0.0), 2, 2.0)
    spec = cr.spec_about(sc, kind)
    assert spec == {"source": "example", "kind": kind, "query": sc.to_query()}
    q = cr.build(json.loads(json.dumps(spec)))
    assert q == about(sc, kind) == cr.build(spec)
    assert q.kind == kind
    assert q.scenarios[0].classes == sc.classes


def test_spec_quiz_builds_the_quiz_question() -> None:
    for n in range(8):
        spec = cr.spec_quiz(4242, n)
        assert spec == {"source": "quiz", "seed": 4242, "n": n}
        assert cr.build(json.loads(json.dumps(spec))) == question(4242, n)


def test_about_kinds_are_the_quiz_kinds() -> None:
    assert set(cr.ABOUT_KINDS) == set(KINDS) == set(cr.ABOUT_TITLES)


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ([1, 2], "mapping"),
        ({}, "source"),
        ({"source": "elsewhere"}, "source"),
        ({"source": "example", "kind": "guess", "query": {}}, "kind"),
        ({"source": "example", "kind": "loss", "query": "classes=a,b"}, "query"),
        ({"source": "example", "kind": "loss", "query": {"logits": 3}}, "query"),
        ({"source": "example", "kind": "loss", "query": {"logits": "1,nan,2"}}, "not valid"),
        ({"source": "example", "kind": "loss", "query": {"target": "unicorn"}}, "not valid"),
        ({"source": "quiz", "seed": "1", "n": 0}, "integer"),
        ({"source": "quiz", "seed": 1}, "integer"),
        ({"source": "quiz", "seed": True, "n": 0}, "seed"),
        ({"source": "quiz", "seed": -1, "n": 0}, "seed"),
        ({"source": "quiz", "seed": 1, "n": 10**6}, "n"),
    ],
)
def test_bad_specs_are_refused(spec: object, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        cr.build(spec)  # type: ignore[arg-type]


def test_spec_refusals_at_the_source() -> None:
    with pytest.raises(ValueError, match="kind"):
        cr.spec_about(EXAMPLE, "guess")
    with pytest.raises(ValueError, match="seed"):
        cr.spec_quiz(-5, 0)


@settings(max_examples=60, deadline=None)
@given(scenarios())
def test_truths_about_the_example_agree_with_scipy(sc: Scenario) -> None:
    assert about(sc, "p_true").truth == pytest.approx(p_true(sc), rel=1e-12, abs=1e-300)
    assert about(sc, "loss").truth == pytest.approx(loss(sc), rel=1e-9, abs=1e-12)
    moves_ok = True
    z = np.asarray(sc.logits)
    p = sp_softmax(z / sc.temperature)
    y = np.eye(sc.n_classes)[sc.target]
    d = sp_softmax((z - (p - y) / sc.temperature) / sc.temperature) - p
    moves_ok = bool(np.all(np.abs(d) > 1e-12))  # a class that does not move has no clear direction
    if moves_ok:
        assert about(sc, "step").truth == ups_by_hand(sc)
    for kind in cr.ABOUT_KINDS:
        assert sc.target_name in about(sc, kind).prompt


@settings(max_examples=60, deadline=None)
@given(scenarios(low=-12.0, high=12.0))
def test_lowest_loss_options_have_one_clear_winner(sc: Scenario) -> None:
    q = about(sc, "lowest_loss")
    assert q == about(sc, "lowest_loss")  # deterministic
    assert len(q.scenarios) == 3
    assert len({o.logits for o in q.scenarios}) == 3
    for o in q.scenarios:
        assert (o.classes, o.target, o.temperature) == (sc.classes, sc.target, sc.temperature)
        assert all(round(z, 2) == z for z in o.logits)  # the logits are exactly what the table shows
    losses = [loss(o) for o in q.scenarios]
    best = int(np.argmin(losses))
    assert q.truth == best
    assert sorted(losses)[1] - losses[best] > 0.1
    assert q.scenario == q.scenarios[best]


@pytest.mark.parametrize(
    "sc",
    [
        Scenario(logits=(10.0, -10.0, -10.0), target=0),  # the true class already dominates
        Scenario(logits=(0.0, 0.0, 0.0), temperature=10.0),
        Scenario(("a", "b"), (10.0, 10.0), 1, 10.0),
        Scenario(tuple(f"c{i}" for i in range(10)), (9.0,) * 10, 3, 10.0),
    ],
)
def test_lowest_loss_has_a_winner_for_awkward_examples(sc: Scenario) -> None:
    q = about(sc, "lowest_loss")
    losses = sorted(loss(o) for o in q.scenarios)
    assert losses[1] - losses[0] > 0.1
    assert loss(q.scenarios[int(q.truth)]) == losses[0]  # type: ignore[arg-type]


def test_lowest_loss_depends_on_the_example() -> None:
    a = about(EXAMPLE, "lowest_loss")
    b = about(EXAMPLE.with_logit(0, 2.5), "lowest_loss")
    assert a.scenarios != b.scenarios
    assert EXAMPLE in a.scenarios  # the example itself is one of the options


def test_quiz_and_example_questions_share_prompt_and_truth() -> None:
    for n in range(8):
        q = question(77, n)
        if q.kind == "lowest_loss":
            continue
        twin = about(q.scenario, q.kind)
        assert (twin.prompt, twin.truth) == (q.prompt, q.truth)


def test_about_refuses_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="kind must be one of"):
        about(EXAMPLE, "softmax")


# ---- answers --------------------------------------------------------------------------------------------------

P_Q = about(EXAMPLE, "p_true")
LOSS_Q = about(EXAMPLE, "loss")
STEP_Q = about(EXAMPLE, "step")
PICK_Q = about(EXAMPLE, "lowest_loss")


@pytest.mark.parametrize(("raw", "value"), [(0, 0.0), (1, 1.0), (0.35, 0.35), (-0.0, 0.0)])
def test_probability_answers_read(raw: object, value: float) -> None:
    got = cr.read_answer(P_Q, raw)
    assert got == value
    assert isinstance(got, float)


@pytest.mark.parametrize(
    "raw",
    [True, False, "0.5", "0,5", None, [0.5], {"v": 0.5}, math.nan, math.inf, -math.inf, -0.01, 1.0001, 2, 10**400],
)
def test_probability_refusals(raw: object) -> None:
    with pytest.raises(ValueError, match=r"^Type a probability between 0 and 1\.$"):
        cr.read_answer(P_Q, raw)


@pytest.mark.parametrize(("raw", "value"), [(0, 0.0), (1.42, 1.42), (100, 100.0)])
def test_loss_answers_read(raw: object, value: float) -> None:
    assert cr.read_answer(LOSS_Q, raw) == value


@pytest.mark.parametrize("raw", [True, "1.4", "1,4", None, math.nan, math.inf, -0.5, 100.5, [1.0]])
def test_loss_refusals(raw: object) -> None:
    with pytest.raises(ValueError, match=r"^Type a loss between 0 and 100\.$"):
        cr.read_answer(LOSS_Q, raw)


def test_the_loss_range_covers_an_extreme_truth() -> None:
    sc = Scenario(("a", "b"), (10.0, -10.0), 1, 0.05)  # loss ≈ 20 / 0.05 = 400 nats
    q = about(sc, "loss")
    assert loss(sc) == pytest.approx(400.0)
    assert cr.loss_max(q) == 800.0
    assert cr.read_answer(q, 400) == 400.0
    assert cr.question_view(q)["input"]["max"] == 800.0
    with pytest.raises(ValueError, match="between 0 and 800"):
        cr.read_answer(q, 801)


@pytest.mark.parametrize(("raw", "value"), [(0, 0), (1, 1), (2, 2), (2.0, 2)])
def test_choice_answers_read(raw: object, value: int) -> None:
    got = cr.read_answer(PICK_Q, raw)
    assert got == value
    assert isinstance(got, int)


@pytest.mark.parametrize("raw", [3, -1, 1.5, True, False, "1", "B", None, math.nan, [1], 10**400])
def test_choice_refusals(raw: object) -> None:
    with pytest.raises(ValueError, match=r"^Pick one of the options\.$"):
        cr.read_answer(PICK_Q, raw)


@pytest.mark.parametrize(("raw", "value"), [([True, False, True], [True, False, True]), ((False,) * 3, [False] * 3)])
def test_step_answers_read(raw: object, value: list[bool]) -> None:
    assert cr.read_answer(STEP_Q, raw) == value


@pytest.mark.parametrize(
    "raw", [[True, False], [True] * 4, [1, 0, 1], ["up", "down", "up"], [True, None, False], None, "up", True, 1.0]
)
def test_step_refusals(raw: object) -> None:
    with pytest.raises(ValueError, match=r"^Choose up or down for each of the 3 classes\.$"):
        cr.read_answer(STEP_Q, raw)


@pytest.mark.parametrize(
    ("q", "value", "shown"),
    [
        (P_Q, 0.35, "0.35"),
        (P_Q, 1, "1"),
        (P_Q, 0.123456, "0.1235"),
        (P_Q, 0.00001, "1.00 × 10⁻⁵"),
        (LOSS_Q, 1.2, "1.2 nats"),
        (PICK_Q, 1, "option B"),
        (STEP_Q, [False, True, False], "cat ↓, dog ↑, rabbit ↓"),
    ],
)
def test_show_answer(q: object, value: object, shown: str) -> None:
    assert cr.show_answer(q, value) == shown  # type: ignore[arg-type]


# ---- views ----------------------------------------------------------------------------------------------------


def all_strings(x: object) -> list[str]:
    if isinstance(x, str):
        return [x]
    if isinstance(x, dict):
        return [s for v in x.values() for s in all_strings(v)]
    if isinstance(x, list | tuple):
        return [s for v in x for s in all_strings(v)]
    return []


@pytest.mark.parametrize("kind", cr.ABOUT_KINDS)
def test_question_view_is_text_ready_to_show(kind: str) -> None:
    sc = Scenario(("cat", "<b>dog</b>", "rabbit"), (-0.5, 1.0, 2.25), 1, 2.0)
    q = about(sc, kind)
    view = cr.question_view(q)
    assert json.loads(json.dumps(view)) == view
    assert view["prompt"] == q.prompt
    assert view["kind"] == kind
    assert view["notes"] == ["With T = 2: p = softmax(z / 2)."]
    tables = view["tables"]
    assert len(tables) == (3 if kind == "lowest_loss" else 1)
    for table, o in zip(tables, q.scenarios, strict=True):
        assert [r["name"] for r in table["rows"]] == list(sc.classes)  # names as data, unescaped: shown as text
        assert [r["true"] for r in table["rows"]] == [False, True, False]
        assert [r["mark"] for r in table["rows"]] == ["", "✓ true class", ""]
        assert all(isinstance(r["logit"], str) for r in table["rows"])
        assert [float(r["logit"].replace("−", "-")) for r in table["rows"]] == list(o.logits)
    if kind != "lowest_loss":
        assert tables[0]["rows"][0]["logit"] == "−0.50"  # a true minus sign
    assert not any("-" in s for s in all_strings(view) if any(ch.isdigit() for ch in s))
    inp = view["input"]
    if kind == "p_true":
        assert (inp["type"], inp["min"], inp["max"]) == ("number", 0.0, 1.0)
        assert "±0.1 " in inp["hint"]
        assert "<b>dog</b>" in inp["label"]
    elif kind == "loss":
        assert (inp["type"], inp["min"], inp["max"], inp["unit"]) == ("number", 0.0, 100.0, "nats")
        assert "±0.25 nats" in inp["hint"]
    elif kind == "lowest_loss":
        assert inp == {"type": "choice", "label": "Your pick", "options": ["Option A", "Option B", "Option C"]}
    else:
        assert inp["type"] == "updown"
        assert inp["classes"] == list(sc.classes)


def test_tolerance_hints_use_the_quiz_constants() -> None:
    assert f"±{P_TOLERANCE:g}" in cr.question_view(P_Q)["input"]["hint"]
    assert f"±{LOSS_TOLERANCE:g} nats" in cr.question_view(LOSS_Q)["input"]["hint"]


def test_result_view_for_estimates() -> None:
    truth = p_true(EXAMPLE)  # 0.2424...
    assert truth == pytest.approx(0.24243, abs=1e-5)
    right = cr.result_view(P_Q, truth + 0.09)
    wrong = cr.result_view(P_Q, truth - 0.11)
    none = cr.result_view(P_Q, None)
    assert (right["correct"], right["verdict"]) == (True, "Right!")
    assert (wrong["correct"], wrong["verdict"]) == (False, "Not quite.")
    assert (none["correct"], none["error"], none["answer"]) == (None, None, None)
    assert right["truth"] == wrong["truth"] == none["truth"] == "0.242"
    assert right["error"] == "off by 0.090"
    assert wrong["error"] == "off by 0.110"
    assert none["explanation"] == right["explanation"]
    assert "0.242" in none["explanation"]
    for view in (right, wrong, none):
        assert json.loads(json.dumps(view)) == view


def test_result_view_opens_the_example_in_the_playground() -> None:
    view = cr.result_view(PICK_Q, 0)
    assert view["playground"].startswith("?")
    params = dict(parse_qsl(view["playground"][1:]))
    best = min(PICK_Q.scenarios, key=loss)
    assert Scenario.from_query(params) == (best, [])
    assert view["correct"] is (loss(PICK_Q.scenarios[0]) == loss(best))
    assert view["error"] is None
    assert view["truth"] == f"option {'ABC'[PICK_Q.scenarios.index(best)]}"


def test_result_view_for_a_step() -> None:
    truth = list(ups_by_hand(EXAMPLE))
    assert truth == [False, True, False]
    assert cr.result_view(STEP_Q, truth)["correct"] is True
    half = cr.result_view(STEP_Q, [True, True, False])
    assert half["correct"] is False
    assert half["error"] == "2 of 3 right"


def test_result_view_refuses_a_bad_value() -> None:
    with pytest.raises(ValueError, match="probability"):
        cr.result_view(P_Q, "0.3")


# ---- summary --------------------------------------------------------------------------------------------------


def test_summary_of_estimates() -> None:
    truth = loss(EXAMPLE)  # 1.417; right within max(0.25, 0.2 × 1.417 = 0.283)
    values = [1.4, 1.2, 0.5, 3.0, 1.7]
    s = cr.summary(LOSS_Q, values)
    right = sum(abs(v - truth) <= max(0.25, 0.2 * truth) for v in values)
    assert right == 3
    assert s["answered"] == 5
    assert s["right"] == 3
    assert s["share_right"] == pytest.approx(0.6)
    assert s["median_error"] == pytest.approx(statistics.median(abs(v - truth) for v in values))
    assert s["text"] == "3 of 5 right (60 %); median error 0.283 nats."


def test_summary_of_nobody() -> None:
    s = cr.summary(P_Q, [])
    assert (s["answered"], s["right"], s["share_right"], s["median_error"]) == (0, 0, None, None)
    assert s["text"] == "No answers."


def test_summary_of_choices_has_no_median_error() -> None:
    best = int(np.argmin([loss(o) for o in PICK_Q.scenarios]))
    s = cr.summary(PICK_Q, [best, best, (best + 1) % 3, (best + 2) % 3])
    assert (s["right"], s["share_right"], s["median_error"]) == (2, 0.5, None)
    s = cr.summary(STEP_Q, [[False, True, False], [True, True, True]])
    assert (s["right"], s["share_right"], s["median_error"]) == (1, 0.5, None)


# ---- CSV ------------------------------------------------------------------------------------------------------


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_csv_round_trips_and_uses_crlf() -> None:
    rows = [
        ("Ana", "Q1: Estimate p(dog)", "0.35", "0.242", "2024-05-01T09:00:00+00:00"),
        ('Bo "the" Bear, Jr.', "Q2: line one\nline two", "option B", "option A", "t"),
        ("", "Q3", "cat ↑, dog ↓", "cat down", "t"),
    ]
    text = cr.csv_text(rows)
    assert text.startswith("nickname,question,answer,truth,time\r\n")
    assert read_csv(text) == [list(cr.CSV_HEADER), *[list(r) for r in rows]]


@pytest.mark.parametrize("evil", ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\r=1"])
def test_csv_makes_formulas_inert(evil: str) -> None:
    text = cr.csv_text([(evil, evil, "0.5", "0.5", "t")])
    row = read_csv(text)[1]
    assert row[0] == row[1] == "'" + evil


def test_csv_writes_numbers_as_numbers() -> None:
    text = cr.csv_text([("Ana", "Q1", -0.5, 3, "t"), ("Bo", "Q2", "−0.5", 0.1, "t")])
    assert read_csv(text)[1:] == [["Ana", "Q1", "-0.5", "3", "t"], ["Bo", "Q2", "−0.5", "0.1", "t"]]


def test_csv_refuses_a_short_row() -> None:
    with pytest.raises(ValueError, match="5 cells"):
        cr.csv_text([("Ana", "Q1", "0.5")])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(*[st.text(max_size=30)] * 5), max_size=5))
def test_csv_round_trips_any_text(rows: list[tuple[str, str, str, str, str]]) -> None:
    back = read_csv(cr.csv_text(rows))[1:]
    assert len(back) == len(rows)
    for got, sent in zip(back, rows, strict=True):
        for g, s in zip(got, sent, strict=True):
            guarded = s[:1] in ("=", "+", "-", "@", "\t", "\r")
            assert g == ("'" + s if guarded else s)


def test_answer_row() -> None:
    row = cr.answer_row("=cmd", 3, P_Q, 0.3, 86_400.0)
    assert row == ("=cmd", f"Q3: {P_Q.prompt}", "0.3", "0.242", "1970-01-02T00:00:00+00:00")
    assert read_csv(cr.csv_text([row]))[1][0] == "'=cmd"
