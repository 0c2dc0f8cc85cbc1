"""Attachments in the store: each distinct file kept once, linked to the prompts that carry it.

``save_links`` runs inside the transaction that saves the prompt (the prompt and its files
are saved together or not at all). A blob is keyed by the SHA-256 of its bytes, so the same
photo attached ten times (or replayed by Regenerate) is stored once; inserting it is an
"insert unless present" that two writers can race safely. ``load_links`` gives each loaded
prompt its attachments back, in order. Links go with their message (the foreign key
cascades: deleting a conversation, or the messages after an edited prompt, drops them);
``collect_garbage`` then deletes the blobs nothing links to any more. It runs in its own
short transaction, best effort: a blob a concurrent save just linked is protected by the
foreign key (that delete fails and the blob stays), and a blob left behind is collected by
the next run.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from types import MappingProxyType
from typing import Any, Iterable, Sequence

from sqlalchemy import Connection, delete, exists, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from ..attachments.model import Attachment
from .errors import StoreError
from .rows import db_text
from .schema import attachment_blobs, message_attachments

log = logging.getLogger(__name__)

KINDS = ("image", "document", "audio")


def save_links(conn: Connection, message_id: int, attachments: Sequence[Attachment], now: float) -> None:
    """Store ``attachments`` for prompt ``message_id`` (in the caller's transaction)."""
    if not attachments:
        return
    blobs = {a.sha256: a for a in attachments}
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    for sha, attachment in blobs.items():
        conn.execute(
            dialect.insert(attachment_blobs)
            .values(sha256=sha, mime=attachment.mime, size=attachment.size, data=attachment.data, created_at=now)
            .on_conflict_do_nothing(index_elements=["sha256"])
        )
    conn.execute(
        insert(message_attachments),
        [
            {
                "message_id": message_id,
                "position": position,
                "sha256": attachment.sha256,
                "kind": attachment.kind,
                "name": db_text(attachment.name),
                "text": db_text(attachment.text),
                "meta": dict(attachment.meta),
            }
            for position, attachment in enumerate(attachments)
        ],
    )


def load_links(conn: Connection, message_ids: Iterable[int]) -> dict[int, tuple[Attachment, ...]]:
    """Each of ``message_ids``' attachments, in order (messages without any are left out)."""
    ids = list(message_ids)
    if not ids:
        return {}
    query = (
        select(message_attachments, attachment_blobs.c.mime, attachment_blobs.c.data)
        .join(attachment_blobs, attachment_blobs.c.sha256 == message_attachments.c.sha256)
        .where(message_attachments.c.message_id.in_(ids))
        .order_by(message_attachments.c.message_id, message_attachments.c.position)
    )
    found: dict[int, list[Attachment]] = defaultdict(list)
    for row in conn.execute(query):
        kind: Any = row.kind if row.kind in KINDS else "document"
        found[row.message_id].append(Attachment(
            kind=kind, name=row.name, mime=row.mime, data=bytes(row.data), text=row.text,
            meta=MappingProxyType(dict(row.meta or {})),
        ))
    return {message_id: tuple(items) for message_id, items in found.items()}


def collect_garbage(conn: Connection) -> int:
    """Delete the blobs no message links to; returns how many."""
    linked = exists().where(message_attachments.c.sha256 == attachment_blobs.c.sha256)
    return conn.execute(delete(attachment_blobs).where(~linked)).rowcount


def collect_garbage_quietly(store: Any) -> None:
    """``collect_garbage`` in its own transaction on ``store`` (a ChatStore); a failure is logged only."""
    try:
        with store.transaction("Could not clean up attachments", write=True) as conn:
            collect_garbage(conn)
    except StoreError as exc:
        log.warning("%s", exc)


def blob_count(conn: Connection) -> int:
    """How many distinct files are stored (for tests and the admin's figures)."""
    return len(conn.execute(select(attachment_blobs.c.sha256)).all())


__all__ = ["blob_count", "collect_garbage", "collect_garbage_quietly", "load_links", "save_links"]
