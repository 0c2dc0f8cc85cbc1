"""What a browser gets from our chat page against a tutorial-style app, on the same upstream.

One MockServer plays the ``bench`` scenario for every request (20,000 characters in
4,000 chunks, 5 ms apart). ``app.py`` and ``bench/naive_app.py`` (``st.write_stream``
straight over the openai SDK stream) each run under ``streamlit run`` against it, and
Debian's Chromium (headless, through Playwright) measures:

  (a) websocket bytes the page receives for one 20,000-character answer
      (CDP ``Network.webSocketFrameReceived``, decoded payload sizes);
  (b) Stop -> upstream closed: the disconnect time the MockServer records minus the
      click time taken in the page, while streaming and during a stall of the upstream
      (the naive app's Stop is Streamlit's own header "Stop" button);
  (c) first token: the upstream writes its first content chunk (watched on the
      MockServer's request log) -> that text is in the page's DOM.

Both sides use the same machine clock (``time.time()`` and the page's
``performance.timeOrigin + performance.now()``). Then, browser-less (bench/page_bytes.py,
which keeps the browser's message cache): bytes for a 20,000-character answer with short
and with long paragraphs, closing redraw included, and for a new prompt after 0, 50 and 200
messages, on this app and (``--baseline DIR``, e.g. a ``git worktree add /tmp/baseline
aa4af86``) on another checkout. Prints Markdown tables and saves them to
bench/results/ui_stream.md. Run from the repository root:

    python bench/ui_stream.py [--trials 5] [--naive-timeout 3] [--baseline /tmp/baseline] [--no-browser]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import openai  # noqa: E402

from chatcore.mock import MockOptions, MockServer, mock_http_client  # noqa: E402
from chatcore.mock.assemble import assemble  # noqa: E402
from tests.e2e.chat_ui import ANSWER_TEXT_JS, ChatPage, squash  # noqa: E402
from tests.e2e.harness import StreamlitServer, chromium_missing_reason, launch_chromium  # noqa: E402

BENCH = MockOptions(scenario="bench", ttft=0.2, chunk_delay=0.005)
ANSWER_CHARS = 20_000
GOALS = {"bytes": 3 * ANSWER_CHARS, "stop_ms": 10, "ttft_ms": 150}
RESULTS = ROOT / "bench" / "results" / "ui_stream.md"

# Page-side clock: epoch milliseconds with sub-millisecond precision.
NOW_JS = "performance.timeOrigin + performance.now()"
INSTALL_JS = f"""() => {{
  window.__clicks = [];
  document.addEventListener('click', () => window.__clicks.push({NOW_JS}), true);
}}"""
# Resolves (returns a timestamp) once the answer right after the user message ``prompt``
# shows the start of the bench text.
FIRST_TEXT_JS = f"""([prompt, start]) => {{
  const text = {ANSWER_TEXT_JS};
  const messages = [...document.querySelectorAll('[data-testid="stChatMessage"]')];
  const isUser = (m) => m.querySelector('[data-testid="stChatMessageAvatarUser"]') !== null;
  const asked = messages.findLastIndex((m) => isUser(m) && text(m).trim() === prompt);
  const answer = asked >= 0 ? messages[asked + 1] : undefined;
  if (!answer || isUser(answer)) return false;
  return text(answer).includes(start) ? {NOW_JS} : false;
}}"""


def expected_answer() -> str:
    client = openai.OpenAI(base_url="http://mock.invalid/v1", api_key="x",
                           http_client=mock_http_client(MockOptions(scenario="bench", ttft=0, chunk_delay=0)))
    stream = client.chat.completions.create(model="mock-bench", messages=[{"role": "user", "content": "x"}],
                                            stream=True)
    return assemble(stream).content


class FirstChunkClock:
    """Watches the MockServer's request log: when did each request's first content chunk go out?

    Write 1 of a streamed reply is the role chunk, write 2 the first content chunk."""

    def __init__(self, server: MockServer) -> None:
        self.server = server
        self.first_content: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="first-chunk-clock", daemon=True)

    def __enter__(self) -> FirstChunkClock:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(1)

    def _watch(self) -> None:
        while not self._stop.is_set():
            now = time.time()
            for record in self.server.requests:
                if record.chunks_sent >= 2 and id(record) not in self.first_content:
                    self.first_content[id(record)] = now
            time.sleep(0.0005)

    def of(self, record, timeout: float = 5.0) -> float | None:
        deadline = time.monotonic() + timeout
        while id(record) not in self.first_content and time.monotonic() < deadline:
            time.sleep(0.001)
        return self.first_content.get(id(record))


class SocketBytes:
    """Websocket payload bytes the page receives (binary frames are base64 in CDP)."""

    def __init__(self, page) -> None:
        self.bytes = 0
        self.frames = 0
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.webSocketFrameReceived", self._on_frame)
        cdp.send("Network.enable")

    def _on_frame(self, event: dict) -> None:
        response = event["response"]
        data = response.get("payloadData", "")
        if response.get("opcode") == 1:  # text frame
            size = len(data.encode("utf-8"))
        else:  # binary frame: base64
            size = len(data) * 3 // 4 - (2 if data.endswith("==") else 1 if data.endswith("=") else 0)
        self.bytes += size
        self.frames += 1

    def reset(self) -> None:
        self.bytes = self.frames = 0


@dataclass
class Results:
    name: str
    answer_bytes: int | None = None
    answer_frames: int | None = None
    answer_seconds: float | None = None
    stop_streaming_ms: list[float | None] = field(default_factory=list)
    stop_stall_ms: list[float | None] = field(default_factory=list)
    stop_escape_ms: list[float | None] = field(default_factory=list)  # ours only: Esc in the input box
    ttft_ms: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Bench:
    def __init__(self, name: str, page, upstream: MockServer, clock: FirstChunkClock, *, stop_label: str,
                 stop_timeout: float) -> None:
        self.chat = ChatPage(page)
        self.page = page
        self.upstream = upstream
        self.clock = clock
        self.stop_label = stop_label
        self.stop_timeout = stop_timeout
        self.socket = SocketBytes(page)
        self.clicks: list[tuple[object, float]] = []  # (upstream request, Stop click time)
        self.results = Results(name)
        page.evaluate(INSTALL_JS)

    # ------------------------------------------------------------ helpers
    def chat_requests(self):
        return [r for r in self.upstream.requests if r.method == "POST" and r.path.endswith("/chat/completions")]

    def send(self, prompt: str):
        """Send a prompt; return (its upstream request record, first-token delay in ms)."""
        before = len(self.chat_requests())
        self.chat.send(prompt)
        shown_at = self.page.wait_for_function(FIRST_TEXT_JS, arg=[prompt, "Strea"], polling=5,
                                               timeout=20_000).json_value() / 1000
        deadline = time.monotonic() + 5
        while len(self.chat_requests()) <= before:
            assert time.monotonic() < deadline, "the app sent no request upstream"
            time.sleep(0.005)
        record = self.chat_requests()[before]
        sent_at = self.clock.of(record)
        if sent_at is not None:
            self.results.ttft_ms.append((shown_at - sent_at) * 1000)
        return record

    def click_stop(self) -> float:
        """Click Stop; return the click time taken in the page (epoch seconds)."""
        clicks = self.page.evaluate("window.__clicks.length")
        button = self.page.get_by_role("button", name=self.stop_label, exact=True)
        button.first.click(timeout=10_000)
        self.page.wait_for_function("(n) => window.__clicks.length > n", arg=clicks, polling=5)
        return self.page.evaluate("window.__clicks[window.__clicks.length - 1]") / 1000

    def press_escape(self) -> float:
        """Esc in the input box (the app's handler clicks its Stop); return when the page saw the
        key go down (epoch s), as Stop's click time is taken in the page too."""
        self.page.evaluate("""() => { window.__escapes = window.__escapes || [];
            if (!window.__escapeWatch) { window.__escapeWatch = true;
              document.addEventListener('keydown', (e) => { if (e.key === 'Escape') window.__escapes.push(Date.now()); }, true); } }""")
        seen = self.page.evaluate("window.__escapes.length")
        self.chat.input.press("Escape")
        self.page.wait_for_function("(n) => window.__escapes.length > n", arg=seen, polling=5)
        return self.page.evaluate("window.__escapes[window.__escapes.length - 1]") / 1000

    def stop_with_escape(self, trial: int) -> None:
        record = self.send(f"Benchmark: Esc while streaming, trial {trial}")
        time.sleep(0.3)
        pressed = self.press_escape()
        self.results.stop_escape_ms.append(self.disconnect_ms(record, pressed))
        self.chat.wait_until_idle(timeout=30)

    def disconnect_ms(self, record, clicked: float) -> float | None:
        self.clicks.append((record, clicked))
        deadline = time.time() + self.stop_timeout
        while time.time() < deadline:
            [now] = [r for r in self.upstream.requests if r is record]
            if now.client_disconnected:
                return (now.disconnected_at - clicked) * 1000
            time.sleep(0.002)
        return None

    # ------------------------------------------------------------ measurements
    def full_answer(self, expected: str) -> None:
        self.page.wait_for_timeout(300)  # let earlier websocket events arrive before counting
        self.socket.reset()
        started = time.monotonic()
        self.send("Benchmark: one full answer")
        target = len(squash(expected))
        deadline = time.monotonic() + 120
        while True:  # the whole answer is on screen and the app is idle
            if self.chat.is_idle() and len(squash(self.chat.answer_text())) >= target:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.results.name}: the full answer did not appear within 120 s")
            time.sleep(0.05)
        self.results.answer_seconds = time.monotonic() - started
        self.chat.wait_until_idle(timeout=30, settle=0.5)
        self.page.wait_for_timeout(300)
        self.results.answer_bytes, self.results.answer_frames = self.socket.bytes, self.socket.frames

    def stop_while_streaming(self, trial: int) -> None:
        record = self.send(f"Benchmark: stop while streaming, trial {trial}")
        time.sleep(0.3)
        clicked = self.click_stop()
        self.results.stop_streaming_ms.append(self.disconnect_ms(record, clicked))
        self.chat.wait_until_idle(timeout=30)

    def stop_during_stall(self, trial: int, stall: float) -> None:
        record = self.send(f"Benchmark: stop during a stall, trial {trial} [fault:stall:{stall:g}]")
        deadline = time.monotonic() + 5
        while True:  # role chunk + 3 content chunks sent, then silence
            [now] = [r for r in self.upstream.requests if r is record]
            if now.chunks_sent >= 4:
                break
            assert time.monotonic() < deadline, "the stall did not start"
            time.sleep(0.005)
        time.sleep(0.3)
        clicked = self.click_stop()
        self.results.stop_stall_ms.append(self.disconnect_ms(record, clicked))
        # A run stopped during a stall may only end when the next byte arrives (after the stall).
        self.chat.wait_until_idle(timeout=stall + 30)


def _fate(bench: Bench) -> str:
    """What finally happened to each stopped answer's upstream request (before the app is shut down)."""
    late, ran_out, still_open, in_time = [], 0, 0, 0
    for record, clicked in bench.clicks:
        [now] = [r for r in bench.upstream.requests if r is record]
        if now.client_disconnected:
            delay = now.disconnected_at - clicked
            if delay <= bench.stop_timeout:
                in_time += 1
            else:
                late.append(delay)
        elif now.finished is not None:
            ran_out += 1
        else:
            still_open += 1
    parts = [f"{in_time} closed within {bench.stop_timeout:g} s"]
    if late:
        parts.append(f"{len(late)} closed later ({min(late):.1f}–{max(late):.1f} s after the click)")
    if ran_out:
        parts.append(f"{ran_out} streamed to their end regardless")
    if still_open:
        parts.append(f"{still_open} still open when measuring ended")
    return f"upstream requests of the {len(bench.clicks)} stopped answers: " + ", ".join(parts)


def run_app(name: str, script: str, upstream: MockServer, clock: FirstChunkClock, browser, args, expected: str,
            *, stop_label: str, extra_args: tuple[str, ...] = ()) -> Results:
    env = {"OPENAI_BASE_URL": upstream.url, "OPENAI_API_KEY": "bench", "OPENAI_MODEL": "mock-bench"}
    print(f"[{name}] starting {script}", file=sys.stderr)
    with StreamlitServer(script, env=env, extra_args=extra_args) as app:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            page = context.new_page()
            ChatPage.open(page, app.url)
            bench = Bench(name, page, upstream, clock, stop_label=stop_label,
                          stop_timeout=3.0 if stop_label == "Stop generating" else args.naive_timeout)
            bench.full_answer(expected)
            print(f"[{name}] full answer: {bench.results.answer_bytes:,} bytes in {bench.results.answer_frames} "
                  f"frames, {bench.results.answer_seconds:.1f} s", file=sys.stderr)
            for trial in range(args.trials):
                bench.stop_while_streaming(trial)
            for trial in range(args.trials):
                bench.stop_during_stall(trial, args.stall)
            if stop_label == "Stop generating":  # only ours has an Esc key
                for trial in range(args.trials):
                    bench.stop_with_escape(trial)
            print(f"[{name}] stop while streaming (ms): {bench.results.stop_streaming_ms}", file=sys.stderr)
            print(f"[{name}] stop during a stall (ms): {bench.results.stop_stall_ms}", file=sys.stderr)
            bench.results.notes.append(_fate(bench))
            return bench.results
        finally:
            context.close()


# ---------------------------------------------------------------- report
def fmt_bytes(n: int | None) -> str:
    if n is None:
        return "–"
    return f"{n / 1_000_000:.1f} MB" if n >= 1_000_000 else f"{n / 1000:.0f} KB"


def fmt_stop(samples: list[float | None], timeout: float) -> str:
    closed = [s for s in samples if s is not None]
    if not closed:
        return f"never within {timeout:g} s ({len(samples)}/{len(samples)} trials)"
    text = f"{statistics.median(closed):.0f} ms"
    if len(closed) < len(samples):
        text += f" ({len(samples) - len(closed)}/{len(samples)} never closed)"
    return text


def fmt_ttft(samples: list[float]) -> str:
    if not samples:
        return "–"
    return f"{statistics.median(samples):.0f} ms (max {max(samples):.0f})"


def table(ours: Results, naive: Results, args) -> str:
    n = args.trials
    rows = [
        ("metric", "ours", "naive", "goal"),
        ("---", "---", "---", "---"),
        (f"websocket bytes to the page for one {ANSWER_CHARS:,}-character answer",
         f"{fmt_bytes(ours.answer_bytes)} ({ours.answer_frames} frames)",
         f"{fmt_bytes(naive.answer_bytes)} ({naive.answer_frames} frames)", f"≤ {fmt_bytes(GOALS['bytes'])}"),
        ("time until the whole answer is on screen", f"{ours.answer_seconds:.1f} s", f"{naive.answer_seconds:.1f} s",
         "(upstream takes ~20 s)"),
        (f"Stop → upstream closed, while streaming (median of {n})", fmt_stop(ours.stop_streaming_ms, 3.0),
         fmt_stop(naive.stop_streaming_ms, args.naive_timeout), f"≤ {GOALS['stop_ms']} ms"),
        (f"Stop → upstream closed, during a {args.stall:g} s stall (median of {n})", fmt_stop(ours.stop_stall_ms, 3.0),
         fmt_stop(naive.stop_stall_ms, args.naive_timeout), f"≤ {GOALS['stop_ms']} ms"),
        (f"Esc in the input box → upstream closed, while streaming (median of {n})",
         fmt_stop(ours.stop_escape_ms, 3.0), "no such key", f"≤ {GOALS['stop_ms']} ms"),
        (f"first token: upstream chunk → in the page (median of {len(ours.ttft_ms)} / {len(naive.ttft_ms)})",
         fmt_ttft(ours.ttft_ms), fmt_ttft(naive.ttft_ms), f"≤ {GOALS['ttft_ms']} ms"),
    ]
    lines = ["| " + " | ".join(row) + " |" for row in rows]
    notes = [
        "",
        f"Upstream: MockServer `bench` scenario ({ANSWER_CHARS:,} characters, 4,000 chunks, 5 ms apart, "
        f"TTFT {BENCH.ttft:g} s); Chromium {args.browser_version}, headless. Ours: `app.py`, Stop = its "
        "\"Stop generating\" button. Naive: `bench/naive_app.py` (`st.write_stream` over the SDK stream), "
        "Stop = Streamlit's header \"Stop\" button (default toolbar).",
    ]
    for result in (ours, naive):
        notes += [f"{result.name}: {note}." for note in result.notes]
    return "\n".join(lines + notes) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=5, help="Stop trials per situation and app (default 5)")
    parser.add_argument("--naive-timeout", type=float, default=3.0,
                        help="seconds to wait for the naive app to close the upstream (default 3)")
    parser.add_argument("--baseline", type=Path, help="another checkout for the page-bytes part (e.g. /tmp/baseline)")
    parser.add_argument("--no-browser", action="store_true", help="only the browser-less page-bytes part")
    args = parser.parse_args()
    started = time.monotonic()
    report = "" if args.no_browser else browser_part(args)
    if report is None:
        return 2
    import page_bytes

    report += "\n" + page_bytes.run(args.baseline)
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report)
    print(f"saved to {RESULTS.relative_to(ROOT)} ({time.monotonic() - started:.0f} s)", file=sys.stderr)
    return 0


def browser_part(args) -> str | None:
    # The naive app cannot stop during a stall: its run ends only when the next byte comes.
    # A stall a little longer than the wait for a disconnect keeps every trial honest and short.
    args.stall = args.naive_timeout + 2
    reason = chromium_missing_reason()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return None
    from playwright.sync_api import sync_playwright

    expected = expected_answer()
    assert len(expected) == ANSWER_CHARS
    with MockServer(options=BENCH, quiet=True) as upstream, FirstChunkClock(upstream) as clock, \
            sync_playwright() as p:
        browser = launch_chromium(p)
        args.browser_version = browser.version
        try:
            ours = run_app("ours", "app.py", upstream, clock, browser, args, expected, stop_label="Stop generating")
            upstream.reset()
            naive = run_app("naive", "bench/naive_app.py", upstream, clock, browser, args, expected,
                            stop_label="Stop", extra_args=("--client.toolbarMode", "auto"))
        finally:
            browser.close()
    return table(ours, naive, args)


if __name__ == "__main__":
    sys.exit(main())
