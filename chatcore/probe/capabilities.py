"""What one endpoint + model can do, as a frozen value the provider reads.

The doctor measures it (``doctor.run_doctor``); ``ProviderConfig.capabilities`` carries it
to ``OpenAICompatProvider``, which applies it before the request goes out instead of
learning each gap from a failure. ``None`` there means "not checked": the provider then
behaves as before (asks for usage, retries once without ``stream_options`` if refused).

Imports nothing from the rest of chatcore, so ``settings`` can name it without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

LimitParam = Literal["max_tokens", "max_completion_tokens"]


@dataclass(frozen=True, slots=True)
class Capabilities:
    stream_options: bool = True  # the server accepts stream_options (else it is never sent)
    usage_in_stream: bool = True  # usage arrives in the stream (else the app estimates it)
    tools: bool = True  # tool calls come (else no tools are offered to this model)
    parallel_tools: bool = True  # several calls in one step
    tool_choice_required: bool = True
    reasoning_field: str | None = None  # where reasoning streamed, when the check saw any
    images: bool = True
    json_mode: bool = True
    limit_param: LimitParam = "max_tokens"  # how the answer-length limit is sent

    def notes(self) -> tuple[str, ...]:
        """What the app does about each gap, in words for the sidebar and the doctor's table."""
        notes = []
        if not self.stream_options:
            notes.append("stream_options is not sent (the server refuses it).")
        if not self.usage_in_stream:
            notes.append("Usage is estimated (the server sends none).")
        if not self.tools:
            notes.append("Tools are off for this model (it never calls them).")
        elif not self.parallel_tools:
            notes.append("One tool call per step: multi-tool answers take more steps.")
        if self.limit_param == "max_completion_tokens":
            notes.append("Max tokens is sent as max_completion_tokens.")
        if not self.images:
            notes.append("The server refuses images.")
        if not self.json_mode:
            notes.append("The server refuses response_format (JSON mode).")
        return tuple(notes)


__all__ = ["Capabilities", "LimitParam"]
