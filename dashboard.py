"""The dashboard's script (``app.py`` serves it, with the HTTP API beside it).

This file only sets the page up and routes; each page lives in pages/, lets the visitor in
(sign-in or the shared password, when configured) and calls ui/, which calls chatcore/.
"""

import streamlit as st

from chatcore.app_config import load_app_config
from ui.access import has_access

app_config = load_app_config()  # chat.toml (or CHAT_CONFIG): the title, icon and words
st.set_page_config(page_title=app_config.title, page_icon=app_config.icon, layout="centered")

navigation = st.navigation(
    [
        st.Page("pages/chat.py", title="Chat", icon=":material/chat:", default=True),
        st.Page("pages/history.py", title="History", icon=":material/history:"),
        st.Page("pages/metrics.py", title="Metrics", icon=":material/monitoring:"),
        st.Page("pages/tools.py", title="Tools", icon=":material/build:"),
        st.Page("pages/api.py", title="API", icon=":material/api:"),
    ],
    position="sidebar" if has_access() else "hidden",  # each page checks access itself (ui/access.py)
)
navigation.run()
