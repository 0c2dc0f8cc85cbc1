"""CPU per streamed chunk of three ways to read K answers at once: where the reader's cost could go.

The answer's thread is the largest part of the server's CPU per token (bench/cpu_budget.py),
and nearly all of it is the HTTP client reading one chunk (one token) per network read. This
measures the bare read loop, nothing of chatcore, for K answers streaming at once from
``python -m chatcore.mock_server`` in its own process (``markdown`` scenario, a chunk every
``--delay`` s), each way in the same run, median process CPU of ``--rounds`` rounds:

  httpx2, a thread per answer   - the SDK's default client (the app before stdlib_transport)
  httpx2 async, one event loop  - the asyncio alternative (anyio under httpcore2)
  http.client, a thread each    - the standard library's reader (``read1`` per chunk)
  httpx2 over chatcore's transport - what the app does today: the SDK's httpx2 client over
                                  ``chatcore.providers.stdlib_transport`` (``http.client``)

    python bench/transport_read.py [--streams 20] [--delay 0.02] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx2  # noqa: E402
from core_stream import MESSAGES, start_mock  # noqa: E402

from chatcore.providers.openai_compat import shared_tls_context  # noqa: E402
from chatcore.providers.stdlib_transport import StdlibHTTPTransport  # noqa: E402
from tests.e2e.harness import free_port  # noqa: E402

BODY = {"model": "m", "messages": MESSAGES, "stream": True}
STAGGER_S = 0.01  # connections opened 10 ms apart (the mock's listen backlog is small)


def on_threads(k: int, read_one: Callable[[int], int]) -> tuple[float, int]:
    counts = [0] * k

    def visitor(i: int) -> None:
        time.sleep(i * STAGGER_S)
        counts[i] = read_one(i)

    threads = [threading.Thread(target=visitor, args=(i,)) for i in range(k)]
    start = time.process_time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.process_time() - start, sum(counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=20)
    parser.add_argument("--delay", type=float, default=0.02)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    k, port = args.streams, free_port()
    url = f"http://127.0.0.1:{port}/v1/chat/completions"
    server = start_mock(port, args.delay)
    sync_clients = [httpx2.Client() for _ in range(k)]
    loop = asyncio.new_event_loop()
    async_clients = [httpx2.AsyncClient() for _ in range(k)]

    def httpx2_sync(i: int) -> int:
        with sync_clients[i].stream("POST", url, json=BODY) as response:
            return sum(1 for _ in response.iter_raw())

    async def httpx2_async_one(i: int) -> int:
        await asyncio.sleep(i * STAGGER_S)
        async with async_clients[i].stream("POST", url, json=BODY) as response:
            return sum([1 async for _ in response.aiter_raw()])

    def httpx2_async() -> tuple[float, int]:
        async def everyone() -> list[int]:
            return await asyncio.gather(*(httpx2_async_one(i) for i in range(k)))

        start = time.process_time()
        counts = loop.run_until_complete(everyone())
        return time.process_time() - start, sum(counts)

    def stdlib(_: int) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("POST", "/v1/chat/completions", body=json.dumps(BODY), headers={"content-type": "application/json"})
            response, reads = conn.getresponse(), 0
            while response.read1(65536):
                reads += 1
            return reads
        finally:
            conn.close()

    lean_clients = [httpx2.Client(transport=StdlibHTTPTransport(shared_tls_context())) for _ in range(k)]

    def httpx2_over_stdlib(i: int) -> int:
        with lean_clients[i].stream("POST", url, json=BODY) as response:
            return sum(1 for _ in response.iter_raw())

    ways: dict[str, Callable[[], tuple[float, int]]] = {
        "httpx2, a thread per answer (before)": lambda: on_threads(k, httpx2_sync),
        "httpx2 async, one event loop": httpx2_async,
        "http.client, a thread per answer": lambda: on_threads(k, stdlib),
        "httpx2 client over chatcore's http.client transport (today)": lambda: on_threads(k, httpx2_over_stdlib),
    }
    try:
        for run in ways.values():
            run()  # warm-up: imports, connections
        per_chunk: dict[str, list[float]] = {name: [] for name in ways}
        for _ in range(args.rounds):
            for name, run in ways.items():
                cpu, chunks = run()
                per_chunk[name].append(cpu / max(1, chunks) * 1e6)
    finally:
        server.terminate()
        server.wait(5)
        loop.close()
    today = statistics.median(per_chunk["httpx2, a thread per answer (before)"])
    print(f"## {k} answers at once, a chunk every {args.delay * 1000:g} ms (mock server in its own process), "
          f"median of {args.rounds} rounds\n")
    print("| reader | CPU per chunk, µs | vs httpx2's transport |\n|---|---|---|")
    for name, values in per_chunk.items():
        median = statistics.median(values)
        print(f"| {name} | {median:.1f} | {median / today:.2f}× |")


if __name__ == "__main__":
    main()
