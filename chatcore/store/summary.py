"""The conversation list: one summary per conversation, newest first, searchable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import Select, exists, func, or_, select

from .schema import conversations, messages

MAX_LINKED_IDS = 500  # conversations opened by link that one browser remembers


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    id: str
    title: str
    created_at: float
    updated_at: float
    message_count: int
    model: str
    owned: bool  # False: opened by link (the list may show it, but not rename or delete it)

    @classmethod
    def from_row(cls, row: Any, owner: str) -> "ConversationSummary":
        return cls(
            id=row.id,
            title=row.title,
            created_at=row.created_at,
            updated_at=row.updated_at,
            message_count=int(row.message_count or 0),
            model=row.model,
            owned=row.owner == owner,
        )


def list_query(owner: str, *, search: str = "", limit: int = 200, ids: Iterable[str] = ()) -> Select:
    """``owner``'s conversations plus those in ``ids``; ``search`` matches titles and message text.

    Case-insensitive for ASCII letters on SQLite (its ``lower``), for all letters on PostgreSQL.
    """
    count = (
        select(func.count())
        .select_from(messages)
        .where(messages.c.conversation_id == conversations.c.id)
        .scalar_subquery()
        .label("message_count")
    )
    visible = conversations.c.owner == owner
    linked = [i for i in dict.fromkeys(ids) if isinstance(i, str) and i][:MAX_LINKED_IDS]
    if linked:
        visible = or_(visible, conversations.c.id.in_(linked))
    query = select(
        conversations.c.id,
        conversations.c.owner,
        conversations.c.title,
        conversations.c.created_at,
        conversations.c.updated_at,
        conversations.c.model,
        count,
    ).where(visible)
    term = search.strip().lower()
    if term:
        in_messages = exists().where(
            messages.c.conversation_id == conversations.c.id,
            func.lower(messages.c.content).contains(term, autoescape=True),
        )
        query = query.where(or_(func.lower(conversations.c.title).contains(term, autoescape=True), in_messages))
    return query.order_by(
        conversations.c.updated_at.desc(), conversations.c.created_at.desc(), conversations.c.id
    ).limit(max(0, int(limit)))


__all__ = ["ConversationSummary", "list_query"]
