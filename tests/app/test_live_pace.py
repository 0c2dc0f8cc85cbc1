"""How often a streaming answer is redrawn (ui/live_pace.py): batches, not one wake per token."""

from __future__ import annotations

import threading
import time

from chatcore.ticker import TICK
from ui.live_pace import MAX_INTERVAL_S, MIN_INTERVAL_S, paced_events, update_interval


class FakeLive:
    """The two ``LiveTurn`` methods a follower uses: ``events_since`` and ``listen``."""

    def __init__(self) -> None:
        self.log: list[object] = []
        self.ended = False
        self.listeners: list = []
        self.lock = threading.Lock()

    def events_since(self, position: int):
        with self.lock:
            return self.log[position:], self.ended

    def listen(self, wake):
        self.listeners.append(wake)
        return lambda: self.listeners.remove(wake)

    def add(self, *events: object, end: bool = False) -> None:
        with self.lock:
            self.log.extend(events)
            self.ended = end
        for wake in list(self.listeners):
            wake()


def test_the_interval_grows_with_load_and_block_length_within_bounds():
    assert update_interval(0, pages=1) == MIN_INTERVAL_S
    assert update_interval(0, pages=100) > update_interval(0, pages=20)
    assert update_interval(600, pages=1) > update_interval(0, pages=1)
    assert update_interval(100_000, pages=10_000) == MAX_INTERVAL_S


def test_events_come_in_order_in_batches_each_closed_by_a_tick():
    live = FakeLive()
    got: list[object] = []

    def produce() -> None:
        time.sleep(0.05)
        live.add("first")
        for i in range(200):  # 200 tokens while the page waits for its next redraw
            live.add(i)
        time.sleep(0.3)
        live.add("last", end=True)

    threading.Thread(target=produce, daemon=True).start()
    started = time.monotonic()
    events = paced_events(live, lambda: 0.2, idle_tick=5.0)  # type: ignore[arg-type]
    for event in events:
        got.append(event)
    assert time.monotonic() - started < 4
    assert [e for e in got if e is not TICK] == ["first", *range(200), "last"]
    assert got[-1] is TICK and got.count(TICK) <= 5  # a few redraws, not one per token
    assert not live.listeners  # the follower stopped listening when the answer ended


def test_silence_ticks_and_closing_the_follower_leaves_the_answer_alone():
    live = FakeLive()
    events = paced_events(live, lambda: 0.01, idle_tick=0.02)  # type: ignore[arg-type]
    assert next(events) is TICK  # nothing said yet: a tick, for the "still waiting" note
    events.close()
    assert not live.listeners and not live.ended
