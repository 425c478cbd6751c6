"""The server entry point: the Streamlit app (``app.py``) plus the project's own routes.

``make run`` runs ``streamlit run serve.py``. Streamlit finds ``app`` below (an
``st.App``) and serves the normal app and the routes of :mod:`routes` in one
process. ``streamlit run app.py`` serves the app without them: the logit control
then falls back to a rerun per update (see the README, "How it works").
"""

import streamlit as st

from routes import ROUTES

app = st.App("app.py", routes=ROUTES)
