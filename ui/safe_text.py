"""Model output and prompts as Markdown that cannot phone out (``chatcore.safe_markdown``).

Every place that renders text a model or a visitor wrote goes through ``safe_markdown``
(or ``safe_pieces`` while it streams), with the operator's image allow-list
(``CHAT_IMAGE_HOSTS`` in ``st.secrets`` or the environment; empty by default).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TypeVar

from chatcore.safe_markdown import (
    SETTING,
    MarkdownPolicy,
    sanitize_markdown,
    sanitize_pieces,
)

from .state import secrets_mapping

T = TypeVar("T")
SECRETS_TTL_S = 5.0

# The operator's secret is the same for every visitor (nothing per user). Reading st.secrets
# costs ~0.25 ms when there is no secrets file and a long chat renders hundreds of messages
# per run, so it is read at most every few seconds (an edited secrets.toml still takes effect).
_secret: tuple[float, str] = (float("-inf"), "")


def _secret_setting() -> str:
    global _secret
    read_at, value = _secret
    now = time.monotonic()
    if now - read_at > SECRETS_TTL_S:
        value = str(secrets_mapping().get(SETTING) or "")
        _secret = (now, value)  # one tuple, replaced whole: safe to race between threads
    return value


@lru_cache(maxsize=16)
def _policy_for(setting: str) -> MarkdownPolicy:
    return MarkdownPolicy.from_setting(setting)


def markdown_policy() -> MarkdownPolicy:
    """``CHAT_IMAGE_HOSTS`` from ``st.secrets``, else the environment."""
    return _policy_for(_secret_setting() or os.environ.get(SETTING, ""))


def safe_markdown(text: str) -> str:
    return sanitize_markdown(text, markdown_policy())


def safe_pieces(pieces: Iterable[str | T]) -> Iterator[str | T]:
    return sanitize_pieces(pieces, markdown_policy())
