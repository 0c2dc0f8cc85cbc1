"""Streaming chat dashboard: the chat page. Run with `streamlit run app.py`."""

import streamlit as st

from ui.chat import chat_page

st.set_page_config(page_title="Streaming Chat", page_icon=":material/forum:", layout="centered")
st.title("Streaming Chat")
chat_page()
