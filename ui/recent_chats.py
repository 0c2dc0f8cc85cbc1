"""Recent chats in the sidebar: this visitor's newest conversations, one click to open.

The same list as History (what this account or browser started, plus what this tab opened
by link), cut to the newest few. Drawing it also has the browser keep its identity (see
``browser_identity``), since the sidebar is the first thing a visitor's page draws.
"""

from __future__ import annotations

import re

import streamlit as st

from chatcore.session import ChatSession
from chatcore.store import ConversationSummary, StoreError

from .browser_identity import keep_browser_key, keeps_history
from .state import LINK_PARAM, chat_session

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")  # as History's ``plain`` (not imported: History imports the sidebar)
RECENT = 8
_TITLE_CHARS = 40
CONTAINER = "recent_chats"  # container key: the list's CSS class is st-key-recent_chats
DRAWN_FIRST = "recent_chats_first"  # session state: the chat at the top of the list this run drew
NEW_CHAT_SLOT = "recent_chats_new_slot"  # session state, this run only: where an unlisted chat appears once saved


def _label(summary: ConversationSummary) -> str:
    title = " ".join((summary.title or "Untitled").split())
    if len(title) > _TITLE_CHARS:
        title = title[: _TITLE_CHARS - 1].rstrip() + "…"
    return _MARKDOWN_SPECIAL.sub(r"\\\1", title)  # a button label is Markdown: a prompt's * or [ must show as typed


def _open(conversation_id: str) -> None:
    """``on_click``: show the conversation and put its link in the URL (the chat page keeps it)."""
    if chat_session().open_conversation(conversation_id):
        st.query_params[LINK_PARAM] = conversation_id


def render_recent_chats(session: ChatSession, limit: int = RECENT) -> None:
    """Call inside the sidebar, under "New chat"."""
    keep_browser_key()
    st.session_state.pop(DRAWN_FIRST, None)
    st.session_state.pop(NEW_CHAT_SLOT, None)
    archive = session.archive
    if archive is None:
        return
    try:
        summaries = archive.list(limit=limit)
        st.session_state[DRAWN_FIRST] = summaries[0].id if summaries else None
    except StoreError:
        st.caption(":orange[Recent chats could not be loaded.]")
        return
    with st.container(key=CONTAINER, gap="small"):
        if not archive.visitor.signed_in and not keeps_history():
            st.caption("History is per tab here: this browser keeps no cookies for this site.")
        if summaries:
            st.caption("Recent chats")
        if not any(summary.id == session.conversation.id for summary in summaries):
            # This chat is not saved yet (a new one): it shows here once its first answer ends.
            st.session_state[NEW_CHAT_SLOT] = (st.empty(), bool(summaries))
        for summary in summaries:
            _chat_button(summary, current=summary.id == session.conversation.id)


def _chat_button(summary: ConversationSummary, *, current: bool) -> None:
    st.button(
        _label(summary),
        key=f"recent-{summary.id}",
        on_click=_open,
        args=(summary.id,),
        type="secondary" if current else "tertiary",
        icon=":material/chat_bubble:" if current else None,
        width="stretch",
        help=None if summary.is_creator else "Opened by link: you can read and continue it.",
    )


def show_saved_new_chat(session: ChatSession) -> bool:
    """Put the open chat, saved since the list was drawn, at the list's top (same run, in
    place). False when the list has no place for it or the store does not list it first."""
    slot = st.session_state.pop(NEW_CHAT_SLOT, None)
    if slot is None or session.archive is None:
        return False
    place, captioned = slot
    try:
        listed = session.archive.list(limit=1)
    except StoreError:
        return False
    if not listed or listed[0].id != session.conversation.id:
        return False
    newest = listed[0]
    with place.container(gap="small"):
        if not captioned:
            st.caption("Recent chats")
        _chat_button(newest, current=True)
    return True


__all__ = ["DRAWN_FIRST", "RECENT", "render_recent_chats", "show_saved_new_chat"]
