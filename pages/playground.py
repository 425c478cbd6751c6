"""Playground: edit logits, pick the true class, watch softmax and cross-entropy respond."""

import streamlit as st

from core.explain import evaluate
from ui import controls, results
from ui import scenario as state
from ui.text import md_escape

sc = state.current()
ev = evaluate(sc)

st.title("Softmax & cross-entropy playground")
st.caption(
    "A classifier scores each class with a logit. Softmax turns the logits into probabilities; "
    "cross-entropy scores those probabilities against the true class. Change anything on the left."
)
controls.presets()
for message in state.notices():
    st.warning(md_escape(message), icon=":material/warning:")

left, right = st.columns([2, 3], gap="large")
with left:
    controls.logits(sc)
    controls.target_temperature_unit(sc)
    controls.class_editor(sc)
with right:
    results.headline(sc, ev)
    probs, curve = st.columns(2)
    with probs:
        results.probabilities(sc, ev)
    with curve:
        results.curve(sc, ev)
    grad, words = st.columns(2, vertical_alignment="center")
    with grad:
        results.gradient_chart(sc, ev)
    with words:
        results.gradient_text(sc, ev)

st.subheader("Step by step")
table, maths = st.columns([3, 2], gap="large")
with table:
    results.steps_table(sc, ev)
with maths:
    results.formulas(sc, ev)

state.sync_url(sc)
