"""A second server on loopback that records every request, headers included.

It plays an attacker's OpenAI-compatible server: it lists one model and answers every chat
request with a short streamed reply, so the app treats it as a working provider, while
the tests look at what it was sent (above all: never the operator's key).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

REPLY = "Recorded, thank you."


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str:
        """A header's value ("" when absent), whatever case the client wrote its name in."""
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), "")

    def text(self) -> str:
        """Everything the request carried, as one string to search."""
        lines = [f"{self.method} {self.path}", *(f"{k}: {v}" for k, v in self.headers.items())]
        return "\n".join(lines) + "\n" + self.body.decode("utf-8", "replace")


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _record(self) -> Seen:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if 0 < length < 10_000_000 else b""
        seen = Seen(self.command, self.path, dict(self.headers.items()), body)
        with self.server.lock:
            self.server.seen.append(seen)
        return seen

    def _json(self, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._record()
        self._json({"object": "list", "data": [{"id": "recorder-model", "object": "model", "created": 1, "owned_by": "x"}]})

    def do_POST(self) -> None:
        self._record()
        chunks = [
            {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "recorder-model",
             "choices": [{"index": 0, "delta": {"role": "assistant", "content": REPLY}, "finish_reason": None}]},
            {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "recorder-model",
             "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        ]
        data = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks).encode() + b"data: [DONE]\n\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.seen: list[Seen] = []


class RecordingServer:
    """A context manager: ``url`` is its base URL (``http://127.0.0.1:<port>/v1``)."""

    def __init__(self) -> None:
        self._server = _Server()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    @property
    def seen(self) -> list[Seen]:
        with self._server.lock:
            return list(self._server.seen)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


__all__ = ["REPLY", "RecordingServer", "Seen"]
