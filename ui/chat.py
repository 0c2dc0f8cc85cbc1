"""The chat page: stop what the last run left streaming, render history, stream an answer."""

from __future__ import annotations

import streamlit as st

from chatcore.app_config import load_app_config
from chatcore.engine import ActiveTurn
from chatcore.session import STOP_REASONS, ChatSession
from chatcore.ticker import with_heartbeat
from chatcore.user_text import clean_user_text

from .transcript import EDITING, render_conversation, render_user_text
from .live import BATCH_S, LiveAnswer
from .sidebar import Settings, render_sidebar
from .state import LINK_PARAM, PROMPT, STOP_BUTTON, chat_session, store_problem, take_action
from .starters import STARTER_ACTION, render_welcome


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
        active.stop("interrupted", STOP_REASONS["interrupted"])


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
    show_link(session)
    bubble = st.chat_message("assistant")
    stop_slot = st.empty()
    stop_slot.button("Stop generating", key=STOP_BUTTON, icon=":material/stop_circle:")
    events = with_heartbeat(session.events(active), BATCH_S, on_abandon=lambda: stop_abandoned(active))
    with bubble:
        st.write_stream(LiveAnswer(active.turn).pieces(events))
    stop_slot.empty()
    session.wait_saved(0.5)  # so a failed final save is reported on the redraw
    st.rerun()  # redraw from the records: footer, Retry, no Stop button


def show_link(session: ChatSession) -> None:
    """Put the saved conversation's link in the URL: a refresh (or the link, shared) resumes it."""
    archive = session.archive
    cid = session.conversation.id
    if archive is not None and cid in archive.known_ids and st.query_params.get(LINK_PARAM) != cid:
        st.query_params[LINK_PARAM] = cid


def open_linked_conversation(session: ChatSession) -> None:
    """``?c=<id>`` names a conversation: show it if this visitor may see it."""
    wanted = st.query_params.get(LINK_PARAM)
    if not wanted or wanted == session.conversation.id:
        return
    if not session.open_conversation(wanted):
        del st.query_params[LINK_PARAM]
        st.warning("That conversation was not found, or it is not yours to open.", icon=":material/link_off:")


def chat_page() -> None:
    session = chat_session()
    stop_interrupted_answer(session)
    open_linked_conversation(session)
    settings = render_sidebar(session)
    problem = store_problem(session)
    if problem:
        st.warning(problem, icon=":material/cloud_off:")
    action = take_action() or {}  # set by a button's on_click, before this run started
    follow_up: tuple[str, str | None] | None = None  # what to stream after the history is drawn
    if action.get("action") == "retry" and session.drop_last_answer():
        follow_up = ("answer", None)
    elif action.get("action") == "continue" and session.can_continue():
        follow_up = ("continue", None)
    elif action.get("action") == STARTER_ACTION:  # a starter prompt clicked: as if typed
        follow_up = ("answer", action["text"])
    elif action.get("action") == "edit_send":
        index = action["index"]
        text = st.session_state.get(f"edit-text-{session.conversation.id}-{index}", "")
        st.session_state.pop(EDITING, None)
        if clean_user_text(text).strip() and session.edit_prompt(index) is not None:
            follow_up = ("answer", text)
    show_link(session)
    render_conversation(session.conversation, can_continue=session.can_continue() and follow_up is None)
    app_config = load_app_config()
    for problem in app_config.problems:
        st.warning(problem, icon=":material/settings_alert:")
    if not session.conversation.entries and follow_up is None:
        render_welcome(app_config)
    prompt = st.chat_input("Message", key=PROMPT)
    if prompt is not None and clean_user_text(prompt).strip():
        stream_answer(session, prompt, settings)
    elif follow_up is not None:
        kind, text = follow_up
        stream_answer(session, text, settings, continue_answer=kind == "continue")
