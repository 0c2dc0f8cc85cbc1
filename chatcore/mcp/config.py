"""Which MCP servers to connect to: ``mcp.json`` in the ``mcpServers`` format desktop AI apps
use, and the same entries under ``[mcp_servers.NAME]`` in ``st.secrets`` (so a token in a
header stays a secret on Community Cloud). A secret entry wins over a file entry of the
same name. A bad entry is skipped with a problem that names it; the others still connect.

    {"mcpServers": {
        "time":   {"command": "uvx", "args": ["mcp-server-time"], "env": {"TZ": "UTC"}},
        "search": {"url": "https://example.com/mcp", "headers": {"Authorization": "Bearer …"}}
    }}

Optional per server: ``"timeout"`` (seconds per call, default the app's tool timeout),
``"disabled": true``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

APP_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PATH = APP_ROOT / "mcp.json"


@dataclass(frozen=True)
class ServerSpec:
    name: str
    command: str = ""  # stdio: the program to start…
    args: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # may hold tokens
    url: str = ""  # …or Streamable HTTP
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # may hold tokens
    timeout: float | None = None
    origin: str = "mcp.json"

    @property
    def transport(self) -> str:
        return "http" if self.url else "stdio"

    @property
    def target(self) -> str:
        """Where it runs, for people (never the headers or env, which may hold secrets)."""
        return self.url if self.url else " ".join((self.command, *self.args))


def _spec(name: str, entry: Any, origin: str) -> ServerSpec:
    if not isinstance(entry, Mapping):
        raise ValueError("must be an object with a 'command' or a 'url'")
    command, url = entry.get("command"), entry.get("url")
    if bool(command) == bool(url):
        raise ValueError("needs exactly one of 'command' (stdio) or 'url' (Streamable HTTP)")
    args = entry.get("args", [])
    if not isinstance(args, (list, tuple)) or not all(isinstance(a, str) for a in args):
        raise ValueError("'args' must be a list of strings")
    env = entry.get("env", {})
    headers = entry.get("headers", {})
    for key, value in (("env", env), ("headers", headers)):
        if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
            raise ValueError(f"'{key}' must map names to strings")
    timeout = entry.get("timeout")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0):
        raise ValueError("'timeout' must be a positive number of seconds")
    if url and not str(url).startswith(("http://", "https://")):
        raise ValueError("'url' must start with http:// or https://")
    return ServerSpec(
        name=name,
        command=str(command or ""),
        args=tuple(args),
        env=tuple((str(k), v) for k, v in env.items()),
        url=str(url or ""),
        headers=tuple((str(k), v) for k, v in headers.items()),
        timeout=float(timeout) if timeout is not None else None,
        origin=origin,
    )


def parse_servers(entries: Any, origin: str) -> tuple[list[ServerSpec], list[str]]:
    specs: list[ServerSpec] = []
    problems: list[str] = []
    if not isinstance(entries, Mapping):
        return [], [f"{origin}: the servers must be an object of name -> server"]
    for name, entry in entries.items():
        if isinstance(entry, Mapping) and entry.get("disabled") is True:
            continue
        try:
            specs.append(_spec(str(name), entry, origin))
        except ValueError as exc:
            problems.append(f"{origin}: server '{name}' {exc}; skipped.")
    return specs, problems


def config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    configured = env.get("CHAT_MCP_CONFIG")
    return Path(configured).expanduser() if configured else DEFAULT_PATH


def load_server_specs(path: Path | None = None, secrets: Mapping[str, Any] | None = None) -> tuple[tuple[ServerSpec, ...], tuple[str, ...]]:
    """Servers from the file (if any) and from secrets' ``mcp_servers``; and what was wrong."""
    path = path or config_path()
    specs: dict[str, ServerSpec] = {}
    problems: list[str] = []
    label = path.name if path.parent == APP_ROOT else str(path)
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            problems.append(f"{label}: cannot be read ({exc}); no servers from it.")
            data = {}
        if not isinstance(data, Mapping):
            problems.append(f"{label}: must be a JSON object with 'mcpServers'.")
            data = {}
        found, bad = parse_servers(data.get("mcpServers", {}), label)
        specs.update((s.name, s) for s in found)
        problems += bad
    elif path != DEFAULT_PATH:
        problems.append(f"{label}: file not found (CHAT_MCP_CONFIG).")
    if secrets:
        found, bad = parse_servers(secrets, "secrets [mcp_servers]")
        specs.update((s.name, s) for s in found)
        problems += bad
    return tuple(specs.values()), tuple(problems)


__all__ = ["ServerSpec", "config_path", "load_server_specs", "parse_servers"]
