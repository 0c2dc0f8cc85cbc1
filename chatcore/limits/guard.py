"""``Guard``: one visitor's limits, checked where a prompt becomes a request.

``ChatSession`` calls ``admit`` before anything is saved or sent; over a limit it raises
``LimitExceeded`` (which limit, in words, and when it resets) and the upstream is never
called. A granted answer gets an ``Admission`` (the ``max_tokens`` to send, the slot it
holds); when the answer ends, ``settle`` counts its tokens and frees the slot. ``settle``
never raises: counting must not break a chat that has already been answered.

Without a store (``counters`` None) the limits that need no counting still hold; the
counted ones refuse, since a public demo's budget cannot be kept blind.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from ..store import StoreError
from ..turn import Turn
from .config import Limits
from .counters import LimitCounters, Quotas, Refusal
from .who import Requester

log = logging.getLogger(__name__)


class LimitExceeded(Exception):
    """A prompt refused by a limit. ``limit``: the ``Limits`` field; ``message``: for the visitor;
    ``resets_at``: epoch seconds when it may be tried again (None: when something else ends)."""

    def __init__(self, limit: str, message: str, resets_at: float | None = None) -> None:
        super().__init__(message)
        self.limit = limit
        self.message = message
        self.resets_at = resets_at


@dataclass(eq=False)
class Admission:
    """A granted answer: ``max_tokens`` to send upstream (None: the user's own setting)."""

    model: str
    max_tokens: int | None
    slot_ids: tuple[str, ...] = ()
    _settled: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> bool:
        """True the first time only: an answer is counted once, whoever sees it end first."""
        with self._lock:
            first, self._settled = not self._settled, True
            return first


def _wait_words(seconds: float) -> str:
    seconds = max(1, round(seconds))
    if seconds < 90:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"


def explain(refusal: Refusal, limits: Limits, now: float) -> LimitExceeded:
    """The refusal in the visitor's words: which limit, and when it resets."""
    n = refusal.allowed
    when = "" if refusal.resets_at is None else _wait_words(refusal.resets_at - now)
    if refusal.limit == "prompts_per_minute":
        text = f"Limit reached: {n} prompts per minute. You can send the next one in {when}."
    elif refusal.limit == "tokens_per_day":
        text = f"Limit reached: {n:,} tokens per day for each visitor. It resets at 00:00 UTC, in {when}."
    elif refusal.limit == "global_tokens_per_day":
        text = f"This demo has used its {n:,} tokens for today (everyone together). It resets at 00:00 UTC, in {when}."
    else:
        text = (f"Limit reached: {n} answer{'s' if n != 1 else ''} at a time. "
                "Send again when the running one has finished (or stop it).")
    return LimitExceeded(refusal.limit, text, refusal.resets_at)


class Guard:
    def __init__(self, limits: Limits, counters: LimitCounters | None, requester: Requester, *,
                 clock: Callable[[], float] = time.time, slot_lease: float = 300.0) -> None:
        self.limits = limits
        self.counters = counters
        self.requester = requester
        self._clock = clock
        self._quotas = Quotas(
            prompts_per_minute=limits.prompts_per_minute,
            tokens_per_day=limits.tokens_per_day,
            global_tokens_per_day=limits.global_tokens_per_day,
            concurrent_answers=limits.concurrent_answers,
            slot_lease=slot_lease,
        )
        self._counted = any(v is not None for v in (limits.prompts_per_minute, limits.tokens_per_day,
                                                    limits.global_tokens_per_day, limits.concurrent_answers))

    def admit(self, *, model: str, messages: int, max_tokens: int | None) -> Admission:
        """May this prompt go out? ``messages``: the conversation's length once it is sent and
        answered. Raises ``LimitExceeded``; otherwise the prompt is counted."""
        limits = self.limits
        if limits.models is not None and model not in limits.models:
            raise LimitExceeded("models", f"The model '{model}' is not available here. Pick one of: {', '.join(limits.models)}.")
        if limits.max_messages is not None and messages > limits.max_messages:
            raise LimitExceeded("max_messages", f"Limit reached: {limits.max_messages} messages per conversation. "
                                                "Start a new chat to go on.")
        cap = limits.max_answer_tokens
        grant_slots: tuple[str, ...] = ()
        if self._counted:
            if self.counters is None:
                raise LimitExceeded("store", "Usage limits cannot be checked right now (the database is not reachable), "
                                             "so no prompt can be sent. Try again in a minute.")
            now = self._clock()
            try:
                verdict = self.counters.admit(self.requester.subjects, self._quotas, now)
            except StoreError as exc:
                raise LimitExceeded("store", f"Usage limits cannot be checked right now ({exc}), so no prompt can be sent. "
                                             "Try again in a minute.") from exc
            if isinstance(verdict, Refusal):
                raise explain(verdict, limits, now)
            grant_slots = verdict.slot_ids
            if verdict.tokens_left is not None:
                cap = verdict.tokens_left if cap is None else min(cap, verdict.tokens_left)
        if cap is not None and max_tokens is not None:
            cap = min(cap, max_tokens)
        return Admission(model=model, max_tokens=cap if cap is not None else max_tokens, slot_ids=grant_slots)

    def settle(self, admission: Admission, turn: Turn | None) -> None:
        """The answer ended (or never started: ``turn`` None): count it and free its slot. Never raises."""
        if not admission.take() or self.counters is None:
            return
        tokens = answer_tokens(turn) if turn is not None else 0
        failed = turn is not None and turn.status in ("error", "incomplete")
        try:
            self.counters.settle(self.requester.subjects, slot_ids=admission.slot_ids, tokens=tokens,
                                 model=admission.model, failed=failed, now=self._clock())
        except Exception as exc:  # noqa: BLE001 - counting must never break the chat
            log.warning("could not count an answer's usage: %s", exc)


def answer_tokens(turn: Turn) -> int:
    """Tokens an answer cost: the server's usage when it sent one, else about one per chunk."""
    usage = turn.usage
    if usage is not None:
        if usage.total_tokens is not None:
            return int(usage.total_tokens)
        return int(usage.prompt_tokens or 0) + int(usage.completion_tokens or 0)
    return turn.chunk_count


__all__ = ["Admission", "Guard", "LimitExceeded", "answer_tokens", "explain"]
