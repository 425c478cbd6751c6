"""Playground: edit logits, pick the true class, watch softmax and cross-entropy respond."""

import streamlit as st

from core.explain import evaluate
from core.scenario import Scenario
from ui import controls, export_menu, results, session
from ui.frame import page, write_url


def toolbar(sc: Scenario) -> None:
    with st.container(horizontal=True, vertical_alignment="center"):
        controls.presets()
        export_menu.menu(sc)
    controls.settings(sc)


@st.fragment
def live() -> None:
    """The logits and everything they move. Dragging a logit reruns only this."""
    sc = session.current()
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
    export_menu.remember(sc)
    write_url()  # a fragment rerun does not reach the frame's end; write_url waits while a drag goes on


with page(
    "Softmax & cross-entropy playground",
    "A classifier scores each class with a logit. Softmax turns the logits into probabilities; "
    "cross-entropy scores those probabilities against the true class. Drag a logit and watch.",
    toolbar=toolbar,
):
    live()
