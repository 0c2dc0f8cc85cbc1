"""Take credentials out of text that came from an upstream server before a person sees it.

A misconfigured or hostile server may echo the request back in its error body
("Server said: … Authorization: Bearer sk-…"). That text is shown in the chat and stored
with the answer, so ``scrub_credentials`` runs at the one place upstream failures become
user text (``errors.describe``). It removes what *looks* like a credential and, above all,
the literal key in use, which no pattern can be trusted to recognise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

REDACTED = "[redacted]"
_MIN_LITERAL = 6  # shorter "keys" (e.g. "x" in tests) would shred ordinary words

# Header lines that carry credentials: everything after the name goes, to the end of the line.
_HEADER_LINE = re.compile(
    r"(?im)\b(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key)(\s*[:=]\s*)[^\r\n]*"
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{4,}")
_SK_KEY = re.compile(r"\b(sk|rk|pk)-[A-Za-z0-9_-]{8,}")
_NAMED_VALUE = re.compile(
    r"(?i)\b(api[_-]?key|access[_-]?token|refresh[_-]?token|client[_-]?secret|secret[_-]?key|password)"
    r"""(["']?\s*[:=]\s*["']?)[^\s"'&,;}]+"""
)


def scrub_credentials(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with credential-looking parts and every literal value in ``secrets`` replaced."""
    if not text:
        return text
    for secret in secrets:
        if secret and len(secret) >= _MIN_LITERAL:
            text = text.replace(secret, REDACTED)
    text = _HEADER_LINE.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _SK_KEY.sub(lambda m: f"{m.group(1)}-{REDACTED}", text)
    return _NAMED_VALUE.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)


__all__ = ["REDACTED", "scrub_credentials"]
