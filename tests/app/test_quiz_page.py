"""The Quiz page in AppTest: answer, reveal, score and streak; the same questions for the same seed."""

from __future__ import annotations

import math
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from scipy.special import softmax as sp_softmax
from streamlit.testing.v1 import AppTest

from core.quiz import ROUND, question
from tests.app.support import metric, open_page, plain, url

PAGE = "app_pages/quiz.py"


def right_answer(seed: int, n: int) -> object:
    """The right answer, worked out with scipy from the question's logits."""
    q = question(seed, n)
    if q.kind == "lowest_loss":
        return int(np.argmin([-math.log(sp_softmax(np.array(s.logits))[s.target]) for s in q.scenarios]))
    sc = q.scenario
    p = sp_softmax(np.array(sc.logits))
    if q.kind == "p_true":
        return round(float(p[sc.target]), 2)
    if q.kind == "loss":
        return round(-math.log(p[sc.target]), 2)
    after = sp_softmax(np.array(sc.logits) - (p - np.eye(sc.n_classes)[sc.target]))
    return ["up" if a > b else "down" for a, b in zip(after, p, strict=True)]


def answer(at: AppTest, seed: int, n: int, value: object) -> None:
    key = f"qz_answer_{seed}_{n}_0"
    kind = question(seed, n).kind
    if kind in ("p_true", "loss"):
        at.text_input(key=key).input(str(value))  # typed text (core.query.parse_typed_number reads it)
    elif kind == "lowest_loss":
        at.radio(key=key).set_value(value)
    else:
        for i, direction in enumerate(value):  # type: ignore[attr-defined]
            at.segmented_control(key=f"{key}_{i}").set_value(direction)
    at.run()
    at.button(key=f"{key}_check").click().run()
    assert not at.exception


def wrong(seed: int, n: int) -> object:
    good = right_answer(seed, n)
    kind = question(seed, n).kind
    if kind == "p_true":
        return 0.0 if good > 0.5 else 1.0  # type: ignore[operator]
    if kind == "loss":
        return good + 5.0  # type: ignore[operator]
    if kind == "lowest_loss":
        return (good + 1) % 3  # type: ignore[operator]
    return ["down" if d == "up" else "up" for d in good]  # type: ignore[attr-defined]


def test_a_whole_round_answered_right_scores_every_question_and_keeps_the_streak() -> None:
    at = open_page(PAGE, {"qz_seed": "42"})
    assert not at.warning
    assert metric(at, "Question") == "1 of 8"
    assert metric(at, "Score") == "0 / 0"
    for n in range(ROUND):
        answer(at, 42, n, right_answer(42, n))
        assert at.success, f"question {n} ({question(42, n).kind}) not graded right"
        assert metric(at, "Score") == f"{n + 1} / {n + 1}"
        assert metric(at, "Streak") == str(n + 1)
        assert url(at)["qz_n"] == str(n)
        at.button(key="qz_next" if n + 1 < ROUND else "qz_finish").click().run()
    assert "8 of 8 right" in at.subheader[0].value
    at.button(key="qz_retry").click().run()
    assert metric(at, "Score") == "0 / 0"
    assert metric(at, "Question") == "1 of 8"


def test_a_wrong_answer_is_revealed_with_the_truth_and_breaks_the_streak() -> None:
    at = open_page(PAGE, {"qz_seed": "7"})
    answer(at, 7, 0, right_answer(7, 0))
    at.button(key="qz_next").click().run()
    answer(at, 7, 1, wrong(7, 1))
    assert at.error
    text = plain(at.error[0].value)
    assert text.startswith("**Not quite.**")
    assert metric(at, "Score") == "1 / 2"
    assert metric(at, "Streak") == "0"
    locked = "qz_answer_7_1_0"
    widgets = [w for w in at.main if getattr(w, "key", None) in (locked, f"{locked}_0")]
    assert widgets
    assert all(w.disabled for w in widgets)  # committed: the answer can no longer change


def test_checking_without_an_answer_asks_for_one() -> None:
    at = open_page(PAGE, {"qz_seed": "42"})
    at.button(key="qz_answer_42_0_0_check").click().run()
    assert any("Give an answer first" in w.value for w in at.warning)
    assert metric(at, "Score") == "0 / 0"


def test_the_same_seed_shows_the_same_questions_to_every_student() -> None:
    def first_questions(seed: str) -> list[str]:
        at = open_page(PAGE, {"qz_seed": seed})
        shown = []
        for n in range(3):
            shown.append(at.subheader[0].value + " ".join(h.value for h in at.html))
            at.button(key="qz_skip").click().run()
            assert metric(at, "Question") == f"{n + 2} of 8"
        return shown

    assert first_questions("1234") == first_questions("1234")
    assert first_questions("1234") != first_questions("1235")


def test_reveal_links_to_the_scenario_in_the_playground() -> None:
    at = open_page(PAGE, {"qz_seed": "42"})
    answer(at, 42, 0, right_answer(42, 0))
    link = next(b for b in at.get("link_button") if "Playground" in b.proto.label)
    query = {k: v[0] for k, v in parse_qs(urlparse(link.proto.url).query).items()}
    sc = question(42, 0).scenario
    assert query["logits"] == ",".join(f"{z:g}" for z in sc.logits)
    play = open_page("app_pages/playground.py", query)
    p = sp_softmax(np.array(sc.logits))
    assert metric(play, "Cross-entropy") == f"{-math.log(p[sc.target]):.4f} nats"


def test_a_first_visit_gets_a_seed_into_the_url() -> None:
    at = open_page(PAGE)
    seed = int(url(at)["qz_seed"])
    assert 0 <= seed <= 999_999
    assert metric(at, "Quiz seed") == str(seed)
    assert at.session_state["qz_seed"] == seed


@pytest.mark.parametrize("button", ["qz_new_top", "qz_new"])
def test_new_quiz_changes_the_seed_in_the_session_and_the_url_and_starts_over(button: str) -> None:
    at = open_page(PAGE, {"qz_seed": "42"})
    answer(at, 42, 0, right_answer(42, 0))
    if button == "qz_new":  # the summary's button: skip to the end of the round first
        for _ in range(ROUND):
            at.button(key="qz_skip").click().run()
        assert "Round over" in at.subheader[0].value
    before = (at.session_state["qz_seed"], url(at)["qz_seed"])
    assert before == (42, "42")
    at.button(key=button).click().run()
    seed = at.session_state["qz_seed"]
    assert seed != 42
    assert url(at)["qz_seed"] == str(seed)
    assert metric(at, "Quiz seed") == str(seed)
    assert metric(at, "Question") == "1 of 8"
    assert url(at)["qz_n"] == "0"
    assert metric(at, "Score") == "0 / 0"
    assert plain(at.subheader[0].value) == question(seed, 0).prompt


@pytest.mark.parametrize(("param", "value"), [("qz_seed", "-3"), ("qz_seed", "x"), ("qz_n", "99")])
def test_bad_quiz_parameters_are_named(param: str, value: str) -> None:
    at = open_page(PAGE, {param: value})
    assert any(f"'{param}'" in plain(w.value) for w in at.warning)
    assert not at.exception
