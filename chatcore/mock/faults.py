"""Faults: the failures real OpenAI-compatible servers produce, on demand.

Choose one per request with any of:

- the header ``X-Mock-Fault: <spec>``
- the model name ``mock-fault-<spec>`` (e.g. ``mock-fault-429``)
- the tag ``[fault:<spec>]`` anywhere in the last user message
- ``MockOptions(scenario="fault:<spec>")`` for every request

``<spec>`` is ``name`` or ``name:N``; N tunes the fault as described below. An
unknown name gets a 400 error that lists the known ones.

Errors before the stream (HTTP status, OpenAI error JSON
``{"error": {"message", "type", "param", "code"}}``):

- ``401``: invalid API key (``code: invalid_api_key``).
- ``403``: permission denied for the model (``code: model_not_permitted``).
- ``404``: unknown model (``code: model_not_found``), naming the requested model.
- ``429``: rate limit (``code: rate_limit_exceeded``) with ``Retry-After: 2``; N sets the seconds.
- ``500``: internal server error (``type: server_error``).
- ``503``: overloaded (``type: server_error``); N adds ``Retry-After: N``.
- ``text_plain_500``: 500 with ``text/plain`` body ``Internal Server Error`` (not JSON).

Faults in the stream (HTTP 200 already sent; "chunk" = an answer chunk after the role chunk):

- ``drop:N``: the connection is cut after N chunks (default 5), no finish, no [DONE]
  (the client sees an incomplete body, a transport error).
- ``stall:N``: silence for N seconds (default 30) after 3 chunks, then the rest of the answer.
- ``malformed:N``: a ``data:`` line that is not JSON after N chunks (default 3), then the rest.
- ``inband_error:N``: after N chunks (default 3), ``data: {"error": {"message": ...,
  "type": "server_error"}}`` and a clean EOF without [DONE].
- ``no_done``: the whole answer with ``finish_reason`` (and usage if asked) but no [DONE].
- ``no_finish:N``: EOF without ``finish_reason`` and without [DONE]; N cuts after N chunks
  (default: the whole text).
- ``trickle:N``: a short answer one character per chunk, N ms apart (default 200).
- ``huge_chunk:N``: one content chunk of N characters (default 1 MB).

Faults in what the model says (streamed or not):

- ``bad_tool_args``: a tool call (first offered tool, else ``calculator``) whose
  arguments are invalid JSON.
- ``unknown_tool``: a call to ``launch_rockets``, a tool nobody offered.
- ``html``: prose containing ``<img src=x onerror=alert(1)>`` and
  ``<script>alert(1)</script>``: the UI must show them as text, never run them.

The two tool faults only fire when the conversation does not already end with tool
results, so a tool loop gets an honest follow-up instead of an endless fault. For
non-streamed requests, ``drop`` cuts the JSON body in half, ``stall`` delays it and
``malformed`` sends a body that is not JSON; the other stream faults have no effect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .conversation import Conversation
from .options import MockOptions, header_value
from .reply import Drop, Reply, Send, Stall
from .turn import PlannedCall, Turn
from .wire import BODY_KINDS, Frame, Plan

FAULTS: dict[str, str] = {
    "401": "invalid API key",
    "403": "permission denied",
    "404": "unknown model",
    "429": "rate limited, Retry-After: 2 (N seconds)",
    "500": "internal server error (OpenAI error JSON)",
    "503": "overloaded (N = Retry-After seconds)",
    "text_plain_500": "500 with a text/plain body",
    "drop": "connection cut after N chunks (default 5)",
    "stall": "N seconds of silence mid-stream (default 30)",
    "malformed": "a non-JSON data: line after N chunks",
    "inband_error": "an in-band error event, then EOF",
    "no_done": "finish_reason but no [DONE]",
    "no_finish": "EOF without finish_reason or [DONE]",
    "trickle": "one character every N ms (default 200)",
    "huge_chunk": "one content chunk of N characters (default 1 MB)",
    "bad_tool_args": "a tool call with invalid JSON arguments",
    "unknown_tool": "a call to the unknown tool launch_rockets",
    "html": "HTML/script injection inside the prose",
}
_TAG = re.compile(r"\[fault:([A-Za-z0-9_]+(?::[0-9.]+)?)\]", re.I)


@dataclass(frozen=True)
class FaultSpec:
    name: str
    arg: float | None = None

    def n(self, default: float) -> float:
        return default if self.arg is None else self.arg

    def __str__(self) -> str:
        return self.name if self.arg is None else f"{self.name}:{self.arg:g}"


def parse_fault(spec: str) -> FaultSpec:
    name, _, arg = spec.strip().lower().partition(":")
    try:
        return FaultSpec(name, float(arg) if arg else None)
    except ValueError:
        return FaultSpec(name)


def find_fault(conv: Conversation, headers: Mapping[str, str], options: MockOptions) -> FaultSpec | None:
    """The fault requested by header, model name, prompt tag or options, in that order."""
    header = header_value(headers, "X-Mock-Fault")
    if header:
        return parse_fault(header)
    if conv.model.lower().startswith("mock-fault-"):
        return parse_fault(conv.model[len("mock-fault-") :])
    tag = _TAG.search(conv.prompt)
    if tag:
        return parse_fault(tag.group(1))
    if options.scenario.lower().startswith("fault:"):
        return parse_fault(options.scenario[len("fault:") :])
    return None


def error_body(message: str, type_: str | None, code: str | None = None, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def error_reply(spec: FaultSpec, conv: Conversation) -> Reply | None:
    """The HTTP error for status faults (and unknown fault names); None for the others."""
    label: dict[str, Any] = {"fault": str(spec)}
    if spec.name == "401":
        body = error_body("Incorrect API key provided: sk-mock-****. (mock fault 401)", "invalid_request_error",
                          "invalid_api_key")
        return Reply(401, body=body, **label)
    if spec.name == "403":
        body = error_body(f"You are not allowed to use the model `{conv.model}`. (mock fault 403)",
                          "invalid_request_error", "model_not_permitted")
        return Reply(403, body=body, **label)
    if spec.name == "404":
        body = error_body(f"The model `{conv.model}` does not exist or you do not have access to it.",
                          "invalid_request_error", "model_not_found", "model")
        return Reply(404, body=body, **label)
    if spec.name == "429":
        body = error_body("Rate limit reached for requests. Please try again in 2s. (mock fault 429)", "requests",
                          "rate_limit_exceeded")
        return Reply(429, headers=(("Retry-After", f"{spec.n(2):g}"),), body=body, **label)
    if spec.name == "500":
        body = error_body("The server had an error while processing your request. Sorry about that!", "server_error")
        return Reply(500, body=body, **label)
    if spec.name == "503":
        retry = (("Retry-After", f"{spec.arg:g}"),) if spec.arg is not None else ()
        body = error_body("The engine is currently overloaded, please try again later.", "server_error")
        return Reply(503, headers=retry, body=body, **label)
    if spec.name == "text_plain_500":
        return Reply(500, text="Internal Server Error", **label)
    if spec.name not in FAULTS:
        known = ", ".join(FAULTS)
        body = error_body(f"Unknown mock fault {spec.name!r}. Known faults: {known}.", "invalid_request_error",
                          "unknown_fault")
        return Reply(400, body=body, **label)
    return None


_HTML = (
    "Here is a paragraph that contains markup a careless renderer would run. An image tag: "
    "<img src=x onerror=alert(1)> and a script tag: <script>alert(1)</script>. "
    "If you can read both tags as plain text, the interface escaped them correctly.\n\n"
    "**Still markdown:** lists, `code` and *emphasis* should render normally.\n"
)
_TRICKLE = "This answer arrives one character at a time."


def fault_turn(spec: FaultSpec, conv: Conversation, normal: Callable[[], Turn]) -> Turn:
    """The words the model says under ``spec``; ``normal()`` when the fault leaves them alone."""
    if spec.name in ("bad_tool_args", "unknown_tool") and not conv.results:
        if spec.name == "unknown_tool":
            return Turn(tool_calls=(PlannedCall.of("launch_rockets", target="moon", count=3),))
        name = sorted(conv.tools)[0] if conv.tools else "calculator"
        return Turn(tool_calls=(PlannedCall(name, '{"expression": "23*17+4", "note": "unterminated'),))
    if spec.name == "html":
        return Turn(content=_HTML)
    if spec.name == "trickle":
        return Turn(content=_TRICKLE, content_pieces=tuple(_TRICKLE), chunk_delay=spec.n(200) / 1000)
    if spec.name == "huge_chunk":
        size = int(spec.n(1_048_576))
        filler = "All work and no play makes a huge chunk. "
        big = (filler * (size // len(filler) + 1))[:size]
        return Turn(content=big, content_pieces=(big,))
    return normal()


def _after_chunks(plan: Plan, n: int) -> int:
    """Index just after the n-th answer chunk, never past the chunk that carries the finish."""
    body = [i for i, item in enumerate(plan) if isinstance(item, Frame) and item.kind in BODY_KINDS]
    if not body:
        return 1
    n = max(0, min(n, len(body) - 1))
    return body[n - 1] + 1 if n > 0 else body[0]


def apply_to_stream(spec: FaultSpec, plan: Plan) -> Plan:
    """Cut, corrupt or pause a streamed answer."""
    name = spec.name
    if name == "drop":
        return plan[: _after_chunks(plan, int(spec.n(5)))] + [Drop()]
    if name == "stall":
        at = _after_chunks(plan, 3)
        return plan[:at] + [Stall(spec.n(30))] + plan[at:]
    if name == "malformed":
        at = _after_chunks(plan, int(spec.n(3)))
        return plan[:at] + [Frame("garbage", raw=b"data: {this is not json, the upstream glitched\n\n")] + plan[at:]
    if name == "inband_error":
        error = {"error": {"message": "The server had an error while streaming the response. (mock fault)",
                           "type": "server_error"}}
        return plan[: _after_chunks(plan, int(spec.n(3)))] + [Frame("error", error)]
    if name == "no_done":
        return [item for item in plan if not (isinstance(item, Frame) and item.kind == "done")]
    if name == "no_finish":
        kept = [i for i in plan if not (isinstance(i, Frame) and i.kind in ("usage", "done"))]
        if spec.arg is not None:
            kept = kept[: _after_chunks(kept, int(spec.arg))]
        for item in kept:
            if isinstance(item, Frame):
                item.set_finish(None)
        return kept
    return plan


def apply_to_body(spec: FaultSpec, reply: Reply) -> Reply:
    """The non-streamed versions of ``drop``, ``stall`` and ``malformed``."""
    data = reply.body_bytes()
    if spec.name == "drop":
        return Reply(reply.status, body=reply.body, steps=(Send(data[: len(data) // 2]), Drop()), delay=reply.delay,
                     scenario=reply.scenario, fault=str(spec))
    if spec.name == "stall":
        return Reply(reply.status, body=reply.body, delay=reply.delay + spec.n(30), scenario=reply.scenario,
                     fault=str(spec))
    if spec.name == "malformed":
        return Reply(reply.status, headers=(("Content-Type", "application/json"),), text=data.decode()[:-7] + "<oops",
                     delay=reply.delay, scenario=reply.scenario, fault=str(spec))
    return reply


__all__ = ["FAULTS", "FaultSpec", "apply_to_body", "apply_to_stream", "error_reply", "fault_turn", "find_fault",
           "parse_fault"]
