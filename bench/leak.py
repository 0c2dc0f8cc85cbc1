"""Memory: growth over 1,000 answers in one process, and what one idle visitor costs.

1,000 answers run as the dashboard runs them: visitors come and go (a ``ChatSession`` each,
a few prompts, then the tab is closed), every answer runs detached on the process's
``TurnHub`` and is saved to a SQLite store as it streams, the upstream is the built-in mock
(in-process, no pauses). Every 100 answers: ``gc.collect()``, then Python's heap
(tracemalloc), the process's RSS, live threads and the hub's sizes.

Side by side in the same run: the same 1,000 answers with every answer kept for replay by
``turn_id`` (what the hub did for every answer before: up to 500 ended answers, each with
its whole event log, for 10 minutes), against the new default (kept only when asked, as
the HTTP API does).

Then the idle visitor: sessions holding a conversation of ``--idle-turns`` answers, no
stream running; their cost is the memory they add, per visitor.
Also one idle visitor with a long chat (``--long-chat`` answers) on the mock, side by side
with the mock remembering 1,000 requests per visitor (each with its whole history), as
before. Goals: no growth after the first 100 answers; idle visitor <= 5 MB.
Run: python bench/leak.py [--turns 1000] [--idle-visitors 20] [--idle-turns 10] [--no-store]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import tracemalloc
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chatcore.archive import ChatArchive  # noqa: E402
from chatcore.live_turn import TurnHub  # noqa: E402
from chatcore.mock.options import MockOptions  # noqa: E402
from chatcore.providers import factory  # noqa: E402
from chatcore.session import ChatSession  # noqa: E402
from chatcore.settings import GenerationSettings, ProviderConfig  # noqa: E402
from chatcore.store import ChatStore, StoreOpener  # noqa: E402
from chatcore.tools import default_registry  # noqa: E402
from chatcore.visitor import Visitor  # noqa: E402

MOCK = ProviderConfig()  # the built-in mock
REAL = ProviderConfig(kind="openai", base_url="https://api.example.invalid/v1", api_key="sk-bench", model="m")
FAST = MockOptions(ttft=0, chunk_delay=0)
GEN = GenerationSettings()
PROMPTS = ["Explain how photosynthesis works", "Write a long answer about rivers", "What is 17 * 23? Use the calculator",
           "Show me a markdown table of planets", "Tell me about the history of tea"]
TURNS_PER_VISITOR = 5
WARM_UP_VISITORS = 5
IDLE_GOAL_MB = 5.0
GROWTH_GOAL_KB = 1024  # "none": under 1 MB per 100 answers, the noise of allocator and caches


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Sample:
    turns: int
    heap_mb: float
    rss_mb: float
    threads: int
    running: int
    kept_ended: int


class Visitors:
    """Visitors one after another, each a session with a few prompts (as tabs come and go)."""

    def __init__(self, hub: TurnHub, store: ChatStore | None, replayable: bool) -> None:
        self.hub, self.store, self.replayable = hub, store, replayable
        self.registry = default_registry()  # the process's (services.tool_registry)
        self.count = 0

    def visitor(self) -> ChatSession:
        self.count += 1
        archive = None
        if self.store is not None:
            archive = ChatArchive(self.store, Visitor(None, f"bench-browser-{self.count}"))
        return ChatSession(registry=self.registry, archive=archive, hub=self.hub)

    def answer(self, session: ChatSession, prompt: str) -> None:
        live = session.send(prompt, MOCK, GEN, FAST, keep_for_replay=self.replayable)
        for _ in live.follow():  # a page follows it to its end
            pass
        assert live.wait(30) and live.turn.status == "complete", live.turn.status
        assert session.wait_saved(10)


def run_turns(label: str, turns: int, store: ChatStore | None, replayable: bool) -> list[Sample]:
    hub = TurnHub()
    visitors = Visitors(hub, store, replayable)
    samples: list[Sample] = []
    session = visitors.visitor()
    for n in range(1, turns + 1):
        visitors.answer(session, PROMPTS[n % len(PROMPTS)])
        if n % TURNS_PER_VISITOR == 0:
            session = visitors.visitor()  # the tab is closed; a new visitor arrives
        if n % 100 == 0:
            gc.collect()
            heap = tracemalloc.get_traced_memory()[0] / 2**20
            samples.append(Sample(n, heap, rss_mb(), threading.active_count(), len(hub), len(hub._ended)))
            sys.stderr.write(f"  {label}: {n:5d} answers  heap {heap:7.1f} MB  RSS {samples[-1].rss_mb:7.1f} MB  "
                             f"threads {samples[-1].threads}  kept ended {samples[-1].kept_ended}\n")
    return samples


def growth_kb_per_100(samples: list[Sample], attr: str) -> float:
    """Least-squares slope after the first 100 answers (the warm-up: imports, caches, pools)."""
    points = [(s.turns, getattr(s, attr)) for s in samples[1:]]
    if len(points) < 2:
        return 0.0
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    slope = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x in xs)
    return slope * 100 * 1024


def idle_visitor_mb(visitors: int, turns: int, store: ChatStore | None) -> tuple[float, float, int]:
    hub = TurnHub()
    maker = Visitors(hub, store, replayable=False)

    def visitor() -> ChatSession:
        session = maker.visitor()
        for i in range(turns):
            maker.answer(session, PROMPTS[i % len(PROMPTS)])
        session.provider(REAL)  # and a provider for a real server kept, as after chatting with one
        return session

    kept = [visitor() for _ in range(WARM_UP_VISITORS)]  # not counted: pools, caches, allocator arenas
    gc.collect()
    heap0, rss0 = tracemalloc.get_traced_memory()[0], rss_mb()
    chars = 0
    for _ in range(visitors):
        session = visitor()
        chars += sum(len(t.text) for t in session.finished_turns)
        kept.append(session)  # idle: the conversation stays on screen, nothing streams
    gc.collect()
    heap = (tracemalloc.get_traced_memory()[0] - heap0) / 2**20 / visitors
    rss = (rss_mb() - rss0) / visitors
    return heap, rss, chars // visitors


def long_chat_mb(answers: int, log_size: int) -> tuple[float, int, int]:
    """One idle visitor with a long chat on the mock; ``log_size``: the mock's request log."""
    factory._MOCK_LOG_SIZE = log_size  # the one knob between before and now (bench only)
    maker = Visitors(TurnHub(), None, replayable=False)
    gc.collect()
    heap0 = tracemalloc.get_traced_memory()[0]
    session = maker.visitor()
    for i in range(answers):
        maker.answer(session, PROMPTS[i % len(PROMPTS)])
    gc.collect()
    heap = (tracemalloc.get_traced_memory()[0] - heap0) / 2**20
    return heap, len(session.conversation.entries), sum(len(t.text) for t in session.finished_turns)


PHASES = {"before": ("every answer kept for replay (before)", True), "now": ("kept only when asked (now)", False)}


def phase(args: argparse.Namespace) -> None:
    """One measurement in this (fresh) process; prints one JSON line."""
    factory_log_size = factory._MOCK_LOG_SIZE
    tracemalloc.start()
    with tempfile.TemporaryDirectory(prefix="leak-bench-") as tmp:
        store = None if args.no_store else StoreOpener(f"sqlite:///{tmp}/chat.db").get()
        if args.phase == "idle":
            heap, rss, chars = idle_visitor_mb(args.idle_visitors, args.idle_turns, store)
            long_before = long_chat_mb(args.long_chat, 1000)
            long_now = long_chat_mb(args.long_chat, factory_log_size)
            print(json.dumps({"heap": heap, "rss": rss, "chars": chars, "long_before": long_before, "long_now": long_now}))
            return
        label, replayable = PHASES[args.phase]
        samples = run_turns(label.split(" (")[0], args.turns, store, replayable)
        print(json.dumps([asdict(x) for x in samples]))


def in_child(args: argparse.Namespace, name: str) -> Any:
    command = [sys.executable, __file__, "--phase", name, "--turns", str(args.turns), "--idle-visitors", str(args.idle_visitors),
               "--idle-turns", str(args.idle_turns), "--long-chat", str(args.long_chat)]
    if args.no_store:
        command.append("--no-store")
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    sys.stderr.write(done.stderr)
    if done.returncode != 0:
        raise SystemExit(f"phase {name} failed")
    lines = done.stdout.strip().splitlines()
    for line in lines[:-1]:
        print(line)
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=1000)
    parser.add_argument("--idle-visitors", type=int, default=20)
    parser.add_argument("--idle-turns", type=int, default=10)
    parser.add_argument("--no-store", action="store_true", help="sessions without a store (in memory only)")
    parser.add_argument("--long-chat", type=int, default=100, help="answers in the long idle chat")
    parser.add_argument("--phase", choices=["before", "now", "idle"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        phase(args)
        return
    results: dict[str, list[Sample]] = {}
    for name, (label, _) in PHASES.items():  # each in a fresh process: RSS is not shared between them
        print(f"{label}:", flush=True)
        results[label] = [Sample(**x) for x in in_child(args, name)]
    idle = in_child(args, "idle")
    print(f"\n## {args.turns:,} answers in one process ({TURNS_PER_VISITOR} per visitor, "
          f"{'no store' if args.no_store else 'SQLite store'}, mock upstream, tracemalloc on)\n")
    print("| hub keeps | heap after 100 | heap at the end | heap growth / 100 answers after the first 100 | "
          "RSS after 100 | RSS at the end | RSS growth / 100 | threads at the end |")
    print("|---|---|---|---|---|---|---|---|")
    for label, samples in results.items():
        first, last = samples[0], samples[-1]
        print(f"| {label} | {first.heap_mb:.1f} MB | {last.heap_mb:.1f} MB | {growth_kb_per_100(samples, 'heap_mb'):.0f} KB | "
              f"{first.rss_mb:.1f} MB | {last.rss_mb:.1f} MB | {growth_kb_per_100(samples, 'rss_mb'):.0f} KB | {last.threads} |")
    now = results[PHASES["now"][0]]
    growth = growth_kb_per_100(now, "heap_mb")
    heap, rss = idle["heap"], idle["rss"]
    print(f"\nidle visitor ({args.idle_turns} answers of ~{idle['chars'] // max(1, args.idle_turns):,} characters on screen "
          f"and a provider for a real server; {args.idle_visitors} visitors): heap {heap:.2f} MB, RSS {rss:.2f} MB each")
    for label, key in (("mock remembering 1,000 requests (before)", "long_before"), ("remembering 4 (now)", "long_now")):
        mb, messages, chars = idle[key]
        print(f"idle visitor with a long chat on the mock ({messages} messages, {chars:,} characters), {label}: heap {mb:.2f} MB")
    heap = max(heap, idle["long_now"][0])
    print(f"goals: heap growth < {GROWTH_GOAL_KB} KB / 100 answers -> {'met' if growth < GROWTH_GOAL_KB else 'NOT met'} "
          f"({growth:.0f} KB); idle visitor <= {IDLE_GOAL_MB:g} MB -> {'met' if max(heap, rss) <= IDLE_GOAL_MB else 'NOT met'} "
          f"({max(heap, rss):.2f} MB)")


if __name__ == "__main__":
    main()
