"""Render a conversation from its records (never from what ``write_stream`` returned)."""

from __future__ import annotations

from typing import Sequence

import streamlit as st

from chatcore.conversation import Conversation, UserEntry
from chatcore.turn import Segment, Turn
from chatcore.user_text import LONG_PROMPT_CHARS

from .footer import render_footer
from .panels import render_history_panel
from .state import request_action

RETRYABLE = ("error", "incomplete", "stopped", "interrupted")


def render_turn_body(turn: Turn, key: str) -> None:
    render_segments(turn, turn.segments, key)
    render_footer(turn)


def render_segments(turn: Turn, segments: Sequence[Segment], key: str) -> None:
    """Text, reasoning and tool panels in the order they happened."""
    for i, segment in enumerate(segments):
        if segment.kind == "text":
            st.markdown(segment.text)
        elif segment.kind == "reasoning":
            with st.expander("Reasoning", icon=":material/psychology:", key=f"{key}-r{i}"):
                st.markdown(segment.text)
        else:
            record = turn.tool_calls.get(segment.tool_id)
            if record is not None:
                render_history_panel(record, key=f"{key}-t{segment.tool_id}")


def render_user_text(text: str) -> None:
    """A prompt as the user wrote it; a very long one is folded so the chat stays readable."""
    if len(text) <= LONG_PROMPT_CHARS:
        st.markdown(text)
        return
    st.markdown(text[:500] + "…")
    with st.expander(f"Show the whole message ({len(text):,} characters)", icon=":material/unfold_more:"):
        st.text(text)


EDITING = "editing_prompt"  # index of the prompt being edited, in session state


def _user_message(conversation: Conversation, index: int, entry: UserEntry, editable: bool) -> None:
    with st.chat_message("user"):
        if st.session_state.get(EDITING) == index:
            st.text_area("Edit your message", value=entry.content, key=f"edit-text-{conversation.id}-{index}")
            cols = st.columns([1, 1, 4])
            cols[0].button("Send", key=f"edit-send-{conversation.id}-{index}", type="primary",
                           on_click=request_action, args=("edit_send",), kwargs={"index": index})
            cols[1].button("Cancel", key=f"edit-cancel-{conversation.id}-{index}", on_click=st.session_state.pop, args=(EDITING, None))
            return
        render_user_text(entry.content)
        if editable:
            st.button(
                "Edit",
                key=f"edit-{conversation.id}-{index}",
                icon=":material/edit:",
                type="tertiary",
                help="Edit this message and send it again (the answers after it are replaced)",
                on_click=st.session_state.__setitem__,
                args=(EDITING, index),
            )


def _answer_actions(conversation: Conversation, index: int, turn: Turn, can_continue: bool) -> None:
    cols = st.columns([1, 1, 3])
    if turn.status in RETRYABLE:
        cols[0].button("Retry", key=f"retry-{conversation.id}-{index}", icon=":material/refresh:", on_click=request_action, args=("retry",))
    else:
        cols[0].button("Regenerate", key=f"regen-{conversation.id}-{index}", icon=":material/refresh:", type="tertiary",
                       on_click=request_action, args=("retry",))
    if can_continue:
        cols[1].button("Continue", key=f"continue-{conversation.id}-{index}", icon=":material/play_arrow:",
                       on_click=request_action, args=("continue",))


def render_conversation(conversation: Conversation, *, can_continue: bool = False, live: Turn | None = None) -> None:
    """Every entry from its record; the last answer gets Retry/Regenerate (and Continue).

    ``live``: the answer still streaming (its page follows it and draws it), left out here."""
    entries = conversation.entries
    last = len(entries) - 1
    streaming = live is not None
    for i, entry in enumerate(entries):
        if entry is live:
            continue
        if isinstance(entry, UserEntry):
            if not entry.hidden:
                _user_message(conversation, i, entry, editable=not streaming)
            continue
        with st.chat_message("assistant"):
            render_turn_body(entry, key=f"{conversation.id}-{i}")
            if i == last and not streaming and entry.is_finished:
                _answer_actions(conversation, i, entry, can_continue)
