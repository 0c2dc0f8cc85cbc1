"""Feedback on answers: thumbs up or down, an optional comment, and the settings the answer
was made with, kept so that rated answers become an evaluation set.

Who may rate: whoever may write the conversation (``ChatArchive.owner_of``; the store checks
it again in the write). What is kept with a rating: the model that answered, and from the
settings the answer was made with (``Turn.settings``, a ``settings.settings_record`` saved in
its record) the system prompt, temperature, tools and preset, never a secret
(``store.redact``). Answers saved before answers kept their settings fall back to the
conversation's (its latest ones).

``tallies`` groups ratings by model or by preset for the Metrics page; ``to_jsonl`` writes
one JSON line per rated answer (prompt, answer, rating, comment, settings).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from .archive import ChatArchive
from .conversation import Conversation
from .store.feedback import (
    MAX_COMMENT_CHARS,
    RatedAnswer,
    Rating,
    StoredFeedback,
    clear_feedback,
    feedback_for,
    rated_answers,
    save_feedback,
)
from .store.redact import strip_secrets
from .turn import Turn
from .user_text import clean_user_text

SETTINGS_KEPT = ("model", "system_prompt", "temperature", "tools", "preset")
NO_PRESET = "(no preset)"


def feedback_settings(conversation_settings: Mapping[str, Any], turn: Turn) -> dict[str, Any]:
    """What a rating keeps of how the answer was made: the settings saved with the answer
    (``Turn.settings``), or for an answer saved before answers kept them, the conversation's;
    its own model first. Only system prompt, temperature, tools and preset, and no secret."""
    made_with = turn.settings if turn.settings is not None else conversation_settings
    kept = {name: made_with.get(name) for name in SETTINGS_KEPT}
    kept["model"] = turn.model or kept.get("model") or ""
    kept["preset"] = kept.get("preset") or ""
    return dict(strip_secrets(kept))


class AnswerFeedback:
    """One visitor's ratings (the UI keeps one per session, with the session's archive)."""

    def __init__(self, archive: ChatArchive) -> None:
        self.archive = archive

    def may_rate(self, conversation: Conversation, turn: Turn) -> bool:
        return turn.message_id is not None and turn.is_finished and self.archive.owner_of(conversation.id) is not None

    def rate(self, conversation: Conversation, turn: Turn, rating: Rating | None, comment: str = "") -> bool:
        """Rate ``turn`` (None: take the rating back). False if this visitor may not write the
        conversation or the answer is not saved."""
        owner = self.archive.owner_of(conversation.id)
        if owner is None or turn.message_id is None or not turn.is_finished:
            return False
        store = self.archive.store
        if rating is None:
            return clear_feedback(store, conversation.id, owner, turn.message_id)
        settings = feedback_settings(self.archive.settings_of(conversation.id), turn)
        text = clean_user_text(comment).strip()[:MAX_COMMENT_CHARS]
        return save_feedback(store, conversation.id, owner, turn.message_id, rating=rating, comment=text,
                             rated_by=self.archive.visitor.creator, settings=settings)

    def of(self, conversation: Conversation) -> dict[int, StoredFeedback]:
        """The ratings shown with this conversation's answers, by message id."""
        if self.archive.owner_of(conversation.id) is None:
            return {}
        return feedback_for(self.archive.store, conversation.id, self.archive.owner_of(conversation.id))

    def mine(self) -> list[RatedAnswer]:
        """Every answer this visitor rated (the Metrics page and the export)."""
        return rated_answers(self.archive.store, self.archive.visitor.creator)


@dataclass(frozen=True, slots=True)
class Tally:
    group: str
    up: int
    down: int

    @property
    def total(self) -> int:
        return self.up + self.down

    @property
    def positive_share(self) -> float | None:
        return self.up / self.total if self.total else None


def tallies(rated: Iterable[RatedAnswer], by: Callable[[RatedAnswer], str]) -> list[Tally]:
    """Ups and downs per group, most rated first."""
    counts: dict[str, list[int]] = {}
    for answer in rated:
        pair = counts.setdefault(by(answer) or "", [0, 0])
        pair[0 if answer.rating == "up" else 1] += 1
    ordered = sorted(counts.items(), key=lambda item: (-(item[1][0] + item[1][1]), item[0]))
    return [Tally(group, up, down) for group, (up, down) in ordered]


def by_model(answer: RatedAnswer) -> str:
    return answer.model or "(unknown model)"


def by_preset(answer: RatedAnswer) -> str:
    return str(answer.settings.get("preset") or NO_PRESET)


def jsonl_line(answer: RatedAnswer) -> dict[str, Any]:
    return {
        "prompt": answer.prompt,
        "answer": answer.answer,
        "rating": answer.rating,
        "comment": answer.comment,
        "status": answer.status,
        "rated_at": answer.rated_at,
        "settings": strip_secrets({name: answer.settings.get(name) for name in SETTINGS_KEPT}),
    }


def to_jsonl(rated: Iterable[RatedAnswer]) -> str:
    """One JSON object per line and per rated answer, ready for an evaluation set."""
    return "".join(json.dumps(jsonl_line(answer), ensure_ascii=False) + "\n" for answer in rated)


__all__ = [
    "NO_PRESET", "SETTINGS_KEPT", "AnswerFeedback", "Tally", "by_model", "by_preset", "feedback_settings", "jsonl_line",
    "tallies", "to_jsonl",
]
