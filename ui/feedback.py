"""Thumbs up/down under each finished answer, and a comment once it is rated.

Shown only to whoever may write the conversation (``chatcore.feedback.AnswerFeedback``; the
store checks again). The ratings on screen come from the store, read once per conversation
and kept in this session (``RATINGS``), so a refresh shows them and a rerun costs no query.
"""

from __future__ import annotations

import streamlit as st

from chatcore.conversation import Conversation
from chatcore.feedback import AnswerFeedback
from chatcore.session import ChatSession
from chatcore.store import StoreError
from chatcore.store.feedback import MAX_COMMENT_CHARS, Rating, StoredFeedback
from chatcore.turn import Turn

from .state import SESSION

RATINGS = "answer_ratings"  # session state: (conversation id, {message id: StoredFeedback})
THUMBS: dict[int, Rating] = {0: "down", 1: "up"}  # st.feedback("thumbs") values
VALUES = {rating: value for value, rating in THUMBS.items()}


def _session() -> ChatSession | None:
    return st.session_state.get(SESSION)


def _book() -> AnswerFeedback | None:
    session = _session()
    return AnswerFeedback(session.archive) if session is not None and session.archive is not None else None


def ratings(book: AnswerFeedback, conversation: Conversation) -> dict[int, StoredFeedback]:
    """This conversation's ratings: from the store on its first draw in this session, then kept."""
    cached = st.session_state.get(RATINGS)
    if cached is None or cached[0] != conversation.id:
        try:
            cached = (conversation.id, book.of(conversation))
        except StoreError:
            cached = (conversation.id, {})
        st.session_state[RATINGS] = cached
    found: dict[int, StoredFeedback] = cached[1]
    return found


def _find(message_id: int) -> tuple[Conversation, Turn] | None:
    session = _session()
    if session is None:
        return None
    conversation = session.conversation
    turn = next((t for t in conversation.turns if t.message_id == message_id), None)
    return None if turn is None else (conversation, turn)


def _save(message_id: int, rating: Rating | None, comment: str) -> None:
    """Rate (or un-rate) the answer on screen with id ``message_id`` and keep the result for the redraw."""
    book, found = _book(), _find(message_id)
    if book is None or found is None:
        return
    conversation, turn = found
    try:
        saved = book.rate(conversation, turn, rating, comment)
        fresh = book.of(conversation)
    except StoreError as exc:
        st.toast(str(exc), icon=":material/cloud_off:")
        return
    st.session_state[RATINGS] = (conversation.id, fresh)
    if not saved and rating is not None:
        st.toast("Your rating could not be saved: this chat is not yours to change.", icon=":material/block:")


def _current(message_id: int) -> StoredFeedback | None:
    cached = st.session_state.get(RATINGS)
    found: StoredFeedback | None = cached[1].get(message_id) if cached else None
    return found


def _rated(message_id: int) -> None:
    """``on_change`` of the thumbs: keeps a comment already written."""
    value = st.session_state.get(f"feedback-{message_id}")
    current = _current(message_id)
    _save(message_id, THUMBS.get(value) if value is not None else None, current.comment if current else "")


def _commented(message_id: int) -> None:
    current = _current(message_id)
    if current is not None:
        _save(message_id, current.rating, str(st.session_state.get(f"feedback-comment-{message_id}") or ""))


def render_feedback(conversation: Conversation, turn: Turn) -> None:
    """Call inside an answer's action row. Draws nothing for who may not rate it."""
    book = _book()
    if book is None or turn.message_id is None or not book.may_rate(conversation, turn):
        return
    mid = turn.message_id
    current = ratings(book, conversation).get(mid)
    st.feedback("thumbs", key=f"feedback-{mid}", default=VALUES[current.rating] if current else None,
                on_change=_rated, args=(mid,))
    if current is None:
        return
    label = "Comment" if not current.comment else "Edit comment"
    with (st.popover(label, icon=":material/comment:", type="tertiary", key=f"feedback-popover-{mid}"),
          st.form(f"feedback-form-{mid}", border=False)):
        st.text_input("What made this answer good or bad?", value=current.comment, max_chars=MAX_COMMENT_CHARS,
                      key=f"feedback-comment-{mid}")
        st.form_submit_button("Save comment", on_click=_commented, args=(mid,))


__all__ = ["RATINGS", "ratings", "render_feedback"]
