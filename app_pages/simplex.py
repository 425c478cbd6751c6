"""The probability simplex: p as a point in a triangle, loss contours, the temperature and gradient paths."""

import streamlit as st

from ui import controls, simplex
from ui import scenario as state
from ui.text import md_escape

sc = state.current(simplex.PARAMS.names)
first = "sx_b" not in st.session_state
problems = simplex.PARAMS.init_from_url(state.query())
if first:
    problems += simplex.corner_problems(sc)
st.title("The probability simplex")
st.caption(
    "Probabilities over three classes are three numbers that sum to 1: a point in a triangle. "
    "Move the logits and watch the point; pick the true class and watch the loss contours turn."
)
controls.settings(sc)
for message in [*state.notices(), *problems]:
    st.warning(md_escape(message), icon=":material/warning:")
simplex.body(sc)
state.sync_url(sc, simplex.PARAMS.url_values())
