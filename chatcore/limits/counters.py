"""The limits' counters, in the shared store, so every replica and every restart sees the same.

Each decision is one short transaction. The checks and the increments happen inside it,
under a lock per subject (SQLite: the write transaction itself, ``BEGIN IMMEDIATE``;
PostgreSQL: a transaction-scoped advisory lock per subject), so two prompts of one visitor on
two replicas can never both take the last place. Counts are upserts that add
(``INSERT … ON CONFLICT DO UPDATE SET value = value + excluded.value``), which both databases
do atomically.

The statements are plain SQL that SQLite and PostgreSQL read alike (the tables are
``store/schema.py``'s ``usage_counters``, ``prompt_times`` and ``answer_slots``).

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
from typing import Iterable

from sqlalchemy import Connection, TextClause, bindparam, text

from ..store import ChatStore

DAY = 86_400.0
MINUTE = 60.0
EVERYONE = "*"
ACTION = "Could not check the usage limits"


def _sql(statement: str, *lists: str) -> TextClause:
    """Plain SQL both databases read alike, built once: a check runs on every prompt, and
    building SQLAlchemy expressions each time cost more than the database's own work."""
    return text(statement).bindparams(*(bindparam(name, expanding=True) for name in lists))


# Two visitors sharing a subject lock it in one order (sorted), so they cannot deadlock.
_LOCK_PG = _sql("SELECT pg_advisory_xact_lock(hashtext(k)) FROM unnest(CAST(:keys AS text[])) AS k ORDER BY k")
# Everything a check reads, in one round trip: recent prompts per subject (kind 'p'), tokens
# used today (kind 't'), answers running now per subject (kind 's'; expired leases not counted).
_STATE = _sql(
    "SELECT 'p', subject, COUNT(*), MIN(at) FROM prompt_times WHERE subject IN :subjects AND at > :since GROUP BY subject "
    "UNION ALL SELECT 't', name, value, NULL FROM usage_counters WHERE period = :day AND name IN :names "
    "UNION ALL SELECT 's', subject, COUNT(*), NULL FROM answer_slots WHERE subject IN :subjects AND expires_at >= :now "
    "GROUP BY subject",
    "subjects", "names")
_FORGET = _sql("DELETE FROM prompt_times WHERE subject IN :subjects AND at <= :before", "subjects")
_PROMPT = _sql("INSERT INTO prompt_times (subject, at) VALUES (:subject, :at)")
_EXPIRE = _sql("DELETE FROM answer_slots WHERE subject IN :subjects AND expires_at < :now", "subjects")
_SLOT = _sql("INSERT INTO answer_slots (id, subject, expires_at) VALUES (:id, :subject, :expires_at)")
# PostgreSQL: the writes of a granted prompt in one round trip (data-modifying CTEs; SQLite has none).
_GRANT_PG = _sql(
    "WITH forget AS (DELETE FROM prompt_times WHERE :count_prompts AND subject = ANY(CAST(:subjects AS text[])) AND at <= :before), "
    "expire AS (DELETE FROM answer_slots WHERE subject = ANY(CAST(:slot_subjects AS text[])) AND expires_at < :now), "
    "prompts AS (INSERT INTO prompt_times (subject, at) SELECT s, :now FROM unnest(CAST(:subjects AS text[])) AS s "
    "WHERE :count_prompts) "
    "INSERT INTO answer_slots (id, subject, expires_at) "
    "SELECT i, s, :expires FROM unnest(CAST(:ids AS text[]), CAST(:slot_subjects AS text[])) AS t(i, s)")
_FREE = _sql("DELETE FROM answer_slots WHERE id IN :ids", "ids")
_ADD = _sql("INSERT INTO usage_counters (name, period, value) VALUES (:name, :period, :value) "
            "ON CONFLICT (name, period) DO UPDATE SET value = usage_counters.value + excluded.value")
_DAILY = _sql("SELECT period, name, value FROM usage_counters WHERE period >= :since ORDER BY period, name")


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
                conn.execute(_LOCK_PG, {"keys": ["chat-limit:" + s for s in subjects]})
            refusal, tokens_left = self._check(conn, subjects, quotas, now, day)
            if refusal is not None:
                conn.execute(_ADD, [{"name": "hit:" + refusal.limit, "period": day, "value": 1}])
                return refusal
            slot_ids: tuple[str, ...] = ()
            if quotas.concurrent_answers is not None:
                tag = secrets.token_hex(8)
                slot_ids = tuple(f"{tag}/{i}" for i in range(len(subjects)))
            self._grant(conn, subjects, slot_ids, quotas, now)
        return Grant(slot_ids=slot_ids, tokens_left=tokens_left)

    def _grant(self, conn: Connection, subjects: tuple[str, ...], slot_ids: tuple[str, ...], quotas: Quotas, now: float) -> None:
        """Count the prompt (its time, for the per-minute window) and take its slots."""
        count_prompts = quotas.prompts_per_minute is not None
        slot_subjects = list(subjects) if slot_ids else []
        if self._postgres:
            conn.execute(_GRANT_PG, {"count_prompts": count_prompts, "subjects": list(subjects), "before": now - MINUTE,
                                     "now": now, "ids": list(slot_ids), "slot_subjects": slot_subjects,
                                     "expires": now + quotas.slot_lease})
            return
        if count_prompts:
            conn.execute(_FORGET, {"subjects": list(subjects), "before": now - MINUTE})
            conn.execute(_PROMPT, [{"subject": s, "at": now} for s in subjects])
        if slot_ids:
            conn.execute(_EXPIRE, {"subjects": slot_subjects, "now": now})  # leases of replicas that died
            expires = now + quotas.slot_lease
            conn.execute(_SLOT, [{"id": i, "subject": s, "expires_at": expires} for i, s in zip(slot_ids, subjects, strict=True)])

    def _check(self, conn: Connection, subjects: tuple[str, ...], quotas: Quotas, now: float,
               day: str) -> tuple[Refusal | None, int | None]:
        names = ["tokens:" + s for s in subjects] if quotas.tokens_per_day is not None else []
        if quotas.global_tokens_per_day is not None:
            names.append("tokens:" + EVERYONE)
        recent: dict[str, tuple[int, float]] = {}
        used: dict[str, int] = {}
        running: dict[str, int] = {}
        state = conn.execute(_STATE, {"subjects": list(subjects), "since": now - MINUTE, "day": day,
                                      "names": names or ["-"], "now": now})
        for kind, key, count, oldest in state:
            if kind == "p":
                recent[key] = (int(count), float(oldest))
            elif kind == "t":
                used[key] = int(count)
            else:
                running[key] = int(count)
        if quotas.prompts_per_minute is not None:
            for count, oldest in recent.values():
                if count >= quotas.prompts_per_minute:
                    return Refusal("prompts_per_minute", quotas.prompts_per_minute, oldest + MINUTE), None
        tokens_left: int | None = None
        if quotas.global_tokens_per_day is not None:
            left = quotas.global_tokens_per_day - used.get("tokens:" + EVERYONE, 0)
            if left <= 0:
                return Refusal("global_tokens_per_day", quotas.global_tokens_per_day, next_midnight(now)), None
            tokens_left = left
        if quotas.tokens_per_day is not None:
            for s in subjects:
                left = quotas.tokens_per_day - used.get("tokens:" + s, 0)
                if left <= 0:
                    return Refusal("tokens_per_day", quotas.tokens_per_day, next_midnight(now)), None
                tokens_left = left if tokens_left is None else min(tokens_left, left)
        if quotas.concurrent_answers is not None and any(n >= quotas.concurrent_answers for n in running.values()):
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
                conn.execute(_FREE, {"ids": ids})
            conn.execute(_ADD, [{"name": n, "period": p, "value": v} for n, p, v in counts])

    # ------------------------------------------------------------ reading
    def daily(self, since_day: str) -> list[DailyFigure]:
        """Answers, errors, tokens per model, limits hit and everyone's tokens, per day since ``since_day``."""
        with self.store.transaction(ACTION, write=False) as conn:
            rows = conn.execute(_DAILY, {"since": since_day}).all()
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
