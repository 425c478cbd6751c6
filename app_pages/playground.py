"""Playground: edit logits, pick the true class, watch softmax and cross-entropy respond."""

import streamlit as st

from core.panels import playground_panel
from core.scenario import Scenario
from ui import controls, export_menu, live_panel, session
from ui.frame import page, write_url
from ui.present import style


def toolbar(sc: Scenario) -> None:
    with st.container(horizontal=True, vertical_alignment="center"):
        controls.presets()
        export_menu.menu(sc)
    controls.settings(sc)


@st.fragment
def live() -> None:
    """The logits and everything they move: one panel, drawn here and, during a drag, by the live route."""
    sc = session.current()
    panel = playground_panel(sc, {}, style())
    left, right = st.columns([2, 3], gap="large")
    with left:
        controls.logits(sc, live_panel.context("playground", sc))
        live_panel.show(panel, "side")
    with right:
        live_panel.show(panel, "main")
    export_menu.remember(sc)
    write_url()  # a fragment rerun does not reach the frame's end; write_url waits while a drag goes on


with page(
    "Softmax & cross-entropy playground",
    "A classifier scores each class with a logit. Softmax turns the logits into probabilities; "
    "cross-entropy scores those probabilities against the true class. Drag a logit and watch.",
    toolbar=toolbar,
):
    live()
