"""The History page: this visitor's saved conversations, newest first.

Search titles and messages; open one to continue it on the chat page; rename, export
(Markdown, JSON, the next request and a curl line, never the key) or delete it. Only the
selected conversation is loaded, so a long list stays quick. Renaming and deleting are
offered only to whoever started the conversation (the store refuses anyone else too); a
conversation opened by link is read and continued. An anonymous visitor can make this
browser forget its identity ("Forget this browser").
"""

from __future__ import annotations

import json
import re
import shlex
import time

import streamlit as st

from chatcore.export import curl_target, host_of, next_turn_request, path_note, to_curl, to_json, to_markdown
from chatcore.mock_server import DEFAULT_PORT as MOCK_SERVER_PORT
from chatcore.session import ChatSession
from chatcore.settings import settings_from_record
from chatcore.store import ConversationSummary, StoreError, turn_to_record

from .attachments_view import render_conversation_attachments
from .browser_identity import forget_browser, keep_browser_key, keeps_history
from .sidebar import current_base_url
from .state import LINK_PARAM, chat_session, store_problem

SELECTED = "history_selected"
CONFIRM_DELETE = "history_confirm_delete"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def plain(text: str) -> str:
    """User text shown through Markdown as typed: no links, images or emphasis sneak in."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def ago(timestamp: float, now: float | None = None) -> str:
    seconds = max(0.0, (now or time.time()) - timestamp)
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"


def file_stem(title: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-").lower()[:48]
    return stem or "conversation"


OPENED_BY_LINK = "Opened by link: you can read and continue it."
PER_TAB = (
    "History is per tab here: this browser does not keep cookies for this site (a private window, or cookies "
    "blocked), so this list shows only what this tab started or opened. Keep a chat's link (the chat page's "
    "address) to come back to it."
)


def _who_sees_what(session: ChatSession) -> str:
    if session.archive is not None and session.archive.visitor.signed_in:
        return "Your conversations, wherever you sign in. Nobody else sees them."
    if not keeps_history():
        return PER_TAB
    return (
        "Conversations started in this browser (recognised by a random key in a cookie, not by who you are), and "
        "those opened by link in this tab. Each has its own secret link (the chat page's address): share it to let "
        "someone read and continue it; only this browser can rename or delete it. Nobody else sees this list."
    )


def _forget_this_browser(session: ChatSession) -> None:
    if session.archive is None or session.archive.visitor.signed_in:
        return
    st.divider()
    st.button("Forget this browser", key="forget_browser", icon=":material/person_off:", on_click=forget_browser,
              help="This browser gets a new identity: the list empties. The conversations are not deleted; "
                   "their links still open them.")
    st.caption("Forgetting empties this list on this browser. Nothing is deleted: whoever has a conversation's "
               "link can still open it, but nobody can rename or delete it any more.")


def _open_in_chat(session: ChatSession, conversation_id: str) -> None:
    if session.open_conversation(conversation_id):
        st.switch_page("pages/chat.py", query_params={LINK_PARAM: conversation_id})
    st.error("That conversation could not be opened.", icon=":material/error:")


def _exports(session: ChatSession, summary: ConversationSummary) -> None:
    archive = session.archive
    conversation = archive.open(summary.id) if archive is not None else None
    if conversation is None:
        st.error("This conversation is gone.", icon=":material/error:")
        return
    settings = archive.settings_of(summary.id)  # type: ignore[union-attr]
    config, generation = settings_from_record(settings)
    request = next_turn_request(conversation, config, generation, session.registry)
    render_conversation_attachments(conversation, key=summary.id)
    stem = file_stem(summary.title)
    st.caption("Export")
    note = path_note(conversation)  # versions: the Markdown and the next request follow the path shown
    if note is not None:
        st.caption(note)
    cols = st.columns(3)
    cols[0].download_button("Markdown", to_markdown(conversation), f"{stem}.md", "text/markdown",
                            key=f"md-{summary.id}", icon=":material/description:", on_click="ignore")
    # Made when clicked (they carry every attached file whole): not on every run of this page.
    cols[1].download_button("JSON", lambda: to_json(conversation, turn_to_record, settings), f"{stem}.json", "application/json",
                            key=f"json-{summary.id}", icon=":material/data_object:", on_click="ignore")
    cols[2].download_button("Next request", lambda: json.dumps(request, indent=2, ensure_ascii=False), f"{stem}-request.json",
                            "application/json", key=f"req-{summary.id}", icon=":material/send:", on_click="ignore",
                            help="The exact chat-completions request the app would send for the next turn (from the path shown)")
    with st.expander("Reproduce the next turn with curl", icon=":material/terminal:", key=f"curl-{summary.id}"):
        _curl(request, summary.id, "" if config.is_mock else config.base_url, f"{stem}-request.json")


CURL_INLINE_CHARS = 64_000  # a longer request (attachments) is read from the downloaded file instead


def curl_line(request: dict, base_url: str, request_file: str) -> str:
    """``to_curl``; when the request is too long to paste (it carries files), the same line
    reading the body from the *Next request* download."""
    line = to_curl(request, base_url)
    if len(line) <= CURL_INLINE_CHARS:
        return line
    head = line[: line.rindex("  -d ")]
    return f"{head}  -d @{shlex.quote(request_file)}"


def _curl(request: dict, conversation_id: str, conversation_base_url: str, request_file: str = "request.json") -> None:
    """The curl line, aimed at the viewer's current server: ``$OPENAI_API_KEY`` goes where it
    points, and a link holder may not trust the server the conversation ran on."""
    viewer = current_base_url()
    if viewer is None:
        viewer = f"http://127.0.0.1:{MOCK_SERVER_PORT}/v1"
        st.caption(f"You are on the built-in mock: start `python -m chatcore.mock_server --port {MOCK_SERVER_PORT}` "
                   "to replay this request.")
    use_stored = False
    if conversation_base_url and curl_target(viewer, conversation_base_url, use_conversation_server=True).elsewhere:
        use_stored = st.checkbox(f"Send it to the server this chat ran on ({host_of(conversation_base_url)})",
                                 key=f"curl-stored-{conversation_id}")
    target = curl_target(viewer, conversation_base_url, use_conversation_server=use_stored)
    if target.elsewhere:
        st.warning(target.note, icon=":material/warning:")
    else:
        st.caption(target.note)
    line = curl_line(request, target.base_url, request_file)
    if line.endswith(f"@{shlex.quote(request_file)}"):
        st.caption("This request carries attachments: download *Next request* into the folder you run curl in.")
    st.code(line, language="bash")


def _manage(session: ChatSession, summary: ConversationSummary) -> None:
    archive = session.archive
    assert archive is not None  # noqa: S101 - narrows the type: the page returns early without an archive
    if not summary.is_creator:
        st.caption(OPENED_BY_LINK)
    else:
        cols = st.columns([4, 1], vertical_alignment="bottom")
        title = cols[0].text_input("Title", value=summary.title, key=f"title-{summary.id}", max_chars=200)
        if cols[1].button("Rename", key=f"rename-{summary.id}") and title.strip() and title.strip() != summary.title:
            if not archive.rename(summary.id, title):
                st.toast("Not renamed: only whoever started this conversation can rename it.", icon=":material/block:")
            st.rerun()
    _exports(session, summary)
    if not summary.is_creator:
        return
    if st.session_state.get(CONFIRM_DELETE) != summary.id:
        st.button("Delete…", key=f"delete-{summary.id}", icon=":material/delete:",
                  on_click=st.session_state.__setitem__, args=(CONFIRM_DELETE, summary.id))
        return
    st.warning(f"Delete “{plain(summary.title or 'Untitled')}” and all its messages? This cannot be undone.",
               icon=":material/delete_forever:")
    cols = st.columns([1, 1, 3])
    if cols[0].button("Delete for good", key=f"delete-yes-{summary.id}", type="primary"):
        st.session_state.pop(CONFIRM_DELETE, None)
        st.session_state.pop(SELECTED, None)
        if archive.delete(summary.id) and session.conversation.id == summary.id:
            session.new_chat()
        st.toast("Conversation deleted.", icon=":material/delete:")
        st.rerun()
    cols[1].button("Keep it", key=f"delete-no-{summary.id}", on_click=st.session_state.pop, args=(CONFIRM_DELETE, None))


def _row(session: ChatSession, summary: ConversationSummary, selected: bool) -> None:
    with st.container(border=True):
        cols = st.columns([4, 1.3, 1.3], vertical_alignment="center")
        cols[0].markdown(f"**{plain(summary.title or 'Untitled')}**")
        meta = [f"{summary.message_count} messages", f"updated {ago(summary.updated_at)}"]
        if summary.model:
            meta.append(summary.model)
        if summary.id == session.conversation.id:
            meta.append("open in the chat")
        if not summary.is_creator:
            meta.append("opened by link")
        cols[0].caption(" · ".join(meta))
        if cols[1].button("Open", key=f"open-{summary.id}", icon=":material/chat:"):
            _open_in_chat(session, summary.id)
        cols[2].button("Less" if selected else "More", key=f"more-{summary.id}",
                       icon=":material/expand_less:" if selected else ":material/more_horiz:",
                       on_click=st.session_state.__setitem__, args=(SELECTED, None if selected else summary.id))
        if selected:
            _manage(session, summary)


def render_history_page() -> None:
    st.title("History")
    keep_browser_key()
    session = chat_session()
    if session.archive is None:
        st.warning(store_problem(session) or "Conversations are not being saved.", icon=":material/cloud_off:")
        return
    st.caption(_who_sees_what(session))
    search = st.text_input("Search", key="history_search", placeholder="Search titles and messages",
                           icon=":material/search:", label_visibility="collapsed")
    try:
        summaries = session.archive.list(search)
    except StoreError as exc:
        st.error(str(exc), icon=":material/error:")
        return
    if not summaries:
        st.info("No conversations match." if search.strip() else
                "No saved conversations yet. Ask something on the chat page; it is saved as it streams.",
                icon=":material/info:")
    selected = st.session_state.get(SELECTED)
    for summary in summaries:
        try:
            _row(session, summary, summary.id == selected)
        except StoreError as exc:
            st.error(str(exc), icon=":material/error:")
    _forget_this_browser(session)
