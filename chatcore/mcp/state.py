"""What the UI shows about an MCP server: connecting, ready with N tools, or failed and why.

Kept apart from the connection so showing a state never imports the MCP SDK."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["connecting", "ready", "failed"]


@dataclass(frozen=True)
class ServerState:
    name: str
    status: Status
    target: str
    tools: int = 0
    reason: str = ""
    retry_in: float | None = None

    def describe(self) -> str:
        if self.status == "ready":
            return f"ready · {self.tools} tool{'s' if self.tools != 1 else ''}"
        if self.status == "connecting":
            return "connecting…"
        retry = f" (retrying in {self.retry_in:g} s)" if self.retry_in else ""
        return f"failed: {self.reason}{retry}"


__all__ = ["ServerState", "Status"]
