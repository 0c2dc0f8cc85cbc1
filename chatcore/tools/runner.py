"""Run the model's tool calls concurrently and turn every outcome into a ``ToolResult``.

Why threads and not a pool: each call runs in its own daemon thread, so a tool that hangs
forever is simply abandoned at its timeout and can never block the process from exiting.
Why a queue: the runner sleeps on one ``queue.Queue`` that finished calls, and the cancel
token, write to; so it wakes at once on a result or on Stop, without polling.
Nothing escapes as an exception: unknown tools, bad JSON, bad arguments, crashes,
timeouts and cancellation all come back as error results the model can read.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator, cast

from pydantic_core import to_jsonable_python

from chatcore.cancel import CancelToken
from chatcore.events import ToolCall, ToolProgress, ToolResult
from chatcore.tools.context import ToolContext
from chatcore.tools.errors import ToolError
from chatcore.tools.registry import Tool, ToolRegistry

_CANCELLED = object()  # queue marker: the parent token was cancelled
_MAX_ARGUMENTS_SHOWN = 200


@dataclass
class _Running:
    index: int
    call: ToolCall
    context: ToolContext
    started: float
    deadline: float
    timeout: float


def run_tool_calls(
    registry: ToolRegistry,
    calls: list[ToolCall],
    cancel: CancelToken,
    *,
    default_timeout: float = 15.0,
) -> Iterator[ToolResult | ToolProgress]:
    """Yield one ``ToolResult`` per call, in completion order (and the ``ToolProgress``
    the tools report while they run)."""
    inbox: queue.Queue[Any] = queue.Queue()
    running: dict[int, _Running] = {}
    if cancel.cancelled:
        for call in calls:
            yield _error(call, "Cancelled", 0.0)
        return
    unregisters = [cancel.on_cancel(lambda: inbox.put(_CANCELLED))]
    try:
        ready: list[ToolResult] = []
        for index, call in enumerate(calls):
            started = time.perf_counter()
            tool, arguments, problem = _resolve(registry, call)
            if problem is not None:
                ready.append(_error(call, problem, time.perf_counter() - started))
                continue
            tool = cast(Tool, tool)  # no problem means the tool was found
            timeout = tool.timeout or default_timeout
            context = ToolContext(call.id, CancelToken(), call.name, on_progress=inbox.put)
            item = _Running(index, call, context, started, started + timeout, timeout)
            thread = threading.Thread(
                target=_work, args=(tool, arguments, item, inbox), name=f"tool-{call.name}", daemon=True
            )
            try:
                thread.start()
            except RuntimeError as exc:  # "can't start new thread": still only data
                ready.append(_error(call, f"Could not start the tool: {exc}", time.perf_counter() - started))
                continue
            running[index] = item
            unregisters.append(cancel.on_cancel(_linked(item.context.cancel, cancel)))
        yield from ready
        yield from _collect(running, inbox, cancel)
    finally:
        for unregister in unregisters:
            unregister()
        for item in running.values():  # the consumer stopped early: tell stragglers to stop
            item.context.cancel.cancel("abandoned")


def _linked(child: CancelToken, parent: CancelToken) -> Callable[[], None]:
    """A closer that passes the parent's cancel (and its reason) on to one call."""
    return lambda: child.cancel(parent.reason or "stopped")


def _collect(
    running: dict[int, _Running], inbox: queue.Queue[Any], cancel: CancelToken
) -> Iterator[ToolResult | ToolProgress]:
    """Yield results as they arrive; expire overdue calls; on cancel, end at once."""
    while running:
        if cancel.cancelled:
            yield from _already_finished(running, inbox)  # calls that beat the Stop still count
            for index in sorted(running):
                item = running.pop(index)
                yield _error(item.call, "Cancelled", time.perf_counter() - item.started)
            return
        wait = max(0.0, min(item.deadline for item in running.values()) - time.perf_counter())
        try:
            message = inbox.get(timeout=wait)
        except queue.Empty:
            now = time.perf_counter()
            for index in sorted(running):
                item = running[index]
                if item.deadline <= now:
                    del running[index]
                    item.context.cancel.cancel("timeout")
                    yield _error(item.call, f"Timed out after {item.timeout:g} s", now - item.started)
            continue
        if isinstance(message, ToolProgress):
            if any(item.call.id == message.id for item in running.values()):
                yield message
            continue
        if _accept(message, running):
            yield message[1]


def _already_finished(running: dict[int, _Running], inbox: queue.Queue[Any]) -> Iterator[ToolResult]:
    """Results already waiting in the inbox, without blocking."""
    while True:
        try:
            message = inbox.get_nowait()
        except queue.Empty:
            return
        if _accept(message, running):
            yield message[1]


def _accept(message: Any, running: dict[int, _Running]) -> bool:
    """A real result for a call still waited on (not one that only returned because it was stopped)."""
    if message is _CANCELLED or isinstance(message, ToolProgress):
        return False
    index, _, stopped = message
    if stopped or index not in running:
        return False
    del running[index]
    return True


def _resolve(registry: ToolRegistry, call: ToolCall) -> tuple[Tool | None, dict[str, Any], str | None]:
    """Find the tool and its arguments, or say in words why the call cannot run."""
    tool = registry.get(call.name)
    if tool is None:
        return None, {}, f"Unknown tool '{call.name}'. Available: {', '.join(registry.names()) or '(none)'}"
    arguments = call.parsed
    if arguments is None:
        if not (call.arguments or "").strip():
            return tool, {}, None  # some models send "" for a call without arguments
        shown = call.arguments[:_MAX_ARGUMENTS_SHOWN] + ("…" if len(call.arguments) > _MAX_ARGUMENTS_SHOWN else "")
        return tool, {}, f"The model sent arguments that are not valid JSON: {shown}"
    return tool, arguments, None


def _work(tool: Tool, arguments: dict[str, Any], item: _Running, inbox: queue.Queue[Any]) -> None:
    """Thread body: always posts exactly one result, whatever the tool does."""
    result: Any = None
    error: str | None = None
    try:
        result = tool.invoke(arguments, item.context)
    except ToolError as exc:  # includes ToolArgumentsError: written for the user
        error = str(exc) or type(exc).__name__
    except BaseException as exc:  # noqa: BLE001 - a tool must never kill the runner
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    stopped = item.context.cancelled  # it returned because it was told to stop: not a real result
    duration = time.perf_counter() - item.started
    if error is None:
        result = _jsonable(result)
    result_event = ToolResult(item.call.id, item.call.name, result=result, error=error, duration=duration)
    inbox.put((item.index, result_event, stopped))


def _jsonable(value: Any) -> Any:
    """The value as plain JSON data; anything that is not becomes its ``str()``."""
    try:
        data = to_jsonable_python(value)
        json.dumps(data, allow_nan=False)
        return data
    except Exception:  # noqa: S110 - not JSON data: its str() below
        pass
    try:
        return str(value)
    except Exception:  # even __str__ can fail
        return f"<unprintable {type(value).__name__}>"


def _error(call: ToolCall, message: str, duration: float) -> ToolResult:
    return ToolResult(call.id, call.name, error=message, duration=duration)


__all__ = ["run_tool_calls"]
