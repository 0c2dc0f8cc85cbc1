"""How the mock model behaves: scenario choice and pacing.

Kept separate from the scenarios so both transports (in-process and HTTP) and the
CLI share one settings object. Per-request headers may override the pacing, so one
running server can serve a fast test and a slow demo side by side.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping


@dataclass(frozen=True)
class MockOptions:
    scenario: str = "auto"  # "auto" = pick by keyword in the last user message; else a scenario name
    ttft: float = 0.4  # seconds before the first byte of the answer
    chunk_delay: float = 0.02  # seconds between chunks
    keepalive: bool = False  # send ": keep-alive" SSE comments now and then


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup that works on plain dicts too."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def options_for_request(options: MockOptions, headers: Mapping[str, str]) -> MockOptions:
    """Apply ``X-Mock-TTFT`` / ``X-Mock-Chunk-Delay`` / ``X-Mock-Keepalive`` overrides."""
    changes: dict[str, Any] = {}
    for header, field in (("X-Mock-TTFT", "ttft"), ("X-Mock-Chunk-Delay", "chunk_delay")):
        raw = header_value(headers, header)
        if raw is not None:
            try:
                changes[field] = max(0.0, float(raw))
            except ValueError:
                pass
    keepalive = header_value(headers, "X-Mock-Keepalive")
    if keepalive is not None:
        changes["keepalive"] = keepalive.strip().lower() in ("1", "true", "yes", "on")
    return replace(options, **changes) if changes else options


__all__ = ["MockOptions", "header_value", "options_for_request"]
