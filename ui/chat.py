"""The chat page: stop what the last run left streaming, render history, stream an answer."""

from __future__ import annotations

import json
import os
import time

import streamlit as st

from chatcore.app_config import load_app_config
from chatcore.attachments import Attachment
from chatcore.conversation import UserEntry
from chatcore.limits import LimitExceeded
from chatcore.live_turn import LiveTurn
from chatcore.session import ChatSession
from chatcore.stop_links import STOP_LINK_PATH, stop_links
from chatcore.user_text import clean_user_text, max_prompt_chars, prompt_too_long

from .attach_input import edited_attachments, input_options, render_input_notes, take_submission
from .attachments_view import render_attachments
from .live import LiveAnswer, show_live_answer
from .recent_chats import DRAWN_FIRST, show_saved_new_chat
from .sidebar import Settings, render_sidebar
from .starters import STARTER_ACTION, render_welcome
from .state import LINK_PARAM, PROMPT, STOP_BUTTON, chat_session, secrets_mapping, stop_answer, store_problem, take_action
from .transcript import EDITING, render_conversation, render_last_answer_actions, render_user_actions, render_user_text


def typed_text_only(typed: object, max_chars: int) -> bool:
    """A prompt of text alone was sent with this run (no files, no recording): its answer is drawn
    below the history and ends in place. Files and voice still end with a redraw (their checks
    and transcription may send nothing)."""
    if typed is None:
        return False
    text = typed if isinstance(typed, str) else getattr(typed, "text", None)
    if not isinstance(text, str) or getattr(typed, "files", None) or getattr(typed, "audio", None):
        return False
    return not prompt_too_long(text, max_chars) and bool(clean_user_text(text).strip())


def stop_if_asked(session: ChatSession) -> None:
    """A new prompt ends the answer running in this chat (Stop ended it already, in its
    ``on_click``: ``stop_answer``). Anything else (a click elsewhere, a reload, a second tab)
    leaves it running: this run re-attaches to it (``follow_answer``)."""
    if session.is_streaming and st.session_state.get(PROMPT):
        session.stop("new_prompt")


def stream_answer(session: ChatSession, prompt: str | None, settings: Settings, status_slot, *,
                  continue_answer: bool = False, attachments: tuple[Attachment, ...] = (), in_place: bool = False) -> None:
    """``in_place``: the history above was drawn for this prompt (``answering``), so when the
    answer ends its last touches are drawn in place instead of redrawing the page."""
    config = settings.provider
    if config is None:  # the sidebar refused the provider settings (and said why)
        return
    try:
        if continue_answer:
            live = session.continue_answer(config, settings.generation, settings.mock)
            if live is None:
                return
        else:
            user_row = None
            if prompt is not None:
                prompt = clean_user_text(prompt)
                with st.chat_message("user"):
                    if prompt or not attachments:
                        render_user_text(prompt)
                    render_attachments(attachments, key="sending")
                    user_row = st.empty() if in_place else None  # Edit and the time, once answered
            live = session.send(prompt, config, settings.generation, settings.mock, attachments=attachments)
    except LimitExceeded as refused:  # a limit of this demo: nothing was sent or saved
        with st.chat_message("assistant"):
            st.warning(refused.message, icon=":material/block:")
        return
    show_link(session)
    follow_answer(session, live, status_slot, user_row=None if continue_answer else user_row)


def follow_answer(session: ChatSession, live: LiveTurn, status_slot, *, user_row=None) -> None:
    """Show ``live`` from its start (at once) and then as it streams, with Stop beside the input.

    If this run is interrupted (any click, a reload), the answer goes on: the next run, or
    the reloaded page, follows it again. When it ends, ``user_row`` (a slot under its prompt,
    for a prompt typed in this run) gets the prompt's Edit and time and the answer its row of
    actions, in place; otherwise (or when saving failed, to say so) the page is redrawn from
    the records. Redrawing would send the whole answer to the browser a second time."""
    with status_slot.container():
        cols = st.columns([2, 5], vertical_alignment="center")
        cols[0].button("Stop generating", key=STOP_BUTTON, icon=":material/stop_circle:", help="Stop the answer (Esc)",
                       on_click=stop_answer)  # stops before the next run sets the page up
        note = cols[1].empty()
        stop_on_escape(live)  # beside Stop, not in the chat: the messages keep the places the next run gives them
    answer = LiveAnswer(live.turn, base=live.base, status=note, key=f"{session.conversation.id}-live")
    with st.chat_message("assistant"):
        show_live_answer(answer, live)
        actions = st.empty()
    status_slot.empty()
    session.wait_saved(0.5)  # so a failed final save is reported on the redraw
    if user_row is None or store_problem(session) or not finish_in_place(session, live, user_row, actions):
        st.rerun()  # redraw from the records: footer, Retry, no Stop button


def finish_in_place(session: ChatSession, live: LiveTurn, user_row, actions) -> bool:
    """What the redraw from the records would add to a just-finished answer, drawn in place:
    the prompt's Edit and time, the answer's Retry/Regenerate, Continue, Copy and time.
    False (draw nothing) when the answer is not the chat's last entry after its prompt, holds
    more than text (its live tool and reasoning panels become their record's panels), or the
    sidebar's recent chats would change otherwise than by a new chat appearing at their top."""
    conversation = session.conversation
    entries = conversation.entries
    if len(entries) < 2 or entries[-1] is not live.turn or not live.turn.is_finished:
        return False
    if any(segment.kind != "text" for segment in live.turn.segments):
        return False
    if session.archive is not None and st.session_state.get(DRAWN_FIRST) != conversation.id \
            and not show_saved_new_chat(session):
        return False  # the sidebar's recent chats change in a way only a redraw shows
    prompt = entries[-2]
    if not isinstance(prompt, UserEntry) or prompt.hidden:
        return False
    with user_row.container():
        render_user_actions(conversation, len(entries) - 2, prompt)
    with actions.container():
        render_last_answer_actions(conversation, len(entries) - 1, live.turn, can_continue=session.can_continue())
    return True


# Esc clicks Stop; a click on Stop (however made) also posts this answer's stop link to the
# server at once (chatcore/stop_links.py, api/page_stop.py), ~10 ms before Streamlit's front
# end sends the click itself, which still follows and stops the answer wherever the route
# cannot. Scripts may run again on redraws: the listeners are added once per page, and each
# run only replaces the link (the answer shown now; null when there is none to stop).
STOP_SCRIPT = """<script>
(() => {
  const doc = window.parent && window.parent.document ? window.parent.document : document;
  doc.__chatStopLink = __STOP_LINK__;
  if (doc.__chatStopKeys) return;
  doc.__chatStopKeys = true;
  doc.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || e.defaultPrevented) return;
    const stop = doc.querySelector(".st-key-stop_button button");
    if (stop) { e.preventDefault(); stop.click(); }
  });
  doc.addEventListener("click", (e) => {
    const stop = e.target && e.target.closest ? e.target.closest(".st-key-stop_button button") : null;
    const link = doc.__chatStopLink;
    if (!stop || !link) return;
    doc.__chatStopLink = null;  // a link works once; the next answer's page run brings its own
    const win = doc.defaultView || window;
    win.fetch(link.url, {method: "POST", body: link.token, keepalive: true, credentials: "omit",
                         cache: "no-store"}).catch(() => {});
  }, true);  // capture: before Streamlit's own handler, which still runs
})();
</script>"""


def stop_script(token: str | None, base_url_path: str) -> str:
    """The page script for Stop, carrying the stop link of the answer on screen (or none)."""
    base = base_url_path.strip("/")
    link = None if token is None else {"url": f"/{base}{STOP_LINK_PATH}" if base else STOP_LINK_PATH, "token": token}
    return STOP_SCRIPT.replace("__STOP_LINK__", json.dumps(link).replace("<", "\\u003c"))


def stop_on_escape(live: LiveTurn) -> None:
    """Esc clicks Stop (the same path as the button), and Stop's click posts the stop link too.

    The link's token goes only to this page run (this visitor's own page, which follows
    ``live`` because it may open its conversation)."""
    base = st.get_option("server.baseUrlPath") or ""
    st.html(stop_script(stop_links().token_for(live), str(base)), unsafe_allow_javascript=True)


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
    stop_if_asked(session)
    open_linked_conversation(session)
    settings = render_sidebar(session)
    problem = store_problem(session)
    if problem:
        st.warning(problem, icon=":material/cloud_off:")
    action = take_action() or {}  # set by a button's on_click, before this run started
    if settings.provider is None:  # the sidebar refused the provider settings: send nothing at all
        action = {}
    max_chars = max_prompt_chars({**os.environ, **secrets_mapping()})
    too_long = None  # refused before anything is stored or sent upstream
    follow_up: tuple[str, str | None] | None = None  # what to stream after the history is drawn
    attachments: tuple[Attachment, ...] = ()  # sent with the prompt: the edited prompt's, or the input's
    if action.get("action") == "retry" and session.drop_last_answer():
        follow_up = ("answer", None)
    elif action.get("action") == "continue" and session.can_continue():
        follow_up = ("continue", None)
    elif action.get("action") == STARTER_ACTION:  # a starter prompt clicked: as if typed
        follow_up = ("answer", action["text"])
    elif action.get("action") == "edit_send":
        index = action["index"]
        text = st.session_state.get(f"edit-text-{session.conversation.id}-{index}", "")
        kept = edited_attachments(session, index)  # editing a prompt keeps its files
        too_long = prompt_too_long(text, max_chars) or session.no_room(text, kept)  # the edit box stays open
        if not too_long:
            st.session_state.pop(EDITING, None)
        if not too_long and (clean_user_text(text).strip() or kept) and session.edit_prompt(index) is not None:
            follow_up, attachments = ("answer", text), kept
    show_link(session)
    live = session.live if session.is_streaming else None
    answering = settings.provider is not None and follow_up is None and too_long is None \
        and typed_text_only(st.session_state.get(PROMPT), max_chars)
    render_conversation(session.conversation, can_continue=session.can_continue() and follow_up is None and live is None,
                        live=live.turn if live is not None else None, answering=answering)
    app_config = load_app_config()
    for problem in app_config.problems:
        st.warning(problem, icon=":material/settings_alert:")
    if not session.conversation.entries and follow_up is None:
        render_welcome(app_config)
    if settings.provider is None:
        st.error(f"{settings.refusal} Change the provider settings in the sidebar to chat.", icon=":material/block:")
    status_slot = st.bottom.empty()  # above the input box: Stop and "still working" notes
    submitted = st.chat_input("Message", key=PROMPT, max_chars=max_chars, disabled=settings.provider is None,
                              **input_options(app_config.attachments))
    prompt, sent_files = take_submission(submitted, session, settings)  # files checked, voice transcribed
    render_input_notes(session.conversation.id)
    too_long = too_long or (prompt_too_long(prompt, max_chars) or session.no_room(prompt, sent_files) if prompt is not None else None)
    if too_long:
        st.error(too_long, icon=":material/block:")
    elif prompt is not None and settings.provider is not None and (clean_user_text(prompt).strip() or sent_files):
        stream_answer(session, prompt, settings, status_slot, attachments=sent_files, in_place=answering and not sent_files)
    elif follow_up is not None:
        kind, text = follow_up
        stream_answer(session, text, settings, status_slot, continue_answer=kind == "continue", attachments=attachments)
    elif live is not None:
        follow_answer(session, live, status_slot)  # a reload, a second tab, or a click mid-answer
    elif session.written_elsewhere:
        watch_other_writer(session, status_slot)


WATCH_EVERY_S = 0.25


def watch_other_writer(session: ChatSession, status_slot) -> None:
    """The answer streams on another replica (a shared link), or on one that just died: show it
    as the store has it, and look again shortly. Its writer's heartbeat says which (the store
    marks it interrupted a few seconds after the heartbeat stops, see chatcore/store/store.py)."""
    status_slot.caption(":material/sync: This answer is being written by another server; it updates here as it is saved.")
    time.sleep(WATCH_EVERY_S)
    if session.reload():  # the store cannot be read: stop looking (its warning shows on the next run)
        st.rerun()
