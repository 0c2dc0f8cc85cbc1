"""Every version of a conversation, as a tree; ``Conversation.entries`` is the path shown.

Regenerate adds a new answer next to the old one (same prompt before it); Edit adds a new
prompt next to the old one (same message before it), with its own answers after it. Nothing
is thrown away: each message with siblings can be switched (``‹ 2 / 3 ›``), and switching
shows that sibling followed by its newest descendants down to a leaf.

The tree follows the path rather than owning it: the rest of the app keeps appending to
``Conversation.entries`` as before, and ``sync`` hangs whatever is new under the entry
before it. An entry replaced by another record of the same stored message (the live record
of an answer that is still streaming) takes its place instead of becoming a sibling.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator, Sequence

if TYPE_CHECKING:
    from .conversation import Entry


@dataclass(frozen=True, slots=True)
class Versions:
    """Where an entry stands among its siblings: ``index`` (0-based) of ``count``."""

    index: int
    count: int

    @property
    def label(self) -> str:
        return f"{self.index + 1} / {self.count}"


@dataclass(eq=False)
class _Node:
    entry: Entry | None  # None: the root, before the first prompt
    parent: _Node | None
    children: list[_Node] = field(default_factory=list)  # oldest first


@dataclass(frozen=True, slots=True)
class TreeMessage:
    """One message of the whole tree, for exports: ``number`` counts from 1 in creation order."""

    number: int
    parent: int | None
    entry: Entry
    shown: bool


class ConversationTree:
    def __init__(self) -> None:
        self._root = _Node(None, None)
        self._nodes: dict[int, _Node] = {}  # id(entry) -> its node (the node keeps the entry alive)

    # ------------------------------------------------------------ following the path
    def sync(self, path: Sequence[Entry]) -> list[_Node]:
        """Hang the entries of ``path`` not yet in the tree under the entry before them; the node of each."""
        nodes: list[_Node] = []
        parent = self._root
        for entry in path:
            node = self._nodes.get(id(entry))
            if node is None or node.parent is not parent:
                node = self._adopt(parent, entry)
            nodes.append(node)
            parent = node
        return nodes

    def _adopt(self, parent: _Node, entry: Entry) -> _Node:
        message_id = entry.message_id
        if message_id is not None:
            for child in parent.children:  # another record of a stored message: it replaces the old one
                if child.entry is not None and child.entry.message_id == message_id:
                    self._nodes.pop(id(child.entry), None)
                    child.entry = entry
                    self._nodes[id(entry)] = child
                    return child
        node = _Node(entry, parent)
        parent.children.append(node)
        self._nodes[id(entry)] = node
        return node

    def versions(self, path: Sequence[Entry]) -> list[Versions]:
        """For each entry of ``path``: which of its siblings it is."""
        result = []
        for node in self.sync(path):
            siblings = node.parent.children if node.parent is not None else [node]
            result.append(Versions(_position(siblings, node), len(siblings)))
        return result

    def switch(self, path: Sequence[Entry], index: int, to: int) -> list[Entry] | None:
        """The path with entry ``index`` replaced by its sibling ``to`` and that sibling's newest
        descendants; None if there is no such entry or sibling."""
        nodes = self.sync(path)
        if not 0 <= index < len(nodes):
            return None
        parent = nodes[index].parent
        siblings = parent.children if parent is not None else []
        if not 0 <= to < len(siblings):
            return None
        chosen = [n.entry for n in nodes[:index]]
        node = siblings[to]
        chosen.append(node.entry)
        while node.children:
            node = node.children[-1]
            chosen.append(node.entry)
        return [e for e in chosen if e is not None]

    # ------------------------------------------------------------ building and reading the whole tree
    def add(self, entry: Entry, parent: Entry | None) -> None:
        """Put ``entry`` under ``parent`` (None: a first prompt); siblings keep the order added."""
        under = self._root if parent is None else self._nodes.get(id(parent), self._root)
        node = _Node(entry, under)
        under.children.append(node)
        self._nodes[id(entry)] = node

    def newest_path(self, leaf: Entry | None = None) -> list[Entry]:
        """The path to ``leaf`` then on through the newest children (from the root if ``leaf`` is unknown)."""
        node = self._nodes.get(id(leaf), self._root) if leaf is not None else self._root
        path: list[Entry] = []
        up: _Node | None = node
        while up is not None and up.entry is not None:
            path.append(up.entry)
            up = up.parent
        path.reverse()
        while node.children:
            node = node.children[-1]
            if node.entry is not None:
                path.append(node.entry)
        return path

    def messages(self, path: Sequence[Entry]) -> list[TreeMessage]:
        """Every message, parents before children, siblings oldest first; ``shown``: on ``path``."""
        on_path = {id(n) for n in self.sync(path)}
        numbers: dict[int, int] = {}
        out: list[TreeMessage] = []
        for node in self._walk(self._root):
            assert node.entry is not None  # noqa: S101 - only the root has none
            numbers[id(node)] = len(out) + 1
            parent = numbers.get(id(node.parent)) if node.parent is not None else None
            out.append(TreeMessage(len(out) + 1, parent, node.entry, id(node) in on_path))
        return out

    def _walk(self, start: _Node) -> Iterator[_Node]:
        stack = list(reversed(start.children))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def has_versions(self, path: Sequence[Entry]) -> bool:
        """Whether any message (shown or not) has siblings."""
        self.sync(path)
        return any(len(n.children) > 1 for n in [self._root, *self._walk(self._root)])


def _position(siblings: list[_Node], node: _Node) -> int:
    for i, sibling in enumerate(siblings):
        if sibling is node:
            return i
    return 0


__all__ = ["ConversationTree", "TreeMessage", "Versions"]
