"""The record of one answer, fed by events.

Everything the UI shows and the store keeps about an answer is read from here: text and
reasoning in arrival order, tool calls with arguments, results and durations, usage,
status and timings. Nobody re-derives these from the raw stream.

``apply`` is on the hot path (called for every chunk), so it does little: text pieces are
appended to a list and joined only when read.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

from .events import Chunk, End, Error, Event, Reasoning, ToolCall, ToolResult, Usage
from .messages import CANCELLED_TOOL_RESULT, assistant_message, tool_call_wire, tool_message, tool_result_content

TurnStatus = Literal["streaming", "complete", "stopped", "error", "incomplete", "interrupted"]
ToolState = Literal["streaming", "running", "complete", "error", "cancelled"]

_STATUS_BY_FINISH = {
    "stop": "complete",
    "length": "complete",
    "tool_calls": "complete",
    "content_filter": "complete",
    "max_steps": "complete",
    "cancelled": "stopped",
    "incomplete": "incomplete",
    "error": "error",
}


def tokens_per_second(tokens: int | None, first_token_s: float | None, total_s: float | None) -> float | None:
    """Generation speed: tokens over the time from the first token to the end."""
    if not tokens or total_s is None or first_token_s is None:
        return None
    generating = total_s - first_token_s
    return tokens / generating if generating > 0 else None


@dataclass
class ToolCallRecord:
    id: str
    name: str
    step: int
    arguments: str = ""
    parsed: dict[str, Any] | None = None
    complete: bool = False  # the arguments finished streaming
    state: ToolState = "streaming"
    result: Any = None
    error: str | None = None
    duration: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Segment:
    """A run of text or reasoning, or a reference to a tool call, in display order."""

    kind: Literal["text", "reasoning", "tool"]
    step: int
    pieces: list[str] = field(default_factory=list)
    tool_id: str = ""

    @property
    def text(self) -> str:
        if len(self.pieces) > 1:  # join once, keep the result
            self.pieces[:] = ["".join(self.pieces)]
        return self.pieces[0] if self.pieces else ""


class Turn:
    """One assistant answer. Thread-compatible: one writer; readers see a consistent-enough view."""

    def __init__(self, model: str = "", started_at: float | None = None) -> None:
        self.model = model
        self.status: TurnStatus = "streaming"
        self.segments: list[Segment] = []
        self.tool_calls: dict[str, ToolCallRecord] = {}
        self.usage: Usage | None = None
        self.error: Error | None = None
        self.notices: list[str] = []  # e.g. "Rate limited, retrying in 3 s"
        self.finish_reason: str | None = None
        self.end_message = ""
        self.chunk_count = 0
        self.started_at = time.time() if started_at is None else started_at
        self._t0 = time.perf_counter()
        self.first_token_s: float | None = None  # seconds from start to first visible output
        self.total_s: float | None = None
        self._step = 0
        self._after_tools = False
        self.message_id: int | None = None  # its row in the store, once saved
        # What it was answered with (``settings.settings_record``, no secret), kept in its record:
        # a rating copies these, not whatever the conversation uses later. None: not recorded.
        self.settings: dict[str, Any] | None = None

    # ---------------------------------------------------------------- feeding
    def apply(self, event: Event) -> None:
        if self.status != "streaming":
            return  # finished (e.g. stopped by the next script run): late events change nothing
        if type(event) is Chunk:
            self._mark_first_output()
            self.chunk_count += 1
            self._piece("text", event.content)
        elif type(event) is Reasoning:
            self._mark_first_output()
            self._piece("reasoning", event.content)
        elif type(event) is ToolCall:
            self._apply_tool_call(event)
        elif type(event) is ToolResult:
            self._after_tools = True
            record = self.tool_calls.get(event.id)
            if record is not None:
                record.result, record.error, record.duration = event.result, event.error, event.duration
                record.state = "complete" if event.error is None else ("cancelled" if event.error == "Cancelled" else "error")
        elif type(event) is Usage:
            self.usage = event
        elif type(event) is Error:
            if event.retry_in is not None:
                self.notices.append(event.message)
            else:
                self.error = event
        elif type(event) is End:
            self.finish(_STATUS_BY_FINISH.get(event.finish_reason, "complete"), event.finish_reason, event.message)  # type: ignore[arg-type]

    def _new_step_if_needed(self) -> None:
        if self._after_tools:
            self._after_tools = False
            self._step += 1

    def _piece(self, kind: Literal["text", "reasoning"], content: str) -> None:
        self._new_step_if_needed()
        segments = self.segments
        if segments and segments[-1].kind == kind:
            segments[-1].pieces.append(content)
        else:
            segments.append(Segment(kind=kind, step=self._step, pieces=[content]))

    def _apply_tool_call(self, event: ToolCall) -> None:
        self._new_step_if_needed()
        record = self.tool_calls.get(event.id)
        if record is None:
            self._mark_first_output()
            record = ToolCallRecord(id=event.id, name=event.name, step=self._step)
            self.tool_calls[event.id] = record
            self.segments.append(Segment(kind="tool", step=self._step, tool_id=event.id))
        record.name = event.name or record.name
        record.arguments = event.arguments
        if event.complete:
            record.parsed = event.parsed
            record.complete = True
            record.state = "running"

    def _mark_first_output(self) -> None:
        if self.first_token_s is None:
            self.first_token_s = time.perf_counter() - self._t0

    def finish(self, status: TurnStatus, finish_reason: str | None = None, message: str = "") -> None:
        """End the turn (idempotent: the first ending wins). Unfinished tool calls are closed."""
        if self.status != "streaming":
            return
        self.total_s = time.perf_counter() - self._t0
        self.finish_reason = finish_reason
        self.end_message = message
        for record in self.tool_calls.values():
            if record.state in ("streaming", "running"):
                record.state, record.error = "cancelled", "Cancelled"
        self.status = status

    def resume(self) -> None:
        """Carry on a finished answer (Continue): what streams next joins this same record.

        The ending (status, stop note, error) is forgotten; the text, tool calls and the
        time spent so far are kept, so the answer reads and measures as one."""
        self.status = "streaming"
        self.finish_reason = None
        self.end_message = ""
        self.error = None
        self.notices = []
        self._t0 = time.perf_counter() - (self.total_s or 0.0)
        self.total_s = None

    # ---------------------------------------------------------------- reading
    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments if s.kind == "text")

    @property
    def reasoning(self) -> str:
        return "".join(s.text for s in self.segments if s.kind == "reasoning")

    @property
    def is_finished(self) -> bool:
        return self.status != "streaming"

    @property
    def completion_tokens(self) -> int | None:
        if self.usage and self.usage.completion_tokens is not None:
            return self.usage.completion_tokens
        return self.chunk_count or None  # servers send about one token per chunk

    @property
    def tokens_per_second(self) -> float | None:
        return tokens_per_second(self.completion_tokens, self.first_token_s, self.total_s)

    def to_openai_messages(self) -> list[dict[str, Any]]:
        """This answer as history for the next request.

        One assistant message per step, each followed by its tool results. A call that
        never got a result gets a 'cancelled' result, so strict servers accept the history.
        """
        messages: list[dict[str, Any]] = []
        steps = sorted({s.step for s in self.segments})
        for step in steps:
            text = "".join(s.text for s in self.segments if s.step == step and s.kind == "text")
            # A call cut off while its arguments streamed was never made: leave it out.
            calls = [r for r in self.tool_calls.values() if r.step == step and r.complete]
            wire_calls = [tool_call_wire(r.id, r.name, r.arguments) for r in calls]
            message = assistant_message(text, wire_calls)
            if message is None:
                continue
            messages.append(message)
            for r in calls:
                if r.state in ("complete", "error"):
                    content = tool_result_content(r.result, r.error)
                else:
                    content = tool_result_content(error=CANCELLED_TOOL_RESULT)
                messages.append(tool_message(r.id, content))
        return messages

    def __repr__(self) -> str:
        return f"Turn(status={self.status!r}, chars={len(self.text)}, tools={len(self.tool_calls)})"


__all__ = ["Segment", "ToolCallRecord", "Turn", "TurnStatus", "ToolState", "tokens_per_second"]
