"""The chat page."""

import streamlit as st

from ui.chat import chat_page

st.title("Streaming Chat")
chat_page()
