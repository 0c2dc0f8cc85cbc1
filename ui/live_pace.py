"""When a streaming answer is redrawn: a steady cadence, slower under load and for long blocks.

Each redraw of the live answer costs the server a message (framing, hash, websocket send)
plus the block drawn so far, whatever the number of tokens it adds; waking the page's
thread for every token costs more again. So a page follows its answer in batches
(``paced_events``): the first text at once, then whatever arrived every ``update_interval``
seconds. The interval grows with the number of answers this process is streaming (the
server's CPU is shared by all of them) and with the length of the block being redrawn (an
update of a long paragraph resends all of it), within bounds that keep the text flowing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator

from chatcore.events import Event
from chatcore.live_turn import LiveTurn
from chatcore.streaming_now import ActiveCount
from chatcore.ticker import TICK, Tick

MIN_INTERVAL_S = 0.2  # a lone answer: 5 updates a second while its block is short
LOAD_INTERVAL_S_PER_PAGE = 0.004  # up to 50 pages streaming: 0.2 s; 100: 0.4 s
MAX_LOAD_INTERVAL_S = 0.4
BLOCK_GROWTH_CHARS = 300  # a block this long doubles the interval (it resends that much per update)
MAX_INTERVAL_S = 0.6
IDLE_TICK_S = 0.25  # nothing new: tick this often (silence notes, a running tool's time)

_PAGES = ActiveCount()  # pages of this process following an answer right now
streaming_page = _PAGES.counting  # count this page among the streaming ones while it follows its answer


def streaming_pages() -> int:
    return _PAGES.value


def update_interval(block_chars: int, pages: int | None = None) -> float:
    """Seconds between two redraws of an answer whose current block holds ``block_chars``."""
    pages = _PAGES.value if pages is None else pages
    base = min(MAX_LOAD_INTERVAL_S, max(MIN_INTERVAL_S, pages * LOAD_INTERVAL_S_PER_PAGE))
    return min(MAX_INTERVAL_S, base * (1 + block_chars / BLOCK_GROWTH_CHARS))


def paced_events(live: LiveTurn, interval: Callable[[], float],
                 idle_tick: float = IDLE_TICK_S) -> Generator[Event | Tick, None, None]:
    """``live``'s events from its start, in batches, each followed by ``TICK`` (draw now).

    The page's thread sleeps between batches instead of waking for every token; the first
    event after a quiet spell wakes it at once (``LiveTurn.listen``). ``TICK`` also comes
    every ``idle_tick`` seconds of silence. Ends when the answer has ended and every event
    was handed out; closing the iterator leaves the answer running."""
    woken = threading.Event()
    stop_listening = live.listen(woken.set)
    position = 0
    try:
        while True:
            woken.clear()  # before reading: an event that lands after the read wakes the wait below
            new, ended = live.events_since(position)
            if new:
                position += len(new)
                yield from new
                yield TICK
                if not ended:
                    time.sleep(interval())  # let the next batch gather
                continue
            if ended:
                return
            if not woken.wait(idle_tick):
                yield TICK
    finally:
        stop_listening()


__all__ = ["paced_events", "streaming_page", "streaming_pages", "update_interval"]
