"""Serve the mock in-process to the real openai SDK through an httpx2 transport.

No socket, no key: ``OpenAI(base_url="http://mock.invalid/v1", api_key="x",
http_client=mock_http_client())``. The response body is a byte stream that plays the
planned reply; every pause waits on an abort event, so ``response.extensions
["chatcore.abort"]()`` (from any thread) or closing the response wakes a reader stuck
in a stall at once, exactly like shutting down a real socket.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Iterator

import httpx2

from .endpoints import route
from .options import MockOptions
from .recording import MAX_RECORDS, RecordedRequest, RequestLog
from .reply import Aborted, Drop, Dropped, Reply, Send, play

ABORT_EXTENSION = "chatcore.abort"


class MockByteStream(httpx2.SyncByteStream):
    """Plays a reply's steps; pauses wait on ``abort_event`` (never ``time.sleep``).

    Emulates the client's read timeout too: a silence longer than it raises
    ``httpx2.ReadTimeout``, as a real socket read would.
    """

    def __init__(self, reply: Reply, record: RecordedRequest, log: RequestLog, read_timeout: float | None) -> None:
        self._steps = reply.wire_steps()
        self._sends = sum(1 for step in self._steps if isinstance(step, Send))
        self._ends_with_drop = any(isinstance(step, Drop) for step in self._steps)
        self._record = record
        self._log = log
        self._read_timeout = read_timeout
        self._last_byte = time.monotonic()
        self.abort_event = threading.Event()

    def abort(self) -> None:
        """Cut the connection from the client side; safe from any thread, any number of times."""
        self._log.mark_disconnected(self._record)
        self.abort_event.set()

    def _wait(self, seconds: float) -> bool:
        if seconds <= 0 or self._read_timeout is None:
            return self.abort_event.wait(seconds) if seconds > 0 else self.abort_event.is_set()
        silent_for = time.monotonic() - self._last_byte
        allowed = self._read_timeout - silent_for
        if seconds <= allowed:
            return self.abort_event.wait(seconds)
        if self.abort_event.wait(max(0.0, allowed)):
            return True
        raise httpx2.ReadTimeout("timed out")

    def __iter__(self) -> Iterator[bytes]:
        try:
            for sent, data in enumerate(play(self._steps, self._wait), 1):
                self._log.count_chunk(self._record)
                if sent == self._sends and not self._ends_with_drop:
                    self._log.mark_finished(self._record)  # all bytes are out, even if never read again
                yield data
                self._last_byte = time.monotonic()
        except Aborted:
            raise httpx2.ReadError("connection aborted") from None
        except Dropped:
            self._log.update(self._record, server_dropped=True, finished=time.time())
            raise httpx2.RemoteProtocolError(
                "peer closed connection without sending complete message body (mock fault: drop)"
            ) from None
        self._log.mark_finished(self._record)

    def close(self) -> None:
        self.abort()


def _read_timeout(request: httpx2.Request) -> float | None:
    timeout = request.extensions.get("timeout") or {}
    value = timeout.get("read") if isinstance(timeout, dict) else None
    return float(value) if value is not None else None


class MockChatTransport(httpx2.BaseTransport):
    """An httpx2 transport that answers like an OpenAI-compatible server, in-process."""

    def __init__(self, options: MockOptions = MockOptions(), *, log_size: int = MAX_RECORDS) -> None:
        """``log_size``: how many requests ``requests`` remembers (each with its whole body)."""
        self.options = options
        self._log = RequestLog(log_size)

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request so far (the records keep updating as replies play)."""
        return self._log.snapshot()

    def reset(self) -> None:
        self._log.clear()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        raw = request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        headers = dict(request.headers.items())
        record = self._log.add(request.method, request.url.path, body, headers)
        reply = route(request.method, request.url.raw_path.decode("ascii"), raw, headers, self.options)
        self._log.update(record, status=reply.status, scenario=reply.scenario, fault=reply.fault)
        stream = MockByteStream(reply, record, self._log, _read_timeout(request))
        return httpx2.Response(
            reply.status,
            headers=[("x-request-id", f"req_mock_{id(record):x}"), *reply.wire_headers()],
            stream=stream,
            extensions={ABORT_EXTENSION: stream.abort, "http_version": b"HTTP/1.1"},
        )


def mock_http_client(
    options: MockOptions = MockOptions(), *, transport: MockChatTransport | None = None
) -> httpx2.Client:
    """An ``httpx2.Client`` for ``OpenAI(http_client=...)``; any base_url and api_key work."""
    return httpx2.Client(transport=transport or MockChatTransport(options), base_url="http://mock.invalid/v1")


__all__ = ["ABORT_EXTENSION", "MockByteStream", "MockChatTransport", "mock_http_client"]
