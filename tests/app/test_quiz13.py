"""The Quiz tells the truth in its own words: minus signs, a typed decimal comma, a clear end of the round."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from scipy.special import softmax as sp_softmax
from streamlit.testing.v1 import AppTest

from core.quiz import ROUND, question
from tests.app.support import html_text, metric, open_page, plain, url

PAGE = "app_pages/quiz.py"
HYPHEN_MINUS = re.compile(r"(?:^|[\s(\[>=,;:/])-(?=\.?\d)|\de-\d")
"""An ASCII hyphen used as a minus sign: before a number, or in an exponent (5.0e-01)."""


def key(seed: int, n: int) -> str:
    return f"qz_answer_{seed}_{n}_0"


def shown_text(at: AppTest) -> list[str]:
    """Every text the page shows: headings, markdown, alerts, captions, metrics, buttons, HTML."""
    texts = [plain(e.value) for kind in ("markdown", "caption", "subheader", "title") for e in at.get(kind)]
    texts += [plain(e.value) for kind in ("success", "error", "warning", "info") for e in at.get(kind)]
    texts += [f"{m.label} {m.value}" for m in at.metric]
    texts += [b.label for b in at.button]
    shown_html = [re.sub(r"<style[\s\S]*?</style>", " ", h.value) for h in at.html]  # CSS is not shown
    texts += [html_text(re.sub(r"<[^>]+>", " ", h)) for h in shown_html]
    return texts


def hyphens(texts: list[str]) -> list[str]:
    return [t for t in texts if HYPHEN_MINUS.search(t)]


def answer_wrong(at: AppTest, seed: int, n: int) -> None:
    """Answer question n wrongly (so its reveal shows how far off and why), by the page's widgets."""
    q = question(seed, n)
    k = key(seed, n)
    if q.kind == "p_true":
        at.text_input(key=k).input("0" if float(q.truth) > 0.5 else "1")  # type: ignore[arg-type]
    elif q.kind == "loss":
        at.text_input(key=k).input(str(float(q.truth) + 5))  # type: ignore[arg-type]
    elif q.kind == "lowest_loss":
        at.radio(key=k).set_value((int(q.truth) + 1) % 3)  # type: ignore[arg-type]
    else:
        for i, up in enumerate(q.truth):  # type: ignore[arg-type]
            at.segmented_control(key=f"{k}_{i}").set_value("down" if up else "up")
    at.run()
    at.button(key=f"{k}_check").click().run()
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.parametrize("seed", [42, 7, 2024])
def test_every_minus_sign_in_a_round_is_a_true_minus(seed: int) -> None:
    at = open_page(PAGE, {"qz_seed": str(seed)})
    negative_logits = 0
    for n in range(ROUND):
        negative_logits += sum(z < 0 for sc in question(seed, n).scenarios for z in sc.logits)
        assert hyphens(shown_text(at)) == [], f"question {n + 1}, before the answer"
        answer_wrong(at, seed, n)
        assert hyphens(shown_text(at)) == [], f"question {n + 1}, revealed"
        at.button(key="qz_next" if n + 1 < ROUND else "qz_finish").click().run()
    assert negative_logits > 0  # the round had minus signs to write
    assert hyphens(shown_text(at)) == []


def test_a_negative_logit_is_written_with_a_minus_in_the_table_and_the_explanation() -> None:
    seed, n = next((s, n) for s in range(100) for n in range(ROUND) if question(s, n).kind == "p_true")
    q = question(seed, n)
    at = open_page(PAGE, {"qz_seed": str(seed), "qz_n": str(n)})
    table = " ".join(html_text(h.value) for h in at.html)
    for z in q.scenario.logits:
        if z < 0:
            assert f"−{abs(z):.2f}" in table
    answer_wrong(at, seed, n)
    box = plain((at.success or at.error)[0].value)
    z_true = q.scenario.logits[q.scenario.target]
    written = f"{'−' if z_true < 0 else ''}{abs(z_true):.2f}" if z_true else "0"
    assert f"exp({written})" in box
    p = sp_softmax(np.array(q.scenario.logits))[q.scenario.target]
    assert f"= {p:.3f}" in box
    assert "e−0" not in box
    assert "e-0" not in box


def finish_round(at: AppTest, seed: int) -> None:
    for n in range(ROUND):
        if n % 3 != 2:  # some answered (wrong), some skipped
            answer_wrong(at, seed, n)
            at.button(key="qz_next" if n + 1 < ROUND else "qz_finish").click().run()
        else:
            at.button(key="qz_skip").click().run()


def assert_end_state(at: AppTest, right: int, answered: int) -> None:
    texts = shown_text(at)
    assert not any("Question 8 of 8" in t or re.search(r"\b8 of 8\b(?! right)", t) for t in texts), texts
    assert "Question" not in [m.label for m in at.metric]
    labels = [b.label for b in at.button]
    assert sum("New quiz" in b for b in labels) == 1, labels
    assert "Skip" not in labels
    assert not [b for b in at.button if b.disabled], [b.label for b in at.button if b.disabled]
    assert f"Round over: {right} of {ROUND} right" in plain(at.subheader[0].value)
    assert metric(at, "Score") == f"{right} / {answered}"


def test_a_finished_round_shows_one_clear_end_state() -> None:
    at = open_page(PAGE, {"qz_seed": "42"})
    finish_round(at, 42)
    skipped = [n for n in range(ROUND) if n % 3 == 2]
    assert_end_state(at, right=0, answered=ROUND - len(skipped))
    said = " ".join(plain(c.value) for c in at.caption)
    assert f"Skipped: {', '.join(str(n + 1) for n in skipped)}" in said
    at.button(key="qz_new").click().run()
    assert metric(at, "Question") == "1 of 8"
    assert url(at)["qz_n"] == "0"


def test_a_link_to_the_end_of_a_round_shows_the_same_end_state() -> None:
    at = open_page(PAGE, {"qz_seed": "42", "qz_n": str(ROUND)})
    assert_end_state(at, right=0, answered=0)
    at.button(key="qz_prev").click().run()
    assert metric(at, "Question") == f"{ROUND} of {ROUND}"  # back to the last question


def loss_question(seed: int) -> int:
    return next(n for n in range(ROUND) if question(seed, n).kind == "loss")


def test_a_decimal_comma_in_an_estimate_reads_as_a_point_and_says_so() -> None:
    seed = 42
    n = loss_question(seed)
    q = question(seed, n)
    sc = q.scenario
    loss = -math.log(sp_softmax(np.array(sc.logits))[sc.target])
    typed = f"{loss:.2f}".replace(".", ",")  # as a student in Berlin types it
    at = open_page(PAGE, {"qz_seed": str(seed), "qz_n": str(n)})
    at.text_input(key=key(seed, n)).input(typed).run()
    at.button(key=f"{key(seed, n)}_check").click().run()
    assert at.success, "a right estimate typed with a decimal comma was not graded right"
    assert any(f"Read “{typed}” as {loss:.2f}" in plain(c.value) for c in at.caption)
    assert metric(at, "Score") == "1 / 1"


@pytest.mark.parametrize(("typed", "why"), [("1,000", "could be 1.000 or 1000"), ("abc", "is not a number")])
def test_an_estimate_that_is_not_one_number_is_refused_with_the_reason(typed: str, why: str) -> None:
    seed = 42
    n = loss_question(seed)
    at = open_page(PAGE, {"qz_seed": str(seed), "qz_n": str(n)})
    at.text_input(key=key(seed, n)).input(typed).run()
    at.button(key=f"{key(seed, n)}_check").click().run()
    assert any(why in plain(w.value) for w in at.warning), [w.value for w in at.warning]
    assert metric(at, "Score") == "0 / 0"  # nothing graded, nothing locked
    assert not at.text_input(key=key(seed, n)).disabled
    assert at.text_input(key=key(seed, n)).value == typed  # what was typed stays, to be corrected


def test_a_probability_estimate_outside_0_to_1_is_refused() -> None:
    seed = 42
    n = next(n for n in range(ROUND) if question(seed, n).kind == "p_true")
    at = open_page(PAGE, {"qz_seed": str(seed), "qz_n": str(n)})
    at.text_input(key=key(seed, n)).input("1,5").run()
    at.button(key=f"{key(seed, n)}_check").click().run()
    assert any("between 0 and 1" in plain(w.value) for w in at.warning), [w.value for w in at.warning]
    assert metric(at, "Score") == "0 / 0"
