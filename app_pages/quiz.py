"""Quiz: seeded predict-then-reveal questions; the same seed gives a whole class the same quiz."""

import streamlit as st

from core.quiz import ROUND, question
from ui import quiz
from ui import scenario as state
from ui.text import md_escape

params = quiz.params()
sc = state.current(params.names)  # the shared example rides along in the URL, as on every page
problems = params.init_from_url(state.query())
st.title("Quiz: predict, then reveal")
st.caption(
    f"{ROUND} questions. Commit to an answer, then see the truth, how far off you were and why. "
    "The seed is in the address: share the link and everyone gets the same questions."
)
for message in [*state.notices(), *problems]:
    st.warning(md_escape(message), icon=":material/warning:")
seed, n = int(st.session_state["qz_seed"]), int(st.session_state["qz_n"])
quiz.header(seed, n)
if n >= ROUND:
    quiz.summary(seed)
else:
    quiz.show_question(question(seed, n))
st.divider()
quiz.navigation(seed, n)
state.sync_url(sc, params.url_values())
