"""The Quiz page: predict, commit, then see the truth, the error and why.

Page parameters: ``qz_seed`` (0 to 999999; a random one when absent, then kept in
the URL so the link gives the same questions) and ``qz_n`` (the question shown,
from 0; :data:`core.quiz.ROUND` is the round's end). Answers, score and streak live
in the session: reloading keeps them, a new browser starts afresh.

An estimate is typed as text and read by :func:`core.query.parse_typed_number`: a
browser's number box would read a decimal comma ("0,7") as 7, unseen.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from core.query import parse_typed_number
from core.quiz import MAX_SEED, ROUND, Grade, Question, grade, logit_text
from core.scenario import Scenario
from core.text import temperature_rule
from ui.escape import html_escape, md_escape
from ui.frame import PageParams
from ui.session import Key

SEED: Key[int] = Key("qz_seed", 0)
"""The quiz's seed; a URL parameter (a random one when the URL has none)."""
N: Key[int] = Key("qz_n", 0)
"""The question shown, from 0 (:data:`core.quiz.ROUND` is the summary); a URL parameter."""
ANSWERS: Key[dict[tuple[int, int], tuple[Any, Grade, str | None]]] = Key("qz_answers", {})
"""``{(seed, n): (answer, Grade, note)}`` for every question answered in this session; ``note`` says
how a typed estimate was read ("Read “0,7” as 0.7."), if that needs saying."""
TRY: Key[int] = Key("qz_try", 0)
"""How many times this session retried a quiz: part of the answer widgets' keys, so a retry starts afresh."""
PROBLEM: Key[str | None] = Key("qz_problem", None)
"""Why "Check my answer" took no answer (none given, or not a number): the next run says so."""
ESTIMATES = {"p_true": (1.0, "a probability is between 0 and 1"), "loss": (50.0, "a loss here is between 0 and 50")}
"""Each estimate's largest value (the smallest is 0), and the rule it breaks beyond it."""
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


def _answers() -> dict[tuple[int, int], tuple[Any, Grade, str | None]]:
    return ANSWERS.setdefault({})  # a fresh dict per session, never the shared default


def score(seed: int) -> tuple[int, int, int]:
    """(right, answered, streak) for this seed's round; the streak counts back from the latest answer."""
    done = sorted((n, g.correct) for (s, n), (_, g, _) in _answers().items() if s == seed)
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
        f"</th><td>{html_escape(logit_text(z))}</td></tr>"
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


def _estimate(q: Question, text: str) -> tuple[float, str | None]:
    """A typed estimate: ``(value, note)``; ``ValueError`` says why it is not one."""
    value, note = parse_typed_number(text)
    top, rule = ESTIMATES[q.kind]
    if not 0 <= value <= top:
        raise ValueError(f"{rule}; “{text.strip().replace('-', '−')}” is not")
    return value, note


def _read(q: Question, key: str) -> tuple[Any, str | None]:
    """The answer in the widgets now and how it was read (None until complete): read when the button is pressed.

    ``ValueError`` says why a typed estimate is not one.
    """
    if q.kind in ESTIMATES:
        text = st.session_state.get(key) or ""
        return (None, None) if not text.strip() else _estimate(q, text)
    if q.kind != "step":
        return st.session_state.get(key), None
    ups = [st.session_state.get(f"{key}_{i}") for i in range(q.scenario.n_classes)]
    return (None if None in ups else tuple(u == "up" for u in ups)), None


def _submit(q: Question, key: str) -> None:
    try:
        answer, note = _read(q, key)
    except ValueError as exc:
        PROBLEM.set(f"Not checked: {exc}.")
        return
    if answer is None:
        PROBLEM.set("Give an answer first" + (" for every class." if q.kind == "step" else "."))
        return
    _answers()[(q.seed, q.n)] = (answer, grade(q, answer), note)


def header(seed: int, n: int) -> None:
    """The round's state; at its end (``n`` = ROUND) there is no question to count."""
    right, answered, streak = score(seed)
    row = st.container(horizontal=True, gap="small")
    if n < ROUND:
        row.metric("Question", f"{n + 1} of {ROUND}", border=True)
    row.metric("Score", f"{right} / {answered}", border=True)
    row.metric("Streak", f"{streak}", help="Right answers in a row, counting back from the latest.", border=True)
    row.metric("Quiz seed", f"{seed}", help="The same seed gives the same questions: share the link.", border=True)


def _answer_widget(q: Question, key: str, locked: bool) -> None:
    sc = q.scenario
    narrow = st.columns([1, 2])[0]
    if q.kind in ESTIMATES:
        label, hint = (
            (f"Your estimate of p({md_escape(sc.target_name)})", "a number from 0 to 1")
            if q.kind == "p_true"
            else ("Your estimate of the loss, in nats", "e.g. 0.7")
        )
        narrow.text_input(label, placeholder=hint, key=key, disabled=locked, max_chars=40, autocomplete="off")
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
        problem = PROBLEM.get()
        if problem:
            PROBLEM.set(None)
            st.warning(md_escape(problem), icon=":material/warning:")
        st.button(
            "Check my answer",
            key=f"{key}_check",
            icon=":material/check:",
            on_click=_submit,
            args=(q, key),
            help="Commit first: the answer is locked once checked.",
        )
        return
    if done[2]:
        st.caption(md_escape(done[2]))
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


def _numbers(ns: list[int]) -> str:
    return ", ".join(str(n + 1) for n in ns)


def summary(seed: int) -> None:
    """The end of the round: the score, which questions went how, and what to do next."""
    right, _, _ = score(seed)
    st.subheader(f"Round over: {right} of {ROUND} right")
    graded = {n: g.correct for (s, n), (_, g, _) in _answers().items() if s == seed}
    parts = [
        (label, [n for n in range(ROUND) if graded.get(n) is outcome])
        for label, outcome in (("Right", True), ("Not quite", False), ("Skipped", None))
    ]
    st.caption(". ".join(f"{label}: {_numbers(ns)}" for label, ns in parts if ns) + ".")
    row = st.container(horizontal=True, gap="small")
    row.button("Try this quiz again", key="qz_retry", icon=":material/replay:", on_click=_retry, args=(seed,))
    row.button("New quiz", key="qz_new", icon=":material/casino:", on_click=_new_quiz)


def navigation(seed: int, n: int) -> None:
    """Previous, Skip and New quiz; at the round's end only Previous (the summary has New quiz)."""
    row = st.container(horizontal=True, gap="small")
    row.button(
        "Previous", key="qz_prev", icon=":material/arrow_back:", disabled=n == 0, on_click=_go, args=(max(n - 1, 0),)
    )
    if n >= ROUND:
        return
    row.button("Skip", key="qz_skip", icon=":material/skip_next:", on_click=_go, args=(n + 1,))
    row.button(
        "New quiz",
        key="qz_new_top",
        icon=":material/casino:",
        on_click=_new_quiz,
        help="Another seed: other questions.",
    )
