"""What the limits cost per prompt: ``Guard.admit`` (the check before the request) and
``Guard.settle`` (counting the answer), on SQLite (a file, WAL) and on PostgreSQL (a
throwaway local server from Debian's binaries, or ``CHAT_TEST_POSTGRES_URL``).

Every counted limit is on (prompts per minute, tokens per day, the global budget, answers at
once) and the visitor is anonymous, so each prompt is checked and counted under two subjects
(browser session and address): the most work one check does. Many visitors (each prompt a new
session, 50 addresses), so the tables hold realistic numbers of rows. Wall time per call,
median and p90 of N. Goal: admit <= 2 ms.

    python bench/limits.py [--prompts 2000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from chatcore.events import Chunk, End, Usage  # noqa: E402
from chatcore.limits import Guard, LimitCounters, Limits, requester_for  # noqa: E402
from chatcore.store import ChatStore  # noqa: E402
from chatcore.turn import Turn  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "limits.md"
LIMITS = Limits(prompts_per_minute=1_000_000, tokens_per_day=10**12, global_tokens_per_day=10**15,
                concurrent_answers=1_000_000, max_answer_tokens=1024)


def answered() -> Turn:
    turn = Turn(model="mock-gpt")
    for event in (Chunk("hi"), Usage(20, 30, 50), End("stop")):
        turn.apply(event)
    return turn


def measure(url: str, prompts: int) -> dict[str, list[float]]:
    store = ChatStore(url)
    store.migrate()
    counters = LimitCounters(store)
    admit, settle, floor = [], [], []
    turn = answered()
    try:
        for _ in range(prompts):  # the floor: one write transaction doing nothing, through the same pool
            t0 = time.perf_counter()
            with store.transaction("bench", write=True) as conn:
                conn.execute(text("SELECT 1"))
            floor.append((time.perf_counter() - t0) * 1000)
        for i in range(prompts):
            guard = Guard(LIMITS, counters, requester_for(None, f"session-{i}", f"203.0.113.{i % 50}"))
            t0 = time.perf_counter()
            admission = guard.admit(model="mock-gpt", messages=2, max_tokens=None)
            t1 = time.perf_counter()
            guard.settle(admission, turn)
            t2 = time.perf_counter()
            admit.append((t1 - t0) * 1000)
            settle.append((t2 - t1) * 1000)
    finally:
        store.close()
    return {"admit": admit, "settle": settle, "floor": floor}


CALLS = {"admit": "`Guard.admit` (check + count a prompt)", "settle": "`Guard.settle` (count an answer, free its slot)",
         "floor": "baseline: an empty write transaction (`SELECT 1`)"}


def row(backend: str, kind: str, ms: list[float]) -> str:
    ms = ms[len(ms) // 10:]  # the first tenth warms the pool and the caches
    p90 = statistics.quantiles(ms, n=10)[-1]
    goal = "<= 2 ms" if kind == "admit" else "—"
    return f"| {backend} | {CALLS[kind]} | {statistics.median(ms):.2f} ms | {p90:.2f} ms | {goal} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prompts", type=int, default=2000)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = measure(f"sqlite:///{tmp}/chat.sqlite3", args.prompts)
    rows += [row("SQLite (file, WAL)", k, sqlite[k]) for k in ("admit", "settle", "floor")]
    import os

    from tests.store.pg_server import CannotRun, PostgresServer

    external = os.environ.get("CHAT_TEST_POSTGRES_URL")
    server = None
    try:
        if external:
            url = external
        else:
            server = PostgresServer.start()
            url = server.url()
        pg = measure(url, args.prompts)
        rows += [row("PostgreSQL (local, loopback)", k, pg[k]) for k in ("admit", "settle", "floor")]
    except CannotRun as exc:
        rows.append(f"| PostgreSQL | skipped: {exc} | | | |")
    finally:
        if server is not None:
            server.stop()
    report = "\n".join([
        f"# Limits: cost per prompt ({time.strftime('%Y-%m-%d')}, {args.prompts} prompts, anonymous visitor: 2 subjects, "
        "every counted limit on)",
        "",
        "| database | call | median | p90 | goal |",
        "|---|---|---|---|---|",
        *rows,
        "",
    ])
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report)


if __name__ == "__main__":
    main()
