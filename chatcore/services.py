"""The few objects one server process shares between all its visitors, made once.

Both faces use them: the dashboard (``ui/``) and the HTTP API (``api/``). Each is safe to
share because it holds no visitor's data on its own account: the store checks the owner on
every call, and the turn hub hands out a running answer only to a caller that the store
has let open its conversation (``live_turn``).
"""

from __future__ import annotations

import functools
import os
from typing import Any, Mapping

from .live_turn import DEFAULT_IDLE_LIMIT_S, TurnHub
from .store import StoreOpener, url_from_env

# An answer not checkpointed for this long was cut off by a server restart (answers in
# progress are checkpointed every second, also while a tool runs).
STALE_AFTER_S = float(os.environ.get("CHAT_STALE_AFTER_S", "10"))


@functools.cache
def _opener(url: str) -> StoreOpener:
    return StoreOpener(url, stale_after=STALE_AFTER_S)


def store_opener(secrets: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> StoreOpener:
    """The process's store opener for the configured database (one per URL)."""
    return _opener(url_from_env(os.environ if env is None else env, secrets or {}))


@functools.cache
def turn_hub() -> TurnHub:
    """The process's running answers: the dashboard's tabs and the API's clients share it."""
    return TurnHub(idle_limit=float(os.environ.get("CHAT_DETACHED_IDLE_S", DEFAULT_IDLE_LIMIT_S)))


__all__ = ["STALE_AFTER_S", "store_opener", "turn_hub"]
