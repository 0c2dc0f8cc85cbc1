"""What saving chats costs: the chat page's rerun with a long conversation, and checkpoints.

(a) Rerun time of the chat page showing a 200-message conversation (100 prompts, 100 answers,
    every fifth with a tool panel), loaded from the store by its link: the server-side time
    of one script run (Streamlit's AppTest runs the page in-process), median of N reruns.
    Baseline in the same run: the tutorial-style app (``bench/naive_app.py``'s pattern:
    ``st.markdown`` per message from session state) with the same 200 messages.
    Goal: <= 300 ms.
(b) Checkpoint overhead: tokens/s of one streamed answer (the mock's long answer, ~4,000
    chunks 0.5 ms apart: faster than any real server, so overhead shows) through ChatSession
    with the SQLite store and a checkpoint every second vs. with no store, in ABBA order,
    median of N rounds; also tokens per CPU second of the whole process (all threads, so the
    saver's work counts), which another busy process on the machine does not skew.
    Goal: <= 5% tokens/s lost.

Run from the repository root:

    python bench/saved_chats.py [--reruns 15] [--rounds 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from chatcore.archive import ChatArchive  # noqa: E402
from chatcore.conversation import Conversation  # noqa: E402
from chatcore.events import Chunk, End, ToolCall, ToolResult, Usage  # noqa: E402
from chatcore.mock.options import MockOptions  # noqa: E402
from chatcore.session import ChatSession  # noqa: E402
from chatcore.settings import GenerationSettings, ProviderConfig  # noqa: E402
from chatcore.store import ChatStore  # noqa: E402
from chatcore.turn import Turn  # noqa: E402
from chatcore.visitor import Visitor  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "saved_chats.md"
CHUNK_DELAY = 0.0005  # ~2,000 tokens/s upstream: a few seconds per answer, so several checkpoints
MESSAGES = 200
PARAGRAPH = ("Rivers carry water, sediment and nutrients from the land to the sea; their **shape** "
             "changes with every flood, and `discharge` is measured in cubic metres per second. ")
NAIVE_APP = textwrap.dedent('''
    import streamlit as st
    for message in st.session_state.messages:
        with st.chat_message(message["role"]):
            st.markdown(message["content"])
    st.chat_input("Message")
''')


def answer(n: int) -> Turn:
    turn = Turn(model="mock-gpt")
    turn.apply(Chunk(f"Answer {n}. " + PARAGRAPH * 3 + "\n\n" + PARAGRAPH * 2))
    if n % 5 == 0:
        turn.apply(ToolCall(id=f"call_{n}", name="calculator", arguments='{"expression": "2*21"}', complete=True,
                            parsed={"expression": "2*21"}))
        turn.apply(ToolResult(id=f"call_{n}", name="calculator", result={"result": 42}, duration=0.002))
        turn.apply(Chunk("The result is **42**."))
    turn.apply(Usage(prompt_tokens=100 + n, completion_tokens=120, total_tokens=220 + n))
    turn.apply(End("stop"))
    return turn


def saved_conversation(store: ChatStore) -> str:
    archive = ChatArchive(store, Visitor(user_id=None, browser_key="bench"))
    conversation = Conversation()
    for n in range(MESSAGES // 2):
        entry = conversation.add_user(f"Question {n}: tell me about rivers, part {n}")
        archive.save_prompt(conversation, entry, {"model": "mock-gpt"})
        turn = answer(n)
        conversation.add_turn(turn)
        store.finish(store.start_assistant(conversation.id, f"link:{conversation.id}", turn), turn)
    return conversation.id


def rerun_ms(at: AppTest, reruns: int) -> list[float]:
    times = []
    for _ in range(reruns):
        started = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - started) * 1000)
        assert not at.exception, at.exception
    return times


def bench_rerun(reruns: int, db: Path) -> tuple[list[float], list[float], int]:
    os.environ["CHAT_DB_PATH"] = str(db)
    with ChatStore(f"sqlite:///{db}") as store:
        store.migrate()
        cid = saved_conversation(store)
    ours = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    ours.query_params["c"] = cid
    ours.run()
    shown = len(ours.chat_message)
    assert shown == MESSAGES, f"the page shows {shown} messages, not {MESSAGES}"
    ours_ms = rerun_ms(ours, reruns)

    naive = AppTest.from_string(NAIVE_APP, default_timeout=60)
    session = ours.session_state["chat_session"]
    naive.session_state["messages"] = [
        {"role": "user", "content": e.content} if not isinstance(e, Turn) else {"role": "assistant", "content": e.text}
        for e in session.conversation.entries
    ]
    naive.run()
    assert len(naive.chat_message) == MESSAGES
    return ours_ms, rerun_ms(naive, reruns), shown


def stream_once(session: ChatSession) -> tuple[float, float]:
    """(tokens per wall second, tokens per CPU second of the whole process, all threads)."""
    active = session.send("Write a long answer about rivers", ProviderConfig(), GenerationSettings(),
                          MockOptions(ttft=0, chunk_delay=CHUNK_DELAY))
    started, cpu = time.perf_counter(), time.process_time()
    chunks = sum(1 for event in session.events(active) if event.type == "chunk")
    assert session.wait_saved(10) and session.storage_problem is None  # the final save counts too
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert active.turn.status == "complete"
    return chunks / elapsed, chunks / cpu


def bench_checkpoints(rounds: int, db: Path) -> tuple[list[tuple[float, float]], list[tuple[float, float]], int]:
    with ChatStore(f"sqlite:///{db}") as store:
        store.migrate()
        saved, unsaved, saves = [], [], 0
        stream_once(ChatSession())  # warm up imports and the mock
        for n in range(rounds):  # ABBA order, so drift (CPU boost, another process) hits both alike
            for with_store in ((True, False) if n % 2 == 0 else (False, True)):
                if with_store:
                    session = ChatSession(archive=ChatArchive(store, Visitor(user_id=None, browser_key="bench")))
                    saved.append(stream_once(session))
                    saves += session.last_saver.saves  # type: ignore[union-attr]
                else:
                    unsaved.append(stream_once(ChatSession()))
        return saved, unsaved, saves // rounds


def table(ours_ms, naive_ms, saved, unsaved, saves_per_answer, args) -> str:
    med = statistics.median
    wall_saved, wall_unsaved = med(s[0] for s in saved), med(s[0] for s in unsaved)
    cpu_saved, cpu_unsaved = med(s[1] for s in saved), med(s[1] for s in unsaved)
    lost = (1 - wall_saved / wall_unsaved) * 100
    cpu_lost = (1 - cpu_saved / cpu_unsaved) * 100
    rows = [
        "| metric | ours | baseline | goal |",
        "| --- | --- | --- | --- |",
        f"| chat page rerun, {MESSAGES}-message conversation (median of {args.reruns}) | {med(ours_ms):.0f} ms "
        f"(p90 {sorted(ours_ms)[int(len(ours_ms) * 0.9) - 1]:.0f}) | tutorial app: {med(naive_ms):.0f} ms | ≤ 300 ms |",
        f"| tokens/s of a fast streamed answer, saved with checkpoints every 1 s (median of {args.rounds}) | "
        f"{wall_saved:,.0f} | not saved: {wall_unsaved:,.0f} | |",
        f"| tokens/s lost to saving (wall clock; per CPU second of all threads) | {lost:.1f}%; {cpu_lost:.1f}% "
        f"({saves_per_answer} saves per answer) | | ≤ 5% |",
    ]
    return "\n".join(rows) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reruns", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ours_ms, naive_ms, _ = bench_rerun(args.reruns, Path(tmp) / "rerun.sqlite3")
        print(f"[rerun] ours {statistics.median(ours_ms):.0f} ms, tutorial {statistics.median(naive_ms):.0f} ms",
              file=sys.stderr)
        saved, unsaved, saves = bench_checkpoints(args.rounds, Path(tmp) / "stream.sqlite3")
    report = table(ours_ms, naive_ms, saved, unsaved, saves, args)
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
