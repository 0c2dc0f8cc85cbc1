"""What an MCP tool call adds over the same function called in-process.

The same ``echo`` function (tests/mcp/server.py's) is called N times three ways, through the
app's runner (``run_tool_calls``: a thread per call, the way the chat calls tools):
(a) in-process, as a local tool; (b) on the test server over stdio; (c) over Streamable HTTP.
Reported: median and p90 per call, and the median added over (a). Goal: <= 5 ms (stdio).

Run from the repository root:

    python bench/mcp_call.py [--calls 300]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chatcore.cancel import CancelToken  # noqa: E402
from chatcore.events import ToolCall, ToolResult  # noqa: E402
from chatcore.mcp import McpManager, ServerSpec  # noqa: E402
from chatcore.tools import Tool, ToolRegistry, run_tool_calls  # noqa: E402

SERVER = str(ROOT / "tests" / "mcp" / "server.py")
RESULTS = ROOT / "bench" / "results" / "mcp_call.md"


def echo(text: str) -> str:
    """Echo the text back."""
    return f"echo: {text}"


def timings(registry: ToolRegistry, calls: int) -> list[float]:
    out = []
    for i in range(calls):
        call = ToolCall(id=f"c{i}", name="echo", arguments="", complete=True, parsed={"text": f"hello {i}"})
        started = time.perf_counter()
        [result] = [r for r in run_tool_calls(registry, [call], CancelToken(), default_timeout=30) if isinstance(r, ToolResult)]
        out.append(time.perf_counter() - started)
        assert result.error is None, result.error
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    port = free_port()
    http = subprocess.Popen([sys.executable, SERVER, "--http", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    manager = McpManager([
        ServerSpec("stdio", command=sys.executable, args=(SERVER,)),
        ServerSpec("http", url=f"http://127.0.0.1:{port}/mcp"),
    ], connect_timeout=60)
    try:
        assert manager.wait_ready(120), manager.states()
        by_server = {name: ToolRegistry([t for t in c.snapshot()[1] if t.name == "echo"])
                     for name, c in manager.connections.items()}
        local = ToolRegistry([Tool.from_function(echo)])
        for registry in (local, *by_server.values()):
            timings(registry, 20)  # warm up
        rows = {}
        for _ in range(3):  # interleaved rounds, so a busy moment on the machine hits all three
            for name, registry in (("in-process", local), ("stdio", by_server["stdio"]), ("http", by_server["http"])):
                rows.setdefault(name, []).extend(timings(registry, args.calls // 3))
    finally:
        manager.close()
        http.kill()
    base = statistics.median(rows["in-process"])
    lines = [
        f"# MCP tool call overhead ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, {args.calls} calls each)",
        "",
        "| path | median per call | p90 | added over in-process (median) |",
        "|---|---|---|---|",
    ]
    for name, values in rows.items():
        values.sort()
        p90 = values[int(len(values) * 0.9)]
        median = statistics.median(values)
        lines.append(f"| {name} | {ms(median)} | {ms(p90)} | {'—' if name == 'in-process' else ms(median - base)} |")
    report = "\n".join(lines) + "\n\nGoal: <= 5 ms added (median, stdio).\n"
    print(report)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(report)


if __name__ == "__main__":
    main()
