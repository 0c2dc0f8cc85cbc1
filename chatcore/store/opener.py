"""Open the store once per process, lazily, and keep trying when it is down.

The app shares one ``StoreOpener`` between all sessions (it holds no per-user state and
is thread-safe). The first ``get()`` opens and migrates the database; later calls return
the same ``ChatStore``. When opening fails (a bad ``DATABASE_URL``, PostgreSQL down, a
read-only disk), ``get()`` raises the same ``StoreError`` for ``retry_after`` seconds before
trying again, so a dead database costs one attempt every half minute, not one per click,
and the chat keeps working unsaved meanwhile.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy.engine import URL

from .engine import parse_url, safe_url
from .errors import StoreError
from .store import ChatStore


class StoreOpener:
    def __init__(self, url: str | URL, *, retry_after: float = 30.0, **options: Any) -> None:
        self.url = url
        self.retry_after = retry_after
        self._options = options
        self._lock = threading.Lock()
        self._store: ChatStore | None = None
        self._failure: StoreError | None = None
        self._failed_at = 0.0

    def get(self) -> ChatStore:
        store = self._store
        if store is not None:
            return store
        with self._lock:
            if self._store is not None:
                return self._store
            if self._failure is not None and time.monotonic() - self._failed_at < self.retry_after:
                raise self._failure
            try:
                store = ChatStore(self.url, **self._options)
                store.migrate()
            except StoreError as exc:
                self._failure, self._failed_at = exc, time.monotonic()
                raise
            self._store, self._failure = store, None
            return store

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None

    def __repr__(self) -> str:
        try:
            shown = safe_url(parse_url(self.url))  # never the password
        except Exception:  # noqa: BLE001 - an unparsable URL is shown as nothing
            shown = "?"
        return f"StoreOpener({shown!r})"


__all__ = ["StoreOpener"]
