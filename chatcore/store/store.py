"""``ChatStore``: conversations, their messages and tool calls, in SQLite or PostgreSQL.

One store serves every visitor of a process (it holds no per-user state: each call says
whose conversation it touches) and every thread (each call borrows a pooled connection for
one short transaction). Writes check the owner; ``load(id, owner=None)`` is the link
holder's read: knowing the random id is the permission. Renaming and deleting check the
creator instead (who started it), in the same query: a link holder writes to an
anonymous conversation (its owner is its link) but can neither rename nor delete it.

The answer in progress is saved as it streams: ``add_user_message`` before the request goes
out, ``start_assistant`` when the answer starts, ``checkpoint`` every second or so,
``finish`` at the end. An answer left 'streaming' with no checkpoint for ``stale_after``
seconds was cut off by a server restart: ``load`` shows (and saves) it as 'interrupted'.
Callers that can go quiet longer (a slow tool) should keep checkpointing meanwhile.

Several replicas share one database. Each store has a ``writer`` id (one per process): the
answer's row names the writer that streams it, and only that writer's checkpoints and final
save change it (two replicas never both write one answer; Continue on another replica
claims the row only once it stopped streaming). ``updated_at`` is the writer's heartbeat: a
row another writer left without a heartbeat for ``writer_timeout`` seconds (3 s: its
replica died) is shown as interrupted at once; this process's own rows, which it knows are
alive, wait the longer ``stale_after``.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from contextlib import contextmanager, nullcontext
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from sqlalchemy import Connection, Engine, delete, insert, or_, select, update
from sqlalchemy.engine import URL

from ..attachments.model import Attachment
from ..conversation import Conversation, Entry, UserEntry, new_conversation_id, title_from_prompt, title_source
from ..turn import Turn
from . import migrations, tree
from .attachments import collect_garbage_quietly, load_links, save_links
from .engine import BEGIN_MODE, DEFAULT_URL, is_memory, is_sqlite, make_engine, parse_url, safe_url, url_from_env
from .errors import ConversationNotFound, StoreError, store_errors
from .records import mark_interrupted, turn_from_record, turn_to_record
from .redact import strip_secrets
from .rows import checkpoint_row, db_text, record_from_columns, turn_columns, write_tool_calls
from .schema import conversations, messages
from .summary import (
    AnswerFigures,
    ConversationSummary,
    StoredUsage,
    figures_query,
    list_query,
    single_usage_query,
    usage_query,
)

log = logging.getLogger(__name__)

SAVE = "Could not save the conversation"
LOAD = "Could not load the conversation"
LIST = "Could not load your conversations"
SETUP = "Could not set up the conversation store"


class ChatStore:
    def __init__(
        self,
        url: str | URL = DEFAULT_URL,
        *,
        stale_after: float = 15.0,
        busy_timeout: float = 5.0,
        clock: Callable[[], float] = time.time,
        writer: str | None = None,
        writer_timeout: float = 3.0,
    ) -> None:
        """``url``: a SQLAlchemy URL (see ``engine``). ``stale_after``: seconds without a checkpoint
        after which a 'streaming' answer counts as interrupted. ``busy_timeout``: seconds to wait
        for a lock (or, on PostgreSQL, to connect) before failing with ``StoreError``. ``clock``:
        the time source for created_at/updated_at (tests pass a fake one). ``writer``: this
        process's id in the rows it streams (default: host, pid and a random tag).
        ``writer_timeout``: seconds without a heartbeat after which another writer's streaming
        answer counts as interrupted (never longer than ``stale_after``)."""
        self.url = parse_url(url)
        self.stale_after = stale_after
        self.writer = writer or default_writer_id()
        self.writer_timeout = writer_timeout
        self._clock = clock
        with store_errors(SETUP):
            self._engine = make_engine(self.url, busy_timeout=busy_timeout)
        self._sqlite = is_sqlite(self.url)
        self._memory = is_memory(self.url)
        # An in-memory database is one connection: one thread at a time. A file has one writer at
        # a time (BEGIN IMMEDIATE), readers never wait (WAL). This process's writers queue on a
        # lock of ours: SQLite's busy handler would make them poll, sleeping up to 100 ms between
        # tries while the database may be free (100 prompts at once waited seconds). Other
        # processes still queue on SQLite's (busy timeout).
        self._lock = threading.RLock() if self._memory else None
        self._write_lock = threading.RLock() if self._sqlite and not self._memory else None

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ, secrets: Mapping[str, Any] = {}, **options: Any) -> ChatStore:  # noqa: B006
        return cls(url_from_env(env, secrets), **options)

    def __repr__(self) -> str:
        return f"ChatStore({safe_url(self.url)!r})"

    def __enter__(self) -> ChatStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for tools and tests; the store's own queries go through its methods)."""
        return self._engine

    def close(self) -> None:
        self._engine.dispose()

    def transaction(self, action: str, *, write: bool) -> Any:
        """One short transaction on a pooled connection (for ``chatcore.limits``' counters);
        failures raise ``StoreError`` starting with ``action``."""
        return self._transaction(action, write=write)

    @contextmanager
    def _transaction(self, action: str, *, write: bool) -> Iterator[Connection]:
        lock = self._lock or (self._write_lock if write else None) or nullcontext()
        with store_errors(action), lock, self._engine.connect() as conn:
            if write and self._sqlite:
                conn.execution_options(**{BEGIN_MODE: "IMMEDIATE"})
            with conn.begin():
                yield conn

    # ------------------------------------------------------------ schema
    def migrate(self) -> list[str]:
        """Create or upgrade the tables; returns the migrations applied now."""
        with self._transaction(SETUP, write=True) as conn:
            return migrations.migrate(conn)

    # ------------------------------------------------------------ conversations
    def create_conversation(
        self,
        owner: str,
        *,
        conversation_id: str | None = None,
        title: str = "",
        model: str = "",
        settings: Mapping[str, Any] | None = None,
        creator: str | None = None,
    ) -> str:
        """A new conversation (or ``conversation_id`` if it already exists and is ``owner``'s).

        ``creator``: who started it, the only one who may rename or delete it; by default
        ``owner`` (an account starts its own). A link-owned conversation must name its
        creator, or nobody can rename or delete it."""
        conversation_id = conversation_id or new_conversation_id()
        now = self._clock()
        with self._transaction(SAVE, write=True) as conn:
            existing = conn.execute(select(conversations.c.owner).where(conversations.c.id == conversation_id)).first()
            if existing is not None:
                if existing.owner != owner:
                    raise ConversationNotFound(f"{SAVE}: it was not found")
                return conversation_id
            conn.execute(
                insert(conversations).values(
                    id=conversation_id,
                    owner=owner,
                    creator=owner if creator is None else creator,
                    title=db_text(title),
                    created_at=now,
                    updated_at=now,
                    model=model,
                    settings=strip_secrets(dict(settings)) if settings is not None else None,
                    next_seq=0,
                )
            )
        return conversation_id

    def set_settings(self, conversation_id: str, owner: str, settings: Mapping[str, Any], *, model: str = "") -> bool:
        """Remember the settings the conversation is now answered with (secrets stripped)."""
        values: dict[str, Any] = {"settings": strip_secrets(dict(settings))}
        if model:
            values["model"] = model
        with self._transaction(SAVE, write=True) as conn:
            result = conn.execute(_owned(update(conversations), conversation_id, owner).values(**values))
        return result.rowcount == 1

    def get_settings(self, conversation_id: str, owner: str | None) -> dict[str, Any] | None:
        """The settings stored with the conversation (secrets already stripped)."""
        with self._transaction(LOAD, write=False) as conn:
            row = conn.execute(_owned(select(conversations.c.settings), conversation_id, owner)).first()
        return None if row is None else (row.settings or {})

    def list_conversations(
        self, creator: str, *, search: str = "", limit: int = 200, ids: Iterable[str] = ()
    ) -> list[ConversationSummary]:
        """The conversations ``creator`` started and those in ``ids`` (opened by link), newest first."""
        query = list_query(creator, search=search, limit=limit, ids=ids)
        with self._transaction(LIST, write=False) as conn:
            rows = conn.execute(query).all()
        return [ConversationSummary.from_row(row, creator) for row in rows]

    def answer_figures(self, creator: str, *, ids: Iterable[str] = (), limit: int = 1000) -> list[AnswerFigures]:
        """Timings and usage of the finished answers in ``creator``'s conversations (and ``ids``), oldest first."""
        with self._transaction(LIST, write=False) as conn:
            rows = conn.execute(figures_query(creator, ids=ids, limit=limit)).all()
        return [AnswerFigures.from_row(row) for row in rows]

    def usage(self, creator: str, conversation_id: str | None = None) -> tuple[StoredUsage, bool]:
        """What a write to ``conversation_id`` counts against, and whether it would start a new one.

        The conversation's creator's total when it exists (a link holder's prompt grows the
        creator's conversation); ``creator``'s when it does not yet; just that conversation
        when its creator is unknown (link-owned rows from before creators were recorded)."""
        with self._transaction(LIST, write=False) as conn:
            existing = None
            if conversation_id is not None:
                existing = conn.execute(select(conversations.c.creator).where(conversations.c.id == conversation_id)).first()
            if existing is None:
                query, new = usage_query(creator), True
            elif existing.creator is None:
                query, new = single_usage_query(conversation_id), False  # type: ignore[arg-type]
            else:
                query, new = usage_query(existing.creator), False
            row = conn.execute(query).one()
        return StoredUsage(conversations=int(row.conversations or 0), stored_chars=int(row.stored_chars or 0)), new

    def rename(self, conversation_id: str, creator: str, title: str) -> bool:
        """Retitle the conversation if ``creator`` started it (a link holder gets False)."""
        with self._transaction(SAVE, write=True) as conn:
            result = conn.execute(_created(update(conversations), conversation_id, creator).values(title=db_text(title.strip())))
        return result.rowcount == 1

    def delete(self, conversation_id: str, creator: str) -> bool:
        """Delete the conversation with its messages and tool calls, if ``creator`` started it."""
        with self._transaction(SAVE, write=True) as conn:
            result = conn.execute(_created(delete(conversations), conversation_id, creator))
        if result.rowcount == 1:
            collect_garbage_quietly(self)  # its attachments' files, unless another message still has them
        return result.rowcount == 1

    # ------------------------------------------------------------ messages
    def add_user_message(self, conversation_id: str, owner: str, content: str, *, hidden: bool = False,
                         attachments: Sequence[Attachment] = (), parent_id: int | None = None) -> int:
        """Save a prompt (before it is sent) with its attachments; names the conversation after it if untitled.

        ``hidden``: sent to the model but not shown (it never names the conversation).
        ``parent_id``: the message it follows (``tree.ROOT``: none; None: the path shown's last)."""
        content = db_text(content)
        with self._transaction(SAVE, write=True) as conn:
            seq, now = self._next_seq(conn, conversation_id, owner)
            if not hidden:
                conn.execute(
                    update(conversations)
                    .where(conversations.c.id == conversation_id, conversations.c.title == "")
                    .values(title=title_from_prompt(db_text(title_source(content, tuple(attachments)))))
                )
            row = dict(role="user", content=content, reasoning="", status="complete", model="", hidden=hidden)
            message_id = self._insert_message(conn, conversation_id, seq, now, row, parent_id)
            save_links(conn, message_id, attachments, now)
            return message_id

    def start_assistant(self, conversation_id: str, owner: str, turn: Turn, *, parent_id: int | None = None) -> int:
        record = turn_to_record(turn)
        with self._transaction(SAVE, write=True) as conn:
            seq, now = self._next_seq(conn, conversation_id, owner)
            if turn.model:
                conn.execute(update(conversations).where(conversations.c.id == conversation_id).values(model=turn.model))
            columns = {**turn_columns(record), "writer": self.writer}
            message_id = self._insert_message(conn, conversation_id, seq, now, columns, parent_id)
            write_tool_calls(conn, message_id, record, replace=False)
            return message_id

    def checkpoint(self, message_id: int, turn: Turn) -> bool:
        """Save the answer as it is now. False if it is gone (deleted) or already finished."""
        return self._save_turn(message_id, turn, final=False)

    def finish(self, message_id: int, turn: Turn) -> bool:
        """Save the answer's final state. False if it is gone (its conversation was deleted)."""
        return self._save_turn(message_id, turn, final=True)

    def reopen(self, message_id: int, turn: Turn) -> bool:
        """A finished answer streams again (Continue): save it as it is now, status included,
        and become its writer. False if another writer still streams it."""
        return self._save_turn(message_id, turn, final=True, claim=True)

    def _save_turn(self, message_id: int, turn: Turn, *, final: bool, claim: bool = False) -> bool:
        record = turn_to_record(turn)
        columns = turn_columns(record)
        with self._transaction(SAVE, write=True) as conn:
            now = self._clock()
            if not final:
                if not checkpoint_row(conn, message_id, self.writer, now, columns):
                    return False
                write_tool_calls(conn, message_id, record, replace=True)
                return True
            # the conversation's row first, as every other writer does: no lock-order deadlock
            parent = select(messages.c.conversation_id).where(messages.c.id == message_id).scalar_subquery()
            conn.execute(update(conversations).where(conversations.c.id == parent).values(updated_at=now))
            query = update(messages).where(messages.c.id == message_id, messages.c.role == "assistant")
            mine = or_(messages.c.writer == self.writer, messages.c.writer.is_(None))
            # Only the writer saves (a replica that lost its answer to another cannot overwrite it);
            # Continue (claim) takes over an answer nobody streams any more.
            query = query.where(or_(messages.c.status != "streaming", mine) if claim else mine)
            if conn.execute(query.values(updated_at=now, writer=self.writer, **columns)).rowcount != 1:
                return False
            write_tool_calls(conn, message_id, record, replace=True)
        return True

    def truncate_after(self, conversation_id: str, owner: str, message_index: int) -> int:
        """Drop entries ``message_index`` and on (to edit a prompt and send it again); returns how many."""
        if message_index < 0:
            raise ValueError("message_index must be >= 0")
        first = (
            select(messages.c.seq)
            .where(messages.c.conversation_id == conversation_id)
            .order_by(messages.c.seq)
            .offset(message_index)
            .limit(1)
        )
        return self._drop_from(conversation_id, owner, first)

    def delete_from(self, conversation_id: str, owner: str, message_id: int) -> int:
        """Drop message ``message_id`` and every later one (edit a prompt, send it again); returns how many."""
        first = select(messages.c.seq).where(messages.c.conversation_id == conversation_id, messages.c.id == message_id)
        return self._drop_from(conversation_id, owner, first)

    def _drop_from(self, conversation_id: str, owner: str, first_seq: Any) -> int:
        """Delete the conversation's messages from the one ``first_seq`` selects on (none if it selects none)."""
        with self._transaction(SAVE, write=True) as conn:
            self._touch(conn, conversation_id, owner)
            first = conn.execute(first_seq).scalar()
            if first is None:
                return 0
            gone = delete(messages).where(messages.c.conversation_id == conversation_id, messages.c.seq >= first)
            dropped: int = conn.execute(gone).rowcount
        collect_garbage_quietly(self)
        return dropped

    def delete_last_assistant(self, conversation_id: str, owner: str) -> bool:
        """For Regenerate: drop the last entry if it is an answer. False if the last entry is a prompt."""
        with self._transaction(SAVE, write=True) as conn:
            self._touch(conn, conversation_id, owner)
            last = conn.execute(
                select(messages.c.id, messages.c.role)
                .where(messages.c.conversation_id == conversation_id)
                .order_by(messages.c.seq.desc())
                .limit(1)
            ).first()
            if last is None or last.role != "assistant":
                return False
            conn.execute(delete(messages).where(messages.c.id == last.id))
            return True

    # ------------------------------------------------------------ loading
    def load(self, conversation_id: str, owner: str | None, *, stale_after: float | None = None) -> Conversation | None:
        """The conversation, entries in order; None if it does not exist or is not ``owner``'s.

        ``owner=None`` is a link holder's read (no owner check). ``entries`` is the path shown;
        every version is in ``Conversation.tree`` (see ``tree``).
        """
        with self._transaction(LOAD, write=False) as conn:
            head = conn.execute(_owned(select(conversations.c.title, conversations.c.current_leaf), conversation_id, owner)).first()
            if head is None:
                return None
            rows = conn.execute(
                select(messages).where(messages.c.conversation_id == conversation_id).order_by(messages.c.seq)
            ).all()
            files = load_links(conn, [row.id for row in rows if row.role == "user"])
        now = self._clock()
        cutoff = now - (self.stale_after if stale_after is None else stale_after)
        foreign_cutoff = max(cutoff, now - self.writer_timeout) if stale_after is None else cutoff
        entries: list[tuple[Entry, int | None]] = []
        stale: list[tuple[int, float, Turn]] = []
        for row in rows:
            if row.role == "user":
                prompt = UserEntry(row.content, created_at=row.created_at, hidden=bool(row.hidden), message_id=row.id,
                                   attachments=files.get(row.id, ()))
                entries.append((prompt, row.parent_id))
                continue
            turn = turn_from_record(row.record or record_from_columns(row))
            turn.message_id = row.id
            dead_before = cutoff if row.writer in (None, self.writer) else foreign_cutoff
            if row.status == "streaming" and row.updated_at < dead_before:
                stale.append((row.id, row.updated_at, mark_interrupted(turn)))
            entries.append((turn, row.parent_id))
        if stale:
            self._save_interrupted(stale)
        return tree.conversation_from(conversation_id, head.title, entries, head.current_leaf)

    def _save_interrupted(self, stale: list[tuple[int, float, Turn]]) -> None:
        """Best effort: the reader sees 'interrupted' either way; the next load tries again."""
        try:
            with self._transaction(SAVE, write=True) as conn:
                for message_id, seen_at, turn in stale:
                    record = turn_to_record(turn)
                    query = update(messages).where(
                        messages.c.id == message_id, messages.c.status == "streaming", messages.c.updated_at == seen_at
                    )
                    if conn.execute(query.values(**turn_columns(record))).rowcount == 1:  # keeps updated_at
                        write_tool_calls(conn, message_id, record, replace=True)
        except StoreError as exc:
            log.warning("%s", exc)

    # ------------------------------------------------------------ helpers
    def _next_seq(self, conn: Connection, conversation_id: str, owner: str) -> tuple[int, float]:
        """Take the conversation's next sequence number (locks its row until commit) and touch it."""
        now = self._clock()
        seq = conn.execute(
            _owned(update(conversations), conversation_id, owner)
            .values(next_seq=conversations.c.next_seq + 1, updated_at=now)
            .returning(conversations.c.next_seq)
        ).scalar()
        if seq is None:
            raise ConversationNotFound(f"{SAVE}: it was not found")
        return seq, now

    def _touch(self, conn: Connection, conversation_id: str, owner: str) -> None:
        query = _owned(update(conversations), conversation_id, owner).values(updated_at=self._clock())
        if conn.execute(query).rowcount != 1:
            raise ConversationNotFound(f"{SAVE}: it was not found")

    @staticmethod
    def _insert_message(conn: Connection, conversation_id: str, seq: int, now: float, columns: dict[str, Any],
                        parent_id: int | None) -> int:
        """Insert the row after its parent (``tree.place``); it ends the path shown."""
        parent = tree.place(conn, conversation_id, parent_id)
        values = dict(conversation_id=conversation_id, seq=seq, created_at=now, updated_at=now, parent_id=parent, **columns)
        message_id: int = conn.execute(insert(messages).values(**values).returning(messages.c.id)).scalar_one()
        tree.set_leaf(conn, conversation_id, message_id)
        return message_id


def default_writer_id() -> str:
    """This process, as it signs the answers it streams: host, pid and a random tag (a pid can be reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def _created(query: Any, conversation_id: str, creator: str) -> Any:
    """``query`` narrowed to the conversation if ``creator`` started it (an unknown creator, NULL, matches nobody)."""
    if creator is None:
        raise TypeError("renaming or deleting a conversation needs its creator")
    return query.where(conversations.c.id == conversation_id, conversations.c.creator == creator)


def _owned(query: Any, conversation_id: str, owner: str | None) -> Any:
    """``query`` narrowed to the conversation, and to its owner unless ``owner`` is None (a link holder's read)."""
    query = query.where(conversations.c.id == conversation_id)
    if owner is None:
        if not query.is_select:
            raise TypeError("changing a conversation needs its owner (None is only for reading by link)")
        return query
    return query.where(conversations.c.owner == owner)


__all__ = ["ChatStore", "ConversationNotFound", "ConversationSummary", "StoreError"]
