"""The Quiz page: predict, commit, then see the truth, the error and why.

Page parameters: ``qz_seed`` (0 to 999999; a random one when absent, then kept in
the URL so the link gives the same questions) and ``qz_n`` (the question shown,
from 0). Answers, score and streak live in the session: reloading keeps them,
a new browser starts afresh.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from core.query import format_number
from core.quiz import MAX_SEED, ROUND, Grade, Question, grade
from core.scenario import Scenario
from core.text import temperature_rule
from ui.escape import html_escape, md_escape
from ui.frame import PageParams
from ui.session import Key

SEED: Key[int] = Key("qz_seed", 0)
"""The quiz's seed; a URL parameter (a random one when the URL has none)."""
N: Key[int] = Key("qz_n", 0)
"""The question shown, from 0 (:data:`core.quiz.ROUND` is the summary); a URL parameter."""
ANSWERS: Key[dict[tuple[int, int], tuple[Any, Grade]]] = Key("qz_answers", {})
"""``{(seed, n): (answer, Grade)}`` for every question answered in this session"""
TRY: Key[int] = Key("qz_try", 0)
"""How many times this session retried a quiz: part of the answer widgets' keys, so a retry starts afresh."""
MISSING: Key[bool] = Key("qz_missing", False)
"""Set when "Check my answer" was pressed without an answer: the next run asks for one."""
ANSWER_PREFIX = "qz_answer"
"""Answer widgets' keys: ``qz_answer_{seed}_{n}_{try}`` (and ``_{class}`` for the per-class controls)."""


def params() -> PageParams:
    default_seed = float(secrets.randbelow(MAX_SEED + 1))  # used only when the URL has no qz_seed
    return PageParams(
        {SEED.name: ((0.0, MAX_SEED), default_seed), N.name: ((0.0, ROUND), 0.0)},
        snap={SEED.name: round, N.name: round},
    )


def seed_and_question() -> tuple[int, int]:
    """The quiz's seed and the question shown (read after :func:`ui.frame.page` has read the URL)."""
    return int(SEED.get()), int(N.get())


def _answers() -> dict[tuple[int, int], tuple[Any, Grade]]:
    return ANSWERS.setdefault({})  # a fresh dict per session, never the shared default


def score(seed: int) -> tuple[int, int, int]:
    """(right, answered, streak) for this seed's round; the streak counts back from the latest answer."""
    done = sorted((n, g.correct) for (s, n), (_, g) in _answers().items() if s == seed)
    streak = 0
    for _, ok in reversed(done):
        if not ok:
            break
        streak += 1
    return sum(ok for _, ok in done), len(done), streak


def playground_link(sc: Scenario) -> str:
    return "/?" + urlencode(sc.to_query())


def logit_table(sc: Scenario, caption: str = "") -> str:
    rows = "".join(
        f"<tr><th scope='row'>{html_escape(c)}{' <strong>✓ true class</strong>' if i == sc.target else ''}"
        f"</th><td>{html_escape(format_number(z))}</td></tr>"
        for i, (c, z) in enumerate(zip(sc.classes, sc.logits, strict=True))
    )
    cap = f"<caption>{html_escape(caption)}</caption>" if caption else ""
    head = "<thead><tr><th scope='col'>class</th><th scope='col'>logit</th></tr></thead>"
    return f"<table class='steps quiz'>{cap}{head}<tbody>{rows}</tbody></table>"


def _go(n: int) -> None:
    N.set(n)


def _new_quiz() -> None:
    old = SEED.get()
    seed = secrets.randbelow(MAX_SEED)
    SEED.set(seed if seed < old else seed + 1)  # another seed, never the same one again
    N.set(0)


def _retry(seed: int) -> None:
    for key in [k for k in _answers() if k[0] == seed]:
        del _answers()[key]
    N.set(0)
    TRY.set(TRY.get() + 1)  # fresh answer widgets


def _read(q: Question, key: str) -> Any:
    """The answer in the widgets now (None until complete): read when the button is pressed."""
    if q.kind != "step":
        return st.session_state.get(key)
    ups = [st.session_state.get(f"{key}_{i}") for i in range(q.scenario.n_classes)]
    return None if None in ups else tuple(u == "up" for u in ups)


def _submit(q: Question, key: str) -> None:
    answer = _read(q, key)
    if answer is None:
        MISSING.set(True)
        return
    _answers()[(q.seed, q.n)] = (answer, grade(q, answer))


def header(seed: int, n: int) -> None:
    right, answered, streak = score(seed)
    row = st.container(horizontal=True, gap="small")
    row.metric("Question", f"{min(n + 1, ROUND)} of {ROUND}", border=True)
    row.metric("Score", f"{right} / {answered}", border=True)
    row.metric("Streak", f"{streak}", help="Right answers in a row, counting back from the latest.", border=True)
    row.metric("Quiz seed", f"{seed}", help="The same seed gives the same questions: share the link.", border=True)


def _answer_widget(q: Question, key: str, locked: bool) -> None:
    sc = q.scenario
    narrow = st.columns([1, 2])[0]
    if q.kind in ("p_true", "loss"):
        label, top, step, hint = (
            (f"Your estimate of p({md_escape(sc.target_name)})", 1.0, 0.01, "a number from 0 to 1")
            if q.kind == "p_true"
            else ("Your estimate of the loss, in nats", 50.0, 0.05, "e.g. 0.7")
        )
        narrow.number_input(
            label, min_value=0.0, max_value=top, step=step, value=None, placeholder=hint, key=key, disabled=locked
        )
        return
    if q.kind == "lowest_loss":
        st.radio(
            "Your pick",
            options=[0, 1, 2],
            format_func=lambda i: f"Option {'ABC'[i]}",
            index=None,
            horizontal=True,
            key=key,
            disabled=locked,
        )
        return
    for i, (col, name) in enumerate(zip(st.columns(sc.n_classes), sc.classes, strict=True)):
        col.segmented_control(
            f"p({md_escape(name)})",
            options=["up", "down"],
            format_func=lambda o: "▲ up" if o == "up" else "▼ down",
            key=f"{key}_{i}",
            disabled=locked,
        )


def show_question(q: Question) -> None:
    st.subheader(md_escape(q.prompt))
    if q.kind == "lowest_loss":
        cols = st.columns(3)
        for i, (col, sc) in enumerate(zip(cols, q.scenarios, strict=True)):
            col.html(logit_table(sc, f"Option {'ABC'[i]}"))
    else:
        st.html(logit_table(q.scenario))
    for t in sorted({sc.temperature for sc in q.scenarios}):  # the question's own examples, whatever the link's T
        st.html(f'<p class="explain">{html_escape(temperature_rule(t))}</p>')
    done = _answers().get((q.seed, q.n))
    key = f"{ANSWER_PREFIX}_{q.seed}_{q.n}_{TRY.get()}"
    _answer_widget(q, key, locked=done is not None)
    if done is None:
        if MISSING.get():
            MISSING.set(False)
            st.warning("Give an answer first" + (" for every class." if q.kind == "step" else "."))
        st.button(
            "Check my answer",
            key=f"{key}_check",
            icon=":material/check:",
            on_click=_submit,
            args=(q, key),
            help="Commit first: the answer is locked once checked.",
        )
        return
    reveal(q, done[1])


def reveal(q: Question, g: Grade) -> None:
    verdict = "Right!" if g.correct else "Not quite."
    text = f"**{verdict}** The answer: {md_escape(g.truth)}"
    if g.error:
        text += f"; you were {md_escape(g.error)}"
    text += f".  \n{md_escape(g.explanation)}"
    if g.correct:
        st.success(text, icon=":material/check_circle:")
    else:
        st.error(text, icon=":material/cancel:")
    row = st.container(horizontal=True, gap="small")
    row.link_button("Open this example in the Playground", playground_link(q.scenario), icon=":material/open_in_new:")
    if q.n + 1 < ROUND:
        row.button(
            "Next question",
            key="qz_next",
            icon=":material/arrow_forward:",
            on_click=_go,
            args=(q.n + 1,),
        )
    else:
        row.button("See my score", key="qz_finish", icon=":material/flag:", on_click=_go, args=(ROUND,))


def summary(seed: int) -> None:
    right, answered, _ = score(seed)
    st.subheader(f"Round over: {right} of {ROUND} right")
    if answered < ROUND:
        st.caption(f"{ROUND - answered} question(s) were skipped.")
    row = st.container(horizontal=True, gap="small")
    row.button("Try this quiz again", key="qz_retry", icon=":material/replay:", on_click=_retry, args=(seed,))
    row.button("New quiz", key="qz_new", icon=":material/casino:", on_click=_new_quiz)


def navigation(seed: int, n: int) -> None:
    row = st.container(horizontal=True, gap="small")
    row.button(
        "Previous", key="qz_prev", icon=":material/arrow_back:", disabled=n == 0, on_click=_go, args=(max(n - 1, 0),)
    )
    row.button("Skip", key="qz_skip", icon=":material/skip_next:", disabled=n >= ROUND, on_click=_go, args=(n + 1,))
    row.button(
        "New quiz",
        key="qz_new_top",
        icon=":material/casino:",
        on_click=_new_quiz,
        help="Another seed: other questions.",
    )
