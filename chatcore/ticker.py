"""Read an iterator on a helper thread and hand its items over with a heartbeat.

A UI that batches streamed text must flush on time even when the next piece is slow to
come (a stall, a trickle): it cannot learn that the stream went quiet while it is blocked
reading it. ``with_heartbeat`` reads the source on a daemon thread and yields ``TICK``
whenever nothing arrived for ``interval`` seconds, so the consumer can flush what it holds.
"""

from __future__ import annotations

import queue
import threading
from typing import Any, Callable, Iterator, TypeVar

T = TypeVar("T")


class Tick:
    __slots__ = ()

    def __repr__(self) -> str:
        return "TICK"


TICK = Tick()
_Tick = Tick  # the old private name
_DONE = object()


class _Raised:
    __slots__ = ("exc",)

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def with_heartbeat(source: Iterator[T], interval: float, on_abandon: Callable[[], None] | None = None) -> Iterator[T | Tick]:
    """Yield ``source``'s items, and ``TICK`` after each ``interval`` s of silence.

    ``on_abandon`` runs if the consumer stops reading before the source is exhausted
    (the generator is closed or garbage-collected): use it to cancel the source.
    """
    inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def pump() -> None:
        try:
            for item in source:
                inbox.put(item)
        except BaseException as exc:  # handed to the consumer, raised there
            inbox.put(_Raised(exc))
        finally:
            inbox.put(_DONE)

    threading.Thread(target=pump, name="chatcore-stream", daemon=True).start()
    finished = False
    try:
        while True:
            try:
                item = inbox.get(timeout=interval)
            except queue.Empty:
                yield TICK
                continue
            if item is _DONE:
                finished = True
                return
            if type(item) is _Raised:
                finished = True
                raise item.exc
            yield item
    finally:
        if not finished and on_abandon is not None:
            on_abandon()


__all__ = ["TICK", "Tick", "with_heartbeat"]
