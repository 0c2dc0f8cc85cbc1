"""Streaming chat dashboard. Run with `streamlit run app.py`.

This file only sets the page up and routes; each page lives in pages/, lets the visitor in
(sign-in or the shared password, when configured) and calls ui/, which calls chatcore/.
"""

import streamlit as st

from ui.access import has_access
from ui.usage_page import current_visitor_is_admin

st.set_page_config(page_title="Streaming Chat", page_icon=":material/forum:", layout="centered")

pages = [
    st.Page("pages/chat.py", title="Chat", icon=":material/chat:", default=True),
    st.Page("pages/history.py", title="History", icon=":material/history:"),
    st.Page("pages/metrics.py", title="Metrics", icon=":material/monitoring:"),
    st.Page("pages/tools.py", title="Tools", icon=":material/build:"),
]
if has_access() and current_visitor_is_admin():  # the page checks the role again itself
    pages.append(st.Page("pages/usage.py", title="Usage", icon=":material/query_stats:"))
navigation = st.navigation(
    pages,
    position="sidebar" if has_access() else "hidden",  # each page checks access itself (ui/access.py)
)
navigation.run()
