"""Answers per second through two replicas against one, on one PostgreSQL.

Each configuration gets fresh ``streamlit run app.py`` replicas (tests/e2e/harness) sharing a
throwaway PostgreSQL (``DATABASE_URL``) and one upstream: the mock HTTP server in its own
process (``python -m chatcore.mock_server``, no delays: the app is the bottleneck, not the
model). S browser-less visitors (bench/ws_session.py) each send K prompts one after another;
with two replicas the visitors are spread evenly, as a proxy with affinity spreads browsers.
Reported: answers completed per second of wall time (every answer is checked non-empty), and
the median time from prompt to finished answer. Configurations alternate A B A B over the
trials; medians are reported.

    python bench/replicas.py [--sessions 8] [--prompts 5] [--trials 2]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ws_session import ChatSession  # noqa: E402

from tests.e2e.harness import StreamlitServer, free_port  # noqa: E402
from tests.store.pg_server import PostgresServer  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "replicas.md"
PROMPT = "Explain how photosynthesis works"


def start_mock() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "chatcore.mock_server", "--port", str(port), "--ttft", "0",
                             "--chunk-delay", "0", "--quiet"], cwd=ROOT, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/v1/models", timeout=1).close()
            return proc, url + "/v1"
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the mock server did not start")


async def run_load(ports: list[int], sessions: int, prompts: int) -> tuple[float, float, int]:
    chats = [await ChatSession(ports[i % len(ports)]).open() for i in range(sessions)]
    for chat in chats:  # warm every replica up (imports, the store opened) before the clock starts
        await chat.ask(PROMPT)
    durations: list[float] = []

    async def visitor(chat: ChatSession) -> None:
        for _ in range(prompts):
            trace = await chat.ask(PROMPT)
            if not trace.final_text.strip():
                raise RuntimeError("an empty answer")
            durations.append(trace.done - trace.sent)

    started = time.monotonic()
    await asyncio.gather(*(visitor(c) for c in chats))
    took = time.monotonic() - started
    for chat in chats:
        await chat.close()
    return len(durations) / took, statistics.median(durations), len(durations)


def trial(replicas: int, env: dict[str, str], sessions: int, prompts: int) -> tuple[float, float, int]:
    servers = [StreamlitServer("app.py", env=env).start() for _ in range(replicas)]
    try:
        return asyncio.run(run_load([s.port for s in servers], sessions, prompts))
    finally:
        for s in servers:
            s.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--prompts", type=int, default=5)
    parser.add_argument("--trials", type=int, default=2)
    args = parser.parse_args()
    pg = PostgresServer.start()
    mock, base_url = start_mock()
    results: dict[int, list[tuple[float, float, int]]] = {1: [], 2: []}
    try:
        env = {"DATABASE_URL": pg.url(), "OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "x", "OPENAI_MODEL": "mock-gpt"}
        for _ in range(args.trials):
            for replicas in (1, 2):
                results[replicas].append(trial(replicas, env, args.sessions, args.prompts))
                print(f"{replicas} replica(s): {results[replicas][-1][0]:.2f} answers/s", flush=True)
    finally:
        mock.terminate()
        mock.wait(10)
        pg.stop()
    one = statistics.median(r[0] for r in results[1])
    two = statistics.median(r[0] for r in results[2])
    rows = [
        f"| {n} | {statistics.median(r[0] for r in results[n]):.2f} | {statistics.median(r[1] for r in results[n]):.2f} s | "
        f"{results[n][0][2]} × {args.trials} |"
        for n in (1, 2)
    ]
    report = "\n".join([
        f"# Answers per second: two replicas against one ({time.strftime('%Y-%m-%d')}, {args.sessions} visitors × "
        f"{args.prompts} prompts, one PostgreSQL, mock upstream without delays)",
        "",
        "| replicas | answers/s (median of trials) | prompt → finished answer (median) | answers per trial |",
        "|---|---|---|---|",
        *rows,
        "",
        f"Two replicas: {two / one:.2f}× one.",
        "",
    ])
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report)


if __name__ == "__main__":
    main()
