"""All configured MCP servers as one source of tools (see ``chatcore.tools.catalog``)."""

from __future__ import annotations

import threading
from typing import Any, Sequence

from chatcore.mcp.config import ServerSpec
from chatcore.mcp.state import ServerState
from chatcore.tools.discovery import SourceSnapshot, ToolProblem


class McpManager:
    """Starts one background connection per server at once; never waits for them.

    Even the SDK's import (a good part of a second on a cold start) happens on the
    background thread, so the first page is drawn as fast as with no server at all."""

    def __init__(self, specs: Sequence[ServerSpec], problems: Sequence[str] = (), *,
                 connect_timeout: float = 15.0, check_every: float = 3.0) -> None:
        self.specs = tuple(specs)
        self.problems = tuple(ToolProblem(p.split(":", 1)[0], p.split(":", 1)[-1].strip()) for p in problems)
        self.connections: dict[str, Any] = {}  # name -> ServerConnection, once the SDK is imported
        self._started = threading.Event()
        self._closed = False
        self._options = {"connect_timeout": connect_timeout, "check_every": check_every}
        threading.Thread(target=self._start, name="mcp-start", daemon=True).start()

    def _start(self) -> None:
        from chatcore.mcp.connection import ServerConnection  # imports the SDK

        connections = {spec.name: ServerConnection(spec, **self._options) for spec in self.specs}
        self.connections = connections
        if not self._closed:
            for connection in connections.values():
                connection.start()
        self._started.set()

    def snapshot(self) -> SourceSnapshot:
        parts = [c.snapshot() for c in self.connections.values()]
        return SourceSnapshot(
            version=tuple(version for version, _ in parts),
            tools=tuple(tool for _, tools in parts for tool in tools),
            problems=self.problems,
        )

    def states(self) -> list[ServerState]:
        if not self._started.is_set():
            return [ServerState(s.name, "connecting", s.target) for s in self.specs]
        return [c.state for c in self.connections.values()]

    def wait_ready(self, timeout: float) -> bool:
        """For tests and benchmarks: every server ready within ``timeout`` seconds."""
        if not self._started.wait(timeout):
            return False
        return all(c.wait_ready(timeout) for c in self.connections.values())

    def close(self) -> None:
        self._closed = True
        self._started.wait(60)
        for connection in self.connections.values():
            connection.close()


_lock = threading.Lock()
_shared: dict[tuple[Any, ...], McpManager] = {}


def shared_manager(specs: tuple[ServerSpec, ...], problems: tuple[str, ...] = ()) -> McpManager:
    """The process's manager for this configuration; one for another configuration closes the
    old one's connections (the configuration changed: its servers are no longer wanted)."""
    key = (specs, problems)
    with _lock:
        manager = _shared.get(key)
        if manager is None:
            for old in _shared.values():
                old.close()
            _shared.clear()
            manager = _shared[key] = McpManager(specs, problems)
        return manager


__all__ = ["McpManager", "shared_manager"]
