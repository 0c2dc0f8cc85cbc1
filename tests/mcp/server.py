"""An MCP server written with the official SDK, for the tests: run it over stdio
(``python server.py``) or Streamable HTTP (``python server.py --http PORT``).

Tools: echo, add (structured), slow (sleeps; logs "cancelled" to $MCP_TEST_LOG when the
client cancels), fail (isError), crash (the process exits mid-call), image, progress.
"""

import base64
import os
import sys

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.utilities.types import Image

server = MCPServer("test-server")
LOG = os.environ.get("MCP_TEST_LOG")
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def log(line: str) -> None:
    if LOG:
        with open(LOG, "a", encoding="utf-8") as f:
            f.write(line + "\n")


@server.tool()
def echo(text: str) -> str:
    """Echo the text back."""
    return f"echo: {text}"


@server.tool()
def add(a: int, b: int) -> dict:
    """Add two numbers (structured result)."""
    return {"sum": a + b}


@server.tool()
async def slow(seconds: float = 30.0) -> str:
    """Sleep, then answer."""
    log("slow started")
    try:
        await anyio.sleep(seconds)
    except anyio.get_cancelled_exc_class():
        log("cancelled")
        raise
    return f"slept {seconds}"


@server.tool()
def fail(reason: str = "the widget is broken") -> str:
    """Always fails."""
    raise ToolError(reason)


@server.tool()
def crash() -> str:
    """Exits the server process mid-call."""
    log("crashing")
    os._exit(3)


@server.tool()
def image() -> Image:
    """A one-pixel PNG."""
    return Image(data=PNG, format="png")


@server.tool()
async def progress(steps: int, ctx: Context) -> str:
    """Reports progress, then answers."""
    for i in range(steps):
        await ctx.report_progress(i + 1, steps, f"step {i + 1}")
        await anyio.sleep(0.05)
    return "done"


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--http":
        server.run("streamable-http", port=int(sys.argv[2]))
    else:
        server.run()
