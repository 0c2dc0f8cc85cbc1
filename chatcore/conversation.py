"""One chat: the user's prompts and the assistant's turns, in order.

History for the next request is always built from these records (never from what a UI
widget returned), so a stopped or failed answer is replayed exactly as far as it got,
with unfinished tool calls closed and empty answers left out.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from .attachments import Attachment
from .conversation_tree import ConversationTree, Versions
from .messages import user_message
from .turn import Turn


@dataclass
class UserEntry:
    content: str
    created_at: float = field(default_factory=time.time)
    hidden: bool = False  # sent to the model but not shown (the "continue" instruction)
    message_id: int | None = field(default=None, compare=False)  # its row in the store, once saved
    attachments: tuple[Attachment, ...] = ()  # checked files sent with the prompt (chatcore.attachments)


Entry = UserEntry | Turn


def new_conversation_id() -> str:
    """128+ bits from the OS's CSPRNG: safe to put in a shareable link."""
    return secrets.token_urlsafe(18)


@dataclass
class Conversation:
    id: str = field(default_factory=new_conversation_id)
    title: str = ""
    entries: list[Entry] = field(default_factory=list)  # the path shown (and sent to the model)
    tree: ConversationTree = field(default_factory=ConversationTree, compare=False, repr=False)  # every version

    def add_user(self, content: str, *, hidden: bool = False, attachments: tuple[Attachment, ...] = ()) -> UserEntry:
        entry = UserEntry(content, hidden=hidden, attachments=tuple(attachments))
        self.entries.append(entry)
        if not self.title and not hidden:
            self.title = title_from_prompt(title_source(content, entry.attachments))
        return entry

    def add_turn(self, turn: Turn) -> Turn:
        self.entries.append(turn)
        return turn

    @property
    def turns(self) -> list[Turn]:
        return [e for e in self.entries if isinstance(e, Turn)]

    @property
    def last_turn(self) -> Turn | None:
        for entry in reversed(self.entries):
            if isinstance(entry, Turn):
                return entry
        return None

    # ------------------------------------------------------------ versions (chatcore.conversation_tree)
    def versions(self) -> list[Versions]:
        """For each shown entry: which version it is, of how many."""
        return self.tree.versions(self.entries)

    def branch_at(self, index: int) -> None:
        """Cut the shown path before entry ``index``; it stays in the tree as a version, and
        what is added next becomes its sibling (Regenerate, Edit)."""
        self.tree.sync(self.entries)
        del self.entries[index:]

    def switch_version(self, index: int, to: int) -> bool:
        """Show version ``to`` (0-based) of entry ``index``, then its newest answers. False if there is none."""
        path = self.tree.switch(self.entries, index, to)
        if path is None:
            return False
        self.entries[:] = path
        return True

    def history_messages(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        for entry in self.entries:
            if isinstance(entry, UserEntry):
                messages.append(user_message(entry.content, entry.attachments))
            else:
                messages.extend(entry.to_openai_messages())
        return messages


def title_source(content: str, attachments: tuple[Attachment, ...] = ()) -> str:
    """What names a chat: the prompt; for a prompt that is only files, what was said or the files' names."""
    if content.strip() or not attachments:
        return content
    spoken = " ".join(a.text for a in attachments if a.kind == "audio" and a.text)
    return spoken or ", ".join(a.name for a in attachments)


def title_from_prompt(prompt: str, limit: int = 60) -> str:
    line = " ".join(prompt.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


__all__ = ["Conversation", "Entry", "UserEntry", "new_conversation_id", "title_from_prompt", "title_source"]
