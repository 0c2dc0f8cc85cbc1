"""The limits' counters, in the shared store, so every replica and every restart sees the same.

Each decision is one short transaction. The checks and the increments happen inside it,
under a lock per subject (SQLite: the write transaction itself, ``BEGIN IMMEDIATE``;
PostgreSQL: a transaction-scoped advisory lock per subject), so two prompts of one visitor on
two replicas can never both take the last place. Counts are upserts that add
(``INSERT … ON CONFLICT DO UPDATE SET value = value + excluded.value``), which both databases
do atomically.

* prompts per minute: a sliding window over the times in ``prompt_times`` (exact: at most N
  prompts in any 60 s; old times are deleted as new ones arrive);
* tokens per day (per subject, and ``*`` for everyone): ``usage_counters`` by UTC day;
* answers at once: ``answer_slots`` rows, removed when the answer ends, each with a lease
  so a replica that died mid-answer frees its visitor's slot after ``slot_lease`` seconds;
* the usage figures (answers, errors and tokens per model per day, limits hit) are
  ``usage_counters`` too, read back by the Usage page.
"""

from __future__ import annotations

import math
import secrets
import time
from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import Connection, delete, func, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite

from ..store import ChatStore
from ..store.schema import answer_slots, prompt_times, usage_counters

DAY = 86_400.0
MINUTE = 60.0
EVERYONE = "*"
ACTION = "Could not check the usage limits"


def day_of(now: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(now))


def next_midnight(now: float) -> float:
    """When a per-day counter starts again: the next 00:00 UTC."""
    return (math.floor(now / DAY) + 1) * DAY


@dataclass(frozen=True, slots=True)
class Quotas:
    """The counted limits to enforce on one prompt (None: not limited)."""

    prompts_per_minute: int | None = None
    tokens_per_day: int | None = None
    global_tokens_per_day: int | None = None
    concurrent_answers: int | None = None
    slot_lease: float = 300.0


@dataclass(frozen=True, slots=True)
class Refusal:
    limit: str  # a Quotas field name
    allowed: int
    resets_at: float | None  # None: when something else happens (an answer ends)


@dataclass(frozen=True, slots=True)
class Grant:
    slot_ids: tuple[str, ...]  # to free when the answer ends
    tokens_left: int | None  # the smallest day budget left (caps max_tokens), None: unlimited


@dataclass(frozen=True, slots=True)
class DailyFigure:
    day: str
    kind: str  # answers, errors, tokens (per model), hit (per limit), everyone (tokens of all visitors)
    label: str  # the model or the limit
    value: int


class LimitCounters:
    """Shared by every session of a process (no per-user state: each call names its subjects)."""

    def __init__(self, store: ChatStore) -> None:
        self.store = store
        self._postgres = store.engine.dialect.name == "postgresql"

    # ------------------------------------------------------------ before the request
    def admit(self, subjects: tuple[str, ...], quotas: Quotas, now: float) -> Grant | Refusal:
        """Check every quota for ``subjects`` and, if all allow it, count this prompt (one transaction)."""
        day = day_of(now)
        with self.store.transaction(ACTION, write=True) as conn:
            if self._postgres:
                for subject in sorted(subjects):  # sorted: two visitors sharing a subject lock in one order
                    conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": "chat-limit:" + subject})
            refusal, tokens_left = self._check(conn, subjects, quotas, now, day)
            if refusal is not None:
                self._add(conn, [("hit:" + refusal.limit, day, 1)])
                return refusal
            slot_ids: tuple[str, ...] = ()
            if quotas.prompts_per_minute is not None:
                conn.execute(delete(prompt_times).where(prompt_times.c.subject.in_(subjects), prompt_times.c.at <= now - MINUTE))
                conn.execute(insert(prompt_times), [{"subject": s, "at": now} for s in subjects])
            if quotas.concurrent_answers is not None:
                tag = secrets.token_hex(8)
                slot_ids = tuple(f"{tag}/{i}" for i in range(len(subjects)))
                expires = now + quotas.slot_lease
                conn.execute(insert(answer_slots), [{"id": i, "subject": s, "expires_at": expires} for i, s in zip(slot_ids, subjects, strict=True)])
        return Grant(slot_ids=slot_ids, tokens_left=tokens_left)

    def _check(self, conn: Connection, subjects: tuple[str, ...], quotas: Quotas, now: float,
               day: str) -> tuple[Refusal | None, int | None]:
        if quotas.prompts_per_minute is not None:
            rows = conn.execute(
                select(prompt_times.c.subject, func.count(), func.min(prompt_times.c.at))
                .where(prompt_times.c.subject.in_(subjects), prompt_times.c.at > now - MINUTE)
                .group_by(prompt_times.c.subject)
            ).all()
            for _subject, count, oldest in rows:
                if count >= quotas.prompts_per_minute:
                    return Refusal("prompts_per_minute", quotas.prompts_per_minute, oldest + MINUTE), None
        tokens_left: int | None = None
        if quotas.tokens_per_day is not None or quotas.global_tokens_per_day is not None:
            names = ["tokens:" + s for s in subjects] if quotas.tokens_per_day is not None else []
            if quotas.global_tokens_per_day is not None:
                names.append("tokens:" + EVERYONE)
            used = dict(conn.execute(
                select(usage_counters.c.name, usage_counters.c.value)
                .where(usage_counters.c.period == day, usage_counters.c.name.in_(names))
            ).all())
            if quotas.global_tokens_per_day is not None:
                left = quotas.global_tokens_per_day - int(used.get("tokens:" + EVERYONE, 0))
                if left <= 0:
                    return Refusal("global_tokens_per_day", quotas.global_tokens_per_day, next_midnight(now)), None
                tokens_left = left
            if quotas.tokens_per_day is not None:
                for s in subjects:
                    left = quotas.tokens_per_day - int(used.get("tokens:" + s, 0))
                    if left <= 0:
                        return Refusal("tokens_per_day", quotas.tokens_per_day, next_midnight(now)), None
                    tokens_left = left if tokens_left is None else min(tokens_left, left)
        if quotas.concurrent_answers is not None:
            conn.execute(delete(answer_slots).where(answer_slots.c.subject.in_(subjects), answer_slots.c.expires_at < now))
            rows = conn.execute(
                select(answer_slots.c.subject, func.count()).where(answer_slots.c.subject.in_(subjects)).group_by(answer_slots.c.subject)
            ).all()
            if any(count >= quotas.concurrent_answers for _s, count in rows):
                return Refusal("concurrent_answers", quotas.concurrent_answers, None), tokens_left
        return None, tokens_left

    # ------------------------------------------------------------ after the answer
    def settle(self, subjects: tuple[str, ...], *, slot_ids: Iterable[str], tokens: int, model: str,
               failed: bool, now: float) -> None:
        """The answer ended: free its slot, count its tokens (visitor, everyone, model) and the answer."""
        day = day_of(now)
        counts: list[tuple[str, str, int]] = [("answers:" + model, day, 1)]
        if failed:
            counts.append(("errors:" + model, day, 1))
        if tokens > 0:
            counts += [("tokens:" + s, day, tokens) for s in subjects]
            counts += [("tokens:" + EVERYONE, day, tokens), ("model_tokens:" + model, day, tokens)]
        with self.store.transaction(ACTION, write=True) as conn:
            ids = list(slot_ids)
            if ids:
                conn.execute(delete(answer_slots).where(answer_slots.c.id.in_(ids)))
            self._add(conn, counts)

    def _add(self, conn: Connection, counts: list[tuple[str, str, int]]) -> None:
        dialect: Any = postgresql if self._postgres else sqlite
        statement = dialect.insert(usage_counters)
        statement = statement.on_conflict_do_update(
            index_elements=[usage_counters.c.name, usage_counters.c.period],
            set_={"value": usage_counters.c.value + statement.excluded.value},
        )
        conn.execute(statement, [{"name": n, "period": p, "value": v} for n, p, v in counts])

    # ------------------------------------------------------------ reading
    def daily(self, since_day: str) -> list[DailyFigure]:
        """Answers, errors, tokens per model, limits hit and everyone's tokens, per day since ``since_day``."""
        with self.store.transaction(ACTION, write=False) as conn:
            rows = conn.execute(
                select(usage_counters.c.period, usage_counters.c.name, usage_counters.c.value)
                .where(usage_counters.c.period >= since_day)
                .order_by(usage_counters.c.period, usage_counters.c.name)
            ).all()
        figures = []
        for day, name, value in rows:
            kind, _, label = name.partition(":")
            if kind == "tokens":
                if label != EVERYONE:
                    continue  # one visitor's count: not for the usage page
                kind, label = "everyone", ""
            elif kind == "model_tokens":
                kind = "tokens"
            figures.append(DailyFigure(day=day, kind=kind, label=label, value=int(value)))
        return figures


__all__ = ["DAY", "DailyFigure", "Grant", "LimitCounters", "Quotas", "Refusal", "day_of", "next_midnight"]
