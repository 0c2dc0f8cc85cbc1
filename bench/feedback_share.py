"""What feedback and share links cost (issue 14).

1. A chat page rerun (AppTest, in process) of a saved 50-answer conversation, with the thumbs
   and comment row under every answer, against the same rerun with that row left out
   (``ui.transcript.render_feedback`` replaced by a no-op in this process). Medians of N reruns.
2. Opening a share link of a 200-message conversation (read the snapshot, rebuild the turns).
3. The Metrics page's query and JSONL for 1,000 rated answers.

    python bench/feedback_share.py [--reruns 15]

SQLite file in a temp dir; figures vary with the machine's load: compare the rows of one run.
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

from chatcore.archive import ChatArchive  # noqa: E402
from chatcore.conversation import Conversation  # noqa: E402
from chatcore.events import Chunk, End, Usage  # noqa: E402
from chatcore.feedback import AnswerFeedback, to_jsonl  # noqa: E402
from chatcore.share import ShareLinks  # noqa: E402
from chatcore.store import ChatStore  # noqa: E402
from chatcore.turn import Turn  # noqa: E402
from chatcore.visitor import Visitor  # noqa: E402


def answer(i: int) -> Turn:
    turn = Turn(model="mock-gpt")
    for piece in (f"Answer {i}: ", "some **Markdown** text, " * 20, "and the end."):
        turn.apply(Chunk(piece))
    turn.apply(Usage(100, 50, 150))
    turn.apply(End("stop"))
    return turn


def seeded(store: ChatStore, answers: int, key: str) -> tuple[ChatArchive, Conversation]:
    archive = ChatArchive(store, Visitor(user_id=None, browser_key=key))
    conversation = Conversation()
    for i in range(answers):
        entry = conversation.add_user(f"Question {i}?")
        archive.save_prompt(conversation, entry, {"model": "mock-gpt", "preset": "Terse"})
        conversation.add_turn(answer(i))
        archive.save_answer(conversation, conversation.entries[-1])  # type: ignore[arg-type]
    return archive, conversation


def median_ms(fn, n: int) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def rerun_ms(cid: str, reruns: int) -> tuple[float, float]:
    """Median rerun times (without, with the feedback row), measured in alternation."""
    from streamlit.testing.v1 import AppTest

    import ui.transcript
    from ui.feedback import render_feedback

    def toggle(on: bool) -> None:
        ui.transcript.render_feedback = render_feedback if on else (lambda *a, **k: None)  # type: ignore[assignment]

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["c"] = cid
    at.run()
    assert len(at.chat_message) == 100 and len(at.feedback) == 50, "the chat did not render"
    times: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(reruns):
        for on in (False, True):
            toggle(on)
            t0 = time.perf_counter()
            at.run()
            times[on].append((time.perf_counter() - t0) * 1000)
            assert len(at.feedback) == (50 if on else 0)
    toggle(True)
    return statistics.median(times[False]), statistics.median(times[True])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reruns", type=int, default=15)
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    os.environ["CHAT_DB_PATH"] = f"{folder}/chat.sqlite3"
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "DATABASE_URL", "APP_PASSWORD"):
        os.environ.pop(name, None)
    store = ChatStore(f"sqlite:///{folder}/chat.sqlite3")
    store.migrate()
    archive, conversation = seeded(store, 50, "bench-chat")
    off, on = rerun_ms(conversation.id, args.reruns)
    big_archive, big = seeded(store, 100, "bench-share")
    token, _ = ShareLinks(store).create(big_archive, big)  # type: ignore[misc]
    opened = median_ms(lambda: ShareLinks(store).open(token), 20)
    book = AnswerFeedback(big_archive)
    for turn in big.turns:
        book.rate(big, turn, "up", "fine")
    for n in range(9):  # 900 more, over nine more conversations
        more_archive, more = seeded(store, 100, f"bench-{n}")
        for turn in more.turns:
            AnswerFeedback(more_archive).rate(more, turn, "down" if turn.message_id % 3 else "up", "meh")
    export = median_ms(lambda: to_jsonl(book.mine()), 10)
    print("| measure | median |")
    print("|---|---|")
    print(f"| chat rerun, 50 answers, without the feedback row | {off:.0f} ms |")
    print(f"| chat rerun, 50 answers, with thumbs under each | {on:.0f} ms ({on / off:.2f}×) |")
    print(f"| open a share link of 200 messages | {opened:.1f} ms |")
    print(f"| Metrics: a visitor's 100 rated answers (1,000 in the table) read and written as JSONL | {export:.1f} ms |")
    store.close()


if __name__ == "__main__":
    main()
