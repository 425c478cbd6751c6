"""Playground: edit logits, pick the true class, watch softmax and cross-entropy respond."""

import streamlit as st

from core.explain import evaluate
from ui import controls, export, logit_pad, results
from ui import scenario as state
from ui.text import md_escape

st.title("Softmax & cross-entropy playground")
st.caption(
    "A classifier scores each class with a logit. Softmax turns the logits into probabilities; "
    "cross-entropy scores those probabilities against the true class. Drag a logit and watch."
)
top = st.container(horizontal=True, vertical_alignment="center")
with top:
    controls.presets()
    export.menu(state.current())
controls.settings(state.current())
for message in state.notices():
    st.warning(md_escape(message), icon=":material/warning:")


@st.fragment
def live() -> None:
    """The logits and everything they move. Dragging a logit reruns only this."""
    sc = state.current()
    ev = evaluate(sc)
    left, right = st.columns([2, 3], gap="large")
    with right:  # first, so the numbers reach the screen before the controls are re-sent
        results.headline(sc, ev)
        probs, curve = st.columns(2)
        with probs:
            results.probabilities(sc, ev)
        with curve:
            results.curve(sc, ev)
        results.gradient_text(sc)
        results.steps(sc, ev)
    with left:
        controls.logits(sc)
        results.gradient_chart(sc, ev)
        results.formulas(sc, ev)
    export.remember(sc)
    if not logit_pad.dragging():
        state.sync_url(sc)


live()
