"""Keep secrets out of what is stored: a conversation's settings never hold an API key.

A key whose name says it is a secret (key, secret, token, password, auth, credential,
cookie) is dropped at any depth, however it is spelt (``api_key``, ``OPENAI_API_KEY``,
``Authorization`` in ``extra_headers``...). Token *counts* are kept: a name ending in
``tokens`` whose value is a number (``max_tokens``) is a limit, not a secret.
"""

from __future__ import annotations

from typing import Any, Mapping

SECRET_WORDS = ("key", "secret", "token", "password", "passwd", "auth", "credential", "cookie")


def is_secret_name(name: str, value: Any = None) -> bool:
    lowered = str(name).lower()
    if lowered.endswith("tokens") and (value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))):
        return False
    return any(word in lowered for word in SECRET_WORDS)


def strip_secrets(value: Any) -> Any:
    """A copy of ``value`` (dicts, lists) without any secret-named entry, at any depth."""
    if isinstance(value, Mapping):
        return {str(k): strip_secrets(v) for k, v in value.items() if not is_secret_name(k, v)}
    if isinstance(value, (list, tuple)):
        return [strip_secrets(v) for v in value]
    return value


__all__ = ["SECRET_WORDS", "is_secret_name", "strip_secrets"]
