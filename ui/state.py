"""Named session-state keys and the per-visitor chat session.

Everything per user lives in ``st.session_state`` (one per browser session): never in a
module global or ``st.cache_resource``, which every visitor would share.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from chatcore.session import ChatSession

SESSION = "chat_session"
PENDING_ACTION = "pending_action"  # set by button callbacks, consumed at the top of the next run
STOP_BUTTON = "stop_button"
PROMPT = "prompt"
MODEL_LIST = "model_list"  # (base_url, [ids] or error message)


def chat_session() -> ChatSession:
    session = st.session_state.get(SESSION)
    if session is None:
        session = ChatSession()
        st.session_state[SESSION] = session
    return session


def request_action(action: str, **data: Any) -> None:
    """For ``on_click``: runs before the script, so the next run starts from the right state."""
    st.session_state[PENDING_ACTION] = {"action": action, **data}


def take_action() -> dict[str, Any] | None:
    return st.session_state.pop(PENDING_ACTION, None)


def secrets_mapping() -> dict[str, Any]:
    """``st.secrets`` as a plain dict; empty when the app has no secrets at all."""
    try:
        return {k: v for k, v in st.secrets.items() if not isinstance(v, dict)}
    except Exception:  # no secrets.toml: the app still starts, on the mock
        return {}
