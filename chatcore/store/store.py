"""``ChatStore``: conversations, their messages and tool calls, in SQLite or PostgreSQL
(the messages half is ``message_rows.MessageRows``, a base of ``ChatStore``).

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

import os
import secrets
import socket
import threading
import time
from contextlib import contextmanager, nullcontext
from typing import Any, Callable, Iterable, Iterator, Mapping

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.engine import URL

from ..conversation import new_conversation_id
from . import migrations
from .attachments import collect_garbage_quietly
from .engine import BEGIN_MODE, DEFAULT_URL, is_memory, is_sqlite, make_engine, parse_url, safe_url, url_from_env
from .errors import ConversationNotFound, StoreError, store_errors
from .message_rows import LOAD, SAVE, MessageRows
from .redact import strip_secrets
from .rows import db_text
from .schema import conversations
from .scoping import created, owned
from .summary import (
    AnswerFigures,
    ConversationSummary,
    StoredUsage,
    figures_query,
    list_query,
    single_usage_query,
    usage_query,
)

LIST = "Could not load your conversations"
SETUP = "Could not set up the conversation store"


class ChatStore(MessageRows):
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
            result = conn.execute(owned(update(conversations), conversation_id, owner).values(**values))
        return result.rowcount == 1

    def get_settings(self, conversation_id: str, owner: str | None) -> dict[str, Any] | None:
        """The settings stored with the conversation (secrets already stripped)."""
        with self._transaction(LOAD, write=False) as conn:
            row = conn.execute(owned(select(conversations.c.settings), conversation_id, owner)).first()
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
            result = conn.execute(created(update(conversations), conversation_id, creator).values(title=db_text(title.strip())))
        return result.rowcount == 1

    def delete(self, conversation_id: str, creator: str) -> bool:
        """Delete the conversation with its messages and tool calls, if ``creator`` started it."""
        with self._transaction(SAVE, write=True) as conn:
            result = conn.execute(created(delete(conversations), conversation_id, creator))
        if result.rowcount == 1:
            collect_garbage_quietly(self)  # its attachments' files, unless another message still has them
        return result.rowcount == 1


def default_writer_id() -> str:
    """This process, as it signs the answers it streams: host, pid and a random tag (a pid can be reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


__all__ = ["ChatStore", "ConversationNotFound", "ConversationSummary", "StoreError"]
