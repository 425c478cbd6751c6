"""Cross-entropy, up close: loss curves, soft targets, the information view, a batch, frameworks."""

import streamlit as st

from ui import ce_views, controls
from ui import scenario as state
from ui.text import md_escape

sc = state.current(ce_views.NAMES)
problems = ce_views.init_from_url(state.query())

st.title("Cross-entropy, up close")
st.caption(
    "The same example as the Playground (change the logits here or there). "
    "Each tab takes one question students ask about cross-entropy and answers it with these numbers."
)
for message in [*state.notices(), *problems]:
    st.warning(md_escape(message), icon=":material/warning:")

pad, body = st.columns([1, 3], gap="large")
with pad:
    controls.logits(sc)
    st.caption(f"True class: {md_escape(sc.target_name)}. Losses in {sc.unit} (set on the Playground).")
with body:
    tabs = st.tabs(["Loss curves", "Soft targets", "Information", "A batch", "In your framework"])
    with tabs[0]:
        ce_views.loss_curves_section(sc)
    with tabs[1]:
        ce_views.soft_targets(sc)
    with tabs[2]:
        ce_views.information_section(sc)
    with tabs[3]:
        ce_views.batch(sc)
    with tabs[4]:
        ce_views.frameworks(sc)

state.sync_url(sc, ce_views.url_values())
