"""The tables as they are now (what the queries use). ``migrations`` builds them.

    conversations  id (random, the shareable link), owner (who may write: ``user:<id>``,
                   or ``link:<id>`` for whoever holds the link), creator (who started it:
                   ``user:<id>`` or ``browser:<hash>``; NULL for link-owned rows from before
                   m003: nobody may rename or delete those), title, created_at, updated_at,
                   model (last used), settings (JSON, secrets stripped), next_seq
    messages       one row per entry: a user prompt or an assistant turn. ``seq`` orders
                   them (per conversation, strictly increasing, never reused); ``record`` is
                   the full turn record, the source of truth for rendering; content,
                   reasoning, status, usage and timings are copies made from it in the same
                   transaction, for search and queries; ``hidden`` marks a prompt sent
                   to the model but not shown (the "continue" instruction)
    tool_calls     one row per tool call of a turn, also copied from the record
    messages.parent_id, conversations.current_leaf  versions (m011): each message follows its
                   parent; siblings are versions (Regenerate, Edit); the path shown ends at
                   ``current_leaf`` (see ``tree``)
    messages.writer  the process (replica) writing a streaming answer: only it may checkpoint
                   the row; ``updated_at`` is that writer's heartbeat (refreshed every second)
    usage_counters  counts per name and period (tokens per visitor per day, answers per
                   model per day, limits hit...), incremented atomically by ``chatcore.limits``
    prompt_times   when each visitor's recent prompts were sent (a sliding one-minute window)
    answer_slots   answers running now, per visitor, each with a lease (concurrency limit)
    attachment_blobs     m010: each distinct attached file once (sha256, mime, size, data)
    message_attachments  m010: a prompt's files in order (message_id, position, sha256, kind,
                   name, text read from it, meta JSON); cascade with the message

Times are seconds since the epoch (floats, like ``Turn.started_at``). JSON is kept as
ASCII text so SQLite and PostgreSQL store exactly the same bytes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.sql.expression import false
from sqlalchemy.types import TypeDecorator

from .records import dumps, loads


class JSONText(TypeDecorator[Any]):
    """A JSON value stored as text (see ``records.dumps``)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else dumps(value)

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        return loads(value)


metadata = MetaData()

schema_migrations = Table(
    "schema_migrations",
    metadata,
    Column("name", String(), primary_key=True),
    Column("applied_at", Float, nullable=False),
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", String(), primary_key=True),
    Column("owner", String(), nullable=False),
    Column("title", Text, nullable=False, default=""),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("model", String(), nullable=False, default=""),
    Column("settings", JSONText, nullable=True),
    Column("next_seq", Integer, nullable=False, default=0),
    Column("creator", String(), nullable=True),  # m003
    Column("current_leaf", Integer, nullable=True),  # m011: the last message of the path shown
    Index("ix_conversations_owner_updated", "owner", "updated_at"),
    Index("ix_conversations_creator_updated", "creator", "updated_at"),  # m003
)

messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("role", String(20), nullable=False),
    Column("content", Text, nullable=False, default=""),
    Column("reasoning", Text, nullable=False, default=""),
    Column("status", String(20), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("model", String(), nullable=False, default=""),
    Column("usage", JSONText, nullable=True),
    Column("timings", JSONText, nullable=True),
    Column("record", JSONText, nullable=True),
    Column("hidden", Boolean, nullable=False, default=False, server_default=false()),  # m002
    Column("writer", String(), nullable=True),  # m003: the replica writing a streaming answer
    Column("parent_id", Integer, nullable=True),  # m011: the message this one follows (NULL: a first prompt)
    UniqueConstraint("conversation_id", "seq", name="uq_messages_conversation_seq"),
    Index("ix_messages_status", "status"),
    sqlite_autoincrement=True,  # ids never reused: a late checkpoint of a deleted answer must not hit a new one
)

tool_calls = Table(
    "tool_calls",
    metadata,
    Column("message_id", Integer, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True),
    Column("call_id", String(), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("step", Integer, nullable=False),
    Column("name", String(), nullable=False),
    Column("arguments", Text, nullable=False, default=""),
    Column("complete", Boolean, nullable=False, default=False),
    Column("state", String(20), nullable=False),
    Column("result", JSONText, nullable=True),
    Column("error", Text, nullable=True),
    Column("duration", Float, nullable=True),
)

# m004: chatcore.limits' counters, shared by every replica.
usage_counters = Table(
    "usage_counters",
    metadata,
    Column("name", String(), primary_key=True),
    Column("period", String(), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

prompt_times = Table(
    "prompt_times",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subject", String(), nullable=False),
    Column("at", Float, nullable=False),
    Index("ix_prompt_times_subject_at", "subject", "at"),
)

answer_slots = Table(
    "answer_slots",
    metadata,
    Column("id", String(), primary_key=True),
    Column("subject", String(), nullable=False),
    Column("expires_at", Float, nullable=False),
    Index("ix_answer_slots_subject", "subject"),
)

# API bearer tokens (m009): only a hash is kept; ``identity`` is whom the token acts
# as (``user:<id>``, or the creator key of the browser that made it).
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(), primary_key=True),
    Column("token_hash", String(), nullable=False, unique=True),
    Column("identity", String(), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("last_used_at", Float, nullable=True),
    Column("revoked_at", Float, nullable=True),
)

# m010: files attached to prompts. Each distinct file once (deduplicated by SHA-256); a link per
# (message, position) holds what was read from it. Links cascade with their message; blobs are
# collected when nothing links to them (chatcore/store/attachments.py).
attachment_blobs = Table(
    "attachment_blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("mime", String(), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("created_at", Float, nullable=False),
)

message_attachments = Table(
    "message_attachments",
    metadata,
    Column("message_id", Integer, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("sha256", String(64), ForeignKey("attachment_blobs.sha256"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("name", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("meta", JSONText, nullable=True),
    Index("ix_message_attachments_sha256", "sha256"),
)

# m012: one rating per answer, with the settings it was answered with (secrets stripped).
feedback = Table(
    "feedback",
    metadata,
    Column("message_id", Integer, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True),
    Column("conversation_id", String(), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("rating", String(8), nullable=False),  # "up" or "down"
    Column("comment", Text, nullable=False, default=""),
    Column("rated_by", String(), nullable=False),  # the rater's creator key (user:<id> or browser:<hash>)
    Column("rated_at", Float, nullable=False),
    Column("settings", JSONText, nullable=True),
    Index("ix_feedback_rated_by", "rated_by", "rated_at"),
    Index("ix_feedback_conversation", "conversation_id"),
)

# m013: read-only share links; the token itself is never stored, only its sha256.
share_links = Table(
    "share_links",
    metadata,
    Column("id", String(), primary_key=True),  # a short handle to list and revoke (not the token)
    Column("token_hash", String(), nullable=False, unique=True),
    Column("conversation_id", String(), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("creator", String(), nullable=False),
    Column("title", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("revoked_at", Float, nullable=True),
    Column("snapshot", JSONText, nullable=False),  # the shown entries at creation (chatcore.share)
    Index("ix_share_links_creator", "creator", "created_at"),
    Index("ix_share_links_conversation", "conversation_id"),
)

__all__ = [
    "JSONText", "answer_slots", "api_tokens", "attachment_blobs", "conversations", "feedback", "message_attachments",
    "messages", "metadata", "prompt_times", "schema_migrations", "share_links", "tool_calls", "usage_counters",
]
