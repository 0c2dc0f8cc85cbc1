"""The chat page."""

import streamlit as st

from chatcore.app_config import load_app_config
from ui.access import require_access
from ui.chat import chat_page

require_access()
st.title(load_app_config().title)
chat_page()
