"""The tool loop: stream, run the tools asked for, send results back, repeat.

Bounded by ``max_steps`` tool rounds; after the last round the model is asked once more
without tools so the user always gets an answer in words. Every failure is data: a tool
that raises or hangs becomes an error result the model (and the user) can read.
"""

from __future__ import annotations

from typing import Any, Iterator, Protocol, Sequence

from .cancel import CancelToken
from .events import End, Error, Event, ToolCall, ToolResult
from .messages import assistant_message, tool_call_wire, tool_message, tool_result_content, with_system_prompt
from .settings import GenerationSettings, Timeouts
from .tools import ToolRegistry, run_tool_calls


class Provider(Protocol):
    def stream(
        self,
        messages: Sequence[dict[str, Any]],
        *,
        tools: Sequence[dict[str, Any]] | None = None,
        settings: GenerationSettings = ...,
        cancel: CancelToken | None = None,
    ) -> Iterator[Event]: ...


def run_turn(
    provider: Provider,
    history: Sequence[dict[str, Any]],
    *,
    settings: GenerationSettings = GenerationSettings(),
    tools: ToolRegistry | None = None,
    cancel: CancelToken | None = None,
    timeouts: Timeouts = Timeouts(),
) -> Iterator[Event]:
    """Events for one assistant turn over ``history`` (wire messages, without system prompt).

    Ends with exactly one ``End``. Closing this generator early closes the upstream too.
    """
    cancel = cancel or CancelToken()
    messages = with_system_prompt(settings.system_prompt, history)
    registry = tools.subset(settings.tools) if tools is not None and settings.tools is not None else tools
    offered = registry.openai_tools() if registry is not None and len(registry) else None
    try:
        for step in range(settings.max_steps + 1):
            last_round = step == settings.max_steps
            text_pieces: list[str] = []
            calls: list[ToolCall] = []
            end: End | None = None
            for event in provider.stream(messages, tools=None if last_round else offered, settings=settings, cancel=cancel):
                if type(event) is End:
                    end = event
                    break
                if type(event) is ToolCall:
                    if event.complete:
                        calls.append(event)
                elif event.type == "chunk":
                    text_pieces.append(event.content)  # type: ignore[union-attr]
                yield event
            if end is None:  # a provider that forgot to end: say so rather than hang the UI
                yield Error(kind="internal", message="The model stream ended without a proper ending.", retryable=True)
                yield End("error")
                return
            if end.finish_reason != "tool_calls" or not calls:
                yield end
                return
            if last_round or registry is None:
                yield End("max_steps", f"Stopped after {settings.max_steps} tool steps.")
                return
            wire_calls = [tool_call_wire(c.id, c.name, c.arguments) for c in calls]
            messages.append(assistant_message("".join(text_pieces), wire_calls))  # type: ignore[arg-type]
            results: dict[str, ToolResult] = {}
            for result in run_tool_calls(registry, calls, cancel, default_timeout=timeouts.tool):
                if type(result) is ToolResult:  # not a ToolProgress, which only the UI shows
                    results[result.id] = result
                yield result
            if cancel.cancelled:
                yield End("cancelled")
                return
            for call in calls:  # results go back in call order, whatever order they finished in
                result = results[call.id]
                messages.append(tool_message(call.id, tool_result_content(result.result, result.error)))
    except GeneratorExit:
        cancel.cancel("closed")  # the consumer went away (e.g. Streamlit interrupted the run)
        raise


__all__ = ["Provider", "run_turn"]
