"""The optional shared-password gate (``APP_PASSWORD``): throttled first, then compared in constant time.

The gate keeps strangers out of a hosted demo; it does not tell visitors apart (they share
the password), so behind it each visitor is kept apart as an anonymous one (see ``visitor``).

Guessing is limited before any comparison (``attempt_throttle``): per client address and
server-wide, so parallel sessions cannot guess faster together than the limits allow. An
attempt over a limit is not compared at all, even when it is right, and is answered at
once: nothing sleeps, so a flood of guesses holds no server thread.

One gate serves the whole process (its counts must be shared); it holds no visitor data.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .attempt_throttle import ADDRESS, DEFAULT_LIMITS, AttemptThrottle, ThrottleLimits, Verdict

PER_ADDRESS_SETTING = "CHAT_GATE_ATTEMPTS_PER_MINUTE"
SERVER_WIDE_SETTING = "CHAT_GATE_GLOBAL_ATTEMPTS_PER_MINUTE"
WINDOW_SETTING = "CHAT_GATE_WINDOW_S"  # 60 unless set: the "minute" of the two limits above
PROXY_HOPS_SETTING = "CHAT_TRUSTED_PROXY_HOPS"

WRONG = "That password is not right."


@dataclass(frozen=True)
class GateAnswer:
    admitted: bool
    throttled: Verdict | None = None  # set when the attempt was not compared at all

    @property
    def message(self) -> str:
        """What the visitor is told (nothing when admitted)."""
        if self.admitted:
            return ""
        if self.throttled is None:
            return WRONG
        v = self.throttled
        per = "per minute" if v.window_s == 60 else f"per {v.window_s:g} s"
        if v.scope == ADDRESS:
            who = f"from your address (limit: {v.limit} {per})"
        else:
            who = f"on this server from all visitors together (limit: {v.limit} {per})"
        return f"Too many password attempts {who}. Try again in {v.retry_after_s} s."


class PasswordGate:
    def __init__(self, password: str, limits: ThrottleLimits = DEFAULT_LIMITS, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if not password:
            raise ValueError("an empty password would open the gate to anyone")
        self._digest = hashlib.sha256(password.encode("utf-8")).digest()
        self.throttle = AttemptThrottle(limits, clock=clock)

    def matches(self, attempt: str) -> bool:
        """Constant time in the attempt's content and length (equal-length digests are compared)."""
        given = hashlib.sha256(attempt.encode("utf-8", "replace")).digest()
        return hmac.compare_digest(given, self._digest)

    def attempt(self, attempt: str, address: str) -> GateAnswer:
        """Count the attempt against ``address`` and the server; compare it only if both allow."""
        verdict = self.throttle.take(address)
        if not verdict.allowed:
            return GateAnswer(False, verdict)
        return GateAnswer(self.matches(attempt))


def _whole_number(settings: Mapping[str, Any], name: str, default: int) -> int:
    raw = settings.get(name)
    if raw is None or str(raw).strip() == "":
        return default
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    return value


def gate_limits(settings: Mapping[str, Any]) -> ThrottleLimits:
    """The throttle's limits from settings (secrets over environment); defaults 5 and 30 per 60 s."""
    defaults = DEFAULT_LIMITS
    window = settings.get(WINDOW_SETTING)
    try:
        window_s = float(window) if window not in (None, "") else defaults.window_s
    except ValueError:
        raise ValueError(f"{WINDOW_SETTING} must be a number of seconds, not {window!r}") from None
    return ThrottleLimits(per_address=_whole_number(settings, PER_ADDRESS_SETTING, defaults.per_address),
                          server_wide=_whole_number(settings, SERVER_WIDE_SETTING, defaults.server_wide),
                          window_s=window_s)


def trusted_proxy_hops(settings: Mapping[str, Any]) -> int:
    hops = _whole_number(settings, PROXY_HOPS_SETTING, 0)
    if hops < 0:
        raise ValueError(f"{PROXY_HOPS_SETTING} must be 0 or more, not {hops}")
    return hops


__all__ = ["GateAnswer", "PasswordGate", "WRONG", "gate_limits", "trusted_proxy_hops"]
