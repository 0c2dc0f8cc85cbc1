"""One visitor's view of the store: what they may open, list, change and save.

``ChatArchive`` joins a shared ``ChatStore`` (one per process, no per-user state) to one
``Visitor``, and remembers which conversations this browser session started or opened and
under which owner it may write to them. Reading and continuing follow the owner (an
anonymous conversation's owner is its link); listing, renaming and deleting follow the
creator (the account, or the browser, that started it), so a link holder can do the first
two and none of the last three. ``check_room`` tells the chat, before anything is stored
or sent, whether the visitor is over their ``VisitorLimits``. Every method raises ``StoreError`` (worded for the
user) when the database fails; ``ChatSession`` turns that into a warning and carries on.

What the chat saves, in order (so nothing the user saw is lost):
``save_prompt`` before the request goes out, ``start_answer`` when the answer starts (which
starts a ``TurnSaver``: a checkpoint every second, the final state at the end). Each message
is saved after the one before it on the path shown (Regenerate and Edit add versions, see
``store.tree``); ``choose_path`` remembers which path is shown after switching versions.
"""

from __future__ import annotations

import builtins
import re
from typing import Any, Mapping

from .checkpoint import TurnSaver
from .conversation import Conversation, UserEntry
from .store import AnswerFigures, ChatStore, ConversationSummary
from .store.tree import ROOT, SWITCH, choose_leaf
from .turn import Turn
from .visitor import Visitor, VisitorLimits

# new_conversation_id() gives 24 URL-safe characters; accept a little either way, reject junk
# before it reaches a query.
_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def looks_like_conversation_id(value: object) -> bool:
    return isinstance(value, str) and bool(_ID.match(value))


class ChatArchive:
    def __init__(self, store: ChatStore, visitor: Visitor, *, checkpoint_interval: float = 1.0,
                 limits: VisitorLimits = VisitorLimits()) -> None:  # noqa: B008 (immutable)
        self.store = store
        self.visitor = visitor
        self.checkpoint_interval = checkpoint_interval
        self.limits = limits
        self._owners: dict[str, str] = {}  # conversation id -> the owner this session writes it with

    # ------------------------------------------------------------ permissions
    @property
    def known_ids(self) -> list[str]:
        """Conversations this session started or opened, oldest first."""
        return list(self._owners)

    def owner_of(self, conversation_id: str) -> str | None:
        """The owner this visitor writes ``conversation_id`` with, or None if they may not."""
        owner = self._owners.get(conversation_id)
        if owner is None and self.visitor.signed_in:
            return self.visitor.owner_for_new(conversation_id)  # their own (the store checks it is)
        return owner

    # ------------------------------------------------------------ reading
    def open(self, conversation_id: str) -> Conversation | None:
        """The conversation if this visitor may see it (theirs, or held by link); else None."""
        if not looks_like_conversation_id(conversation_id):
            return None
        for owner in self.visitor.owners_to_try(conversation_id):
            conversation = self.store.load(conversation_id, owner)
            if conversation is not None:
                self._owners[conversation_id] = owner
                return conversation
        return None

    def settings_of(self, conversation_id: str) -> dict[str, Any]:
        owner = self.owner_of(conversation_id)
        found = self.store.get_settings(conversation_id, owner) if owner else None
        return found or {}

    def list(self, search: str = "", *, limit: int = 200) -> list[ConversationSummary]:
        """What this visitor started (by account or browser) and what this session opened by
        link, newest first; ``is_creator`` says whether they may rename or delete it."""
        return self.store.list_conversations(self.visitor.creator, search=search, limit=limit, ids=self.known_ids)

    def figures(self) -> builtins.list[AnswerFigures]:  # builtins: `list` here is the method above
        return self.store.answer_figures(self.visitor.creator, ids=self.known_ids)

    # ------------------------------------------------------------ changing (the creator only; the store checks)
    def rename(self, conversation_id: str, title: str) -> bool:
        return self.store.rename(conversation_id, self.visitor.creator, title)

    def delete(self, conversation_id: str) -> bool:
        deleted = self.store.delete(conversation_id, self.visitor.creator)
        if deleted:
            self._owners.pop(conversation_id, None)
        return deleted

    # ------------------------------------------------------------ limits
    def check_room(self, new_chars: int, conversation_id: str | None = None) -> str | None:
        """Why a prompt of ``new_chars`` characters may not be saved, or None when there is room.

        Call it before anything is stored or sent. ``conversation_id``: the chat it goes to
        (None or not yet saved: it would start a new conversation, which also needs room under
        the conversation limit). A prompt to someone else's conversation, opened by link,
        counts against its creator's room."""
        usage, new = self.store.usage(self.visitor.creator, conversation_id)
        limits = self.limits
        if new and usage.conversations >= limits.max_conversations:
            return (f"You have {usage.conversations} saved conversations, the most this server keeps for one "
                    f"visitor. Delete old chats on the History page to start a new one.")
        if usage.stored_chars + max(0, new_chars) > limits.max_stored_bytes:
            return (f"Your saved chats take {_megabytes(usage.stored_chars)}, and this server keeps at most "
                    f"{_megabytes(limits.max_stored_bytes)} per visitor (this prompt needs {_megabytes(new_chars)}). "
                    f"Delete old chats on the History page to go on.")
        return None

    # ------------------------------------------------------------ saving a chat as it happens
    def save_prompt(self, conversation: Conversation, entry: UserEntry, settings: Mapping[str, Any], *, model: str = "") -> None:
        """Save a prompt before it is sent (creating the conversation on its first prompt)."""
        cid = conversation.id
        if cid in self._owners:
            self.store.set_settings(cid, self._owners[cid], settings, model=model)
        owner = self._write_owner(cid, title=conversation.title, model=model, settings=settings)
        entry.message_id = self.store.add_user_message(cid, owner, entry.content, hidden=entry.hidden,
                                                       attachments=entry.attachments,
                                                       parent_id=_parent_id(conversation, entry))

    def start_answer(self, conversation: Conversation, turn: Turn) -> TurnSaver:
        """Save the answer's row now and keep it saved while it streams."""
        owner = self._write_owner(conversation.id)
        message_id = self.store.start_assistant(conversation.id, owner, turn, parent_id=_parent_id(conversation, turn))
        turn.message_id = message_id
        store = self.store
        return TurnSaver(
            turn,
            checkpoint=lambda t: store.checkpoint(message_id, t),
            finish=lambda t: store.finish(message_id, t),
            interval=self.checkpoint_interval,
        ).start()

    def save_answer(self, conversation: Conversation, turn: Turn) -> None:
        """Save an answer that is already whole (e.g. history an API client sent along)."""
        owner = self._write_owner(conversation.id)
        turn.message_id = self.store.start_assistant(conversation.id, owner, turn, parent_id=_parent_id(conversation, turn))
        self.store.finish(turn.message_id, turn)

    def resume_answer(self, conversation: Conversation, turn: Turn) -> TurnSaver | None:
        """A stopped answer goes on (Continue): mark its row streaming again and keep it saved.

        None when the answer was never saved (the store failed when it started)."""
        if turn.message_id is None:
            return None
        self._write_owner(conversation.id)
        message_id = turn.message_id
        store = self.store
        store.reopen(message_id, turn)
        return TurnSaver(
            turn,
            checkpoint=lambda t: store.checkpoint(message_id, t),
            finish=lambda t: store.finish(message_id, t),
            interval=self.checkpoint_interval,
        ).start()

    def choose_path(self, conversation: Conversation) -> bool:
        """Remember the path on screen (after switching versions): a reload shows it again."""
        leaf = next((e.message_id for e in reversed(conversation.entries) if e.message_id is not None), None)
        owner = self._owners.get(conversation.id)
        if leaf is None or owner is None:
            return False
        with self.store.transaction(SWITCH, write=True) as conn:
            return choose_leaf(conn, conversation.id, owner, leaf)

    def _write_owner(self, conversation_id: str, **details: Any) -> str:
        """The owner to write with, creating the conversation (with ``details``) on its first save.

        An answer whose prompt could not be saved (the store failed then) starts it too."""
        owner = self._owners.get(conversation_id)
        if owner is None:
            owner = self.visitor.owner_for_new(conversation_id)
            self.store.create_conversation(owner, conversation_id=conversation_id, creator=self.visitor.creator, **details)
            self._owners[conversation_id] = owner
        return owner


def _parent_id(conversation: Conversation, entry: UserEntry | Turn) -> int | None:
    """The stored message ``entry`` follows on the path shown: the nearest saved one before it
    (``ROOT`` when it is the first); None (the store's path shown) if it is not on the path."""
    entries = conversation.entries
    for i in range(len(entries) - 1, -1, -1):
        if entries[i] is entry:
            return next((e.message_id for e in reversed(entries[:i]) if e.message_id is not None), ROOT)
    return None


def _megabytes(chars: int) -> str:
    return f"{chars / 1_000_000:.1f} MB"


__all__ = ["ChatArchive", "looks_like_conversation_id"]
