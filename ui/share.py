"""The sidebar's "Share" popover: make a read-only link to what the chat shows now, and list
or turn off the links this visitor made (``chatcore.share``).

Offered only for a saved chat this visitor may write. The link (``?share=<token>``) is
shown once, right after it is made (only its hash is stored); a lost link is revoked and
made again.
"""

from __future__ import annotations

import time

import streamlit as st

from chatcore.literal_markdown import literal_markdown
from chatcore.session import ChatSession
from chatcore.share import SHARE_PARAM, ShareLinks
from chatcore.store import StoreError
from chatcore.store.share_links import TooManyShareLinks

from .state import PROMPT, chat_session

NEW_LINK = "share_new_link"  # session state: (conversation id, the link made last)


def _plain(text: str) -> str:
    """A title as literal Markdown on one line."""
    return literal_markdown(" ".join(text.split()) or "Untitled")


def share_url(token: str) -> str:
    """The link as the visitor will paste it: this app's address with ``?share=``."""
    try:
        base = st.context.url or ""
    except Exception:  # noqa: BLE001 - no browser request (AppTest)
        base = ""
    return f"{base}?{SHARE_PARAM}={token}"


def _create() -> None:
    session = chat_session()
    if session.archive is None:
        return
    try:
        made = ShareLinks(session.archive.store).create(session.archive, session.conversation)
    except StoreError as exc:
        st.toast(str(exc), icon=":material/cloud_off:")
        return
    except TooManyShareLinks as exc:
        st.toast(str(exc), icon=":material/block:")
        return
    if made is None:
        st.toast("This chat is not yours to share.", icon=":material/block:")
        return
    st.session_state[NEW_LINK] = (session.conversation.id, share_url(made[0]))


def _revoke(link_id: str) -> None:
    session = chat_session()
    if session.archive is None:
        return
    try:
        ShareLinks(session.archive.store).revoke(session.archive, link_id)
    except StoreError as exc:
        st.toast(str(exc), icon=":material/cloud_off:")
        return
    st.session_state.pop(NEW_LINK, None)


def render_share_button(session: ChatSession) -> None:
    """Call inside the sidebar."""
    archive = session.archive
    if archive is None:
        return
    cid = session.conversation.id
    entries = session.conversation.entries
    saved_and_mine = bool(entries) and cid in archive.known_ids and archive.owner_of(cid) is not None
    # A new chat's first prompt, sent with this run: it is saved before the run ends, and a text
    # answer ends in place (no redraw of this sidebar), so offer the link already.
    first_prompt_now = not entries and bool(st.session_state.get(PROMPT))
    with st.popover("Share", icon=":material/share:", width="stretch", key="share_popover"):
        if saved_and_mine or first_prompt_now:
            st.caption("A read-only copy of this chat as it is now, for anyone with the link: "
                       "no chat box, no other chats, nothing later.")
            st.button("Create a read-only link", key="share_create", icon=":material/add_link:", on_click=_create)
            made = st.session_state.get(NEW_LINK)
            if made is not None and made[0] == cid:
                st.caption("Copy it now: it is shown only once.")
                st.code(made[1], language=None, wrap_lines=True)
        else:
            st.caption("Send a message first: a chat can be shared once it is saved.")
        _render_links(session)


def _render_links(session: ChatSession) -> None:
    archive = session.archive
    if archive is None:
        return
    try:
        links = [link for link in ShareLinks(archive.store).mine(archive) if link.active]
    except StoreError:
        st.caption(":orange[Your share links could not be loaded.]")
        return
    if not links:
        return
    st.caption("Your share links")
    for link in links:
        with st.container(horizontal=True, vertical_alignment="center", key=f"share-link-{link.id}"):
            made = time.strftime("%Y-%m-%d %H:%M", time.localtime(link.created_at))
            st.markdown(f"{_plain(link.title)[:60]} · {made}", width="stretch")
            st.button("Turn off", key=f"share-revoke-{link.id}", icon=":material/link_off:", type="tertiary",
                      on_click=_revoke, args=(link.id,), help="Whoever opens this link sees a notice instead")


__all__ = ["NEW_LINK", "render_share_button", "share_url"]
