"""Limits for a public demo, counted in the shared store (SQLite and PostgreSQL).

Each limit: the visitor over it is told which limit and when it resets (an injected clock
moves time), the next prompt after the reset goes through, and others are unaffected.
Two ``ChatStore`` objects on one database stand for two replicas.
"""

from __future__ import annotations

import threading

import pytest

from chatcore.events import Chunk, End, Usage
from chatcore.limits import Guard, LimitCounters, LimitExceeded, Limits, requester_for
from chatcore.limits.counters import next_midnight
from chatcore.turn import Turn

from .turns import feed

ALICE = requester_for("alice@example.com", "tab-a", None)
BOB = requester_for("bob@example.com", "tab-b", None)


def guard_for(store, clock, requester=ALICE, **limits) -> Guard:
    return Guard(Limits(**limits), LimitCounters(store), requester, clock=clock)


def answered(tokens: int, status: str = "stop") -> Turn:
    return feed(Turn(model="m"), [Chunk("hi"), Usage(tokens // 2, tokens - tokens // 2, tokens), End(status)])


def refused(guard: Guard, **request) -> LimitExceeded:
    with pytest.raises(LimitExceeded) as caught:
        guard.admit(model=request.get("model", "m"), messages=request.get("messages", 2), max_tokens=request.get("max_tokens"))
    return caught.value


def test_prompts_per_minute_names_the_limit_and_the_wait_then_resets(store, clock):
    guard = guard_for(store, clock, prompts_per_minute=3)
    for _ in range(3):
        guard.admit(model="m", messages=2, max_tokens=None)
        clock.advance(10)
    exc = refused(guard)
    assert exc.limit == "prompts_per_minute"
    assert exc.message == "Limit reached: 3 prompts per minute. You can send the next one in 30 s."
    assert exc.resets_at == pytest.approx(clock.now + 30)
    guard_for(store, clock, BOB, prompts_per_minute=3).admit(model="m", messages=2, max_tokens=None)  # others unaffected
    clock.advance(30.5)  # the first prompt left the sliding window: exactly one more place
    guard.admit(model="m", messages=2, max_tokens=None)
    assert refused(guard).limit == "prompts_per_minute"


def test_tokens_per_day_counts_answers_and_resets_at_midnight_utc(store, clock):
    guard = guard_for(store, clock, tokens_per_day=100)
    first = guard.admit(model="m", messages=2, max_tokens=None)
    assert first.max_tokens == 100  # an answer can never spend more than what is left
    guard.settle(first, answered(60))
    second = guard.admit(model="m", messages=2, max_tokens=500)
    assert second.max_tokens == 40
    guard.settle(second, answered(45))
    exc = refused(guard)
    midnight = next_midnight(clock.now)
    hours, minutes = divmod(round((midnight - clock.now) / 60), 60)
    assert exc.limit == "tokens_per_day" and exc.resets_at == midnight
    assert exc.message == f"Limit reached: 100 tokens per day for each visitor. It resets at 00:00 UTC, in {hours} h {minutes} min."
    guard_for(store, clock, BOB, tokens_per_day=100).admit(model="m", messages=2, max_tokens=None)
    clock.now = midnight + 1
    assert guard.admit(model="m", messages=2, max_tokens=None).max_tokens == 100


def test_the_global_budget_stops_everyone_and_says_so(store, clock):
    alice = guard_for(store, clock, global_tokens_per_day=50)
    bob = guard_for(store, clock, BOB, global_tokens_per_day=50)
    alice.settle(alice.admit(model="m", messages=2, max_tokens=None), answered(30))
    assert bob.admit(model="m", messages=2, max_tokens=None).max_tokens == 20
    alice.settle(alice.admit(model="m", messages=2, max_tokens=None), answered(20))
    exc = refused(bob)
    assert exc.limit == "global_tokens_per_day" and "everyone together" in exc.message and exc.resets_at == next_midnight(clock.now)


def test_max_answer_tokens_caps_what_is_sent_upstream(store, clock):
    guard = guard_for(store, clock, max_answer_tokens=256)
    assert guard.admit(model="m", messages=2, max_tokens=None).max_tokens == 256
    assert guard.admit(model="m", messages=2, max_tokens=100).max_tokens == 100
    assert guard.admit(model="m", messages=2, max_tokens=4000).max_tokens == 256


def test_conversation_length_and_model_allow_list(store, clock):
    guard = guard_for(store, clock, max_messages=6, models=("mock-gpt", "gpt-4o-mini"))
    guard.admit(model="mock-gpt", messages=6, max_tokens=None)
    exc = refused(guard, model="mock-gpt", messages=8)
    assert exc.limit == "max_messages" and exc.message == "Limit reached: 6 messages per conversation. Start a new chat to go on."
    exc = refused(guard, model="o1-pro")
    assert exc.limit == "models" and exc.message == "The model 'o1-pro' is not available here. Pick one of: mock-gpt, gpt-4o-mini."


def test_concurrent_answers_free_when_the_answer_ends_or_its_lease_runs_out(store, clock):
    guard = guard_for(store, clock, concurrent_answers=1)
    running = guard.admit(model="m", messages=2, max_tokens=None)
    exc = refused(guard)
    assert exc.limit == "concurrent_answers" and exc.resets_at is None
    assert exc.message == "Limit reached: 1 answer at a time. Send again when the running one has finished (or stop it)."
    guard_for(store, clock, BOB, concurrent_answers=1).admit(model="m", messages=2, max_tokens=None)
    guard.settle(running, answered(10))
    guard.settle(running, answered(10))  # counted once, whoever sees it end first
    guard.admit(model="m", messages=2, max_tokens=None)  # the slot is free again
    assert refused(guard).limit == "concurrent_answers"
    clock.advance(301)  # the replica holding that slot died: its lease runs out
    guard.admit(model="m", messages=2, max_tokens=None)


def test_an_anonymous_visitor_counts_by_session_and_by_address(store, clock):
    tab1 = guard_for(store, clock, requester_for(None, "tab-1", "203.0.113.7"), prompts_per_minute=2)
    tab2 = guard_for(store, clock, requester_for(None, "tab-2", "203.0.113.7"), prompts_per_minute=2)
    elsewhere = guard_for(store, clock, requester_for(None, "tab-3", "198.51.100.1"), prompts_per_minute=2)
    tab1.admit(model="m", messages=2, max_tokens=None)
    tab2.admit(model="m", messages=2, max_tokens=None)
    assert refused(tab1).limit == "prompts_per_minute"  # a new tab from the same address is no way round it
    elsewhere.admit(model="m", messages=2, max_tokens=None)


def test_refusals_and_answers_are_counted_for_the_usage_page(store, clock):
    guard = guard_for(store, clock, prompts_per_minute=1)
    guard.settle(guard.admit(model="gpt-x", messages=2, max_tokens=None), answered(12))
    refused(guard)
    refused(guard)
    figures = {(f.kind, f.label): f.value for f in LimitCounters(store).daily("2000-01-01")}
    assert figures == {("answers", "gpt-x"): 1, ("tokens", "gpt-x"): 12, ("everyone", ""): 12, ("hit", "prompts_per_minute"): 2}


def test_two_replicas_racing_for_the_last_places_never_both_get_one(make_store, clock):
    stores = [make_store(clock=clock), make_store(clock=clock)]  # two processes, one database
    granted: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def visitor(n: int) -> None:
        guard = guard_for(stores[n % 2], clock, ALICE, prompts_per_minute=5, concurrent_answers=3)
        barrier.wait()
        for _ in range(5):
            try:
                guard.admit(model="m", messages=2, max_tokens=None)
                granted.append(n)
            except LimitExceeded:
                pass
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

    threads = [threading.Thread(target=visitor, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors[:3]
    assert len(granted) == 3  # the concurrency limit (3) is the tighter one: exactly that many, never more


def test_limits_read_from_secrets_then_env_and_bad_values_are_refused():
    from chatcore.limits import LimitsConfigError

    limits = Limits.from_sources({"CHAT_LIMIT_PROMPTS_PER_MINUTE": 5, "CHAT_LIMIT_MODELS": ["a", "b"]},
                                 {"CHAT_LIMIT_PROMPTS_PER_MINUTE": "99", "CHAT_LIMIT_TOKENS_PER_DAY": "10_000",
                                  "CHAT_LIMIT_TRUSTED_PROXIES": "1"})
    assert limits == Limits(prompts_per_minute=5, tokens_per_day=10_000, models=("a", "b"), trusted_proxies=1)
    assert Limits.from_sources({}, {}) == Limits() and not Limits().any
    with pytest.raises(LimitsConfigError, match="CHAT_LIMIT_MAX_MESSAGES must be a whole number"):
        Limits.from_sources({}, {"CHAT_LIMIT_MAX_MESSAGES": "ten"})
    with pytest.raises(LimitsConfigError, match="at least 1"):
        Limits.from_sources({}, {"CHAT_LIMIT_CONCURRENT_ANSWERS": "0"})


def test_client_address_believes_only_the_trusted_proxies_entry():
    from chatcore.limits import client_address

    assert client_address("10.0.0.5", "6.6.6.6", 0) == "10.0.0.5"  # no trusted proxy: a forged header is ignored
    assert client_address("127.0.0.1", "6.6.6.6, 203.0.113.7", 1) == "203.0.113.7"  # the client wrote the left one
    assert client_address("127.0.0.1", "203.0.113.7, 10.1.1.1", 2) == "203.0.113.7"
    assert client_address("127.0.0.1", "not-an-ip", 1) == "127.0.0.1"
    assert client_address("127.0.0.1", None, 1) == "127.0.0.1"
