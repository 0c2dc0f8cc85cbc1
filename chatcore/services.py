"""The few objects one server process shares between all its visitors, made once.

Both faces use them: the dashboard (``ui/``) and the HTTP API (``api/``). Each is safe to
share because it holds no visitor's data on its own account: the store checks the owner on
every call, and the turn hub hands out a running answer only to a caller that the store
has let open its conversation (``live_turn``).
"""

from __future__ import annotations

import functools
import os
import threading
from typing import Any, Mapping

from .live_turn import DEFAULT_IDLE_LIMIT_S, TurnHub
from .mock.options import MockOptions
from .providers import OpenAICompatProvider, make_provider
from .settings import ProviderConfig
from .store import StoreOpener, url_from_env
from .tools import ToolRegistry, default_registry

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


@functools.cache
def tool_registry() -> ToolRegistry:
    """The built-in tools, described once (building their JSON schemas costs ~10 ms)."""
    return default_registry()


_providers: dict[tuple[Any, ...], OpenAICompatProvider] = {}
_providers_lock = threading.Lock()


def operator_provider(config: ProviderConfig, mock: MockOptions | None = None) -> OpenAICompatProvider:
    """One provider (one connection pool, one TLS context) per *operator* configuration, shared
    by the API's requests. Only for settings that come from the operator (secrets and the
    environment): a visitor's own key must never land in a shared object."""
    key = (config.kind, config.base_url, config.api_key, config.model, tuple(sorted(config.extra_headers.items())),
           config.timeouts, config.max_retries, config.retry_backoff, mock if config.is_mock else None)
    with _providers_lock:
        provider = _providers.get(key)
        if provider is None:
            if len(_providers) >= 16:  # a handful of models at most; forget the oldest
                _providers.pop(next(iter(_providers))).close()
            provider = _providers[key] = make_provider(config, mock)
        return provider


__all__ = ["STALE_AFTER_S", "operator_provider", "store_opener", "tool_registry", "turn_hub"]
