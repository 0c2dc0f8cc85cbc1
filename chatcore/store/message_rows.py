"""The messages half of ``ChatStore``: prompts and answers saved as they happen, edits, loading.

``MessageRows`` is a base of ``ChatStore`` (chatcore/store/store.py, which says how an answer
is saved while it streams and what the writer id and heartbeat are); it holds no state of its
own and uses the store's transactions, clock and writer id.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from typing import Any, Callable, Sequence

from sqlalchemy import Connection, delete, insert, or_, select, update

from ..attachments.model import Attachment
from ..conversation import Conversation, Entry, UserEntry, title_from_prompt, title_source
from ..turn import Turn
from . import tree
from .attachments import collect_garbage_quietly, load_links, save_links
from .errors import ConversationNotFound, StoreError
from .records import mark_interrupted, turn_from_record, turn_to_record
from .rows import checkpoint_row, db_text, record_from_columns, turn_columns, write_tool_calls
from .schema import conversations, messages
from .scoping import owned

log = logging.getLogger(__name__)

SAVE = "Could not save the conversation"
LOAD = "Could not load the conversation"


class MessageRows:
    writer: str
    stale_after: float
    writer_timeout: float
    _clock: Callable[[], float]

    def _transaction(self, action: str, *, write: bool) -> AbstractContextManager[Connection]:
        raise NotImplementedError  # ChatStore's

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
            head = conn.execute(owned(select(conversations.c.title, conversations.c.current_leaf), conversation_id, owner)).first()
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
            owned(update(conversations), conversation_id, owner)
            .values(next_seq=conversations.c.next_seq + 1, updated_at=now)
            .returning(conversations.c.next_seq)
        ).scalar()
        if seq is None:
            raise ConversationNotFound(f"{SAVE}: it was not found")
        return seq, now

    def _touch(self, conn: Connection, conversation_id: str, owner: str) -> None:
        query = owned(update(conversations), conversation_id, owner).values(updated_at=self._clock())
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


__all__ = ["LOAD", "SAVE", "MessageRows"]
