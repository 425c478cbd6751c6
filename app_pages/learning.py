"""Learning: gradient steps on the logits, and a tiny softmax classifier trained by gradient descent."""

import streamlit as st

from ui import learning
from ui import scenario as state
from ui.text import md_escape

sc = state.current(learning.PARAMS.names)
first = "lg_epoch" not in st.session_state
problems = learning.PARAMS.init_from_url(state.query())
if first and "lg_epoch" in state.query():
    problems += learning.epoch_problems()
st.title("Learning: watch cross-entropy teach")
st.caption(
    "Softmax and cross-entropy matter because their gradient tells a model which way to move. "
    "Step through it on one example's logits, then watch a small classifier learn from 150 points."
)
for message in [*state.notices(), *problems]:
    st.warning(md_escape(message), icon=":material/warning:")
steps, classifier = st.tabs(["Gradient steps on the logits", "A tiny classifier"])
with steps:
    learning.gradient_steps(sc)
with classifier:
    learning.classifier(sc)
if not learning.any_playing():
    state.sync_url(sc, learning.PARAMS.url_values())
