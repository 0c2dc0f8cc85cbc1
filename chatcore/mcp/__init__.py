"""MCP servers as a source of tools: configured in mcp.json or secrets, one background
connection per server per process (official ``mcp`` SDK 2.x), tools called like local ones."""

from chatcore.mcp.config import ServerSpec, load_server_specs
from chatcore.mcp.connection import ServerConnection, ServerState
from chatcore.mcp.manager import McpManager, shared_manager

__all__ = ["McpManager", "ServerConnection", "ServerSpec", "ServerState", "load_server_specs", "shared_manager"]
