"""Feedback rows in the store: one rating (and comment) per answer, written by whoever may
write its conversation, read back for the chat and for the rater's Metrics page.

Functions taking a ``ChatStore`` (``store.py`` stays the conversation's own code). The
write checks, in the same statement, that the answer belongs to the conversation and that
the conversation is ``owner``'s: a rating by someone who may not write it changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Mapping

from sqlalchemy import case, delete, insert, literal, select, update

from .redact import strip_secrets
from .rows import db_text
from .schema import conversations, feedback, messages
from .store import ChatStore

Rating = Literal["up", "down"]
RATINGS: tuple[Rating, ...] = ("up", "down")
MAX_COMMENT_CHARS = 2000
SAVE, READ = "Could not save your feedback", "Could not load the feedback"


@dataclass(frozen=True, slots=True)
class StoredFeedback:
    message_id: int
    rating: Rating
    comment: str
    rated_at: float
    settings: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RatedAnswer:
    """A rated answer with what it answered: one line of the evaluation export."""

    message_id: int
    prompt: str
    answer: str
    status: str
    model: str
    rating: Rating
    comment: str
    rated_at: float
    settings: dict[str, Any]


def save_feedback(store: ChatStore, conversation_id: str, owner: str, message_id: int, *, rating: Rating,
                  comment: str, rated_by: str, settings: Mapping[str, Any]) -> bool:
    """Rate answer ``message_id`` (replacing an earlier rating). False if the answer is not in
    ``conversation_id``, is not an answer, or the conversation is not ``owner``'s."""
    if rating not in RATINGS:
        raise ValueError(f"rating must be one of {RATINGS}")
    values = dict(rating=rating, comment=db_text(comment[:MAX_COMMENT_CHARS]), rated_by=rated_by,
                  rated_at=store._clock(), settings=strip_secrets(dict(settings)))
    with store._transaction(SAVE, write=True) as conn:
        if not _writable_answer(conn, conversation_id, owner, message_id):
            return False
        if conn.execute(update(feedback).where(feedback.c.message_id == message_id).values(**values)).rowcount == 0:
            conn.execute(insert(feedback).values(message_id=message_id, conversation_id=conversation_id, **values))
    return True


def clear_feedback(store: ChatStore, conversation_id: str, owner: str, message_id: int) -> bool:
    """Take the rating back. False if it may not be written (or there was none)."""
    with store._transaction(SAVE, write=True) as conn:
        if not _writable_answer(conn, conversation_id, owner, message_id):
            return False
        return conn.execute(delete(feedback).where(feedback.c.message_id == message_id)).rowcount == 1


def feedback_for(store: ChatStore, conversation_id: str, owner: str | None) -> dict[int, StoredFeedback]:
    """The ratings of the conversation's answers, by message id (``owner=None``: a link holder's read)."""
    query = (select(feedback).join(conversations, conversations.c.id == feedback.c.conversation_id)
             .where(feedback.c.conversation_id == conversation_id))
    if owner is not None:
        query = query.where(conversations.c.owner == owner)
    with store._transaction(READ, write=False) as conn:
        rows = conn.execute(query).all()
    return {row.message_id: StoredFeedback(row.message_id, row.rating, row.comment, row.rated_at, row.settings or {})
            for row in rows}


def rated_answers(store: ChatStore, rated_by: str, *, limit: int = 5000) -> list[RatedAnswer]:
    """The answers ``rated_by`` rated (nobody else's ratings), oldest rating first, each with the
    shown prompt it answered (``_prompt_of``: up the tree, whichever branch it is on)."""
    query = (
        select(feedback, messages.c.content, messages.c.status, messages.c.model.label("answer_model"))
        .join(messages, messages.c.id == feedback.c.message_id)
        .where(feedback.c.rated_by == rated_by)
        .order_by(feedback.c.rated_at, feedback.c.message_id)
        .limit(max(0, int(limit)))
    )
    with store._transaction(READ, write=False) as conn:
        rows = conn.execute(query).all()
        tree = _trees(conn, {row.conversation_id for row in rows})
    return [
        RatedAnswer(message_id=row.message_id, prompt=_prompt_of(tree, row.message_id), answer=row.content,
                    status=row.status, model=(row.settings or {}).get("model") or row.answer_model, rating=row.rating,
                    comment=row.comment, rated_at=row.rated_at, settings=row.settings or {})
        for row in rows
    ]


@dataclass(frozen=True, slots=True)
class _Node:
    conversation_id: str
    seq: int
    parent_id: int | None
    role: str
    hidden: bool
    text: str  # a prompt's text ("" for an answer: not needed)


def _trees(conn: Any, conversation_ids: set[str]) -> dict[int, _Node]:
    """Every message of these conversations, by id: enough to walk from an answer to its prompt."""
    if not conversation_ids:
        return {}
    text = case((messages.c.role == "user", messages.c.content), else_=literal(""))
    query = select(messages.c.id, messages.c.conversation_id, messages.c.seq, messages.c.parent_id, messages.c.role,
                   messages.c.hidden, text.label("text")).where(messages.c.conversation_id.in_(sorted(conversation_ids)))
    return {row.id: _Node(row.conversation_id, row.seq, row.parent_id, row.role, bool(row.hidden), row.text)
            for row in conn.execute(query)}


def _prompt_of(tree: Mapping[int, _Node], answer_id: int) -> str:
    """The shown prompt ``answer_id`` answered: up its parents, past answers and hidden prompts
    (an answer continued before Continue joined one row). A row with no parent saved (the
    parent was deleted) falls back to the last shown prompt saved before it."""
    seen: set[int] = set()
    node_id: int | None = answer_id
    while node_id is not None and node_id not in seen and node_id in tree:
        seen.add(node_id)
        node = tree[node_id]
        if node.role == "user" and not node.hidden:
            return node.text
        if node.parent_id is None or node.parent_id not in tree:
            earlier = [n for n in tree.values() if n.conversation_id == node.conversation_id and n.role == "user"
                       and not n.hidden and n.seq < node.seq]
            return max(earlier, key=lambda n: n.seq).text if earlier else ""
        node_id = node.parent_id
    return ""


def _writable_answer(conn: Any, conversation_id: str, owner: str, message_id: int) -> bool:
    found = conn.execute(
        select(messages.c.id)
        .join(conversations, conversations.c.id == messages.c.conversation_id)
        .where(messages.c.id == message_id, messages.c.conversation_id == conversation_id,
               messages.c.role == "assistant", conversations.c.owner == owner)
    ).first()
    return found is not None


__all__ = [
    "MAX_COMMENT_CHARS", "RATINGS", "RatedAnswer", "Rating", "StoredFeedback", "clear_feedback", "feedback_for",
    "rated_answers", "save_feedback",
]
