"""The chat page."""

import streamlit as st

from ui.access import require_access
from ui.chat import chat_page

require_access()
st.title("Streaming Chat")
chat_page()
