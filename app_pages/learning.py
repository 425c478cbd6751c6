"""Learning: gradient steps on the logits, and a tiny softmax classifier trained by gradient descent."""

import streamlit as st

from ui import learning
from ui import scenario as state
from ui.deep_dive import begin

sc = begin(
    "Learning: watch cross-entropy teach",
    "Softmax and cross-entropy matter because their gradient tells a model which way to move. "
    "Step through it on one example's logits, then watch a small classifier learn from 150 points.",
    learning.PARAMS,
)
steps, classifier = st.tabs(["Gradient steps on the logits", "A tiny classifier"])
with steps:
    learning.gradient_steps(sc)
with classifier:
    learning.classifier(sc)
if not learning.any_playing():
    state.sync_url(sc, learning.PARAMS.url_values())
