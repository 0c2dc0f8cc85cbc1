"""One probe request on the raw wire, read into an ``Exchange`` the probes interpret.

The doctor talks HTTP itself (httpx2, no SDK) because its job is to show the evidence the
SDK hides: status codes, raw ``data:`` lines, which delta key carried the reasoning,
whether ``[DONE]`` came. Every request has its own deadline; a server that stalls is cut
off and the probe says so.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, Mapping

import httpx2

EVIDENCE_CHARS = 400


@dataclass(frozen=True)
class ProbeTarget:
    """Where to probe. ``transport`` serves the built-in mock in-process (None: the network)."""

    base_url: str
    model: str
    api_key: str = field(default="", repr=False)
    extra_headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    transport: httpx2.BaseTransport | None = field(default=None, repr=False, compare=False)

    def client(self, timeout: float) -> httpx2.Client:
        headers = {"Authorization": f"Bearer {self.api_key or 'no-key'}", **dict(self.extra_headers)}
        return httpx2.Client(base_url=self.base_url.rstrip("/") + "/", headers=headers, transport=self.transport,
                             timeout=httpx2.Timeout(timeout, connect=min(timeout, 5.0)))

    def redact(self, text: str) -> str:
        """Evidence never shows the key, even when a server echoes it back."""
        return text.replace(self.api_key, "***") if self.api_key else text


@dataclass
class ToolCallSeen:
    id: str = ""
    name: str = ""
    arguments: str = ""

    def parsed(self) -> dict[str, Any] | None:
        try:
            value = json.loads(self.arguments or "{}")
        except ValueError:
            return None
        return value if isinstance(value, dict) else None


@dataclass
class Exchange:
    """What came back for one request."""

    status: int | None = None  # None: no response (timeout, refused connection)
    failure: str = ""  # why there was no (complete) response
    content_type: str = ""
    body: str = ""  # a non-streamed or error body, trimmed
    lines: list[str] = field(default_factory=list)  # the first raw `data:` lines, for evidence
    chunks: int = 0
    done: bool = False  # `data: [DONE]` arrived
    content: str = ""
    content_pieces: int = 0
    reasoning_fields: set[str] = field(default_factory=set)
    reasoning: str = ""
    tool_calls: dict[int, ToolCallSeen] = field(default_factory=dict)
    finish_reasons: list[str] = field(default_factory=list)
    usage: dict[str, Any] | None = None
    first_token_s: float | None = None
    total_s: float = 0.0
    prompt_chars: int = 0  # for estimating the prompt's tokens when the server gives no usage

    @property
    def ok(self) -> bool:
        return self.status == 200 and not self.failure

    @property
    def calls(self) -> list[ToolCallSeen]:
        return [self.tool_calls[i] for i in sorted(self.tool_calls)]

    def status_text(self) -> str:
        return f"HTTP {self.status}" if self.status is not None else self.failure or "no response"

    def error_text(self) -> str:
        """The server's own words for a refusal (its error message, else the body)."""
        try:
            data = json.loads(self.body)
        except ValueError:
            return self.body.strip()[:200]
        if isinstance(data, dict):
            error = data.get("error", data.get("detail", data))
            if isinstance(error, dict):
                return str(error.get("message") or error)[:200]
            return str(error)[:200]
        return self.body.strip()[:200]

    def tokens(self) -> tuple[int, bool]:
        """Tokens this request cost: (count, estimated?). Usage when the server said, else ~chars/4."""
        if self.usage and isinstance(self.usage.get("total_tokens"), int):
            return int(self.usage["total_tokens"]), False
        if self.status != 200:
            return 0, False  # refused before the model ran
        completion = self.content_pieces + len(self.reasoning) // 4 + sum(len(c.arguments) // 4 + 1 for c in self.calls)
        return round(self.prompt_chars / 4) + completion, True


def _read_delta(ex: Exchange, delta: dict[str, Any], started: float) -> None:
    content = delta.get("content")
    if isinstance(content, str) and content:
        ex.content += content
        ex.content_pieces += 1
        if ex.first_token_s is None:
            ex.first_token_s = time.perf_counter() - started
    for key in ("reasoning_content", "reasoning"):
        value = delta.get(key)
        if isinstance(value, str) and value:
            ex.reasoning_fields.add(key)
            ex.reasoning += value
            if ex.first_token_s is None:
                ex.first_token_s = time.perf_counter() - started
    for position, call in enumerate(delta.get("tool_calls") or []):
        if not isinstance(call, dict):
            continue
        index = call.get("index", position)
        seen = ex.tool_calls.setdefault(int(index) if isinstance(index, int) else position, ToolCallSeen())
        fn = call.get("function") or {}
        seen.id = seen.id or str(call.get("id") or "")
        seen.name = seen.name or str(fn.get("name") or "")
        arguments = fn.get("arguments")
        seen.arguments += json.dumps(arguments) if isinstance(arguments, dict) else str(arguments or "")
        if ex.first_token_s is None:
            ex.first_token_s = time.perf_counter() - started


def _read_event(ex: Exchange, data: str, started: float) -> None:
    if data == "[DONE]":
        ex.done = True
        return
    ex.chunks += 1
    try:
        payload = json.loads(data)
    except ValueError:
        ex.failure = "a data: line that is not JSON"
        return
    if not isinstance(payload, dict):
        return
    if payload.get("error"):
        ex.failure = f"an in-band error: {str(payload['error'])[:160]}"
    if isinstance(payload.get("usage"), dict):
        ex.usage = payload["usage"]
    for choice in payload.get("choices") or []:
        if not isinstance(choice, dict):
            continue
        if isinstance(choice.get("delta"), dict):
            _read_delta(ex, choice["delta"], started)
        if choice.get("finish_reason"):
            ex.finish_reasons.append(str(choice["finish_reason"]))


def send(target: ProbeTarget, path: str, body: dict[str, Any] | None, timeout: float) -> Exchange:
    """POST ``body`` (GET when None) and read the whole reply, streamed or not, within ``timeout`` s."""
    ex = Exchange(prompt_chars=len(json.dumps(body.get("messages"))) if body else 0)
    started = time.perf_counter()
    deadline = started + timeout
    try:
        with target.client(timeout) as client:
            method = "GET" if body is None else "POST"
            with client.stream(method, path, json=body) as response:
                ex.status = response.status_code
                ex.content_type = response.headers.get("content-type", "")
                if response.status_code != 200 or "event-stream" not in ex.content_type:
                    ex.body = target.redact(response.read().decode("utf-8", "replace"))[:4000]
                else:
                    for line in response.iter_lines():
                        if line.startswith("data:"):
                            data = line[5:].strip()
                            if len(ex.lines) < 6:
                                ex.lines.append(target.redact(line)[:140])
                            _read_event(ex, data, started)
                        if time.perf_counter() > deadline:
                            ex.failure = f"timed out after {timeout:g} s"
                            break
    except httpx2.TimeoutException:
        ex.failure = f"timed out after {timeout:g} s"
    except httpx2.HTTPError as exc:
        ex.failure = f"{type(exc).__name__}: {target.redact(str(exc))[:160]}"
    ex.total_s = time.perf_counter() - started
    return ex


__all__ = ["EVIDENCE_CHARS", "Exchange", "ProbeTarget", "ToolCallSeen", "send"]
