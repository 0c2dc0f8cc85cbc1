"""Make what a user typed safe to send: valid UTF-8, no control characters.

A lone surrogate (which some clipboards and test tools produce) cannot be encoded as
UTF-8 and would fail the request; NUL and other control characters confuse servers and
terminals. Newlines and tabs are kept.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LONG_PROMPT_CHARS = 5_000  # longer prompts are shown folded in the chat


def clean_user_text(text: str) -> str:
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates -> "?"
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


__all__ = ["LONG_PROMPT_CHARS", "clean_user_text"]
