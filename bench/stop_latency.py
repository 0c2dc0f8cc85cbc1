"""Stop -> upstream connection closed, in the core: while tokens stream, and during a stall.

The upstream is a tiny SSE server in its own process that notices a client hang-up at
once (a thread blocked in ``recv`` per connection, no polling) and reports the moment on
``time.monotonic()``, the clock this process stops by. Per trial: an answer starts, a
follower reads it on another thread (as a page does), and when it is streaming (a chunk
every 20 ms) or stalled (no bytes after the first few), Stop is called from a third
thread (as the next script run does). Figure: close seen by the server - Stop called.

Side by side, the same trials through:
  bare SDK stream.close()   - the naive Stop: close the openai Stream from another thread
  chatcore ChatSession.stop - what the page calls: TurnHub/LiveTurn, CancelToken closers
The browser's share (click -> script run -> stop) is bench/ui_stream.py's.
Run: python bench/stop_latency.py [--trials N]
"""

from __future__ import annotations

import argparse
import itertools
import json
import queue
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import openai  # noqa: E402

from chatcore.live_turn import TurnHub  # noqa: E402
from chatcore.session import ChatSession  # noqa: E402
from chatcore.settings import GenerationSettings, ProviderConfig, Timeouts  # noqa: E402

GOAL_MS = 10.0
GIVE_UP_S = 3.0
CHUNK_EVERY_S = 0.02


# ---------------------------------------------------------------- the upstream (own process)
def serve(port: int) -> None:
    listener = socket.create_server(("127.0.0.1", port))
    print("ready", flush=True)
    lock = threading.Lock()

    def say(line: str) -> None:
        with lock:
            print(line, flush=True)

    def frame(text: str) -> bytes:
        chunk = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
                 "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]}
        return f"data: {json.dumps(chunk)}\n\n".encode()

    def handle(conn: socket.socket) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            request += conn.recv(65536)
        head, _, body = request.partition(b"\r\n\r\n")
        length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0)
        while len(body) < length:
            body += conn.recv(65536)
        stall = b"stall" in body
        token = re.search(rb"trial-(\d+)", body)
        name = token.group(1).decode() if token else "?"
        conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n")
        gone = threading.Event()

        def watch() -> None:  # blocked in recv: wakes the moment the client hangs up
            try:
                conn.recv(1)
            except OSError:
                pass
            say(f"closed {name} {time.monotonic()!r}")
            gone.set()

        threading.Thread(target=watch, daemon=True).start()
        try:
            for i in range(3 if stall else 1500):
                conn.sendall(frame(f"word{i} "))
                if gone.wait(CHUNK_EVERY_S):
                    break
            if stall:
                say(f"stalled {name}")
                gone.wait(60)
        except OSError:
            pass
        gone.wait(5)
        conn.close()

    while True:
        conn, _ = listener.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


class Upstream:
    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}/v1"
        self.process = subprocess.Popen([sys.executable, __file__, "--serve", str(port)], stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "ready"
        self.lines: queue.SimpleQueue[str] = queue.SimpleQueue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.strip())

    def next_line(self, prefix: str, timeout: float) -> str | None:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                return None
            if line.startswith(prefix):
                return line
        return None

    def drain(self) -> None:
        while True:
            try:
                self.lines.get_nowait()
            except queue.Empty:
                return

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(5)


# ---------------------------------------------------------------- one trial per path
Started = tuple[Callable[[], None], threading.Thread]  # (stop, the follower's thread)


def start_bare(url: str, prompt: str, got_words: threading.Event) -> Started:
    client = openai.OpenAI(api_key="k", base_url=url, max_retries=0, timeout=30)
    stream = client.chat.completions.create(model="m", messages=[{"role": "user", "content": prompt}], stream=True)

    def follow() -> None:
        seen = 0
        try:
            for _ in stream:
                seen += 1
                if seen >= 3:
                    got_words.set()
        except Exception:  # noqa: BLE001, S110 - closed under it: that is the point
            pass

    follower = threading.Thread(target=follow, daemon=True)
    follower.start()
    return stream.close, follower


def start_chatcore(url: str, prompt: str, got_words: threading.Event, hub: TurnHub) -> Started:
    session = ChatSession(hub=hub)
    config = ProviderConfig(kind="openai", base_url=url, api_key="k", model="m", timeouts=Timeouts(connect=2, read=30))
    live = session.send(prompt, config, GenerationSettings(tools=()))

    def follow() -> None:
        seen = 0
        for event in live.follow():
            if getattr(event, "type", "") == "chunk":
                seen += 1
                if seen >= 3:
                    got_words.set()

    follower = threading.Thread(target=follow, daemon=True)
    follower.start()
    return lambda: session.stop("stop"), follower


TRIALS = itertools.count(1)


def trial(upstream: Upstream, start: Callable[[str, threading.Event], Started], stall: bool) -> float | None:
    upstream.drain()
    number = next(TRIALS)  # in the prompt, so a late hang-up of an earlier trial is never counted
    got_words = threading.Event()
    stop, follower = start(f"{'stall' if stall else 'stream'} please, trial-{number}", got_words)
    assert got_words.wait(5), "no words arrived"
    if stall:
        assert upstream.next_line(f"stalled {number}", 5)
        time.sleep(0.1)  # the reader is now blocked on a silent socket
    else:
        time.sleep(0.1)  # mid-stream
    result: list[float] = []
    stopper = threading.Thread(target=lambda: (result.append(time.monotonic()), stop()))
    stopper.start()
    line = upstream.next_line(f"closed {number} ", GIVE_UP_S)
    stopper.join(GIVE_UP_S)
    follower.join(GIVE_UP_S)
    if line is None:
        return None
    return (float(line.split()[2]) - result[0]) * 1000


def summary(values: list[float | None]) -> str:
    done = sorted(v for v in values if v is not None)
    missed = len(values) - len(done)
    if not done:
        return f"never within {GIVE_UP_S:g} s | – | – | {missed}"
    p90 = done[min(len(done) - 1, int(0.9 * len(done)))]
    return f"{statistics.median(done):.2f} | {p90:.2f} | {done[-1]:.2f} | {missed}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=15)
    parser.add_argument("--port", type=int, default=8792)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    upstream = Upstream(args.port)
    hub = TurnHub()
    paths: dict[str, Callable[[str, threading.Event], Started]] = {
        "bare SDK stream.close()": lambda prompt, got: start_bare(upstream.url, prompt, got),
        "chatcore ChatSession.stop": lambda prompt, got: start_chatcore(upstream.url, prompt, got, hub),
    }
    results: dict[tuple[str, str], list[float | None]] = {}
    try:
        for _ in range(args.trials):  # interleaved, so a busy moment hits every path alike
            for name, start in paths.items():
                for mode in ("streaming", "stall"):
                    results.setdefault((name, mode), []).append(trial(upstream, start, mode == "stall"))
    finally:
        upstream.close()
    print(f"## Stop -> upstream closed (ms), {args.trials} trials each, real socket, server in its own process\n")
    print("| path | while | median | p90 | max | not closed in 3 s |")
    print("|---|---|---|---|---|---|")
    for (name, mode), values in results.items():
        print(f"| {name} | {mode} | {summary(values)} |")
    ours = [v for mode in ("streaming", "stall") for v in results[("chatcore ChatSession.stop", mode)]]
    worst_median = max(statistics.median([v if v is not None else GIVE_UP_S * 1000 for v in results[("chatcore ChatSession.stop", m)]])
                       for m in ("streaming", "stall"))
    print(f"\ngoal: median <= {GOAL_MS:g} ms while streaming and during a stall -> "
          f"{'met' if worst_median <= GOAL_MS and None not in ours else 'NOT met'} (worst median {worst_median:.2f} ms)")


if __name__ == "__main__":
    main()
