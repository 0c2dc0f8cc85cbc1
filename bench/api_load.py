"""The HTTP API under load, side by side with the dashboard's websocket, on one server.

One ``streamlit run app.py`` (dashboard + API in one process), upstream: the mock HTTP server
in this process (``markdown`` scenario, 20 ms between tokens = 50 tokens/s per answer).
Phase 1: N clients POST /api/chat at once and read the event stream to its end. Phase 2: N
browser-less dashboard visitors (bench/ws_session.py, Streamlit's websocket protocol) send a
prompt at once. For each phase: the Streamlit process's CPU (user+sys from /proc) per 1,000
tokens the upstream sent (its own count of chunks), and the time to first byte / first text.

    python bench/api_load.py [--clients 50]

Prints a Markdown table and saves it to bench/results/api_load.md.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import httpx2  # noqa: E402
from load import process_cpu  # noqa: E402
from ws_session import ChatSession  # noqa: E402

from chatcore.mock import MockOptions, MockServer  # noqa: E402
from tests.e2e.harness import StreamlitServer  # noqa: E402

PACE = MockOptions(scenario="markdown", ttft=0.2, chunk_delay=0.02)
RESULTS = ROOT / "bench" / "results" / "api_load.md"
GOAL_RATIO = 1 / 3


async def api_client(base: str, prompt: str) -> tuple[float, float, int]:
    """(time to first byte, time to first chunk event, chunk events) for one streamed answer."""
    started = time.monotonic()
    first_byte = first_chunk = None
    chunks = 0
    async with httpx2.AsyncClient(timeout=120) as client, client.stream("POST", f"{base}/api/chat", json={"message": prompt}) as response:
        response.raise_for_status()
        async for line in response.aiter_lines():
            now = time.monotonic()
            if first_byte is None:
                first_byte = now - started
            if line.startswith("data:") and '"type":"chunk"' in line:
                chunks += 1
                if first_chunk is None:
                    first_chunk = now - started
            if line.startswith("data:") and '"type":"end"' in line:
                break
    return first_byte or 0.0, first_chunk or 0.0, chunks


async def dashboard_client(port: int, prompt: str) -> float:
    session = await ChatSession(port).open()
    try:
        trace = await session.ask(prompt, timeout=300)
    finally:
        await session.close()
    firsts = [t for t, _, chars in trace.samples if chars > 0]
    return (firsts[0] - trace.sent) if firsts else float("nan")


def tokens_sent(upstream: MockServer, since: int) -> int:
    return sum(r.chunks_sent for r in upstream.requests[since:])


async def phase(name: str, server: StreamlitServer, upstream: MockServer, coros) -> dict[str, float]:
    assert server.proc is not None
    since = len(upstream.requests)
    cpu0, t0 = process_cpu(server.proc.pid), time.monotonic()
    results = await asyncio.gather(*coros)
    cpu = process_cpu(server.proc.pid) - cpu0
    tokens = tokens_sent(upstream, since)
    return {"name": name, "cpu_s": cpu, "tokens": tokens, "wall_s": time.monotonic() - t0,
            "cpu_ms_per_1k": 1000 * cpu / max(tokens, 1) * 1000, "results": results}  # type: ignore[dict-item]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(args: argparse.Namespace) -> str:
    prompts = [f"Explain topic number {i} in Markdown" for i in range(args.clients)]
    with MockServer(options=PACE, quiet=True) as upstream, tempfile.TemporaryDirectory() as tmp:
        env = {"OPENAI_BASE_URL": upstream.url, "OPENAI_API_KEY": "x", "CHAT_DB_PATH": f"{tmp}/chat.sqlite3"}
        with StreamlitServer("app.py", env=env) as server:
            await api_client(server.url, "warm up")  # first imports and the database, not measured
            await dashboard_client(server.port, "warm up")
            api = await phase("API (SSE)", server, upstream, [api_client(server.url, p) for p in prompts])
            dash = await phase("dashboard (websocket)", server, upstream, [dashboard_client(server.port, p) for p in prompts])
    ttfb = [r[0] for r in api["results"]]  # type: ignore[union-attr]
    first_chunk = [r[1] for r in api["results"]]  # type: ignore[union-attr]
    first_text = [x for x in dash["results"] if x == x]  # type: ignore[union-attr]
    ratio = api["cpu_ms_per_1k"] / dash["cpu_ms_per_1k"]
    lines = [
        f"{args.clients} clients at once, each answer ~390 tokens at 50 tokens/s from the mock HTTP server; "
        "one `streamlit run app.py` serves both.",
        "",
        "| | server CPU per 1,000 tokens | tokens | wall | first byte p50 / p95 | first text p50 / p95 |",
        "|---|---|---|---|---|---|",
        f"| API (SSE) | {api['cpu_ms_per_1k']:.0f} ms | {api['tokens']:,} | {api['wall_s']:.1f} s | "
        f"{1000 * statistics.median(ttfb):.0f} / {1000 * pct(ttfb, 0.95):.0f} ms | "
        f"{1000 * statistics.median(first_chunk):.0f} / {1000 * pct(first_chunk, 0.95):.0f} ms |",
        f"| dashboard (websocket) | {dash['cpu_ms_per_1k']:.0f} ms | {dash['tokens']:,} | {dash['wall_s']:.1f} s | — | "
        f"{1000 * statistics.median(first_text):.0f} / {1000 * pct(first_text, 0.95):.0f} ms |",
        "",
        f"API / dashboard CPU per token: {ratio:.2f} (goal ≤ {GOAL_RATIO:.2f}: {'met' if ratio <= GOAL_RATIO else 'NOT met'}).",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    report = asyncio.run(run(args))
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
