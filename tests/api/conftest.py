"""The API on a real socket: ``api_app()`` served by uvicorn in a thread, on a free port.

Each test gets its own SQLite file and no provider settings (the built-in mock), unless it
points the app at the mock HTTP server (``upstream``), which records client disconnects.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx2
import pytest
import uvicorn
from starlette.applications import Starlette

from api import api_middleware
from chatcore.mock.options import MockOptions
from chatcore.mock.server import MockServer

PROVIDER_ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "DATABASE_URL", "APP_PASSWORD", "CHAT_API",
                "CHAT_API_CORS_ORIGINS")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ApiServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app = Starlette(middleware=api_middleware())  # as app.py puts it in front of the dashboard
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                     lifespan="off", root_path=""))
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> ApiServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(5)


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch, tmp_path):
    for name in PROVIDER_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CHAT_DB_PATH", str(tmp_path / "chat.sqlite3"))
    monkeypatch.setenv("CHAT_API_KEEPALIVE_S", "0.3")
    return tmp_path


@pytest.fixture
def api(isolated_env) -> Iterator[ApiServer]:
    with ApiServer() as server:
        yield server


@pytest.fixture
def client(api) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=api.url + "/api", timeout=30) as c:
        yield c


@pytest.fixture
def upstream(monkeypatch) -> Iterator[MockServer]:
    """The mock model behind a real socket, as the operator's provider (paced: 20 ms a chunk)."""
    with MockServer(options=MockOptions(ttft=0.05, chunk_delay=0.02), quiet=True) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        monkeypatch.setenv("OPENAI_MODEL", "mock-gpt")
        yield server


@dataclass
class Sse:
    """One SSE frame as a client parses it."""

    id: int | None
    data: dict[str, Any] | None
    comment: str | None = None
    retry: int | None = None


@dataclass
class Recorded:
    frames: list[Sse] = field(default_factory=list)

    @property
    def events(self) -> list[dict[str, Any]]:
        return [f.data for f in self.frames if f.data is not None]

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == kind]

    @property
    def text(self) -> str:
        return "".join(e["content"] for e in self.of("chunk"))


def parse_frames(lines: Iterator[str]) -> Iterator[Sse]:
    block: list[str] = []
    for line in lines:
        if line:
            block.append(line)
            continue
        if not block:
            continue
        frame = Sse(id=None, data=None)
        data_lines = []
        for item in block:
            if item.startswith(":"):
                frame.comment = item[1:].strip()
            elif item.startswith("id:"):
                frame.id = int(item[3:].strip())
            elif item.startswith("retry:"):
                frame.retry = int(item[6:].strip())
            elif item.startswith("data:"):
                data_lines.append(item[5:].lstrip(" "))
        if data_lines:
            frame.data = json.loads("\n".join(data_lines))
        block = []
        yield frame


def stream_chat(client: httpx2.Client, body: dict[str, Any], *, headers: dict[str, str] | None = None,
                stop_after: int | None = None) -> Recorded:
    """POST /api/chat and read the stream (or only ``stop_after`` data frames, then hang up)."""
    recorded = Recorded()
    with client.stream("POST", "/chat", json=body, headers=headers or {}) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        for frame in parse_frames(response.iter_lines()):
            recorded.frames.append(frame)
            if stop_after is not None and len(recorded.events) >= stop_after:
                break
    return recorded


def replay(client: httpx2.Client, turn_id: str, last_id: int, headers: dict[str, str] | None = None) -> Recorded:
    recorded = Recorded()
    with client.stream("GET", f"/chat/{turn_id}/events", headers={"Last-Event-ID": str(last_id), **(headers or {})}) as r:
        assert r.status_code == 200, r.read()
        for frame in parse_frames(r.iter_lines()):
            recorded.frames.append(frame)
    return recorded
