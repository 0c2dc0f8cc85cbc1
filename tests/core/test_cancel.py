"""Stop means stop: the upstream closes at once, even while the server sends nothing."""

from __future__ import annotations

import threading
import time

from chatcore.cancel import CancelToken
from chatcore.events import Chunk, End
from chatcore.providers.openai_compat import OpenAICompatProvider
from chatcore.settings import ProviderConfig, Timeouts

from .fakes import StallingServer, chunk

HI = [{"role": "user", "content": "hi"}]


def test_cancel_token_runs_closers_once_from_any_thread_and_wakes_waiters():
    token = CancelToken()
    calls = []
    token.on_cancel(lambda: calls.append("a"))
    unregister = token.on_cancel(lambda: calls.append("never"))
    unregister()
    woke = []
    waiter = threading.Thread(target=lambda: woke.append(token.wait(5)))
    waiter.start()
    threading.Thread(target=token.cancel).start()
    waiter.join(1)
    token.cancel()
    assert calls == ["a"] and woke == [True] and token.cancelled
    late = []
    token.on_cancel(lambda: late.append(1))  # registering after cancel runs at once
    assert late == [1]


def test_cancel_during_a_stalled_real_stream_closes_the_socket_within_50ms():
    server = StallingServer([chunk("", role="assistant"), chunk("Partial "), chunk("answer")])
    config = ProviderConfig(kind="openai", base_url=server.url, api_key="k", model="m", timeouts=Timeouts(connect=2, read=30))
    provider = OpenAICompatProvider(config)
    token = CancelToken()
    events = []
    try:
        stream = provider.stream(HI, cancel=token)
        while len([e for e in events if isinstance(e, Chunk)]) < 2:
            events.append(next(stream))
        assert server.stalled.wait(2)
        time.sleep(0.2)  # the reader is now blocked on a silent socket
        cancelled_at = time.perf_counter()
        threading.Thread(target=token.cancel).start()
        events.extend(stream)  # must end promptly, not after the 30 s read timeout
        ended_at = time.perf_counter()
        deadline = time.perf_counter() + 1
        while server.disconnected_at is None and time.perf_counter() < deadline:
            time.sleep(0.001)
    finally:
        server.close()
        provider.close()
    assert "".join(e.content for e in events if isinstance(e, Chunk)) == "Partial answer"
    assert events[-1] == End("cancelled")
    assert ended_at - cancelled_at < 0.05
    assert server.disconnected_at is not None and server.disconnected_at - cancelled_at < 0.05


def test_closing_the_generator_closes_the_upstream():
    server = StallingServer([chunk("Hello")])
    provider = OpenAICompatProvider(ProviderConfig(kind="openai", base_url=server.url, api_key="k", model="m"))
    try:
        stream = provider.stream(HI)
        assert next(stream) == Chunk("Hello")
        closed_at = time.perf_counter()
        stream.close()  # what garbage collection does when Streamlit abandons the generator
        deadline = time.perf_counter() + 1
        while server.disconnected_at is None and time.perf_counter() < deadline:
            time.sleep(0.001)
    finally:
        server.close()
        provider.close()
    assert server.disconnected_at is not None and server.disconnected_at - closed_at < 0.05
