"""A cancel handle that works across threads and script runs.

Why more than a flag: a reader blocked on a silent socket never looks at a flag. So
whoever holds an upstream resource registers a *closer* (shut the socket down, wake the
mock stream, tell a tool to stop); ``cancel()`` runs every closer at once, from whatever
thread calls it, and the blocked read fails within milliseconds.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

log = logging.getLogger(__name__)


class CancelToken:
    __slots__ = ("_event", "_lock", "_closers", "_next_key", "reason")

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._closers: dict[int, Callable[[], None]] = {}
        self._next_key = 0
        self.reason = ""

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self, reason: str = "stopped") -> None:
        """Cancel now; safe to call from any thread, any number of times."""
        with self._lock:
            if self._event.is_set():
                return
            self.reason = reason
            self._event.set()
            closers = list(self._closers.values())
            self._closers.clear()
        for close in closers:
            try:
                close()
            except Exception:  # a closer must never stop the others
                log.debug("cancel closer failed", exc_info=True)

    def wait(self, timeout: float | None = None) -> bool:
        """Sleep up to ``timeout`` s, waking early on cancel. True if cancelled."""
        return self._event.wait(timeout)

    def on_cancel(self, close: Callable[[], None]) -> Callable[[], None]:
        """Run ``close`` on cancel (at once if already cancelled). Returns an unregister function."""
        with self._lock:
            if not self._event.is_set():
                key = self._next_key
                self._next_key += 1
                self._closers[key] = close
                return lambda: self._unregister(key)
        close()
        return lambda: None

    def _unregister(self, key: int) -> None:
        with self._lock:
            self._closers.pop(key, None)

    def __repr__(self) -> str:
        return f"CancelToken(cancelled={self.cancelled})"


__all__ = ["CancelToken"]
