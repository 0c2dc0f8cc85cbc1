"""How many password attempts may be compared: per client address and server-wide, per window.

A sliding window log: each compared attempt leaves its time; an attempt is allowed while
fewer than ``limit`` times lie inside the last ``window_s`` seconds, for its address AND for
the whole server. A refused attempt leaves no trace (so "try again in 42 s" stays true and
hammering does not extend the lockout), and nothing ever sleeps: a refusal is an answer,
not a wait, so no server thread is held per guess.

Thread-safe (one lock around a few list operations); the clock is injected for tests.
Memory is bounded: at most ``max_addresses`` addresses are tracked, the least recently
seen are forgotten first (the server-wide window still counts their attempts).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Callable

ADDRESS = "address"
SERVER = "server"


@dataclass(frozen=True)
class ThrottleLimits:
    per_address: int = 5  # compared attempts per window from one client address
    server_wide: int = 30  # compared attempts per window from everyone together
    window_s: float = 60.0

    def __post_init__(self) -> None:
        if self.per_address < 1 or self.server_wide < 1:
            raise ValueError("attempt limits must be at least 1 (a limit of 0 would lock everyone out)")
        if not self.window_s > 0:
            raise ValueError("the throttle window must be longer than 0 s")


@dataclass(frozen=True)
class Verdict:
    """May this attempt be compared? If not: which limit was hit and when to try again."""

    allowed: bool
    scope: str = ""  # ADDRESS or SERVER when refused
    limit: int = 0
    window_s: float = 0.0
    retry_after_s: int = 0  # whole seconds, rounded up: never says "0 s" while still locked


DEFAULT_LIMITS = ThrottleLimits()


class AttemptThrottle:
    def __init__(self, limits: ThrottleLimits = DEFAULT_LIMITS, *, clock: Callable[[], float] = time.monotonic,
                 max_addresses: int = 10_000) -> None:
        self.limits = limits
        self._clock = clock
        self._max_addresses = max_addresses
        self._lock = threading.Lock()
        self._server: deque[float] = deque()
        self._by_address: OrderedDict[str, deque[float]] = OrderedDict()

    def take(self, address: str) -> Verdict:
        """Ask to compare one attempt from ``address``; an allowed attempt is counted at once."""
        limits = self.limits
        with self._lock:
            now = self._clock()
            horizon = now - limits.window_s
            mine = self._by_address.get(address)
            if mine is not None:
                self._by_address.move_to_end(address)
                _drop_before(mine, horizon)
                if len(mine) >= limits.per_address:
                    return self._refuse(ADDRESS, limits.per_address, mine[0], now)
            _drop_before(self._server, horizon)
            if len(self._server) >= limits.server_wide:
                return self._refuse(SERVER, limits.server_wide, self._server[0], now)
            if mine is None:
                self._make_room(horizon)
                mine = self._by_address[address] = deque()
            mine.append(now)
            self._server.append(now)
            return Verdict(True)

    def tracked_addresses(self) -> int:
        with self._lock:
            return len(self._by_address)

    def _refuse(self, scope: str, limit: int, oldest: float, now: float) -> Verdict:
        wait = oldest + self.limits.window_s - now
        return Verdict(False, scope, limit, self.limits.window_s, max(1, math.ceil(wait)))

    def _make_room(self, horizon: float) -> None:
        """Keep the address table under ``max_addresses`` before one more is added."""
        if len(self._by_address) < self._max_addresses:
            return
        for address in [a for a, times in self._by_address.items() if not times or times[-1] <= horizon]:
            del self._by_address[address]  # nothing left in their window: forgetting changes nothing
        while len(self._by_address) >= self._max_addresses:
            self._by_address.popitem(last=False)  # least recently seen


def _drop_before(times: deque[float], horizon: float) -> None:
    while times and times[0] <= horizon:
        times.popleft()


__all__ = ["ADDRESS", "DEFAULT_LIMITS", "SERVER", "AttemptThrottle", "ThrottleLimits", "Verdict"]
