"""The optional shared-password gate (``APP_PASSWORD``): compared in constant time, slowed after failures.

The gate keeps strangers out of a hosted demo; it does not tell visitors apart (they share
the password), so behind it each visitor is kept apart as an anonymous one (see ``visitor``).

Guessing is slowed twice over: each failed attempt in a browser session waits longer than
the one before (``session_delay``), and every failed attempt in the process waits at least
``min_delay`` while holding a lock, so parallel sessions cannot guess faster than one per
``min_delay`` together.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from typing import Callable


class PasswordGate:
    def __init__(self, password: str, *, min_delay: float = 1.0, max_delay: float = 8.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if not password:
            raise ValueError("an empty password would open the gate to anyone")
        self._digest = hashlib.sha256(password.encode("utf-8")).digest()
        self.min_delay = min_delay
        self.max_delay = max_delay
        self._sleep = sleep
        self._failures = threading.Lock()

    def matches(self, attempt: str) -> bool:
        """Constant time in the attempt's content and length (equal-length digests are compared)."""
        given = hashlib.sha256(attempt.encode("utf-8", "replace")).digest()
        return hmac.compare_digest(given, self._digest)

    def session_delay(self, failures: int) -> float:
        """How long the ``failures``-th failed attempt of one session waits: 1, 2, 4, 8, 8... s."""
        if failures <= 0:
            return 0.0
        return min(self.max_delay, self.min_delay * 2.0 ** (failures - 1))

    def check(self, attempt: str, failures_so_far: int = 0) -> bool:
        """True if ``attempt`` is right; otherwise waits (see the module docstring) and returns False."""
        if self.matches(attempt):
            return True
        extra = max(0.0, self.session_delay(failures_so_far + 1) - self.min_delay)
        with self._failures:  # one failure at a time, process-wide
            self._sleep(self.min_delay)
        if extra:
            self._sleep(extra)
        return False


__all__ = ["PasswordGate"]
