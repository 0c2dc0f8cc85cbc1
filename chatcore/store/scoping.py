"""Which conversation a query may touch: its owner's (or a link holder's read), or its creator's."""

from __future__ import annotations

from typing import Any

from .schema import conversations


def created(query: Any, conversation_id: str, creator: str) -> Any:
    """``query`` narrowed to the conversation if ``creator`` started it (an unknown creator, NULL, matches nobody)."""
    if creator is None:
        raise TypeError("renaming or deleting a conversation needs its creator")
    return query.where(conversations.c.id == conversation_id, conversations.c.creator == creator)


def owned(query: Any, conversation_id: str, owner: str | None) -> Any:
    """``query`` narrowed to the conversation, and to its owner unless ``owner`` is None (a link holder's read)."""
    query = query.where(conversations.c.id == conversation_id)
    if owner is None:
        if not query.is_select:
            raise TypeError("changing a conversation needs its owner (None is only for reading by link)")
        return query
    return query.where(conversations.c.owner == owner)


__all__ = ["created", "owned"]
