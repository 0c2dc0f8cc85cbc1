"""The four ways a tool function can be written, settled into one result.

* a plain function returns its result;
* an ``async def`` is run to completion on an event loop of the tool's own thread;
* a generator (sync or async) yields progress as it goes (each yield is shown live on the
  tool's panel: a string, or ``(done, total)``); its result is its ``return`` value, or
  its last yield when it returns nothing (an async generator cannot return a value).

Stop and timeouts reach all of them: the ``ToolContext``'s cancel token cancels the
asyncio task, and a generator is closed at its next yield.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any, AsyncIterator, Iterator

from chatcore.tools.context import ToolContext
from chatcore.tools.errors import ToolError

_NOTHING = object()


def settle(value: Any, context: ToolContext) -> Any:
    """The final result of whatever a tool function returned."""
    if inspect.iscoroutine(value):
        return _run_async(value, context)
    if inspect.isasyncgen(value):
        return _run_async(_drain_async(value, context), context)
    if inspect.isgenerator(value):
        return _drain(value, context)
    return value


def _drain(gen: Iterator[Any], context: ToolContext) -> Any:
    last: Any = _NOTHING
    try:
        while True:
            if context.cancelled:
                gen.close()  # type: ignore[attr-defined]
                raise ToolError("Cancelled")
            try:
                item = next(gen)
            except StopIteration as stop:
                if stop.value is not None:
                    return stop.value
                return None if last is _NOTHING else last
            last = item
            context.report(item)
    finally:
        gen.close()  # type: ignore[attr-defined]


async def _drain_async(gen: AsyncIterator[Any], context: ToolContext) -> Any:
    last: Any = None
    try:
        async for item in gen:
            last = item
            context.report(item)
    finally:
        await gen.aclose()  # type: ignore[attr-defined]
    return last


def _run_async(coro: Any, context: ToolContext) -> Any:
    loop = asyncio.new_event_loop()
    try:
        task = loop.create_task(coro)
        # call_soon_threadsafe may meet a closed loop after the task ended: the token ignores that
        def cancel_task() -> None:
            loop.call_soon_threadsafe(task.cancel)

        unregister = context.cancel.on_cancel(cancel_task)
        try:
            return loop.run_until_complete(task)
        except asyncio.CancelledError:
            raise ToolError("Cancelled") from None
        finally:
            unregister()
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


__all__ = ["settle"]
