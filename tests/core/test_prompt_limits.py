"""The prompt size limit: its setting and the message a user gets."""

from __future__ import annotations

import pytest

from chatcore.user_text import DEFAULT_MAX_PROMPT_CHARS, max_prompt_chars, prompt_too_long


def test_a_prompt_over_the_limit_gets_a_clear_message():
    assert prompt_too_long("x" * 20_971_520, 100_000) == (
        "Your message is 20,971,520 characters; the limit is 100,000. Shorten it and send it again.")
    assert prompt_too_long("x" * 100_001, 100_000).startswith("Your message is 100,001 characters")
    assert prompt_too_long("x" * 100_000, 100_000) is None  # the limit itself is allowed
    assert prompt_too_long("😀" * 10, 10) is None  # characters, not UTF-8 bytes


def test_the_limit_comes_from_settings():
    assert max_prompt_chars({}) == DEFAULT_MAX_PROMPT_CHARS == 100_000
    assert max_prompt_chars({"CHAT_MAX_PROMPT_CHARS": "2000"}) == 2000
    for bad in ("lots", "0", "-5"):
        with pytest.raises(ValueError, match="CHAT_MAX_PROMPT_CHARS"):
            max_prompt_chars({"CHAT_MAX_PROMPT_CHARS": bad})
