"""What a share link shows: the frozen copy of a chat, drawn like the chat (tool panels,
statuses, notes), and nothing that writes.

No chat input, no sidebar, no buttons that write (a file's preview opens as in the chat);
the visitor's identity is not read and no chat session is made. Files are drawn as in the
chat (thumbnails, chips) from the bytes its snapshot lists (``shared_files``); a file no
longer kept is named in a caption. Only ``?share=`` is looked at (``chatcore.share``), whatever else the URL
carries. No sign-in either: holding the link is the permission.
"""

from __future__ import annotations

import re
import time

import streamlit as st

from chatcore.conversation import UserEntry
from chatcore.share import SHARE_PARAM, SharedChat, ShareLinks
from chatcore.store import StoreError

from .attachments_view import render_attachments
from .state import shared_store
from .transcript import render_turn_body, render_user_text

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def _plain(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 1_000_000 else f"{max(1, n // 1000)} kB"


def render_shared_chat(chat: SharedChat) -> None:
    st.title(_plain(chat.title) or "Shared chat")
    made = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(chat.created_at))
    st.caption(f":material/visibility: A read-only copy of a chat, as it was on {made}.")
    for i, entry in enumerate(chat.entries):
        if isinstance(entry, UserEntry):
            with st.chat_message("user"):
                render_user_text(entry.content)
                render_attachments(entry.attachments, key=f"shared-{i}")  # the files still kept, as in the chat
                shown = {a.sha256 for a in entry.attachments}
                for ref in chat.attachments.get(i, ()):
                    if ref.get("sha256") in shown:
                        continue
                    st.caption(f":material/attach_file: {_plain(str(ref.get('name', 'file')))} "
                               f"({_plain(str(ref.get('mime', '')))}, {_size(int(ref.get('size') or 0))})")
        else:
            with st.chat_message("assistant"):
                render_turn_body(entry, key=f"shared-{i}")


def render_shared_page() -> None:
    store = shared_store()
    if store is None:
        st.error("Shared chats cannot be shown right now: the conversation store is not available.",
                 icon=":material/cloud_off:")
        return
    try:
        opened = ShareLinks(store).open(st.query_params.get(SHARE_PARAM))
    except StoreError as exc:
        st.error(str(exc), icon=":material/cloud_off:")
        return
    if opened.chat is None:
        st.title("Shared chat")
        st.info(opened.notice or "", icon=":material/link_off:")
        return
    render_shared_chat(opened.chat)


__all__ = ["render_shared_chat", "render_shared_page"]
