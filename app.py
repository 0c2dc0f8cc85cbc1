"""Streaming chat dashboard. Run with `streamlit run app.py`.

This file only sets the page up and routes; each page lives in pages/, lets the visitor in
(sign-in or the shared password, when configured) and calls ui/, which calls chatcore/.
"""

import streamlit as st

from ui.access import has_access

st.set_page_config(page_title="Streaming Chat", page_icon=":material/forum:", layout="centered")

navigation = st.navigation(
    [
        st.Page("pages/chat.py", title="Chat", icon=":material/chat:", default=True),
        st.Page("pages/history.py", title="History", icon=":material/history:"),
        st.Page("pages/metrics.py", title="Metrics", icon=":material/monitoring:"),
        st.Page("pages/tools.py", title="Tools", icon=":material/build:"),
        st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
        st.Page("pages/doctor.py", title="Endpoint doctor", icon=":material/stethoscope:"),
    ],
    position="sidebar" if has_access() else "hidden",  # each page checks access itself (ui/access.py)
)
navigation.run()
