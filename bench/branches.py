"""What versions cost: a 200-message conversation with 50 branch points vs a flat one.

Both shown paths hold the same 200 messages (100 prompts, 100 answers, every fifth answer
with a tool panel). The branched one also keeps 50 earlier versions: 25 answers regenerated
(an older sibling answer) and 25 prompts edited (an older sibling prompt with its own
answer), so its tree has 275 messages and the chat page draws 50 ``‹ n / m ›`` switchers.

(a) Chat page rerun: the server-side time of one script run of the chat page showing the
    conversation (Streamlit's AppTest runs it in-process), opened by its link; flat and
    branched alternate (ABBA), median of N reruns each.
(b) Load: ``ChatStore.load`` (SQLite file) of each, plus building the switchers' figures
    (``Conversation.versions()``), median of N.

Goal: branched <= 1.2 x flat. Run from the repository root:

    python bench/branches.py [--reruns 15] [--loads 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from bench.saved_chats import answer  # noqa: E402  (the same answers as the saved-chats benchmark)
from chatcore.conversation import new_conversation_id  # noqa: E402
from chatcore.store import ChatStore  # noqa: E402
from chatcore.store.tree import ROOT as FIRST  # noqa: E402
from chatcore.turn import Turn  # noqa: E402
from chatcore.visitor import link_owner  # noqa: E402

PAIRS = 100  # 200 messages shown


def save_answer(store: ChatStore, cid: str, owner: str, turn: Turn, parent: int) -> int:
    message_id = store.start_assistant(cid, owner, turn, parent_id=parent)
    store.finish(message_id, turn)
    return message_id


def saved(store: ChatStore, *, branched: bool) -> str:
    """A conversation as the app saves it; ``branched``: every odd pair has an earlier version."""
    cid = new_conversation_id()
    owner = link_owner(cid)  # anyone holding the link reads it (the page opens it by ?c=)
    store.create_conversation(owner, conversation_id=cid, creator="bench")
    last = FIRST
    for n in range(PAIRS):
        prompt = f"Question {n}: tell me about rivers, part {n}"
        if branched and n % 4 == 1:  # Edit: an older prompt with its own answer, then the edited one
            old = store.add_user_message(cid, owner, prompt + " (first wording)", parent_id=last)
            save_answer(store, cid, owner, answer(n), old)
        asked = store.add_user_message(cid, owner, prompt, parent_id=last)
        if branched and n % 4 == 3:  # Regenerate: an older answer next to the one shown
            save_answer(store, cid, owner, answer(n + 1000), asked)
        last = save_answer(store, cid, owner, answer(n), asked)
    return cid


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def bench_loads(store: ChatStore, flat: str, branched: str, loads: int) -> tuple[list[float], list[float]]:
    times: dict[str, list[float]] = {flat: [], branched: []}
    for n in range(loads):
        for cid in ((flat, branched) if n % 2 == 0 else (branched, flat)):
            started = time.perf_counter()
            conversation = store.load(cid, link_owner(cid))
            assert conversation is not None and len(conversation.entries) == 2 * PAIRS
            conversation.versions()
            times[cid].append(time.perf_counter() - started)
    return times[flat], times[branched]


def page(cid: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["c"] = cid
    at.run()
    assert not at.exception, at.exception
    assert len(at.chat_message) == 2 * PAIRS, f"the page shows {len(at.chat_message)} messages"
    return at


def bench_reruns(flat: str, branched: str, reruns: int) -> tuple[list[float], list[float], int]:
    pages = {flat: page(flat), branched: page(branched)}
    switchers = sum(1 for c in pages[branched].caption if c.value.endswith(" / 2"))
    assert switchers == 50, f"{switchers} version captions, not one per branch point"
    times: dict[str, list[float]] = {flat: [], branched: []}
    for n in range(reruns):
        for cid in ((flat, branched) if n % 2 == 0 else (branched, flat)):
            started = time.perf_counter()
            pages[cid].run()
            times[cid].append(time.perf_counter() - started)
            assert not pages[cid].exception
    return times[flat], times[branched], switchers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reruns", type=int, default=15)
    parser.add_argument("--loads", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "chat.sqlite3"
        os.environ["CHAT_DB_PATH"] = str(db)
        for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "DATABASE_URL", "APP_PASSWORD"):
            os.environ.pop(name, None)
        with ChatStore(f"sqlite:///{db}") as store:
            store.migrate()
            flat, branched = saved(store, branched=False), saved(store, branched=True)
            load_flat, load_branched = bench_loads(store, flat, branched, args.loads)
        rerun_flat, rerun_branched, switchers = bench_reruns(flat, branched, args.reruns)
    print(f"branches: 200 messages shown; branched tree 275 messages, 50 branch points ({switchers} switchers drawn)")
    print(f"cpu count {os.cpu_count()}, python {sys.version.split()[0]}, medians")
    rows = [("chat page rerun (AppTest)", rerun_flat, rerun_branched, args.reruns),
            ("store load + versions()", load_flat, load_branched, args.loads)]
    print(f"{'what':28} {'flat ms':>9} {'branched ms':>12} {'ratio':>6}  n")
    for what, a, b, n in rows:
        print(f"{what:28} {median_ms(a):9.1f} {median_ms(b):12.1f} {median_ms(b) / median_ms(a):6.2f}  {n}")
    ratio = median_ms(rerun_branched) / median_ms(rerun_flat)
    print(f"goal: branched rerun <= 1.2 x flat -> {'met' if ratio <= 1.2 else 'NOT met'} ({ratio:.2f} x)")


if __name__ == "__main__":
    main()
