"""Cut text into token-like pieces, the way a real model's stream arrives.

Real tokenizers emit word-ish pieces (a leading space glued to the word, long words
split, punctuation on its own) of 1 to 8 characters. Splitting is deterministic given
the text, so tests and benchmarks are repeatable.
"""

from __future__ import annotations

import re
import zlib
from typing import Any, Iterator

MAX_PIECE = 8

# A word with its leading space, a run of spaces, a newline run, or one other character.
_WORDISH = re.compile(r" ?[^\W_]+| ?[^\w\s]{1,3}| +|\n+|\t+|.", re.DOTALL)


def _sizes(seed: int, low: int, high: int) -> Iterator[int]:
    """An endless, deterministic sequence of sizes in [low, high]."""
    state = seed or 1
    while True:
        state = (state * 1103515245 + 12345) & 0x7FFFFFFF
        yield low + (state >> 16) % (high - low + 1)


def _split_long(word: str) -> list[str]:
    """Split a word longer than MAX_PIECE the way BPE does: chunks of 2 to 6 characters."""
    pieces: list[str] = []
    sizes = _sizes(zlib.crc32(word.encode("utf-8")), 2, 6)
    start = 0
    while start < len(word):
        size = next(sizes)
        pieces.append(word[start : start + size])
        start += size
    return pieces


def token_pieces(text: str) -> list[str]:
    """Word-ish pieces of 1..8 characters whose concatenation is exactly ``text``."""
    pieces: list[str] = []
    for match in _WORDISH.finditer(text):
        piece = match.group(0)
        if len(piece) <= MAX_PIECE:
            pieces.append(piece)
        else:
            pieces.extend(_split_long(piece))
    return pieces


def cut_anywhere(text: str, low: int = 1, high: int = 8) -> list[str]:
    """Cut ``text`` at arbitrary places (tool-call arguments arrive like this, even mid-escape)."""
    pieces: list[str] = []
    sizes = _sizes(zlib.crc32(text.encode("utf-8")) ^ 0x5BD1E995, low, high)
    start = 0
    while start < len(text):
        size = next(sizes)
        pieces.append(text[start : start + size])
        start += size
    return pieces


def even_pieces(text: str, count: int) -> list[str]:
    """Exactly ``count`` pieces of near-equal length (clamped to 1..len(text))."""
    if not text:
        return []
    count = max(1, min(count, len(text)))
    base, extra = divmod(len(text), count)
    pieces, start = [], 0
    for i in range(count):
        size = base + (1 if i < extra else 0)
        pieces.append(text[start : start + size])
        start += size
    return pieces


def _message_chars(message: Any) -> int:
    if not isinstance(message, dict):
        return len(str(message))
    content = message.get("content")
    chars = 0
    if isinstance(content, str):
        chars += len(content)
    elif isinstance(content, list):  # content parts
        for part in content:
            if isinstance(part, dict):
                chars += len(str(part.get("text", "")))
    for call in message.get("tool_calls") or []:
        chars += len(str(call))
    return chars


def estimate_prompt_tokens(messages: Any, tools: Any = None) -> int:
    """About chars/4 of the messages, plus a few tokens of framing per message."""
    if not isinstance(messages, list):
        return 0
    chars = sum(_message_chars(m) for m in messages)
    if tools:
        chars += len(str(tools))
    return max(1, round(chars / 4) + 3 * len(messages))


__all__ = ["MAX_PIECE", "cut_anywhere", "estimate_prompt_tokens", "even_pieces", "token_pieces"]
