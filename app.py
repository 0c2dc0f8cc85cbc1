"""Streaming Chat. Run with `streamlit run app.py`: one process serves the dashboard
(``dashboard.py``, which routes to ``pages/``) and the HTTP API (``api/``) beside it.

Streamlit finds the module-level ``app`` and serves it with uvicorn. ``CHAT_API = "off"``
leaves the API out; where a host does not serve extra routes, the dashboard works the same.
"""

import streamlit as st

from api import api_middleware

app = st.App("dashboard.py", middleware=api_middleware())
