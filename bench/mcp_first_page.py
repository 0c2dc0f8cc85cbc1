"""The first page with three MCP servers configured, one of them unreachable, vs. none.

For each configuration, N times in alternation: start ``streamlit run app.py`` and measure
(a) from the process start to the end of the first visitor's first script run (the page
shown), and (b) that first run alone (from the websocket connect). The servers connect in
the background, so neither should move. Servers: two stdio test servers
(tests/mcp/server.py) and one URL where nothing listens. Browser-less (bench/ws_session.py).

Goal: <= 1 s after start, the same as with none.

Run from the repository root:

    python bench/mcp_first_page.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ws_session import ChatSession  # noqa: E402

from tests.e2e.harness import StreamlitServer  # noqa: E402

SERVER = str(ROOT / "tests" / "mcp" / "server.py")
RESULTS = ROOT / "bench" / "results" / "mcp_first_page.md"


def first_page(env: dict[str, str]) -> tuple[float, float, float, float]:
    """(process start -> health, process start -> first run finished, first run alone,
    a second visitor's first run a moment later, while the servers are still connecting)."""
    started = time.monotonic()
    with StreamlitServer("app.py", env=env, startup_timeout=120) as server:
        healthy = time.monotonic()

        async def visit() -> float:
            t = time.monotonic()
            session = await ChatSession(server.port).open(timeout=60)
            took = time.monotonic() - t
            await session.close()
            return took

        run = asyncio.run(visit())
        shown = time.monotonic()
        second = asyncio.run(visit())
    return healthy - started, shown - started, run, second


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "mcp.json"
        config.write_text(json.dumps({"mcpServers": {
            "one": {"command": sys.executable, "args": [SERVER]},
            "two": {"command": sys.executable, "args": [SERVER]},
            "unreachable": {"url": "http://127.0.0.1:9/mcp"},
        }}))
        empty = Path(tmp) / "none.json"
        empty.write_text(json.dumps({"mcpServers": {}}))
        results: dict[str, list[tuple[float, float, float, float]]] = {"no MCP server": [], "3 servers, 1 unreachable": []}
        for _ in range(args.rounds):
            results["no MCP server"].append(first_page({"CHAT_MCP_CONFIG": str(empty)}))
            results["3 servers, 1 unreachable"].append(first_page({"CHAT_MCP_CONFIG": str(config)}))
    lines = [
        f"# First page with MCP servers ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, "
        f"median of {args.rounds} cold starts each)",
        "",
        "| configuration | start → server healthy | start → first page shown | first script run alone "
        "| next visitor's first page |",
        "|---|---|---|---|---|",
    ]
    for name, rows in results.items():
        health, shown, run, second = (statistics.median(r[i] for r in rows) for i in range(4))
        lines.append(f"| {name} | {health:.2f} s | {shown:.2f} s | {run:.2f} s | {second * 1000:.0f} ms |")
    report = "\n".join(lines) + "\n\nGoal: the first page <= 1 s after start, the same as with none.\n"
    print(report)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(report)


if __name__ == "__main__":
    main()
