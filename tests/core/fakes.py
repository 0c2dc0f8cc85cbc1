"""Fakes for the core's tests: SSE bytes served to the real openai SDK by a transport."""

from __future__ import annotations

import json
import threading
from typing import Any, Callable, Iterable, Iterator

import httpx2

from chatcore.providers.openai_compat import OpenAICompatProvider
from chatcore.settings import ProviderConfig


def chunk(
    content: str | None = None,
    *,
    tool_calls: list[dict[str, Any]] | None = None,
    finish: str | None = None,
    reasoning: str | None = None,
    role: str | None = None,
    usage: dict[str, Any] | None = None,
    choices: Any = "default",
    **extra: Any,
) -> dict[str, Any]:
    delta: dict[str, Any] = {}
    if role is not None:
        delta["role"] = role
    if content is not None:
        delta["content"] = content
    if reasoning is not None:
        delta["reasoning_content"] = reasoning
    if tool_calls is not None:
        delta["tool_calls"] = tool_calls
    body: dict[str, Any] = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 1, "model": "m"}
    if choices == "default":
        body["choices"] = [{"index": 0, "delta": delta, "finish_reason": finish}]
    elif choices != "missing":
        body["choices"] = choices
    if usage is not None:
        body["usage"] = usage
    body.update(extra)
    return body


def sse(*events: dict[str, Any] | str, done: bool = True) -> bytes:
    """Frame events as SSE; a str is sent verbatim (comments, broken lines...)."""
    out = []
    for event in events:
        out.append(event if isinstance(event, str) else f"data: {json.dumps(event)}\n\n")
    if done:
        out.append("data: [DONE]\n\n")
    return "".join(out).encode()


class ByteStream(httpx2.SyncByteStream):
    def __init__(self, parts: Iterable[bytes]) -> None:
        self._parts = parts

    def __iter__(self) -> Iterator[bytes]:
        yield from self._parts


Handler = Callable[[httpx2.Request], httpx2.Response]


class Recorder:
    """Serves scripted responses in order and remembers each request body."""

    def __init__(self, *responses: httpx2.Response | bytes | Callable[[], httpx2.Response]) -> None:
        self._responses = list(responses)
        self.bodies: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        with self.lock:
            self.bodies.append(json.loads(request.content or b"{}"))
            item = self._responses.pop(0) if len(self._responses) > 1 else self._responses[0]
        if callable(item) and not isinstance(item, httpx2.Response):
            item = item()
        if isinstance(item, bytes):
            return httpx2.Response(200, headers={"content-type": "text/event-stream"}, stream=ByteStream([item]))
        return item


def provider_for(handler: Handler, **config: Any) -> OpenAICompatProvider:
    config.setdefault("retry_backoff", 0.01)
    config.setdefault("api_key", "sk-test")
    cfg = ProviderConfig(kind="openai", base_url="http://test.invalid/v1", model="m", **config)
    return OpenAICompatProvider(cfg, http_client=httpx2.Client(transport=httpx2.MockTransport(handler)))


def error_response(status: int, message: str = "nope", headers: dict[str, str] | None = None) -> httpx2.Response:
    body = {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": None}}
    return httpx2.Response(status, json=body, headers=headers or {})



class StallingServer:
    """A real HTTP server on loopback that streams a few chunks, then goes silent.

    It records when the client hangs up, so tests can check the upstream really closed.
    """

    def __init__(self, chunks: list[dict[str, Any]]) -> None:
        import socket

        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(4)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}/v1"
        self._chunks = chunks
        self.disconnected_at: float | None = None
        self.stalled = threading.Event()
        self._stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        import time

        conn, _ = self._sock.accept()
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n")
        conn.sendall(sse(*self._chunks, done=False))
        self.stalled.set()
        conn.settimeout(0.002)
        while not self._stop.is_set():  # silent: wait for the client to hang up
            try:
                if conn.recv(1) == b"":
                    self.disconnected_at = time.perf_counter()
                    break
            except TimeoutError:
                continue
            except OSError:
                self.disconnected_at = time.perf_counter()
                break
        conn.close()

    def close(self) -> None:
        self._stop.set()
        self._sock.close()
