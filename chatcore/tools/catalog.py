"""All the tools of this process in one registry: built-in, your files, MCP servers.

Each source (pydantic-ai calls them toolsets) only has to say what it offers right now
(``snapshot()``); the catalog merges them in a fixed order, rebuilds the registry only when
a source's ``version`` changed, and settles name clashes: a file's tool that takes a name
already used is left out with a warning naming both places; an MCP server's tool gets its
server's name as a prefix (``time_get_current_time``), since a server's names are not
the user's to change. Shared by every session: it holds no user data and is thread-safe.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping, Protocol, Sequence

from chatcore.tools.discovery import APP_ROOT, SourceSnapshot, ToolFiles, ToolProblem
from chatcore.tools.registry import Tool, ToolRegistry

MCP_SOURCE = "mcp:"


class ToolSource(Protocol):
    def snapshot(self) -> SourceSnapshot: ...


class StaticTools:
    """A fixed set of tools (the built-ins) as a source."""

    def __init__(self, registry: ToolRegistry) -> None:
        self._snapshot = SourceSnapshot(version=0, tools=tuple(registry))

    def snapshot(self) -> SourceSnapshot:
        return self._snapshot


@dataclass(frozen=True)
class CatalogView:
    registry: ToolRegistry
    problems: tuple[ToolProblem, ...]


class ToolCatalog:
    def __init__(self, sources: Sequence[ToolSource]) -> None:
        self.sources = tuple(sources)
        self._lock = threading.Lock()
        self._versions: tuple[Any, ...] | None = None
        self._view = CatalogView(ToolRegistry(), ())

    def view(self) -> CatalogView:
        """The merged tools and problems (rebuilt only when a source changed)."""
        snapshots = [source.snapshot() for source in self.sources]
        versions = tuple(s.version for s in snapshots)
        with self._lock:
            if versions != self._versions:
                self._view = merge(snapshots)
                self._versions = versions
            return self._view


def merge(snapshots: Sequence[SourceSnapshot]) -> CatalogView:
    registry = ToolRegistry()
    problems: list[ToolProblem] = []
    for snapshot in snapshots:
        problems.extend(snapshot.problems)
        for tool in snapshot.tools:
            taken = registry.get(tool.name)
            if taken is None:
                registry.add(tool)
            elif tool.source.startswith(MCP_SOURCE):
                renamed = _prefixed(tool, registry)
                registry.add(renamed)
            else:
                problems.append(ToolProblem(tool.source, f"a tool named {tool.name!r} already exists "
                                            f"({taken.source}); rename the function to use it"))
    return CatalogView(registry, tuple(problems))


def _prefixed(tool: Tool, registry: ToolRegistry) -> Tool:
    server = re.sub(r"[^A-Za-z0-9_-]", "_", tool.source[len(MCP_SOURCE):])
    name = f"{server}_{tool.name}"[:64]
    n = 2
    while name in registry:
        name = f"{server}_{tool.name}"[:60] + f"_{n}"
        n += 1
    return replace(tool, name=name)


__all__ = ["CatalogView", "MCP_SOURCE", "StaticTools", "ToolCatalog", "ToolSource", "merge", "user_tool_sources"]


def user_tool_sources(env: Mapping[str, str]) -> list[ToolSource]:
    """Your files (``CHAT_TOOLS_DIR``, default ``tools/`` beside the app) and ``CHAT_TOOL_MODULES``
    (comma-separated module names)."""
    folder = Path(env["CHAT_TOOLS_DIR"]).expanduser() if env.get("CHAT_TOOLS_DIR") else APP_ROOT / "tools"
    modules = [m for m in (env.get("CHAT_TOOL_MODULES") or "").split(",") if m.strip()]
    return [ToolFiles(folder, modules)]
