from __future__ import annotations

import threading
import time

import pytest

from chatcore.ticker import TICK, with_heartbeat


def slow(items, gap):
    for item in items:
        time.sleep(gap)
        yield item


def test_items_arrive_in_order_with_ticks_during_silence():
    out = list(with_heartbeat(slow(["a", "b"], 0.12), interval=0.03))
    assert [x for x in out if x is not TICK] == ["a", "b"]
    assert out.count(TICK) >= 4


def test_fast_source_gives_no_ticks():
    assert list(with_heartbeat(iter(range(1000)), interval=1.0)) == list(range(1000))


def test_source_errors_are_raised_to_the_consumer():
    def broken():
        yield 1
        raise ValueError("boom")

    it = with_heartbeat(broken(), interval=1.0)
    assert next(it) == 1
    with pytest.raises(ValueError, match="boom"):
        next(it)


def test_abandoning_the_consumer_calls_on_abandon():
    stop = threading.Event()

    def endless():
        while not stop.is_set():
            yield 1
            time.sleep(0.01)

    it = with_heartbeat(endless(), interval=1.0, on_abandon=stop.set)
    next(it)
    it.close()
    assert stop.is_set()
