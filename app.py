"""Streaming chat dashboard. Run with `streamlit run app.py`.

This file only sets the page up and routes; each page lives in pages/ and calls ui/,
which calls chatcore/.
"""

import streamlit as st

st.set_page_config(page_title="Streaming Chat", page_icon=":material/forum:", layout="centered")

navigation = st.navigation(
    [
        st.Page("pages/chat.py", title="Chat", icon=":material/chat:", default=True),
        st.Page("pages/metrics.py", title="Metrics", icon=":material/monitoring:"),
        st.Page("pages/tools.py", title="Tools", icon=":material/build:"),
    ]
)
navigation.run()
