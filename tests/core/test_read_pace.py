"""Pausing between network reads when many answers stream: fewer wake-ups, nothing lost,
the first text not delayed, Stop not delayed."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import ExitStack

import openai

from chatcore.cancel import CancelToken
from chatcore.events import Chunk, End
from chatcore.providers import read_pace
from chatcore.providers.openai_compat import OpenAICompatProvider
from chatcore.settings import ProviderConfig
from chatcore.streaming_now import streaming_answer

from .fakes import chunk, sse
from .socket_server import chunked

TOKENS = [f"t{i} " for i in range(30)]
HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"


def trickle(conn: socket.socket, _n: int) -> None:
    """A model at 100 tokens/s: one chunk per write, 10 ms apart."""
    conn.sendall(HEAD + chunked(sse(chunk("", role="assistant"), done=False), 1))
    for token in TOKENS:
        time.sleep(0.01)
        conn.sendall(chunked(sse(chunk(token), done=False), 1))
    conn.sendall(chunked(sse(chunk(finish="stop")), 1) + b"0\r\n\r\n")


def provider(url: str) -> OpenAICompatProvider:
    return OpenAICompatProvider(ProviderConfig(kind="openai", base_url=url, api_key="k", model="m", max_retries=0))


def read_with_others(url: str, others: int, cancel: CancelToken | None = None) -> tuple[list, list[float]]:
    """One answer read while ``others`` more count as streaming; each event's arrival time."""
    events, times = [], []
    with ExitStack() as stack:
        for _ in range(others):
            stack.enter_context(streaming_answer())
        for event in provider(url).stream([{"role": "user", "content": "hi"}], cancel=cancel):
            events.append(event)
            times.append(time.monotonic())
    return events, times


def test_the_pause_grows_with_the_answers_streaming_and_is_bounded():
    assert read_pace.read_pause(1) == read_pace.read_pause(read_pace.ALONE) == 0
    assert 0 < read_pace.read_pause(5) < read_pace.read_pause(10) < read_pace.read_pause(20) == read_pace.MAX_PAUSE_S
    assert read_pace.read_pause(500) == read_pace.MAX_PAUSE_S


def test_a_busy_server_reads_in_batches_and_loses_nothing(serve):
    server = serve(trickle)
    alone, alone_times = read_with_others(server.url, 0)
    busy, busy_times = read_with_others(server.url, 30)  # a pause of MAX_PAUSE_S between reads
    text = "".join(TOKENS)
    assert "".join(e.content for e in alone if isinstance(e, Chunk)) == text == "".join(
        e.content for e in busy if isinstance(e, Chunk))
    assert alone[-1] == busy[-1] == End("stop")

    def bursts(times: list[float]) -> int:  # events that arrived more than 5 ms after the one before
        return 1 + sum(1 for a, b in zip(times, times[1:], strict=False) if b - a > 0.005)

    assert bursts(alone_times) >= len(TOKENS) * 0.5  # read as they come: about one wake-up per token
    assert bursts(busy_times) <= len(TOKENS) / 3  # ~100 ms apart: several tokens per read
    assert busy_times[-1] - busy_times[0] < (alone_times[-1] - alone_times[0]) + 0.25  # keeps pace with the model


def test_the_first_text_is_not_held_back_and_stop_ends_a_pause_at_once(serve):
    def slow_start(conn: socket.socket, _n: int) -> None:
        conn.sendall(HEAD + chunked(sse(chunk("", role="assistant"), done=False), 1))
        time.sleep(0.05)
        sent["first"] = time.monotonic()
        conn.sendall(chunked(sse(chunk("First"), done=False), 1))
        conn.settimeout(5)
        conn.recv(1)  # then silent, until the client hangs up

    sent: dict[str, float] = {}
    server = serve(slow_start)
    token = CancelToken()
    with ExitStack() as stack:
        for _ in range(30):
            stack.enter_context(streaming_answer())
        stream = provider(server.url).stream([{"role": "user", "content": "hi"}], cancel=token)
        assert next(stream) == Chunk("First")
        assert time.monotonic() - sent["first"] < 0.05  # the role-only read before it did not start a pause
        threading.Timer(0.02, token.cancel).start()  # during the pause after the first text
        started = time.monotonic()
        rest = list(stream)
    assert rest[-1] == End("cancelled") and time.monotonic() - started < 0.07


def test_a_transport_that_reads_one_chunk_at_a_time_never_pauses(serve):
    """httpx2's own transport (kept when a proxy is configured) hands over one chunk per read:
    pausing after each would leave the answer far behind the model, so it reads as they come."""
    server = serve(trickle)
    config = ProviderConfig(kind="openai", base_url=server.url, api_key="k", model="m", max_retries=0)
    started = time.monotonic()
    with ExitStack() as stack:
        for _ in range(30):
            stack.enter_context(streaming_answer())
        events = list(OpenAICompatProvider(config, http_client=openai.DefaultHttpx2Client()).stream(
            [{"role": "user", "content": "hi"}]))
    assert "".join(e.content for e in events if isinstance(e, Chunk)) == "".join(TOKENS)
    assert time.monotonic() - started < len(TOKENS) * 0.01 + 1.0  # not 30 pauses of 100 ms
