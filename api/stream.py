"""Serve one answer as Server-Sent Events, from any position, without holding a thread.

The answer runs on its own thread (``chatcore.live_turn``); this coroutine only reads its
event log. It sleeps on an asyncio event that the answer's thread sets after each new event
(``LiveTurn.listen``), so fifty streaming clients cost fifty idle coroutines, not fifty
threads. While nothing happens (a tool runs, the model is silent) a ``: ping`` comment goes
out every ``keepalive_s`` so proxies keep the connection open.

A client that goes away: unless the request was ``resumable``, that is the Stop button (the
upstream connection is closed at once and the partial answer saved as stopped). A watcher
task waits for the ASGI ``http.disconnect`` message, so this happens at once, not at the next
write.
"""

from __future__ import annotations

import asyncio
from typing import AsyncIterator

from starlette.requests import Request

from chatcore.events import Error
from chatcore.live_turn import LiveTurn

from .wire import comment, frame, retry_hint, wire_event


async def _wait_for_disconnect(request: Request) -> None:
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return


async def answer_events(request: Request, live: LiveTurn, *, position: int, resumable: bool,
                        keepalive_s: float, first: dict[str, object] | None = None) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()
    asleep = [True]  # one wake-up per batch: a token that lands while we are awake costs nothing

    def wake_up() -> None:  # runs on the answer's thread, after every event
        if asleep[0]:
            asleep[0] = False
            loop.call_soon_threadsafe(wake.set)

    stop_listening = live.listen(wake_up)
    watcher = asyncio.ensure_future(_wait_for_disconnect(request))

    def client_left(_: object) -> None:
        if not resumable and not watcher.cancelled():
            live.stop("stop", "Stopped.")  # at once, from the event loop: like the Stop button
        wake.set()

    watcher.add_done_callback(client_left)
    try:
        yield retry_hint()
        if first is not None:
            yield frame(0, first)
        while not watcher.done():
            wake.clear()
            asleep[0] = True
            events, ended = live.events_since(position)
            batch = []  # everything that arrived since the last write goes out in one write
            for event in events:
                position += 1
                data = wire_event(event)
                if data is not None:
                    batch.append(frame(position, data))
                elif isinstance(event, Error) and event.retry_in is not None:
                    batch.append(comment(f"retrying: {event.message}"))
            if batch:
                yield "".join(batch)
            if ended and not events:
                return
            if events:
                continue
            try:
                await asyncio.wait_for(wake.wait(), keepalive_s)
            except TimeoutError:
                yield comment("ping")
    finally:
        # Left before the end: the client went away (our watcher, or the server's own
        # disconnect handling cancelled us). Unless resumable, that ends the answer.
        if not resumable and not live.is_finished:
            live.stop("stop", "Stopped.")
        stop_listening()
        watcher.cancel()


__all__ = ["answer_events"]
