"""CPU per streamed chunk: chatcore's streaming path against the bare openai SDK loop.

Two measurements, each side by side with its baselines in the same run:

1. In memory (the figure of issue #12): every path reads the same SSE bytes (N small
   content chunks, 16 KB reads) from an in-memory transport, so only client-side work
   counts. Baselines: httpx2 reading the body and nothing else (the transport's share),
   and the bare openai SDK loop (what chatcore cost before it read the bytes itself).
2. Real socket (``--socket``): K answers at once from the mock HTTP server in its own
   process, one chunk per network read at a steady pace, as a real model streams. Here
   the transport's per-read work and the thread hand-offs count too; the table shows
   chatcore's CPU above the read loop of the client the app uses (the SDK's httpx2 client
   over ``stdlib_transport``), and httpx2's own transport as it was before.

chatcore's paths:
  provider   - OpenAICompatProvider.stream: typed events, quirk tolerance, cancel checks
  full turn  - run_turn + ActiveTurn: every event applied to the Turn record
  live turn  - what a page reads: TurnHub runs the answer on its thread, a follower
               reads LiveTurn.follow() on another (by default woken at most every
               FOLLOW_BATCH_S once the answer flows; batch=0: woken per event, as before)
Goal: live turn <= 50 µs per chunk (in memory).
Run: python bench/core_stream.py [--chunks N] [--rounds R] [--socket --streams K --delay S]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx2  # noqa: E402
import openai  # noqa: E402

from chatcore.cancel import CancelToken  # noqa: E402
from chatcore.engine import ActiveTurn  # noqa: E402
from chatcore.live_turn import FOLLOW_BATCH_S, TurnHub  # noqa: E402
from chatcore.loop import run_turn  # noqa: E402
from chatcore.providers.openai_compat import OpenAICompatProvider, default_http_client  # noqa: E402
from chatcore.settings import GenerationSettings, ProviderConfig  # noqa: E402
from chatcore.turn import Turn  # noqa: E402

MESSAGES = [{"role": "user", "content": "benchmark"}]
GOAL_US = 50.0


def sse_body(chunks: int) -> bytes:
    base = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1, "model": "m"}
    frames = [json.dumps({**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]})]
    words = ["lorem", " ipsum", " dolor", " sit", " amet", ",", " consectetur", " adipiscing", "\n\n"]
    for i in range(chunks):
        frames.append(json.dumps({**base, "choices": [{"index": 0, "delta": {"content": words[i % len(words)]}, "finish_reason": None}]}))
    frames.append(json.dumps({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}))
    frames.append(json.dumps({**base, "choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": chunks, "total_tokens": chunks + 3}}))
    return ("".join(f"data: {f}\n\n" for f in frames) + "data: [DONE]\n\n").encode()


class Body(httpx2.SyncByteStream):
    def __init__(self, data: bytes, read_size: int = 16384) -> None:
        self.data, self.read_size = data, read_size

    def __iter__(self):
        for i in range(0, len(self.data), self.read_size):
            yield self.data[i : i + self.read_size]


def http_client(body: bytes) -> httpx2.Client:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, headers={"content-type": "text/event-stream"}, stream=Body(body))

    return httpx2.Client(transport=httpx2.MockTransport(handler))


# ---------------------------------------------------------------- the paths (one answer each)
def read_only(client: httpx2.Client, url: str) -> int:
    """The transport alone: the body's bytes, read and dropped."""
    payload = {"model": "m", "messages": MESSAGES, "stream": True}
    with client.stream("POST", f"{url}/chat/completions", json=payload) as response:
        return sum(len(b) for b in response.iter_raw())


def bare_sdk(client: openai.OpenAI) -> str:
    pieces = []
    stream = client.chat.completions.create(model="m", messages=MESSAGES, stream=True, stream_options={"include_usage": True})
    for chunk in stream:
        if chunk.choices:
            content = chunk.choices[0].delta.content
            if content:
                pieces.append(content)
    return "".join(pieces)


def chatcore_provider(provider: OpenAICompatProvider) -> str:
    return "".join(e.content for e in provider.stream(MESSAGES, cancel=CancelToken()) if e.type == "chunk")  # type: ignore[union-attr]


def _active(provider: OpenAICompatProvider) -> ActiveTurn:
    cancel = CancelToken()
    return ActiveTurn(Turn(model="m"), cancel, run_turn(provider, MESSAGES, settings=GenerationSettings(), cancel=cancel))


def chatcore_full_turn(provider: OpenAICompatProvider) -> str:
    active = _active(provider)
    for _ in active.events():
        pass
    return active.turn.text


def chatcore_live_turn(provider: OpenAICompatProvider, hub: TurnHub, batch: float = FOLLOW_BATCH_S) -> str:
    live = hub.start(f"bench-{threading.get_ident()}-{time.perf_counter_ns()}", _active(provider))
    for _ in live.follow(tick=0.15, batch=batch):
        pass
    return live.turn.text


# ---------------------------------------------------------------- 1. in memory
def in_memory(args: argparse.Namespace) -> None:
    body = sse_body(args.chunks)
    config = ProviderConfig(kind="openai", base_url="http://bench.invalid/v1", api_key="k", model="m")
    hub = TurnHub()

    def sdk_client() -> openai.OpenAI:
        return openai.OpenAI(api_key="k", base_url=config.base_url, http_client=http_client(body), max_retries=0)

    runners: dict[str, Callable[[], object]] = {
        "httpx2 read loop (transport alone)": lambda: read_only(http_client(body), config.base_url),
        "bare openai SDK loop (before)": lambda: bare_sdk(sdk_client()),
        "chatcore provider": lambda: chatcore_provider(OpenAICompatProvider(config, http_client=http_client(body))),
        "chatcore full turn": lambda: chatcore_full_turn(OpenAICompatProvider(config, http_client=http_client(body))),
        "chatcore live turn + follower": lambda: chatcore_live_turn(OpenAICompatProvider(config, http_client=http_client(body)), hub),
    }
    for run in runners.values():  # warm-up: imports, caches
        run()
    times: dict[str, list[float]] = {name: [] for name in runners}
    texts = set()
    for _ in range(args.rounds):  # interleaved, so drift on a busy machine hits all alike
        for name, run in runners.items():
            gc.collect()
            start = time.process_time()
            result = run()
            times[name].append(time.process_time() - start)
            if isinstance(result, str):
                texts.add(result)
    assert len(texts) == 1, "the paths disagree on the text"
    base = statistics.median(times["bare openai SDK loop (before)"])
    print(f"## In memory: {args.chunks:,} chunks, {len(body) / 1e6:.1f} MB of SSE, median process CPU of {args.rounds} rounds\n")
    print("| path | CPU s | µs/chunk | vs bare SDK |")
    print("|---|---|---|---|")
    for name in runners:
        median = statistics.median(times[name])
        print(f"| {name} | {median:.3f} | {median / args.chunks * 1e6:.1f} | {median / base:.2f}x |")
    live_us = statistics.median(times["chatcore live turn + follower"]) / args.chunks * 1e6
    print(f"\ngoal: live turn <= {GOAL_US:g} µs/chunk -> {'met' if live_us <= GOAL_US else 'NOT met'} ({live_us:.1f} µs)\n")


# ---------------------------------------------------------------- 2. real socket
def start_mock(port: int, delay: float) -> subprocess.Popen[bytes]:
    server = subprocess.Popen([sys.executable, "-m", "chatcore.mock_server", "--port", str(port), "--scenario", "markdown",
                               "--ttft", "0", "--chunk-delay", str(delay), "--quiet"],
                              cwd=Path(__file__).resolve().parents[1], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            httpx2.get(f"http://127.0.0.1:{port}/v1/models", timeout=1)
            return server
        except httpx2.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the mock server did not start")


def on_socket(args: argparse.Namespace) -> None:
    server = start_mock(args.port, args.delay)
    url = f"http://127.0.0.1:{args.port}/v1"
    config = ProviderConfig(kind="openai", base_url=url, api_key="k", model="m")
    k = args.streams
    # One client per stream, built before the clock starts (the app keeps its provider and pool).
    raw = [default_http_client(url) for _ in range(k)]  # the transport the app reads with (http.client)
    httpx2_own = [httpx2.Client() for _ in range(k)]
    sdk = [openai.OpenAI(api_key="k", base_url=url, max_retries=0) for _ in range(k)]
    providers = [OpenAICompatProvider(config) for _ in range(k)]
    hub = TurnHub()
    with raw[0].stream("POST", f"{url}/chat/completions", json={"model": "m", "messages": MESSAGES, "stream": True}) as r:
        chunks_per_answer = r.read().count(b"data: {")  # SSE events with a chunk (one network read each)
    runners: dict[str, Callable[[int], object]] = {
        "httpx2's own transport, read loop (before)": lambda i: read_only(httpx2_own[i], url),
        "httpx2 read loop (transport alone)": lambda i: read_only(raw[i], url),
        "bare openai SDK loop (before)": lambda i: bare_sdk(sdk[i]),
        "chatcore provider": lambda i: chatcore_provider(providers[i]),
        "chatcore full turn": lambda i: chatcore_full_turn(providers[i]),
        "chatcore live turn + follower woken per event (batch=0, before)": lambda i: chatcore_live_turn(providers[i], hub, 0.0),
        "chatcore live turn + follower": lambda i: chatcore_live_turn(providers[i], hub),
    }

    def together(run: Callable[[int], object]) -> float:
        threads = [threading.Thread(target=run, args=(i,)) for i in range(k)]
        gc.collect()
        start = time.process_time()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.process_time() - start

    try:
        for run in runners.values():
            together(run)  # warm-up: connections, imports
        times: dict[str, list[float]] = {name: [] for name in runners}
        for _ in range(args.rounds):
            for name, run in runners.items():
                times[name].append(together(run))
    finally:
        server.terminate()
        server.wait(5)
    chunks = k * chunks_per_answer
    floor = statistics.median(times["httpx2 read loop (transport alone)"])
    print(f"## Real socket: {k} answers at once, {chunks_per_answer} chunks each, one every {args.delay * 1000:g} ms "
          f"(mock server in its own process), median process CPU of {args.rounds} rounds\n")
    print("| path | CPU s | µs/chunk | above the transport, µs/chunk |")
    print("|---|---|---|---|")
    for name in runners:
        median = statistics.median(times[name])
        print(f"| {name} | {median:.3f} | {median / chunks * 1e6:.1f} | {(median - floor) / chunks * 1e6:.1f} |")
    above = (statistics.median(times["chatcore live turn + follower"]) - floor) / chunks * 1e6
    print(f"\ngoal: live turn's CPU above the transport <= {GOAL_US:g} µs/chunk -> {'met' if above <= GOAL_US else 'NOT met'} "
          f"({above:.1f} µs; httpx2's own reads cost {floor / chunks * 1e6:.1f} µs/chunk on top, whoever reads)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--socket", action="store_true", help="also measure K paced answers over a real socket")
    parser.add_argument("--streams", type=int, default=10)
    parser.add_argument("--delay", type=float, default=0.01, help="seconds between chunks on the socket")
    parser.add_argument("--port", type=int, default=8791)
    args = parser.parse_args()
    in_memory(args)
    if args.socket:
        on_socket(args)


if __name__ == "__main__":
    main()
