"""Learning: gradient steps on the logits, and a tiny softmax classifier trained by gradient descent."""

import streamlit as st

from ui import learning_tabs as learning
from ui.frame import page

with page(
    "Learning: watch cross-entropy teach",
    "Softmax and cross-entropy matter because their gradient tells a model which way to move. "
    "Step through it on one example's logits, then watch a small classifier learn from 150 points.",
    learning.PARAMS,
) as sc:
    steps, classifier = st.tabs(["Gradient steps on the logits", "A tiny classifier"])
    with steps:
        learning.gradient_steps(sc)
    with classifier:
        learning.classifier(sc)
