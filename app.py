"""Softmax & Cross-Entropy Explorer: entry point (page config, navigation, sidebar)."""

from pathlib import Path

import streamlit as st

from ui import present, session, share
from ui.theme import CSS

# The page icon, inlined into the page as an SVG: a Material icon would be fetched from a font server.
ICON = Path(__file__).with_name("assets") / "icon.svg"

st.set_page_config(
    page_title="Softmax & Cross-Entropy Explorer",
    page_icon=str(ICON),
    layout="wide",
    initial_sidebar_state="collapsed",
)

page = st.navigation(
    [
        st.Page("app_pages/playground.py", title="Playground", icon=":material/tune:", default=True),
        st.Page("app_pages/softmax.py", title="Softmax", icon=":material/functions:", url_path="softmax"),
        st.Page(
            "app_pages/cross-entropy.py", title="Cross-entropy", icon=":material/target:", url_path="cross-entropy"
        ),
        st.Page("app_pages/learning.py", title="Learning", icon=":material/school:", url_path="learning"),
        st.Page("app_pages/simplex.py", title="Simplex", icon=":material/change_history:", url_path="simplex"),
        st.Page("app_pages/next-token.py", title="Next token", icon=":material/text_fields:", url_path="next-token"),
        st.Page("app_pages/quiz.py", title="Quiz", icon=":material/quiz:", url_path="quiz"),
        st.Page("app_pages/class.py", title="Class", icon=":material/groups:", url_path="class"),
    ],
    position="top",  # always visible: a class must find the pages without opening a sidebar
)

for problem in present.init(session.query()):
    session.notify(problem)
with st.sidebar:
    st.markdown("### Softmax & Cross-Entropy Explorer")
    st.markdown(
        "Logits in, probabilities out, one number for how wrong they are. "
        "The address bar always holds the current example: copy it to share exactly this view."
    )

    present.toggle()
st.html(CSS)
if present.active():
    st.html(present.CSS)
share.copy_link_button()
page.run()
