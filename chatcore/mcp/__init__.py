"""MCP servers as a source of tools: configured in mcp.json or secrets, one background
connection per server per process (official ``mcp`` SDK 2.x), tools called like local ones.

The SDK is imported only when a server is configured (``chatcore.mcp.manager``): it takes
a noticeable share of a cold start, and most apps have no server."""

from typing import Any

from chatcore.mcp.config import ServerSpec, load_server_specs
from chatcore.mcp.state import ServerState

__all__ = ["McpManager", "ServerConnection", "ServerSpec", "ServerState", "load_server_specs", "shared_manager"]


def __getattr__(name: str) -> Any:
    if name in ("McpManager", "shared_manager"):
        from chatcore.mcp import manager

        return getattr(manager, name)
    if name == "ServerConnection":
        from chatcore.mcp import connection

        return getattr(connection, name)
    raise AttributeError(name)
