"""Read-only share links: a frozen copy of the path a conversation shows, for anyone holding
the link, and nothing more.

The link is ``?share=<token>``: 256 random bits (``secrets.token_urlsafe(32)``), unrelated to
the conversation's id, and only its sha256 is stored (a leaked database does not give the
links away). What it opens is a snapshot made when the link was created: the prompts shown
and the finished answers, as the store's records (``turn_to_record``), so tool panels,
statuses and notes render as in the chat. It names neither the conversation nor its owner;
later messages, other branches and the owner's other chats are out of its reach. The owner
lists and revokes their links; a revoked link says so.

Attachments (``UserEntry.attachments``) are kept by reference: kind, name, type, size and
sha256 (their bytes stay where the chat keeps them). Opening a link reads the bytes of the
files its own snapshot lists, from its own conversation (``shared_files``), and no others.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping

from .archive import ChatArchive
from .attachments import Attachment
from .conversation import Conversation, Entry, UserEntry
from .store import ChatStore, turn_from_record, turn_to_record
from .store.share_links import ShareLink, find_share, insert_share, list_shares, revoke_share, shared_files
from .turn import Turn

SHARE_PARAM = "share"
SNAPSHOT_VERSION = 1
TOKEN_BYTES = 32  # 256 bits
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43,128}$")  # token_urlsafe(32) is 43 characters; a conversation id is 24
TURNED_OFF = "This link was turned off."
NOT_FOUND = "This link does not exist or was turned off."


def new_share_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def looks_like_share_token(value: object) -> bool:
    return isinstance(value, str) and bool(_TOKEN.match(value))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def attachment_refs(entry: UserEntry) -> list[dict[str, Any]]:
    """What a snapshot keeps of a prompt's attachments: a reference, never the bytes."""
    return [{"kind": a.kind, "name": a.name, "mime": a.mime, "size": a.size, "sha256": a.sha256}
            for a in entry.attachments]


def snapshot_of(conversation: Conversation) -> dict[str, Any]:
    """The shown path as it is now: shown prompts and finished, saved answers (no ids, no owner)."""
    entries: list[dict[str, Any]] = []
    for entry in conversation.entries:
        if entry.message_id is None:
            continue  # never saved: not part of what the store holds for this chat
        if isinstance(entry, UserEntry):
            if not entry.hidden:
                entries.append({"role": "user", "content": entry.content, "created_at": entry.created_at,
                                "attachments": attachment_refs(entry)})
        elif entry.is_finished:
            record = turn_to_record(entry)
            record.pop("settings", None)  # how the owner set up the answer (system prompt...) is not part of the chat shown
            entries.append({"role": "assistant", "record": record})
    return {"v": SNAPSHOT_VERSION, "title": conversation.title, "entries": entries}


@dataclass(frozen=True)
class SharedChat:
    """What a share link shows."""

    title: str
    created_at: float
    entries: list[Entry] = field(default_factory=list)
    attachments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # entry index -> references


def chat_from_snapshot(title: str, created_at: float, snapshot: dict[str, Any],
                       files: Mapping[str, Attachment] | None = None) -> SharedChat:
    """The chat a snapshot shows. ``files`` (``store.share_links.shared_files``): the listed
    files still kept, by sha256; a prompt gets those of its references found there (in its
    ``attachments``, drawn as in the chat), the others stay references only (a caption)."""
    chat = SharedChat(title=title, created_at=created_at)
    files = files or {}
    for item in snapshot.get("entries", ()):
        if item.get("role") == "user":
            refs = item.get("attachments") or ()
            kept = tuple(files[ref["sha256"]] for ref in refs if ref.get("sha256") in files)
            chat.entries.append(UserEntry(str(item.get("content", "")), created_at=item.get("created_at") or 0.0,
                                          attachments=kept))
            if item.get("attachments"):
                chat.attachments[len(chat.entries) - 1] = list(item["attachments"])
        elif item.get("role") == "assistant":
            turn: Turn = turn_from_record(item.get("record") or {})
            chat.entries.append(turn)
    return chat


@dataclass(frozen=True, slots=True)
class OpenedShare:
    state: Literal["shown", "turned_off", "not_found"]
    chat: SharedChat | None = None

    @property
    def notice(self) -> str | None:
        return {"turned_off": TURNED_OFF, "not_found": NOT_FOUND}.get(self.state)


class ShareLinks:
    """Create, open, list and revoke share links (one shared instance is fine: no per-user state)."""

    def __init__(self, store: ChatStore) -> None:
        self.store = store

    def create(self, archive: ChatArchive, conversation: Conversation) -> tuple[str, ShareLink] | None:
        """A link to what ``conversation`` shows now: (token, shown once; its record). None if
        this visitor may not write the conversation, or it is not saved yet."""
        owner = archive.owner_of(conversation.id)
        if owner is None:
            return None
        token = new_share_token()
        link = insert_share(self.store, link_id=secrets.token_urlsafe(9), token_hash=token_hash(token),
                            conversation_id=conversation.id, owner=owner, creator=archive.visitor.creator,
                            title=conversation.title, snapshot=snapshot_of(conversation))
        return None if link is None else (token, link)

    def open(self, token: object) -> OpenedShare:
        """What ``token`` (a URL parameter: hostile) shows. Reads only the snapshot table."""
        if not looks_like_share_token(token):
            return OpenedShare("not_found")
        found = find_share(self.store, token_hash(str(token)))
        if found is None:
            return OpenedShare("not_found")
        if found.revoked:
            return OpenedShare("turned_off")
        files = shared_files(self.store, token_hash(str(token)))
        return OpenedShare("shown", chat_from_snapshot(found.title, found.created_at, found.snapshot, files))

    def mine(self, archive: ChatArchive, conversation_id: str | None = None) -> list[ShareLink]:
        return list_shares(self.store, archive.visitor.creator, conversation_id=conversation_id)

    def revoke(self, archive: ChatArchive, link_id: str) -> bool:
        return revoke_share(self.store, archive.visitor.creator, link_id)


__all__ = [
    "NOT_FOUND", "SHARE_PARAM", "SNAPSHOT_VERSION", "TURNED_OFF", "OpenedShare", "ShareLinks", "SharedChat",
    "attachment_refs", "chat_from_snapshot", "looks_like_share_token", "new_share_token", "snapshot_of", "token_hash",
]
