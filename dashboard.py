"""The dashboard's script (``app.py`` serves it, with the HTTP API beside it).

This file only sets the page up and routes; each page lives in pages/, lets the visitor in
(sign-in or the shared password, when configured) and calls ui/, which calls chatcore/.
"""

import streamlit as st

from chatcore.app_config import load_app_config
from chatcore.share import SHARE_PARAM
from ui.access import has_access
from ui.style import apply_style
from ui.usage_page import current_visitor_is_admin

app_config = load_app_config()  # chat.toml (or CHAT_CONFIG): the title, icon and words
st.set_page_config(page_title=app_config.title, page_icon=app_config.icon, layout="centered")
apply_style()

if st.query_params.get(SHARE_PARAM) is not None:  # a share link: that read-only copy and nothing else
    st.navigation([st.Page("pages/shared.py", title="Shared chat", icon=":material/share:", default=True)],
                  position="hidden").run()
    st.stop()

pages = [
    st.Page("pages/chat.py", title="Chat", icon=":material/chat:", default=True),
    st.Page("pages/history.py", title="History", icon=":material/history:"),
    st.Page("pages/metrics.py", title="Metrics", icon=":material/monitoring:"),
    st.Page("pages/tools.py", title="Tools", icon=":material/build:"),
    st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
    st.Page("pages/doctor.py", title="Endpoint doctor", icon=":material/stethoscope:"),
    st.Page("pages/api.py", title="API", icon=":material/api:"),
]
if has_access() and current_visitor_is_admin():  # the page checks the role again itself
    pages.append(st.Page("pages/usage.py", title="Usage", icon=":material/query_stats:"))
navigation = st.navigation(
    pages,
    position="sidebar" if has_access() else "hidden",  # each page checks access itself (ui/access.py)
)
navigation.run()
