"""Render a conversation from its records (never from what ``write_stream`` returned)."""

from __future__ import annotations

import streamlit as st

from chatcore.conversation import Conversation, UserEntry
from chatcore.turn import Turn
from chatcore.user_text import LONG_PROMPT_CHARS

from .footer import render_footer
from .panels import render_history_panel
from .state import request_action

RETRYABLE = ("error", "incomplete", "stopped", "interrupted")


def render_turn_body(turn: Turn, key: str) -> None:
    for i, segment in enumerate(turn.segments):
        if segment.kind == "text":
            st.markdown(segment.text)
        elif segment.kind == "reasoning":
            with st.expander("Reasoning", icon=":material/psychology:", key=f"{key}-r{i}"):
                st.markdown(segment.text)
        else:
            record = turn.tool_calls.get(segment.tool_id)
            if record is not None:
                render_history_panel(record, key=f"{key}-t{segment.tool_id}")
    render_footer(turn)


def render_user_text(text: str) -> None:
    """A prompt as the user wrote it; a very long one is folded so the chat stays readable."""
    if len(text) <= LONG_PROMPT_CHARS:
        st.markdown(text)
        return
    st.markdown(text[:500] + "…")
    with st.expander(f"Show the whole message ({len(text):,} characters)", icon=":material/unfold_more:"):
        st.text(text)


def render_conversation(conversation: Conversation) -> None:
    entries = conversation.entries
    last = len(entries) - 1
    for i, entry in enumerate(entries):
        if isinstance(entry, UserEntry):
            with st.chat_message("user"):
                render_user_text(entry.content)
            continue
        with st.chat_message("assistant"):
            render_turn_body(entry, key=f"{conversation.id}-{i}")
            if i == last and entry.status in RETRYABLE:
                st.button(
                    "Retry",
                    key=f"retry-{conversation.id}-{i}",
                    icon=":material/refresh:",
                    on_click=request_action,
                    args=("retry",),
                )
