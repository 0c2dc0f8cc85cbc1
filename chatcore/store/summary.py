"""The conversation list (one summary per conversation, newest first, searchable), the
figures of stored answers behind the Metrics page, and what one creator has stored.

A visitor's list is what they created (``creator``: their account or their browser's key)
plus the conversations they opened by link (``ids``); only the first kind may be renamed
or deleted by them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import Select, exists, func, literal, or_, select

from ..turn import Turn, tokens_per_second
from .schema import attachment_blobs, conversations, message_attachments, messages

MAX_LINKED_IDS = 500  # conversations opened by link that one browser remembers


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    id: str
    title: str
    created_at: float
    updated_at: float
    message_count: int
    model: str
    is_creator: bool  # False: opened by link (the list may show it, but not rename or delete it)

    @classmethod
    def from_row(cls, row: Any, creator: str) -> ConversationSummary:
        return cls(
            id=row.id,
            title=row.title,
            created_at=row.created_at,
            updated_at=row.updated_at,
            message_count=int(row.message_count or 0),
            model=row.model,
            is_creator=row.creator == creator,
        )


@dataclass(frozen=True, slots=True)
class AnswerFigures:
    """One stored answer: its timings and usage (what the Metrics page charts)."""

    conversation_id: str
    created_at: float
    status: str
    model: str
    first_token_s: float | None
    total_s: float | None
    prompt_tokens: int | None
    completion_tokens: int | None
    tool_calls: int

    @property
    def tokens_per_second(self) -> float | None:
        return tokens_per_second(self.completion_tokens, self.first_token_s, self.total_s)

    @classmethod
    def of_turn(cls, turn: Turn, conversation_id: str = "") -> AnswerFigures:
        """The same figures for an answer held in memory (this session's, saved or not)."""
        usage = turn.usage
        return cls(
            conversation_id=conversation_id,
            created_at=turn.started_at,
            status=turn.status,
            model=turn.model,
            first_token_s=turn.first_token_s,
            total_s=turn.total_s,
            prompt_tokens=usage.prompt_tokens if usage else None,
            completion_tokens=turn.completion_tokens,
            tool_calls=len(turn.tool_calls),
        )

    @classmethod
    def from_row(cls, row: Any) -> AnswerFigures:
        timings, usage, record = row.timings or {}, row.usage or {}, row.record or {}
        completion = usage.get("completion_tokens")
        if completion is None:  # the server sent no usage: about one token per chunk (as Turn counts)
            completion = record.get("chunk_count") or None
        return cls(
            conversation_id=row.conversation_id,
            created_at=row.created_at,
            status=row.status,
            model=row.model,
            first_token_s=timings.get("first_token_s"),
            total_s=timings.get("total_s"),
            prompt_tokens=usage.get("prompt_tokens"),
            completion_tokens=completion,
            tool_calls=len(record.get("tool_calls", ())),
        )


@dataclass(frozen=True, slots=True)
class StoredUsage:
    """What one creator keeps in the store: conversations, and characters of messages
    (prompts, answers, reasoning and their records; JSON records are ASCII, so about bytes)."""

    conversations: int
    stored_chars: int


def _visible(creator: str, ids: Iterable[str]) -> Any:
    visible = conversations.c.creator == creator
    linked = [i for i in dict.fromkeys(ids) if isinstance(i, str) and i][:MAX_LINKED_IDS]
    if linked:
        visible = or_(visible, conversations.c.id.in_(linked))
    return visible


def figures_query(creator: str, *, ids: Iterable[str] = (), limit: int = 1000) -> Select[*tuple[Any, ...]]:
    """The newest ``limit`` answers of the conversations ``creator`` started and of those in ``ids``, oldest first."""
    newest = (
        select(messages.c.id)
        .join(conversations, conversations.c.id == messages.c.conversation_id)
        .where(_visible(creator, ids), messages.c.role == "assistant", messages.c.status != "streaming")
        .order_by(messages.c.created_at.desc(), messages.c.id.desc())
        .limit(max(0, int(limit)))
        .scalar_subquery()
    )
    columns = (messages.c.conversation_id, messages.c.created_at, messages.c.status, messages.c.model,
               messages.c.timings, messages.c.usage, messages.c.record)
    return select(*columns).where(messages.c.id.in_(newest)).order_by(messages.c.created_at, messages.c.id)


def list_query(creator: str, *, search: str = "", limit: int = 200, ids: Iterable[str] = ()) -> Select[*tuple[Any, ...]]:
    """The conversations ``creator`` started plus those in ``ids``; ``search`` matches titles and message text.

    Case-insensitive for ASCII letters on SQLite (its ``lower``), for all letters on PostgreSQL.
    """
    count = (
        select(func.count())
        .select_from(messages)
        .where(messages.c.conversation_id == conversations.c.id)
        .scalar_subquery()
        .label("message_count")
    )
    visible = _visible(creator, ids)
    query = select(
        conversations.c.id,
        conversations.c.creator,
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


def _message_chars() -> Any:
    return func.coalesce(
        func.sum(func.length(messages.c.content) + func.length(messages.c.reasoning)
                 + func.coalesce(func.length(messages.c.record), 0)),
        0,
    )


def _attached_bytes(which: Any) -> Any:
    """The bytes of the files attached to the messages ``which`` selects (each attachment counted, shared or not)."""
    return (
        select(func.coalesce(func.sum(attachment_blobs.c.size), 0))
        .select_from(message_attachments.join(attachment_blobs, attachment_blobs.c.sha256 == message_attachments.c.sha256)
                     .join(messages, messages.c.id == message_attachments.c.message_id))
        .where(which)
        .scalar_subquery()
    )


def usage_query(creator: str) -> Select[*tuple[Any, ...]]:
    """(conversations, stored characters and attached bytes) of everything ``creator`` started."""
    started = select(conversations.c.id).where(conversations.c.creator == creator)
    chars = select(_message_chars()).where(messages.c.conversation_id.in_(started)).scalar_subquery()
    files = _attached_bytes(messages.c.conversation_id.in_(started))
    count = select(func.count()).select_from(conversations).where(conversations.c.creator == creator).scalar_subquery()
    return select(count.label("conversations"), (chars + files).label("stored_chars"))


def single_usage_query(conversation_id: str) -> Select[*tuple[Any, ...]]:
    """(1, stored characters and attached bytes) of one conversation (one whose creator is unknown counts alone)."""
    chars = select(_message_chars()).where(messages.c.conversation_id == conversation_id).scalar_subquery()
    files = _attached_bytes(messages.c.conversation_id == conversation_id)
    return select(literal(1).label("conversations"), (chars + files).label("stored_chars"))


__all__ = ["AnswerFigures", "ConversationSummary", "StoredUsage", "figures_query", "list_query", "single_usage_query",
           "usage_query"]
