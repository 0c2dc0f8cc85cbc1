"""Share-link rows in the store: a frozen snapshot of a conversation, found by its token's hash.

Functions taking a ``ChatStore``. Creating checks, in the same transaction, that the
conversation is ``owner``'s (only who may write a conversation may share it); listing and
revoking follow ``creator`` (who made the link). The token itself is never stored.
``shared_files`` reads the bytes of the files a link's snapshot lists, and no others.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

from sqlalchemy import func, insert, select, update

from ..attachments.model import Attachment
from .attachments import KINDS
from .schema import attachment_blobs, conversations, message_attachments, messages, share_links
from .store import ChatStore

SAVE, READ = "Could not save the share link", "Could not load the share link"
MAX_ACTIVE_LINKS = 20  # per creator: each link keeps a copy of its chat; turning one off frees it


class TooManyShareLinks(Exception):
    """The creator already has ``MAX_ACTIVE_LINKS`` links on."""


@dataclass(frozen=True, slots=True)
class ShareLink:
    """A link as its creator lists it (never the token, never the snapshot)."""

    id: str
    conversation_id: str
    title: str
    created_at: float
    revoked_at: float | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True, slots=True)
class StoredShare:
    """What a token opens: the snapshot, and whether the link was turned off."""

    title: str
    created_at: float
    revoked: bool
    snapshot: dict[str, Any]


def insert_share(store: ChatStore, *, link_id: str, token_hash: str, conversation_id: str, owner: str, creator: str,
                 title: str, snapshot: Mapping[str, Any]) -> ShareLink | None:
    """Save a new link; None if the conversation does not exist or is not ``owner``'s.
    Raises ``TooManyShareLinks`` when ``creator`` has ``MAX_ACTIVE_LINKS`` on already."""
    now = store._clock()
    with store._transaction(SAVE, write=True) as conn:
        found = conn.execute(select(conversations.c.id).where(conversations.c.id == conversation_id,
                                                              conversations.c.owner == owner)).first()
        if found is None:
            return None
        active = conn.execute(select(func.count()).select_from(share_links)
                              .where(share_links.c.creator == creator, share_links.c.revoked_at.is_(None))).scalar()
        if (active or 0) >= MAX_ACTIVE_LINKS:
            raise TooManyShareLinks(f"You have {active} share links on, the most kept per visitor: turn one off first.")
        conn.execute(insert(share_links).values(id=link_id, token_hash=token_hash, conversation_id=conversation_id,
                                                creator=creator, title=title, created_at=now, revoked_at=None,
                                                snapshot=dict(snapshot)))
    return ShareLink(link_id, conversation_id, title, now, None)


def find_share(store: ChatStore, token_hash: str) -> StoredShare | None:
    with store._transaction(READ, write=False) as conn:
        row = conn.execute(select(share_links.c.title, share_links.c.created_at, share_links.c.revoked_at,
                                  share_links.c.snapshot).where(share_links.c.token_hash == token_hash)).first()
    if row is None:
        return None
    return StoredShare(row.title, row.created_at, row.revoked_at is not None, row.snapshot or {})


def shared_files(store: ChatStore, token_hash: str) -> dict[str, Attachment]:
    """The files a link's snapshot lists, by sha256, read from the chat they were sent in.

    Which files is the stored snapshot's business, never the caller's: a token reaches only
    the blobs its own snapshot names, and only while the link is on and its conversation still
    links them (a file gone is simply missing: the viewer shows its caption)."""
    with store._transaction(READ, write=False) as conn:
        link = conn.execute(select(share_links.c.conversation_id, share_links.c.snapshot)
                            .where(share_links.c.token_hash == token_hash, share_links.c.revoked_at.is_(None))).first()
        listed = _listed_sha256s(link.snapshot if link is not None else None)
        if link is None or not listed:
            return {}
        query = (
            select(message_attachments.c.sha256, message_attachments.c.kind, message_attachments.c.name,
                   message_attachments.c.text, message_attachments.c.meta, attachment_blobs.c.mime, attachment_blobs.c.data)
            .join(attachment_blobs, attachment_blobs.c.sha256 == message_attachments.c.sha256)
            .join(messages, messages.c.id == message_attachments.c.message_id)
            .where(messages.c.conversation_id == link.conversation_id, message_attachments.c.sha256.in_(sorted(listed)))
            .order_by(message_attachments.c.message_id, message_attachments.c.position)
        )
        found: dict[str, Attachment] = {}
        for row in conn.execute(query):
            if row.sha256 not in found:
                kind: Any = row.kind if row.kind in KINDS else "document"
                found[row.sha256] = Attachment(kind=kind, name=row.name, mime=row.mime, data=bytes(row.data), text=row.text,
                                               meta=MappingProxyType(dict(row.meta or {})))
    return found


def _listed_sha256s(snapshot: Mapping[str, Any] | None) -> set[str]:
    listed: set[str] = set()
    for item in (snapshot or {}).get("entries", ()):
        for ref in item.get("attachments") or ():
            if isinstance(ref, Mapping) and isinstance(ref.get("sha256"), str):
                listed.add(ref["sha256"])
    return listed


def list_shares(store: ChatStore, creator: str, *, conversation_id: str | None = None, limit: int = 50) -> list[ShareLink]:
    """``creator``'s links, newest first (of one conversation when ``conversation_id`` is given)."""
    query = select(share_links.c.id, share_links.c.conversation_id, share_links.c.title, share_links.c.created_at,
                   share_links.c.revoked_at).where(share_links.c.creator == creator)
    if conversation_id is not None:
        query = query.where(share_links.c.conversation_id == conversation_id)
    query = query.order_by(share_links.c.created_at.desc(), share_links.c.id).limit(max(0, int(limit)))
    with store._transaction(READ, write=False) as conn:
        rows = conn.execute(query).all()
    return [ShareLink(r.id, r.conversation_id, r.title, r.created_at, r.revoked_at) for r in rows]


def revoke_share(store: ChatStore, creator: str, link_id: str) -> bool:
    """Turn one of ``creator``'s links off (someone else's link id changes nothing). Its copy of
    the chat is erased at once: a turned-off link keeps nothing worth reading."""
    with store._transaction(SAVE, write=True) as conn:
        result = conn.execute(update(share_links)
                              .where(share_links.c.id == link_id, share_links.c.creator == creator,
                                     share_links.c.revoked_at.is_(None))
                              .values(revoked_at=store._clock(), title="", snapshot={}))
    return result.rowcount == 1


__all__ = ["MAX_ACTIVE_LINKS", "ShareLink", "StoredShare", "TooManyShareLinks", "find_share", "insert_share", "list_shares",
           "revoke_share", "shared_files"]
