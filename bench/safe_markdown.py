"""What sanitising streamed Markdown costs (chatcore/safe_markdown.py), per chunk and per answer.

The live answer cuts text into blocks (``BlockSplitter``) and hands each piece to
``st.write_stream``, which concatenates it into the current Markdown element. The baseline
is exactly that (split + concatenate); ours adds ``StreamingSanitizer.feed`` for every piece
and ``end_block`` at every cut. Two feeding rates:

* per chunk: every 5-character chunk is fed on its own (the worst case: no batching);
* per flush: chunks batched as the app does (``BATCH_S`` = 150 ms at ~60 tokens/s, about
  nine chunks), so this is the cost the app pays.

Three answers: the mock's 20,000-character "long" answer (few brackets), its ~1,500-character
Markdown answer, and a link-heavy answer where every paragraph has links, images and code.
Also the history cost: ``sanitize_markdown`` on each whole answer (once per rerun).

Prints a Markdown table and saves it to bench/results/safe_markdown.md. From the repository
root: ``python bench/safe_markdown.py``.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chatcore.markdown_blocks import BlockSplitter  # noqa: E402 - after the sys.path line
from chatcore.mock.writing.long_answer import long_answer  # noqa: E402 - after the sys.path line
from chatcore.mock.writing.markdown_answer import markdown_answer  # noqa: E402 - after the sys.path line
from chatcore.safe_markdown import MarkdownPolicy, StreamingSanitizer, sanitize_markdown  # noqa: E402 - after the sys.path line

RESULTS = ROOT / "bench" / "results" / "safe_markdown.md"
CHUNK = 5
FLUSH_CHUNKS = 9
BLOCK_CHARS = 400  # ui/answer_blocks.py (the blocks an answer is drawn in)
POLICY = MarkdownPolicy.from_setting("images.example")
LINK_PARAGRAPH = (
    "See [the docs](https://docs.example/guide?a=1&b=2) and ![a chart](https://images.example/c.png) "
    "or ![a tracker](https://tracker.example/t?leak=x), `code[0]` and a footnote[^1]. "
    "Avoid [this](javascript:alert(1)) and <https://site.example/auto>; costs $5 and $6.\n\n"
)


def answers() -> dict[str, str]:
    return {
        "long answer (20,000 chars, few brackets)": long_answer("Write a long answer about rivers"),
        "Markdown answer (~1,500 chars)": markdown_answer("Explain how photosynthesis works"),
        "link-heavy answer (20,000 chars)": (LINK_PARAGRAPH * (20_000 // len(LINK_PARAGRAPH) + 1))[:20_000],
    }


def batches(text: str, chunks_per_piece: int) -> list[str]:
    size = CHUNK * chunks_per_piece
    return [text[i : i + size] for i in range(0, len(text), size)]


def baseline(pieces: list[str]) -> int:
    splitter = BlockSplitter(BLOCK_CHARS)
    block = ""
    shown = 0
    for piece in pieces:
        for i, part in enumerate(splitter.split(piece)):
            if i:
                shown += len(block)
                block = ""
            block += part
    return shown + len(block)


def sanitised(pieces: list[str]) -> int:
    splitter = BlockSplitter(BLOCK_CHARS)
    sanitizer = StreamingSanitizer(POLICY)
    block = ""
    shown = 0
    for piece in pieces:
        for i, part in enumerate(splitter.split(piece)):
            if i:
                block += sanitizer.end_block()
                shown += len(block)
                block = ""
            block += sanitizer.feed(part)
    block += sanitizer.end_block()
    return shown + len(block)


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    rows = []
    for name, text in answers().items():
        chunks = len(batches(text, 1))
        for label, per_piece in (("per chunk", 1), ("per flush", FLUSH_CHUNKS)):
            pieces = batches(text, per_piece)
            base = best_of(lambda pieces=pieces: baseline(pieces))
            ours = best_of(lambda pieces=pieces: sanitised(pieces))
            rows.append((name, label, len(pieces), base / chunks * 1e6, ours / chunks * 1e6, (ours - base) / chunks * 1e6,
                         (ours - base) / len(pieces) * 1e6))
        whole = statistics.median(best_of(lambda text=text: sanitize_markdown(text, POLICY), 1) for _ in range(5))
        rows.append((name, "history: whole answer", 1, 0.0, whole * 1e6, whole * 1e6, whole * 1e6))
    header = ("| answer | fed | pieces | baseline µs/chunk (split + concatenate) | sanitised µs/chunk | added µs/chunk "
              "| added µs per piece fed |\n|---|---|---|---|---|---|---|\n")
    lines = [f"| {n} | {f} | {p:,} | {b:.1f} | {o:.1f} | {d:.1f} | {dp:,.0f} |" for n, f, p, b, o, d, dp in rows]
    report = (f"Streamed Markdown sanitising, {time.strftime('%Y-%m-%d')}, chunks of {CHUNK} characters, "
              f"a flush = {FLUSH_CHUNKS} chunks, blocks of {BLOCK_CHARS} characters (best of 5)\n\n" + header + "\n".join(lines) + "\n")
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report)
    print(f"saved to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
