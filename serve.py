"""The server entry point: the Streamlit app (``app.py``) plus the project's own routes.

``make run`` runs ``streamlit run serve.py``. Streamlit finds ``app`` below (an
``st.App``) and serves the normal app and the routes of :mod:`routes` in one
process. ``streamlit run app.py`` serves the app without them: the logit control
then falls back to a rerun per update (see the README, "How it works").
"""

import os

# One BLAS thread per process: a rerun's matrix products are small (the Next-token model's are (11, 144)), and
# OpenBLAS's default thread pool made them 25 times slower while other sessions kept the cores busy
# (docs/performance.md, "Next token"). Set before NumPy loads; an explicit setting in the environment wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import streamlit as st

from routes import ROUTES

app = st.App("app.py", routes=ROUTES)
