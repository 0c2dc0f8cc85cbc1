"""Websocket bytes a page receives: one long answer, and one new prompt as the chat grows.

Browser-less (bench/ws_session.py, which keeps the browser's message cache, so a message
the page already holds costs a reference, as in Chromium). Measured on ``app.py`` of this
checkout and, with ``--baseline DIR``, of another one (today's app: ``git worktree add
/tmp/baseline aa4af86``), each under ``streamlit run``:

* a 20,000-character answer streamed in 4,000 chunks 5 ms apart, with short (~176-character,
  the MockServer ``bench`` scenario) and with long (~450-character) paragraphs: every byte
  from sending the prompt until the page is idle, the app's closing redraw included;
* one new prompt (``markdown`` scenario, ~2 KB answer) in a chat that already holds 0, 50 and
  200 messages: its bytes and the server's CPU time (all the runs of that prompt).

    python bench/page_bytes.py [--baseline /tmp/baseline]   # or as part of bench/ui_stream.py
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ws_session import ChatSession  # noqa: E402

from chatcore.mock import MockOptions, MockServer  # noqa: E402
from tests.e2e.harness import StreamlitServer  # noqa: E402

ANSWER_CHARS = 20_000
HISTORY_SIZES = (0, 50, 200)  # messages already in the chat (a prompt and its answer are two)
CLK_TCK = os.sysconf("SC_CLK_TCK")
_SENTENCE = "Long paragraphs stream too: **bold**, `code` and plain words alternate, as a model writes them. "


def long_paragraph_text(chars: int = ANSWER_CHARS, paragraph: int = 450) -> str:
    block = (_SENTENCE * (paragraph // len(_SENTENCE) + 1))[: paragraph - 2].rstrip() + "\n\n"
    return (block * (chars // len(block) + 1))[:chars]


class FixedTextUpstream:
    """An OpenAI-compatible endpoint that streams one fixed text in ``chunks`` pieces."""

    def __init__(self, text: str, chunks: int = 4000, delay: float = 0.005, ttft: float = 0.2) -> None:
        size = -(-len(text) // chunks)
        pieces = [text[i:i + size] for i in range(0, len(text), size)]
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - the model list
                body = json.dumps({"object": "list", "data": [{"id": "mock-bench", "object": "model"}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802 - a streamed chat completion
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                time.sleep(ttft)
                try:
                    self._event({"role": "assistant", "content": ""}, None)
                    for piece in pieces:
                        self._event({"content": piece}, None)
                        time.sleep(delay)
                    self._event({}, "stop")
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                except OSError:
                    pass
                outer.served += 1

            def _event(self, delta: dict, finish: str | None) -> None:
                chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "mock-bench",
                         "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
                self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
                self.wfile.flush()

        self.served = 0
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def __enter__(self) -> FixedTextUpstream:
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def process_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


@dataclass
class PageBytes:
    app: str
    answer: dict[str, tuple[int, int, list[tuple[int, int]]]] = field(default_factory=dict)  # kind -> (chars, bytes, runs)
    prompt: dict[int, tuple[int, float]] = field(default_factory=dict)  # history messages -> (bytes, server CPU s)


def _server(app_dir: Path, upstream_url: str, tmp: str, name: str, model: str = "mock-bench") -> StreamlitServer:
    env = {"OPENAI_BASE_URL": upstream_url, "OPENAI_API_KEY": "bench", "OPENAI_MODEL": model,
           "CHAT_DB_PATH": f"{tmp}/{name}.sqlite3"}
    return StreamlitServer("app.py", cwd=app_dir, env=env)


async def answer_bytes(app_dir: Path, upstream_url: str, tmp: str, name: str) -> tuple[int, list[tuple[int, int]]]:
    with _server(app_dir, upstream_url, tmp, name) as server:
        chat = await ChatSession(server.port).open()
        chat.runs.clear()
        trace = await chat.ask("Benchmark: one full answer")
        await chat.close()
        if len("".join(trace.final_text.split())) < ANSWER_CHARS * 0.8:
            raise SystemExit(f"{name}: the answer on the page is incomplete ({len(trace.final_text)} chars)")
        return trace.bytes, list(chat.runs)


async def prompt_bytes(app_dir: Path, tmp: str, name: str, result: PageBytes) -> None:
    """Bytes and server CPU of one new prompt after 0, 50 and 200 messages (fast upstream)."""
    options = MockOptions(scenario="markdown", ttft=0.0, chunk_delay=0.0)
    with MockServer(options=options, quiet=True) as mock, _server(app_dir, mock.url, tmp, name, model="gpt-4o-mini") as server:
        warm = await ChatSession(server.port).open()  # a first answer pays the server's one-time costs
        await warm.ask("Warm-up question")
        await warm.close()
        chat = await ChatSession(server.port).open()
        messages = 0
        for size in sorted(HISTORY_SIZES):
            while messages < size:
                await chat.ask(f"Filler question number {messages // 2} about streaming")
                messages += 2
            cpu = process_cpu(server.proc.pid)
            trace = await chat.ask(f"Measured question after {size} messages")
            result.prompt[size] = (trace.bytes, process_cpu(server.proc.pid) - cpu)
            messages += 2
            print(f"[{name}] prompt after {size} messages: {trace.bytes:,} bytes, "
                  f"server CPU {result.prompt[size][1] * 1000:.0f} ms", file=sys.stderr, flush=True)
        await chat.close()


async def measure(apps: list[tuple[str, Path]], tmp: str) -> list[PageBytes]:
    results = []
    short = MockOptions(scenario="bench", ttft=0.2, chunk_delay=0.005)
    for app, app_dir in apps:
        result = PageBytes(app)
        with MockServer(options=short, quiet=True) as mock:
            size, runs = await answer_bytes(app_dir, mock.url, tmp, f"{app}-short")
            result.answer["short"] = (ANSWER_CHARS, size, runs)
        with FixedTextUpstream(long_paragraph_text()) as upstream:
            size, runs = await answer_bytes(app_dir, upstream.url, tmp, f"{app}-long")
            result.answer["long"] = (ANSWER_CHARS, size, runs)
        for kind, (chars, size, runs) in result.answer.items():
            print(f"[{app}] {kind} paragraphs: {size:,} bytes = {size / chars:.2f}x; runs (messages, bytes): {runs}",
                  file=sys.stderr, flush=True)
        await prompt_bytes(app_dir, tmp, f"{app}-history", result)
        results.append(result)
    return results


def table(results: list[PageBytes]) -> str:
    head = ["figure", *(r.app for r in results), "goal"]
    rows = [head, ["---"] * len(head)]
    for kind, label in (("short", "short (~176-char)"), ("long", "long (~450-char)")):
        rows.append([f"websocket bytes for a {ANSWER_CHARS:,}-character answer, {label} paragraphs, closing redraw included",
                     *(f"{r.answer[kind][1] / 1000:.0f} KB = **{r.answer[kind][1] / r.answer[kind][0]:.1f}×**"
                       f" ({len(r.answer[kind][2])} runs)" for r in results), "≤ 3×"])
    for size in HISTORY_SIZES:
        rows.append([f"a new prompt after {size} messages: bytes / server CPU",
                     *(f"{r.prompt[size][0] / 1000:.0f} KB ({r.prompt[size][0] / r.prompt[0][0]:.1f}×) / "
                       f"{r.prompt[size][1] * 1000:.0f} ms ({r.prompt[size][1] / max(r.prompt[0][1], 1e-3):.1f}×)"
                       for r in results), "≤ 2× a new chat's" if size else "–"])
    notes = ["", "Browser-less page (bench/ws_session.py, with the browser's message cache); answers: "
             f"{ANSWER_CHARS:,} characters in 4,000 chunks 5 ms apart; new prompts: MockServer `markdown` scenario "
             "without delays, fillers before them. Bytes: every websocket message from the prompt until its last "
             "run ends. Server CPU: user+sys of the Streamlit process over those runs (the answer's streaming "
             "included; a shared machine, so noisy)."]
    return "\n".join("| " + " | ".join(r) + " |" for r in rows) + "\n" + "\n".join(notes) + "\n"


def run(baseline: Path | None) -> str:
    import tempfile

    apps = [("this", ROOT)] + ([("baseline", baseline)] if baseline else [])
    with tempfile.TemporaryDirectory(prefix="page-bytes-") as tmp:
        return table(asyncio.run(measure(apps, tmp)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="another checkout to measure the same way")
    args = parser.parse_args()
    print(run(args.baseline))
    return 0


if __name__ == "__main__":
    sys.exit(main())
