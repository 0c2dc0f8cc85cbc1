"""Make what a user typed safe to send: valid UTF-8, no control characters, not too long.

A lone surrogate (which some clipboards and test tools produce) cannot be encoded as
UTF-8 and would fail the request; NUL and other control characters confuse servers and
terminals. Newlines and tabs are kept.

A prompt longer than the limit is refused before anything is stored or sent upstream: a
20 MB prompt used to be stored, sent to the provider and drawn back into every viewer's
page. The browser stops typing at the limit (``st.chat_input(max_chars=...)``), but a
client that speaks the websocket protocol itself is not a browser, and the edit box has
no limit of its own, so the page checks every prompt with ``prompt_too_long`` too.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LONG_PROMPT_CHARS = 5_000  # longer prompts are shown folded in the chat
MAX_PROMPT_SETTING = "CHAT_MAX_PROMPT_CHARS"
DEFAULT_MAX_PROMPT_CHARS = 100_000  # ~25,000 tokens: a long document pasted in, not a denial of service


def clean_user_text(text: str) -> str:
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates -> "?"
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def max_prompt_chars(settings: Mapping[str, Any]) -> int:
    """The prompt limit in characters (``CHAT_MAX_PROMPT_CHARS``, secrets over environment)."""
    raw = settings.get(MAX_PROMPT_SETTING)
    if raw is None or str(raw).strip() == "":
        return DEFAULT_MAX_PROMPT_CHARS
    try:
        limit = int(str(raw).strip())
    except ValueError:
        raise ValueError(f"{MAX_PROMPT_SETTING} must be a whole number of characters, not {raw!r}") from None
    if limit < 1:
        raise ValueError(f"{MAX_PROMPT_SETTING} must be at least 1, not {limit}")
    return limit


def prompt_too_long(text: str, limit: int) -> str | None:
    """The message to show when ``text`` is over ``limit`` characters; None when it may be sent."""
    if len(text) <= limit:
        return None
    return f"Your message is {len(text):,} characters; the limit is {limit:,}. Shorten it and send it again."


__all__ = ["DEFAULT_MAX_PROMPT_CHARS", "LONG_PROMPT_CHARS", "MAX_PROMPT_SETTING", "clean_user_text",
           "max_prompt_chars", "prompt_too_long"]
