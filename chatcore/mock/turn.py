"""What the mock model says in one turn, before it is put on the wire.

Scenarios produce a ``Turn`` (reasoning, text, tool calls); ``wire`` turns it into SSE
chunks or a JSON completion. Separating the two lets faults alter either the words
(``html``, ``unknown_tool``) or the delivery (``drop``, ``stall``) independently.
"""

from __future__ import annotations

import json
import secrets
import string
from dataclasses import dataclass, field
from typing import Any

_ALPHANUMERIC = string.ascii_letters + string.digits


def new_call_id() -> str:
    """``call_`` + 24 random alphanumerics, the shape OpenAI uses."""
    return "call_" + "".join(secrets.choice(_ALPHANUMERIC) for _ in range(24))


@dataclass(frozen=True)
class PlannedCall:
    """A tool call; ``arguments`` is the raw JSON text (deliberately invalid in one fault)."""

    name: str
    arguments: str
    id: str = field(default_factory=new_call_id)

    @classmethod
    def of(cls, name: str, **arguments: Any) -> PlannedCall:
        return cls(name, json.dumps(arguments, ensure_ascii=False))


@dataclass(frozen=True)
class Turn:
    content: str = ""
    reasoning: str = ""
    tool_calls: tuple[PlannedCall, ...] = ()
    content_pieces: tuple[str, ...] | None = None  # exact streaming pieces (bench, trickle)
    chunk_delay: float | None = None  # overrides the pacing between chunks (trickle)

    @property
    def finish_reason(self) -> str:
        return "tool_calls" if self.tool_calls else "stop"


__all__ = ["PlannedCall", "Turn", "new_call_id"]
