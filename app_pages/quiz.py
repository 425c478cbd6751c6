"""Quiz: seeded predict-then-reveal questions; the same seed gives a whole class the same quiz."""

import streamlit as st

from core.quiz import ROUND, question
from ui import quiz_view as quiz
from ui.frame import page

params = quiz.params()
with page(
    "Quiz: predict, then reveal",
    f"{ROUND} questions. Commit to an answer, then see the truth, how far off you were and why. "
    "The seed is in the address: share the link and everyone gets the same questions.",
    params,
    toolbar=None,
):  # the shared example rides along in the URL, as on every page
    seed, n = quiz.seed_and_question()
    quiz.header(seed, n)
    if n >= ROUND:
        quiz.summary(seed)
    else:
        quiz.show_question(question(seed, n))
    st.divider()
    quiz.navigation(seed, n)
