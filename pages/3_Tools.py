"""Tools: every tool the model may call, its JSON schema, and a form to try it."""

import streamlit as st

from ui.tools_page import render_tools_page

st.set_page_config(page_title="Tools · Streaming Chat", page_icon=":material/build:")
render_tools_page()
