"""Schema changes as an ordered list of named functions (the simonw/llm way).

``migrate`` runs, in order, every migration whose name is not yet in ``schema_migrations``
and records it, all in the caller's transaction: running it twice changes nothing, and two
processes starting at once do not both apply a step (SQLite: the write transaction is
``BEGIN IMMEDIATE``; PostgreSQL: an advisory lock).

Each migration describes the tables *as they were at that step* on its own ``MetaData``,
never ``schema.py``'s current ones, so a database made long ago upgrades the same way as a
new one. To change the schema: append a function here, then update ``schema.py`` to match
(``tests/store/test_migrations.py`` checks they agree).
"""

from __future__ import annotations

import time
from typing import Callable

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
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
    insert,
    select,
    text,
)

from .schema import schema_migrations

Migration = Callable[[Connection], None]
MIGRATIONS: list[Migration] = []
_PG_LOCK_KEY = 0x63686174  # "chat": one advisory lock for all migrators of a database


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append(fn)
    return fn


@migration
def m001_initial(conn: Connection) -> None:
    md = MetaData()
    Table(
        "conversations",
        md,
        Column("id", String(), primary_key=True),
        Column("owner", String(), nullable=False),
        Column("title", Text, nullable=False),
        Column("created_at", Float, nullable=False),
        Column("updated_at", Float, nullable=False),
        Column("model", String(), nullable=False),
        Column("settings", Text, nullable=True),
        Column("next_seq", Integer, nullable=False),
        Index("ix_conversations_owner_updated", "owner", "updated_at"),
    )
    Table(
        "messages",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("conversation_id", String(), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
        Column("seq", Integer, nullable=False),
        Column("role", String(20), nullable=False),
        Column("content", Text, nullable=False),
        Column("reasoning", Text, nullable=False),
        Column("status", String(20), nullable=False),
        Column("created_at", Float, nullable=False),
        Column("updated_at", Float, nullable=False),
        Column("model", String(), nullable=False),
        Column("usage", Text, nullable=True),
        Column("timings", Text, nullable=True),
        Column("record", Text, nullable=True),
        UniqueConstraint("conversation_id", "seq", name="uq_messages_conversation_seq"),
        Index("ix_messages_status", "status"),
        sqlite_autoincrement=True,
    )
    Table(
        "tool_calls",
        md,
        Column("message_id", Integer, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True),
        Column("call_id", String(), primary_key=True),
        Column("position", Integer, nullable=False),
        Column("step", Integer, nullable=False),
        Column("name", String(), nullable=False),
        Column("arguments", Text, nullable=False),
        Column("complete", Boolean, nullable=False),
        Column("state", String(20), nullable=False),
        Column("result", Text, nullable=True),
        Column("error", Text, nullable=True),
        Column("duration", Float, nullable=True),
    )
    md.create_all(conn)


@migration
def m002_hidden_prompts(conn: Connection) -> None:
    """Prompts sent to the model but not shown (the "continue" instruction) are kept as such,
    so a reloaded chat replays exactly what was sent and shows exactly what was shown."""
    false = "false" if conn.dialect.name == "postgresql" else "0"
    conn.execute(text(f"ALTER TABLE messages ADD COLUMN hidden BOOLEAN NOT NULL DEFAULT {false}"))


@migration
def m003_conversation_creator(conn: Connection) -> None:
    """Who started each conversation (``user:<id>`` or ``browser:<hash of the browser's key>``):
    only they may rename or delete it; link holders read and continue.

    Rows from before: a conversation owned by an account (any owner but ``link:…``) was
    started by that account, so its creator is its owner. A link-owned one was started by a
    browser nobody recorded: its creator stays NULL (unknown), so nobody can rename or
    delete it from the app any more; whoever holds its link still reads and continues it."""
    conn.execute(text("ALTER TABLE conversations ADD COLUMN creator VARCHAR"))
    conn.execute(text("UPDATE conversations SET creator = owner WHERE owner NOT LIKE 'link:%'"))
    conn.execute(text("CREATE INDEX ix_conversations_creator_updated ON conversations (creator, updated_at)"))


@migration
def m004_writers_and_limits(conn: Connection) -> None:
    """Replicas: each streaming answer names its writer, so another replica neither writes it
    nor waits the long stale delay to call it dead. Limits: counters every replica shares."""
    conn.execute(text("ALTER TABLE messages ADD COLUMN writer VARCHAR"))
    md = MetaData()
    Table(
        "usage_counters",
        md,
        Column("name", String(), primary_key=True),
        Column("period", String(), primary_key=True),
        Column("value", BigInteger, nullable=False),
    )
    Table(
        "prompt_times",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("subject", String(), nullable=False),
        Column("at", Float, nullable=False),
        Index("ix_prompt_times_subject_at", "subject", "at"),
    )
    Table(
        "answer_slots",
        md,
        Column("id", String(), primary_key=True),
        Column("subject", String(), nullable=False),
        Column("expires_at", Float, nullable=False),
        Index("ix_answer_slots_subject", "subject"),
    )
    md.create_all(conn)


@migration
def m009_api_tokens(conn: Connection) -> None:
    """Bearer tokens for the HTTP API, stored hashed (created and revoked on the API page)."""
    md = MetaData()
    Table(
        "api_tokens",
        md,
        Column("id", String(), primary_key=True),
        Column("token_hash", String(), nullable=False, unique=True),
        Column("identity", String(), nullable=False, index=True),
        Column("name", Text, nullable=False),
        Column("created_at", Float, nullable=False),
        Column("last_used_at", Float, nullable=True),
        Column("revoked_at", Float, nullable=True),
    )
    md.create_all(conn)


@migration
def m010_attachments(conn: Connection) -> None:
    """Files attached to prompts: each distinct file once (keyed by its SHA-256), linked to the
    messages that carry it, in order; a link holds what was read from the file (name, kind,
    text, meta). Links go with their message; a blob nobody links to any more is deleted."""
    md = MetaData()
    Table("messages", md, Column("id", Integer, primary_key=True))  # exists already: only the foreign key's target
    blobs = Table(
        "attachment_blobs",
        md,
        Column("sha256", String(64), primary_key=True),
        Column("mime", String(), nullable=False),
        Column("size", BigInteger, nullable=False),
        Column("data", LargeBinary, nullable=False),
        Column("created_at", Float, nullable=False),
    )
    links = Table(
        "message_attachments",
        md,
        Column("message_id", Integer, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True),
        Column("position", Integer, primary_key=True),
        Column("sha256", String(64), ForeignKey("attachment_blobs.sha256"), nullable=False),
        Column("kind", String(20), nullable=False),
        Column("name", Text, nullable=False),
        Column("text", Text, nullable=False),
        Column("meta", Text, nullable=True),
        Index("ix_message_attachments_sha256", "sha256"),
    )
    md.create_all(conn, tables=[blobs, links])


@migration
def m011_message_tree(conn: Connection) -> None:
    """Versions (Regenerate and Edit keep the earlier message): each message names the one it
    follows (``parent_id``; NULL: a first prompt), and each conversation the last message of
    the path it shows (``current_leaf``). Rows from before were one straight line: each
    follows its predecessor in ``seq`` order, and the path shown ends at the last one."""
    conn.execute(text("ALTER TABLE messages ADD COLUMN parent_id INTEGER"))
    conn.execute(text("ALTER TABLE conversations ADD COLUMN current_leaf INTEGER"))
    conn.execute(text(
        "UPDATE messages SET parent_id = (SELECT p.id FROM messages p WHERE p.conversation_id = messages.conversation_id"
        " AND p.seq < messages.seq ORDER BY p.seq DESC LIMIT 1)"
    ))
    conn.execute(text(
        "UPDATE conversations SET current_leaf = (SELECT m.id FROM messages m WHERE m.conversation_id = conversations.id"
        " ORDER BY m.seq DESC LIMIT 1)"
    ))


@migration
def m012_feedback(conn: Connection) -> None:
    """Thumbs up/down (and an optional comment) on an answer, one per answer, with a copy of
    the settings it was answered with (model, system prompt, temperature, tools, preset; no
    secret). Goes with its answer (cascade)."""
    md = MetaData()
    Table("conversations", md, Column("id", String(), primary_key=True))
    Table("messages", md, Column("id", Integer, primary_key=True))
    Table(
        "feedback",
        md,
        Column("message_id", Integer, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True),
        Column("conversation_id", String(), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
        Column("rating", String(8), nullable=False),
        Column("comment", Text, nullable=False),
        Column("rated_by", String(), nullable=False),
        Column("rated_at", Float, nullable=False),
        Column("settings", Text, nullable=True),
        Index("ix_feedback_rated_by", "rated_by", "rated_at"),
        Index("ix_feedback_conversation", "conversation_id"),
    )
    md.tables["feedback"].create(conn)


@migration
def m013_share_links(conn: Connection) -> None:
    """Read-only links to a frozen copy of a conversation's shown path. Only sha256 of the
    link's token is kept; ``revoked_at`` turns a link off; deleting the conversation deletes them."""
    md = MetaData()
    Table("conversations", md, Column("id", String(), primary_key=True))
    Table(
        "share_links",
        md,
        Column("id", String(), primary_key=True),
        Column("token_hash", String(), nullable=False, unique=True),
        Column("conversation_id", String(), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
        Column("creator", String(), nullable=False),
        Column("title", Text, nullable=False),
        Column("created_at", Float, nullable=False),
        Column("revoked_at", Float, nullable=True),
        Column("snapshot", Text, nullable=False),
        Index("ix_share_links_creator", "creator", "created_at"),
        Index("ix_share_links_conversation", "conversation_id"),
    )
    md.tables["share_links"].create(conn)


def applied_migrations(conn: Connection) -> list[str]:
    if not conn.dialect.has_table(conn, schema_migrations.name):
        return []
    return list(conn.execute(select(schema_migrations.c.name).order_by(schema_migrations.c.name)).scalars())


def migrate(conn: Connection) -> list[str]:
    """Apply what is missing, in order; returns the names applied now (none the second time)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
    schema_migrations.create(conn, checkfirst=True)
    done = set(conn.execute(select(schema_migrations.c.name)).scalars())
    applied = []
    for fn in MIGRATIONS:
        if fn.__name__ in done:
            continue
        fn(conn)
        conn.execute(insert(schema_migrations).values(name=fn.__name__, applied_at=time.time()))
        applied.append(fn.__name__)
    return applied


__all__ = ["MIGRATIONS", "applied_migrations", "migrate", "migration"]
