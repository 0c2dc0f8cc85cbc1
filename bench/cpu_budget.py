"""Where one answer's server CPU goes: the budget behind bench/load.py's "CPU per 1,000 tokens".

N browser-less visitors (bench/ws_session.py) send their prompts at the same moment to one
``streamlit run app.py`` whose named parts are counted by bench/cpu_probe.py (the CPU time of
the thread running each part). Upstream: ``python -m chatcore.mock_server`` in its own process,
the load benchmark's pace (``markdown`` scenario, ~390 tokens, 50 tokens/s). Per part: CPU
per answer and per token, and its share of the Streamlit process's CPU over the phase; what
no part holds is Streamlit's own work outside the page script (its event loop: websocket
sends, message queues, session bookkeeping). The goal line is issue #12's ≤ 150 ms per
1,000 tokens. ``--baseline DIR`` runs the same on another checkout, in the same run.

    python bench/cpu_budget.py [--visitors 20] [--baseline /tmp/baseline]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from cpu_probe import PARTS  # noqa: E402
from load import PACE, MockProcess, wait_until_quiet  # noqa: E402
from ws_session import ChatSession  # noqa: E402

from chatcore.mock.tokens import token_pieces  # noqa: E402
from tests.e2e.harness import free_port  # noqa: E402

GOAL_MS_PER_1000 = 150.0


async def measure(checkout: Path, visitors: int, mock: MockProcess) -> dict:
    port = free_port()
    tmp = Path(tempfile.mkdtemp(prefix="cpu-budget-"))
    report = tmp / "report.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env.update(OPENAI_BASE_URL=mock.url, OPENAI_API_KEY="x", CHAT_DB_PATH=str(tmp / "chats.db"),
               STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "cpu_probe.py"), str(report), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"],
        cwd=checkout, env=env, stdout=(tmp / "server.log").open("w"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit(f"the server did not start; see {tmp / 'server.log'}") from None
                await asyncio.sleep(0.1)
        warm = await ChatSession(port).open(timeout=60)
        await warm.ask("warm up: explain the budget")
        await warm.close()
        clients = [ChatSession(port) for _ in range(visitors)]
        for i in range(0, visitors, 10):
            await asyncio.gather(*(c.open(timeout=60) for c in clients[i:i + 10]))
        await wait_until_quiet(server.pid)
        server.send_signal(signal.SIGUSR2)
        await asyncio.sleep(0.2)
        prompts = [f"Explain how budget subject {i} behaves" for i in range(visitors)]
        traces = await asyncio.gather(*(c.ask(p) for c, p in zip(clients, prompts, strict=True)))
        await wait_until_quiet(server.pid)
        server.send_signal(signal.SIGUSR1)
        server.wait(30)
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
        data = json.loads(report.read_text())
        data["tokens"] = sum(len(token_pieces(t.final_text)) for t in traces)
        data["answers"] = sum(bool(t.final_text) for t in traces)
        return data
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(10)


def table(name: str, data: dict, visitors: int) -> str:
    answers, tokens, total = max(1, data["answers"]), max(1, data["tokens"]), data["process_cpu_s"]
    rows = [f"### {name}: {visitors} visitors at once, {data['answers']} answers, {data['tokens']:,} tokens\n",
            "| part | CPU per answer, ms | per token, µs | share of the server's CPU | calls per answer |", "|---|---|---|---|---|"]
    top_level = 0.0
    for _module, path, label in PARTS:
        part = data["parts"].get(path)
        if part is None:
            continue
        if not label.startswith(" "):
            top_level += part["cpu_s"]
        rows.append(f"| {label.replace(' ', '&nbsp;', len(label) - len(label.lstrip()))} | {part['cpu_s'] * 1000 / answers:.1f} "
                    f"| {part['cpu_s'] * 1e6 / tokens:.0f} | {100 * part['cpu_s'] / total:.0f} % | {part['calls'] / answers:.1f} |")
    rest = total - top_level
    rows.append(f"| Streamlit outside the page script (event loop, websocket, sessions) | {rest * 1000 / answers:.1f} "
                f"| {rest * 1e6 / tokens:.0f} | {100 * rest / total:.0f} % | |")
    per_1000 = total * 1e6 / tokens
    rows.append(f"| **whole server** | **{total * 1000 / answers:.1f}** | **{total * 1e6 / tokens:.0f}** | 100 % | |")
    rows.append(f"\nServer CPU per 1,000 tokens: **{per_1000:.0f} ms** (goal ≤ {GOAL_MS_PER_1000:g}: "
                f"{'met' if per_1000 <= GOAL_MS_PER_1000 else 'not met'}; the goal is "
                f"{GOAL_MS_PER_1000 * tokens / answers / 1000:.0f} ms per answer of this length).")
    return "\n".join(rows)


async def run(args: argparse.Namespace) -> None:
    mock = MockProcess(PACE)
    try:
        sides = [("this checkout", ROOT)] + ([("baseline", Path(args.baseline))] if args.baseline else [])
        for name, checkout in sides:
            print(table(name, await measure(checkout, args.visitors, mock), args.visitors), "\n", flush=True)
    finally:
        mock.stop()
    print(f"Command: `python bench/cpu_budget.py --visitors {args.visitors}"
          + (f" --baseline {args.baseline}`" if args.baseline else "`")
          + f" ({os.cpu_count()} cores, shared; CPU = time.thread_time of the thread in each part, "
          "nested parts counted in their parent too).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=20)
    parser.add_argument("--baseline", help="another checkout, measured the same way in this run")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
