"""``Limits``: what a public demo allows each visitor, as one frozen value read once at the edge.

Every limit is optional (None: no limit). Read from ``st.secrets`` (passed in as a plain
mapping) under ``CHAT_LIMIT_*`` names, then ``chat.toml``'s ``[limits]`` table (by field name:
``prompts_per_minute = 10``), then the environment. A setting that cannot be read is an error at start-up, never a silent
"no limit": an operator who typed ``CHAT_LIMIT_PROMPTS_PER_MINUTE=ten`` must hear about it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Any, Mapping

PREFIX = "CHAT_LIMIT_"


class LimitsConfigError(ValueError):
    """A ``CHAT_LIMIT_*`` setting that is not what it must be (says which and why)."""


@dataclass(frozen=True, slots=True)
class Limits:
    """``prompts_per_minute``, ``tokens_per_day``: per visitor (signed-in user; else browser
    session *and* client address, each counted). ``global_tokens_per_day``: everyone together.
    ``max_answer_tokens``: caps the ``max_tokens`` sent upstream. ``max_messages``: a
    conversation's length (prompts and answers). ``concurrent_answers``: per visitor.
    ``models``: the models a visitor may pick (None: any). ``trusted_proxies``: how many
    reverse proxies in front of the app append to ``X-Forwarded-For`` (0: ignore that header,
    a visitor could forge it)."""

    prompts_per_minute: int | None = None
    tokens_per_day: int | None = None
    global_tokens_per_day: int | None = None
    max_answer_tokens: int | None = None
    max_messages: int | None = None
    concurrent_answers: int | None = None
    models: tuple[str, ...] | None = None
    trusted_proxies: int = 0

    @property
    def any(self) -> bool:
        """Is anything limited at all? (Without limits the guard only keeps the usage figures.)"""
        return any(getattr(self, f.name) is not None for f in fields(self) if f.name != "trusted_proxies")

    @classmethod
    def from_sources(cls, secrets: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None,
                     file: Mapping[str, Any] | None = None) -> Limits:
        """``CHAT_LIMIT_<FIELD>`` from ``secrets`` first, then ``file`` (``chat.toml``'s ``[limits]``,
        by field name), then ``env`` (``os.environ`` by default).

        ``CHAT_LIMIT_MODELS`` is a comma-separated list (or a list, in secrets and the file)."""
        secrets = secrets or {}
        file = file or {}
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            name = PREFIX + f.name.upper()
            raw = _lookup(secrets, name)
            if raw is None:
                raw = file.get(f.name)
            if raw is None:
                raw = env.get(name)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            values[f.name] = _models(name, raw) if f.name == "models" else _count(name, raw, allow_zero=f.name == "trusted_proxies")
        return cls(**values)


def limit_names() -> tuple[str, ...]:
    """The keys ``chat.toml``'s ``[limits]`` table may hold."""
    return tuple(f.name for f in fields(Limits))


def _lookup(source: Mapping[str, Any], name: str) -> Any:
    try:  # st.secrets raises when there is no secrets file at all
        return source.get(name)
    except Exception:  # noqa: BLE001
        return None


def _count(name: str, raw: Any, *, allow_zero: bool) -> int:
    try:
        value = int(str(raw).strip().replace("_", ""))
    except ValueError:
        raise LimitsConfigError(f"{name} must be a whole number, not {str(raw)[:40]!r}") from None
    if value < 0 or (value == 0 and not allow_zero):
        raise LimitsConfigError(f"{name} must be {'0 or more' if allow_zero else 'at least 1'} (leave it unset for no limit)")
    return value


def _models(name: str, raw: Any) -> tuple[str, ...]:
    items = raw if isinstance(raw, (list, tuple)) else str(raw).split(",")
    models = tuple(str(m).strip() for m in items if str(m).strip())
    if not models:
        raise LimitsConfigError(f"{name} lists no model (leave it unset to allow any)")
    return models


__all__ = [
    "Limits", "LimitsConfigError", "limit_names"]
