"""The chat page: stop what the last run left streaming, render history, stream an answer."""

from __future__ import annotations

import streamlit as st

from chatcore.engine import ActiveTurn
from chatcore.session import STOP_REASONS, ChatSession
from chatcore.ticker import with_heartbeat

from chatcore.user_text import clean_user_text

from .history import EDITING, render_conversation, render_user_text
from .live import BATCH_S, LiveAnswer
from .sidebar import Settings, render_sidebar
from .state import PROMPT, STOP_BUTTON, chat_session, take_action

WELCOME = (
    "Ask anything. With the built-in mock (no key needed) try `What is 23*17+4?`, "
    "`What time is it in Tokyo, London and New York?` or `How many days until New Year?`."
)


def stop_interrupted_answer(session: ChatSession) -> None:
    """The run that streamed the last answer was interrupted (Stop, a prompt, any click):
    close its upstream and keep its partial answer, marked stopped."""
    if not session.is_streaming:
        return
    if st.session_state.get(STOP_BUTTON):
        reason = "stop"
    elif st.session_state.get(PROMPT):
        reason = "new_prompt"
    else:
        reason = "interrupted"
    session.stop(reason)


def stop_abandoned(active: ActiveTurn) -> None:
    """This run's stream was dropped mid-answer (the run was interrupted): stop *its* turn only.

    Not ``session.stop()``: with fast reruns the next run may already have started a new
    answer, which is then ``session.active``, and must not be stopped by the old run."""
    if not active.is_finished:
        active.stop("interrupted")
        active.turn.end_message = STOP_REASONS["interrupted"]


def stream_answer(session: ChatSession, prompt: str | None, settings: Settings, *, continue_answer: bool = False) -> None:
    if continue_answer:
        active = session.continue_answer(settings.provider, settings.generation, settings.mock)
        if active is None:
            return
    else:
        if prompt is not None:
            prompt = clean_user_text(prompt)
            with st.chat_message("user"):
                render_user_text(prompt)
        active = session.send(prompt, settings.provider, settings.generation, settings.mock)
    bubble = st.chat_message("assistant")
    stop_slot = st.empty()
    stop_slot.button("Stop generating", key=STOP_BUTTON, icon=":material/stop_circle:")
    events = with_heartbeat(session.events(active), BATCH_S, on_abandon=lambda: stop_abandoned(active))
    with bubble:
        st.write_stream(LiveAnswer(active.turn).pieces(events))
    stop_slot.empty()
    st.rerun()  # redraw from the records: footer, Retry, no Stop button


def chat_page() -> None:
    session = chat_session()
    stop_interrupted_answer(session)
    settings = render_sidebar(session)
    action = take_action() or {}  # set by a button's on_click, before this run started
    follow_up: tuple[str, str | None] | None = None  # what to stream after the history is drawn
    if action.get("action") == "retry" and session.drop_last_answer():
        follow_up = ("answer", None)
    elif action.get("action") == "continue" and session.can_continue():
        follow_up = ("continue", None)
    elif action.get("action") == "edit_send":
        index = action["index"]
        text = st.session_state.get(f"edit-text-{session.conversation.id}-{index}", "")
        st.session_state.pop(EDITING, None)
        if clean_user_text(text).strip() and session.edit_prompt(index) is not None:
            follow_up = ("answer", text)
    render_conversation(session.conversation, can_continue=session.can_continue() and follow_up is None)
    if not session.conversation.entries:
        st.caption(WELCOME)
    prompt = st.chat_input("Message", key=PROMPT)
    if prompt is not None and clean_user_text(prompt).strip():
        stream_answer(session, prompt, settings)
    elif follow_up is not None:
        kind, text = follow_up
        stream_answer(session, text, settings, continue_answer=kind == "continue")
