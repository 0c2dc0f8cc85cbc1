"""The doctor's probes: one small request each, read into a table cell with its evidence.

Each probe asks for as few tokens as the question allows (a token limit of 1 to 60, prompts
of a few words) and has its own timeout. ``Wire`` holds what earlier probes learned and
later requests must respect (how to send the token limit, whether ``stream_options`` may
be sent): a server that wants ``max_completion_tokens`` would refuse every later probe
otherwise, and that refusal would be mistaken for the gap being probed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from .exchange import Exchange, ProbeTarget, send

Status = Literal["ok", "gap", "note", "failed", "skipped"]

# A 1x1 red PNG: the smallest image a vision model will take.
TINY_PNG = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==")
CALCULATOR = {"type": "function", "function": {
    "name": "calculator", "description": "Evaluate an arithmetic expression.",
    "parameters": {"type": "object", "properties": {"expression": {"type": "string"}}, "required": ["expression"]}}}
CURRENT_TIME = {"type": "function", "function": {
    "name": "current_time", "description": "The current time in an IANA time zone.",
    "parameters": {"type": "object", "properties": {"timezone": {"type": "string"}}, "required": ["timezone"]}}}


@dataclass(frozen=True)
class Cell:
    key: str
    check: str
    status: Status
    result: str
    evidence: str = ""
    action: str = ""  # what the app does about it
    tokens: int = 0
    estimated: bool = False
    seconds: float = 0.0


@dataclass
class Wire:
    """What the later probes must send, learned by the earlier ones."""

    limit_param: str = "max_tokens"
    stream_options: bool = False  # sent once the usage probe found it accepted (exact token counts)
    usage_unasked: bool = False  # the plain stream carried usage without being asked

    def body(self, model: str, prompt: str | list[dict[str, Any]], limit: int, **extra: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"model": model, "messages": [{"role": "user", "content": prompt}], "stream": True,
                                self.limit_param: limit, **extra}
        if self.stream_options:
            body["stream_options"] = {"include_usage": True}
        return body


@dataclass
class Probe:
    """One request and its exchange, with the token bookkeeping every cell needs."""

    target: ProbeTarget
    timeout: float
    exchanges: list[Exchange] = field(default_factory=list)

    def send(self, body: dict[str, Any] | None, path: str = "chat/completions") -> Exchange:
        ex = send(self.target, path, body, self.timeout)
        self.exchanges.append(ex)
        return ex

    def cell(self, key: str, check: str, status: Status, result: str, evidence: str = "", action: str = "") -> Cell:
        tokens, estimated = 0, False
        for ex in self.exchanges:
            count, guess = ex.tokens()
            tokens += count
            estimated = estimated or (guess and count > 0)
        seconds = sum(ex.total_s for ex in self.exchanges)
        return Cell(key, check, status, result, self.target.redact(evidence), action, tokens, estimated, round(seconds, 3))


def stream_evidence(ex: Exchange, lines: int = 2) -> str:
    if not ex.ok:
        return f"{ex.status_text()}: {ex.error_text() or ex.failure}"
    shown = " ".join(ex.lines[:lines])
    return f"HTTP 200 {ex.content_type.split(';')[0]}; {ex.chunks} chunks; {shown}"


def refused(ex: Exchange) -> bool:
    return ex.status in (400, 422)


# ---------------------------------------------------------------- sequential probes
def models(p: Probe) -> Cell:
    ex = p.send(None, "models")
    check = "Models listed (GET /models)"
    if not ex.ok:
        return p.cell("models", check, "gap", "not listed", f"{ex.status_text()}: {ex.error_text() or ex.failure}",
                      "Type the model name in the sidebar.")
    try:
        ids = [str(m.get("id")) for m in json.loads(ex.body).get("data") or [] if isinstance(m, dict)]
    except (ValueError, AttributeError):
        return p.cell("models", check, "gap", "not a model list", f"HTTP 200: {ex.body[:200]}", "Type the model name.")
    if not ids:
        return p.cell("models", check, "gap", "empty list", f"HTTP 200: {ex.body[:200]}", "Type the model name.")
    found = p.target.model in ids
    return p.cell("models", check, "ok" if found else "note", f"{len(ids)} models" + ("" if found else ", not this one"),
                  f"HTTP 200: {', '.join(ids[:6])}{' …' if len(ids) > 6 else ''}")


def limit_param(p: Probe, wire: Wire) -> tuple[Cell, Exchange | None]:
    """max_tokens, else max_completion_tokens. Returns the cell and the accepted exchange (for finish reasons)."""
    check = "max_tokens vs max_completion_tokens"
    first = p.send(Wire("max_tokens").body(p.target.model, "Say OK.", 1))
    if first.ok:
        return p.cell("limit_param", check, "ok", "max_tokens accepted", "max_tokens=1 → " + stream_evidence(first, 1)), first
    if not refused(first):
        return p.cell("limit_param", check, "failed", "no answer", f"max_tokens=1 → {stream_evidence(first)}"), None
    second = p.send(Wire("max_completion_tokens").body(p.target.model, "Say OK.", 1))
    evidence = f"max_tokens=1 → {stream_evidence(first)} | max_completion_tokens=1 → {stream_evidence(second, 1)}"
    if second.ok:
        wire.limit_param = "max_completion_tokens"
        return p.cell("limit_param", check, "gap", "needs max_completion_tokens", evidence,
                      "Max tokens is sent as max_completion_tokens."), second
    return p.cell("limit_param", check, "failed", "both refused", evidence), None


def plain_stream(p: Probe, wire: Wire) -> tuple[Cell, Exchange]:
    ex = p.send(wire.body(p.target.model, "Count from 1 to 10, digits only.", 24))
    check = "Plain streaming"
    if not ex.ok:
        return p.cell("stream", check, "failed", "no stream", stream_evidence(ex)), ex
    wire.usage_unasked = ex.usage is not None
    done = "[DONE] received" if ex.done else "no [DONE] (tolerated)"
    status: Status = "ok" if ex.content and ex.finish_reasons else "gap"
    result = f"{ex.content_pieces} text chunks, {done}" if ex.content else "no text streamed"
    return p.cell("stream", check, status, result, stream_evidence(ex, 2)), ex


def speed(ex: Exchange) -> Cell:
    check = "Time to first token, tokens/s"
    if not ex.ok or ex.first_token_s is None:
        return Cell("speed", check, "skipped", "no tokens to time", stream_evidence(ex))
    generating = ex.total_s - ex.first_token_s
    rate = (ex.content_pieces - 1) / generating if ex.content_pieces > 1 and generating > 0 else None
    rate_text = f"{rate:.0f} tokens/s" if rate is not None else "too short to rate"
    return Cell("speed", check, "note", f"TTFT {ex.first_token_s * 1000:.0f} ms, {rate_text}",
                f"{ex.content_pieces} chunks in {ex.total_s:.2f} s (the plain streaming probe)")


def usage(p: Probe, wire: Wire) -> tuple[Cell, bool, bool]:
    """Returns (cell, stream_options accepted, usage arrives)."""
    check = "stream_options.include_usage honoured"
    body = wire.body(p.target.model, "Say OK.", 1, stream_options={"include_usage": True})
    ex = p.send(body)
    if refused(ex):
        action = "stream_options is not sent." + ("" if wire.usage_unasked else " Usage is estimated.")
        return p.cell("usage", check, "gap", "stream_options rejected", stream_evidence(ex), action), False, wire.usage_unasked
    if not ex.ok:
        return p.cell("usage", check, "failed", "no answer", stream_evidence(ex)), True, wire.usage_unasked
    if ex.usage is None:
        return p.cell("usage", check, "gap", "no usage in the stream", stream_evidence(ex, 3),
                      "Usage is estimated."), True, False
    shown = {k: ex.usage.get(k) for k in ("prompt_tokens", "completion_tokens", "total_tokens")}
    wire.stream_options = True
    return p.cell("usage", check, "ok", "usage chunk received", f"usage: {json.dumps(shown)}"), True, True


def finish_reasons(cut: Exchange | None, plain: Exchange, tool: Exchange | None) -> Cell:
    check = "Finish reasons"
    seen = {
        "limit 1": cut.finish_reasons[-1] if cut and cut.finish_reasons else None,
        "plain": plain.finish_reasons[-1] if plain.finish_reasons else None,
        "tool call": tool.finish_reasons[-1] if tool and tool.finish_reasons else None,
    }
    evidence = "; ".join(f"{k} → {v or 'none'}" for k, v in seen.items())
    if seen["plain"] is None or (cut is not None and seen["limit 1"] is None):
        return Cell("finish", check, "gap", "finish_reason missing", evidence,
                    "An answer ending without a finish reason is shown as possibly cut short.")
    if seen["limit 1"] != "length" or (seen["tool call"] not in (None, "tool_calls")):
        return Cell("finish", check, "note", "unusual values", evidence,
                    "Tool calls are detected from the calls, not from finish_reason.")
    return Cell("finish", check, "ok", "length / stop / tool_calls", evidence)
