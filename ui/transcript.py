"""Render a conversation from its records (never from what ``write_stream`` returned)."""

from __future__ import annotations

import time
from typing import Sequence

import streamlit as st

from chatcore.conversation import Conversation, UserEntry
from chatcore.conversation_tree import Versions
from chatcore.literal_markdown import literal_markdown
from chatcore.message_time import message_time, zone
from chatcore.turn import Segment, Turn
from chatcore.user_text import LONG_PROMPT_CHARS

from .answer_blocks import render_text
from .attachments_view import render_attachments, render_keep_choices
from .copy_button import render_copy_button, render_copy_handler
from .feedback import render_feedback
from .footer import render_footer
from .history_window import first_shown, render_earlier_control
from .panels import render_history_panel
from .safe_text import safe_markdown
from .state import request_action
from .version_switcher import render_version_switcher

RETRYABLE = ("error", "incomplete", "stopped", "interrupted")


def render_turn_body(turn: Turn, key: str) -> None:
    render_segments(turn, turn.segments, key)
    render_footer(turn)


def render_segments(turn: Turn, segments: Sequence[Segment], key: str) -> None:
    """Text, reasoning and tool panels in the order they happened."""
    for i, segment in enumerate(segments):
        if segment.kind == "text":
            render_text(segment.text)  # the blocks the live answer drew (the browser has them cached)
        elif segment.kind == "reasoning":
            # In a keyed container: ui/style.py shows reasoning smaller and muted (secondary to the answer).
            with st.container(key=f"reasoning-{key}-{i}"), st.expander("Reasoning", icon=":material/psychology:", key=f"{key}-r{i}"):
                st.markdown(safe_markdown(segment.text))
        else:
            record = turn.tool_calls.get(segment.tool_id)
            if record is not None:
                render_history_panel(record, key=f"{key}-t{segment.tool_id}")


def render_user_text(text: str) -> None:
    """A prompt exactly as the user wrote it (not read as Markdown: ``5*3`` keeps its star,
    lines stay lines); a very long one is folded so the chat stays readable."""
    if len(text) <= LONG_PROMPT_CHARS:
        st.markdown(literal_markdown(text))
        return
    st.markdown(literal_markdown(text[:500]) + "…")
    with st.expander(f"Show the whole message ({len(text):,} characters)", icon=":material/unfold_more:"):
        st.text(text)


EDITING = "editing_prompt"  # index of the prompt being edited, in session state


def _time_label(ts: float | None) -> str:
    """The message's time in the reader's zone (the browser's, as Streamlit reports it)."""
    if not ts:
        return ""
    return message_time(ts, zone(st.context.timezone), time.time())


def _edit_form(conversation: Conversation, index: int, entry: UserEntry) -> None:
    """A form, so Ctrl/Cmd+Enter in the text area sends the edit (Streamlit's own shortcut)."""
    with st.form(f"edit-form-{conversation.id}-{index}", border=False):
        st.text_area("Edit your message", value=entry.content, key=f"edit-text-{conversation.id}-{index}")
        render_keep_choices(conversation.id, index, entry.attachments)
        with st.container(horizontal=True, vertical_alignment="center"):
            st.form_submit_button("Send", key=f"edit-send-{conversation.id}-{index}", type="primary", on_click=request_action,
                                  args=("edit_send",), kwargs={"index": index}, help="Send the edited message (Ctrl/⌘+Enter)")
            st.form_submit_button("Cancel", key=f"edit-cancel-{conversation.id}-{index}", on_click=st.session_state.pop, args=(EDITING, None))


def _user_message(conversation: Conversation, index: int, entry: UserEntry, editable: bool,
                  versions: Versions | None = None) -> None:
    with st.chat_message("user"):
        if st.session_state.get(EDITING) == index:
            _edit_form(conversation, index, entry)
            render_attachments(entry.attachments, key=f"{conversation.id}-{index}")
            return
        if entry.content or not entry.attachments:
            render_user_text(entry.content)
        render_attachments(entry.attachments, key=f"{conversation.id}-{index}")
        render_user_actions(conversation, index, entry, editable, versions)


def render_user_actions(conversation: Conversation, index: int, entry: UserEntry, editable: bool = True,
                        versions: Versions | None = None) -> None:
    """Under a prompt: its versions, Edit and the time (also drawn in place when its answer ends, ``ui/chat.py``)."""
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        render_version_switcher(conversation, index, versions, disabled=not editable)
        if editable:
            st.button(
                "Edit",
                key=f"edit-{conversation.id}-{index}",
                icon=":material/edit:",
                type="tertiary",
                help="Edit this message and send it again (this version and its answers are kept)",
                on_click=st.session_state.__setitem__,
                args=(EDITING, index),
            )
        _message_time(entry.created_at)


def _message_time(ts: float | None) -> None:
    label = _time_label(ts)
    if label:
        st.caption(label, width="content")


def _answer_actions(conversation: Conversation, index: int, turn: Turn, *, last: bool, can_continue: bool,
                    versions: Versions | None = None, streaming: bool = False) -> None:
    """One row, one quiet style: ‹ n / m ›, Retry or Regenerate and Continue (last answer), Copy, the time."""
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        render_version_switcher(conversation, index, versions, disabled=streaming)
        if last:
            if turn.status in RETRYABLE:
                st.button("Retry", key=f"retry-{conversation.id}-{index}", icon=":material/refresh:", type="tertiary",
                          on_click=request_action, args=("retry",), help="Ask again")
            else:
                st.button("Regenerate", key=f"regen-{conversation.id}-{index}", icon=":material/refresh:", type="tertiary",
                          on_click=request_action, args=("retry",), help="Ask again for a new answer")
            if can_continue:
                st.button("Continue", key=f"continue-{conversation.id}-{index}", icon=":material/play_arrow:", type="tertiary",
                          on_click=request_action, args=("continue",), help="Let the model carry on from where it stopped")
        if turn.text.strip():
            render_copy_button(turn.text)
        render_feedback(conversation, turn)  # thumbs and comment (ui/feedback.py)
        _message_time(turn.started_at)


def render_last_answer_actions(conversation: Conversation, index: int, turn: Turn, *, can_continue: bool) -> None:
    """The last answer's row (Retry or Regenerate, Continue, Copy, time), drawn in place when it ends."""
    _answer_actions(conversation, index, turn, last=True, can_continue=can_continue)


def render_conversation(conversation: Conversation, *, can_continue: bool = False, live: Turn | None = None,
                        answering: bool = False) -> None:
    """Every entry from its record; the last answer gets Retry/Regenerate (and Continue).

    ``live``: the answer still streaming (its page follows it and draws it), left out here.
    ``answering``: a new prompt is about to be answered below: no answer here is the last one.
    A long chat draws its newest messages only, below a "Show earlier messages" button."""
    entries = conversation.entries
    last = len(entries) - 1
    streaming = live is not None
    versions = conversation.versions()  # ‹ n / m › per entry (chatcore.conversation_tree)
    if entries or answering:  # (an answer finished in place gets its Copy button below)
        render_copy_handler()
    start = first_shown(conversation.id, len(entries))
    if start:
        render_earlier_control(conversation.id, start, len(entries))
    for i, entry in enumerate(entries[start:], start):
        if entry is live:
            continue
        if isinstance(entry, UserEntry):
            if not entry.hidden:
                _user_message(conversation, i, entry, editable=not streaming, versions=versions[i])
            continue
        with st.chat_message("assistant"):
            render_turn_body(entry, key=f"{conversation.id}-{i}")
            if entry.is_finished:
                _answer_actions(conversation, i, entry, last=i == last and not streaming and not answering,
                                can_continue=can_continue, versions=versions[i], streaming=streaming)
