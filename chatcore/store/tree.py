"""Versions in the store: each message names its parent, each conversation the path it shows.

``messages.parent_id`` is the message a row follows (NULL: a first prompt); siblings are
versions (Regenerate, Edit). ``conversations.current_leaf`` is the last message of the path
shown, moved by every new message and by switching (``choose_leaf``). ``conversation_from``
turns a conversation's rows back into ``Conversation.entries`` (that path) plus its tree.

Writers that do not know about versions (older callers, tools) pass no parent: their
message follows the path shown, as a straight chat did before.
"""

from __future__ import annotations

from typing import Sequence

from sqlalchemy import Connection, exists, select, update

from ..conversation import Conversation, Entry
from .schema import conversations, messages

ROOT = 0  # ``parent_id=ROOT``: a first prompt (a new version of the conversation's first message)
SWITCH = "Could not save which version is shown"


def place(conn: Connection, conversation_id: str, parent_id: int | None) -> int | None:
    """The parent a new message gets: ``parent_id`` if it is one of this conversation's
    messages, None for ``ROOT``, else (None, or gone) the last message of the path shown
    (the last one saved if that is gone too)."""
    if parent_id == ROOT:
        return None
    if parent_id is not None:
        found = conn.execute(
            select(messages.c.id).where(messages.c.id == parent_id, messages.c.conversation_id == conversation_id)
        ).scalar()
        if found is not None:
            return int(found)
    leaf = (
        select(messages.c.id)
        .join(conversations, conversations.c.current_leaf == messages.c.id)
        .where(conversations.c.id == conversation_id, messages.c.conversation_id == conversation_id)
    )
    found = conn.execute(leaf).scalar()
    if found is None:  # no leaf yet, or it was deleted (Retry and Edit deleted before versions): the last row
        last = select(messages.c.id).where(messages.c.conversation_id == conversation_id).order_by(messages.c.seq.desc()).limit(1)
        found = conn.execute(last).scalar()
    return None if found is None else int(found)


def set_leaf(conn: Connection, conversation_id: str, message_id: int) -> None:
    """A new message ends the path shown (callers hold the conversation's row already)."""
    conn.execute(update(conversations).where(conversations.c.id == conversation_id).values(current_leaf=message_id))


def choose_leaf(conn: Connection, conversation_id: str, owner: str, message_id: int) -> bool:
    """Show the path ending at ``message_id`` (after switching versions). False unless the
    conversation is ``owner``'s and the message is in it."""
    in_it = exists().where(messages.c.id == message_id, messages.c.conversation_id == conversation_id)
    query = (
        update(conversations)
        .where(conversations.c.id == conversation_id, conversations.c.owner == owner, in_it)
        .values(current_leaf=message_id)
    )
    return conn.execute(query).rowcount == 1


def conversation_from(conversation_id: str, title: str, rows: Sequence[tuple[Entry, int | None]],
                      current_leaf: int | None) -> Conversation:
    """``rows``: (entry, parent message id) in the order they were saved (``message_id`` set).

    The path shown ends at ``current_leaf`` and goes on through the newest children (from the
    first prompt's newest version if the leaf is unknown); a parent that is gone (messages
    deleted before versions were kept) makes its children first prompts."""
    conversation = Conversation(id=conversation_id, title=title)
    by_id: dict[int, Entry] = {}
    for entry, parent_id in rows:
        conversation.tree.add(entry, by_id.get(parent_id) if parent_id is not None else None)
        if entry.message_id is not None:
            by_id[entry.message_id] = entry
    leaf = by_id.get(current_leaf) if current_leaf is not None else None
    conversation.entries = conversation.tree.newest_path(leaf)
    return conversation


__all__ = ["ROOT", "SWITCH", "choose_leaf", "conversation_from", "place", "set_leaf"]
