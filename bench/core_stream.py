"""CPU cost of chatcore's streaming path against a bare loop over the openai SDK's stream.

Both read the same SSE bytes (50,000 small content chunks) from an in-memory transport,
so only client-side work is measured. chatcore's paths:
  provider  - OpenAICompatProvider.stream: typed events, quirk tolerance, cancel checks
  full turn - what the UI consumes: run_turn + ActiveTurn (every event applied to the Turn)
Goal: full turn <= 1.2x the bare SDK loop. Run: python bench/core_stream.py [--chunks N]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx2  # noqa: E402
import openai  # noqa: E402

from chatcore.cancel import CancelToken  # noqa: E402
from chatcore.engine import ActiveTurn  # noqa: E402
from chatcore.loop import run_turn  # noqa: E402
from chatcore.providers.openai_compat import OpenAICompatProvider  # noqa: E402
from chatcore.settings import GenerationSettings, ProviderConfig  # noqa: E402
from chatcore.turn import Turn  # noqa: E402

MESSAGES = [{"role": "user", "content": "benchmark"}]


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


def bare_sdk(body: bytes) -> int:
    client = openai.OpenAI(api_key="k", base_url="http://bench.invalid/v1", http_client=http_client(body), max_retries=0)
    pieces = []
    stream = client.chat.completions.create(model="m", messages=MESSAGES, stream=True, stream_options={"include_usage": True})
    for chunk in stream:
        if chunk.choices:
            content = chunk.choices[0].delta.content
            if content:
                pieces.append(content)
    return len("".join(pieces))


BENCH_CONFIG = ProviderConfig(kind="openai", base_url="http://bench.invalid/v1", api_key="k", model="m")


def chatcore_provider(body: bytes) -> int:
    provider = OpenAICompatProvider(BENCH_CONFIG, http_client=http_client(body))
    pieces = [e.content for e in provider.stream(MESSAGES, cancel=CancelToken()) if e.type == "chunk"]
    return len("".join(pieces))


def chatcore_full_turn(body: bytes) -> int:
    provider = OpenAICompatProvider(BENCH_CONFIG, http_client=http_client(body))
    cancel = CancelToken()
    active = ActiveTurn(Turn(model="m"), cancel, run_turn(provider, MESSAGES, settings=GenerationSettings(), cancel=cancel))
    for _ in active.events():
        pass
    return len(active.turn.text)


def cpu_seconds(fn, body: bytes) -> tuple[float, int]:
    gc.collect()
    start = time.process_time()
    size = fn(body)
    return time.process_time() - start, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    body = sse_body(args.chunks)
    runners = {"bare openai SDK loop": bare_sdk, "chatcore provider": chatcore_provider, "chatcore full turn": chatcore_full_turn}
    for fn in runners.values():  # warm-up: imports, pydantic caches
        fn(sse_body(200))
    times: dict[str, list[float]] = {name: [] for name in runners}
    sizes = set()
    for _ in range(args.rounds):  # interleaved, so drift on a busy machine hits all alike
        for name, fn in runners.items():
            seconds, size = cpu_seconds(fn, body)
            times[name].append(seconds)
            sizes.add(size)
    assert len(sizes) == 1, f"paths disagree on the text: {sizes}"
    base = statistics.median(times["bare openai SDK loop"])
    print(f"{args.chunks:,} chunks, {len(body) / 1e6:.1f} MB of SSE, median CPU time of {args.rounds} rounds\n")
    print("| path | CPU s | µs/chunk | ratio to bare SDK |")
    print("|---|---|---|---|")
    for name in runners:
        median = statistics.median(times[name])
        print(f"| {name} | {median:.3f} | {median / args.chunks * 1e6:.1f} | {median / base:.2f}x |")
    ratio = statistics.median(times["chatcore full turn"]) / base
    print(f"\ngoal: full turn <= 1.20x bare SDK -> {'met' if ratio <= 1.2 else 'NOT met'} ({ratio:.2f}x)")


if __name__ == "__main__":
    main()
