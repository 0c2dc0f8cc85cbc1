"""Metrics: time to first token, speed and size of this session's answers."""

import streamlit as st

from ui.metrics import render_metrics_page

st.set_page_config(page_title="Metrics · Streaming Chat", page_icon=":material/monitoring:")
render_metrics_page()
