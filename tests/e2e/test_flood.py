"""A flood through the real app: one visitor sends 200 prompts within a minute (from four tabs
at once, all behind one address), with a limit of 10 prompts per minute.

Exactly 10 are answered, the mock upstream's request log proves no other prompt reached it,
every refusal tells the visitor the limit and the wait, and a second visitor (another
address) streams every answer meanwhile. Then the same across two replicas on one
PostgreSQL: the counters are in the database, so the limit holds for the sum.

Browser-less: ``bench/ws_session.py`` speaks Streamlit's websocket protocol. The visitors'
addresses come as a reverse proxy reports them (``X-Forwarded-For``, one trusted proxy).
"""

from __future__ import annotations

import asyncio
import statistics
import time

import pytest

from bench.ws_session import ChatSession as WsChat
from chatcore.mock import MockOptions, MockServer

from ..store.pg_server import CannotRun, PostgresServer
from .harness import StreamlitServer, run_async

LIMIT = 10
PROMPTS = 200
TABS = 4
FLOODER = {"X-Forwarded-For": "203.0.113.66"}
NEIGHBOUR = {"X-Forwarded-For": "198.51.100.7"}
REFUSAL = f"Limit reached: {LIMIT} prompts per minute. You can send the next one in"


@pytest.fixture
def upstream():
    with MockServer(options=MockOptions(ttft=0, chunk_delay=0.002), quiet=True) as server:
        yield server


def app_env(upstream: MockServer, **extra: str) -> dict[str, str]:
    return {
        "OPENAI_BASE_URL": upstream.url, "OPENAI_API_KEY": "sk-flood-test", "OPENAI_MODEL": "mock-gpt",
        "CHAT_LIMIT_PROMPTS_PER_MINUTE": str(LIMIT), "CHAT_LIMIT_TRUSTED_PROXIES": "1", **extra,
    }


def flood_prompts(upstream: MockServer) -> list[str]:
    """The flood's prompts that reached the upstream (one request each: they call no tool)."""
    seen = []
    for r in upstream.requests:
        if r.path.endswith("/chat/completions") and r.body:
            last = [m for m in r.body["messages"] if m["role"] == "user"][-1]["content"]
            if last.startswith("flood "):
                seen.append(last)
    return seen


async def flood(ports: list[int], neighbour_port: int) -> dict:
    tabs = [await WsChat(ports[i % len(ports)], headers=FLOODER).open() for i in range(TABS)]
    neighbour = await WsChat(neighbour_port, headers=NEIGHBOUR).open()
    alone = await neighbour.ask("Explain how photosynthesis works")  # before the flood: the lone speed
    answered, refused, other = [], [], []
    started = time.monotonic()

    async def tab(n: int) -> None:
        for i in range(n, PROMPTS, TABS):
            trace = await tabs[n].ask(f"flood {i}: explain how photosynthesis works")
            (refused if any(a.startswith(REFUSAL) for a in trace.alerts) else answered).append(trace)

    async def neighbour_chats() -> None:
        for _ in range(3):
            other.append(await neighbour.ask("Explain how photosynthesis works"))

    await asyncio.gather(*(tab(n) for n in range(TABS)), neighbour_chats())
    took = time.monotonic() - started
    for chat in (*tabs, neighbour):
        await chat.close()
    return {"answered": answered, "refused": refused, "took": took, "alone": alone, "other": other}


def check(result: dict, upstream: MockServer) -> None:
    assert result["took"] < 60, f"the flood took {result['took']:.0f} s: longer than the limit's window"
    answered, refused = result["answered"], result["refused"]
    assert len(answered) + len(refused) == PROMPTS
    assert len(answered) == LIMIT, f"{len(answered)} prompts answered, the limit is {LIMIT}"
    assert all(t.final_text.strip() and not t.alerts for t in answered)
    reached = flood_prompts(upstream)
    assert len(reached) == LIMIT and len(set(reached)) == LIMIT  # nothing past the limit reached the upstream
    # The neighbour was never refused and streamed whole answers at about the usual pace.
    alone, other = result["alone"], result["other"]
    assert all(not t.alerts and t.final_text == alone.final_text for t in other)
    lone = alone.done - alone.sent
    during = statistics.median(t.done - t.sent for t in other)
    print(f"flood: {PROMPTS} prompts in {result['took']:.1f} s, {len(answered)} answered; "
          f"the neighbour's answer took {during:.2f} s during it, {lone:.2f} s alone")
    assert during <= max(5 * lone, 3.0), "the neighbour's answers were held up by the flood"


def test_one_visitor_floods_one_replica_and_the_limit_holds_exactly(upstream, tmp_path):
    env = app_env(upstream, CHAT_DB_PATH=str(tmp_path / "chat.sqlite3"))
    with StreamlitServer("app.py", env=env) as app:
        result = run_async(flood([app.port], app.port))
        check(result, upstream)


def test_the_same_flood_across_two_replicas_on_one_postgresql(upstream):
    try:
        pg = PostgresServer.start()
    except CannotRun as exc:
        pytest.skip(str(exc))
    try:
        env = app_env(upstream, DATABASE_URL=pg.url())
        with StreamlitServer("app.py", env=env) as a, StreamlitServer("app.py", env=env) as b:
            result = run_async(flood([a.port, b.port], b.port))
            check(result, upstream)
    finally:
        pg.stop()
