"""Softmax, up close: temperature, shift and scale, numerical stability, two classes, the Jacobian."""

import streamlit as st

from ui import controls, softmax_views
from ui import scenario as state
from ui.text import md_escape

sc = state.current(softmax_views.NAMES)
problems = softmax_views.init_from_url(state.query())

st.title("Softmax, up close")
st.caption(
    "The same example as the Playground (change the logits here or there). "
    "Each tab takes one property of softmax and shows it with these numbers."
)
for message in [*state.notices(), *problems]:
    st.warning(md_escape(message), icon=":material/warning:")

pad, body = st.columns([1, 3], gap="large")
with pad:
    controls.logits(sc)
    st.caption(f"True class: {md_escape(sc.target_name)}. Temperature and unit are set on the Playground.")
with body:
    tabs = st.tabs(["Temperature", "Shift and scale", "Stability", "Two classes", "Jacobian"])
    with tabs[0]:
        softmax_views.temperature(sc)
    with tabs[1]:
        softmax_views.shift_and_scale(sc)
    with tabs[2]:
        softmax_views.stability(sc)
    with tabs[3]:
        softmax_views.two_classes(sc)
    with tabs[4]:
        softmax_views.jacobian_section(sc)

state.sync_url(sc, softmax_views.url_values())
