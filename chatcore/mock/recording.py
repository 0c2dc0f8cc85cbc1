"""A thread-safe record of what reached the mock and how each reply ended.

Tests and benchmarks read it to prove behaviour that is invisible from the client side,
above all that pressing Stop really closed the connection (``client_disconnected``).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any, Mapping


@dataclass
class RecordedRequest:
    method: str
    path: str
    body: Any  # the parsed JSON body (None for GET or invalid JSON)
    headers: dict[str, str]
    started: float = field(default_factory=time.time)  # time.time() when the request arrived
    finished: float | None = None  # when the last byte was sent (or the reply ended early)
    client_disconnected: bool = False  # the client went away before the reply was complete
    disconnected_at: float | None = None
    server_dropped: bool = False  # the reply cut the connection on purpose (fault "drop")
    chunks_sent: int = 0  # writes of body data (SSE frames, or the JSON body)
    status: int = 0
    scenario: str = ""
    fault: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_SECRET_HEADERS = frozenset({"authorization", "api-key", "x-api-key", "openai-organization", "openai-project"})


def redact(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers as recorded: credentials are masked, the record may be served over HTTP."""
    return {k: ("***" if k.lower() in _SECRET_HEADERS else v) for k, v in headers.items()}


MAX_RECORDS = 1_000


class RequestLog:
    """The last ``max_records`` requests, oldest first; every update goes through the lock.

    Bounded because a long-running mock (a demo left up for days, a load test) would
    otherwise keep every request body it ever received."""

    def __init__(self, max_records: int = MAX_RECORDS) -> None:
        self._lock = threading.Lock()
        self._items: deque[RecordedRequest] = deque(maxlen=max_records)

    def add(self, method: str, path: str, body: Any, headers: Mapping[str, str]) -> RecordedRequest:
        record = RecordedRequest(method, path, body, redact(headers))
        with self._lock:
            self._items.append(record)
        return record

    def update(self, record: RecordedRequest, **changes: Any) -> None:
        with self._lock:
            for name, value in changes.items():
                setattr(record, name, value)

    def count_chunk(self, record: RecordedRequest) -> None:
        with self._lock:
            record.chunks_sent += 1

    def mark_finished(self, record: RecordedRequest) -> None:
        with self._lock:
            if record.finished is None:
                record.finished = time.time()

    def mark_disconnected(self, record: RecordedRequest) -> bool:
        """Record that the client left early; False if the reply had already ended."""
        with self._lock:
            if record.finished is not None or record.client_disconnected:
                return False
            record.client_disconnected = True
            record.disconnected_at = record.finished = time.time()
            return True

    def snapshot(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._items)

    def as_dicts(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.to_dict() for r in self._items]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


__all__ = ["MAX_RECORDS", "RecordedRequest", "RequestLog"]
