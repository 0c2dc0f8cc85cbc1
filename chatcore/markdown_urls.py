"""Who may be linked to and loaded from, and link destinations read the way CommonMark does.

``MarkdownPolicy`` is the operator's image allow-list (``CHAT_IMAGE_HOSTS``); the functions
decide which URLs a sanitised answer may keep (``chatcore.safe_markdown``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

SETTING = "CHAT_IMAGE_HOSTS"  # secrets or environment: comma-separated hosts (or host:port) images may load from


@dataclass(frozen=True)
class MarkdownPolicy:
    """What rendered text may load or link to; the operator sets ``image_hosts``."""

    image_hosts: frozenset[str] = frozenset()  # "host" (any port) or "host:port", lowercase

    @classmethod
    def from_setting(cls, value: str | None) -> MarkdownPolicy:
        hosts = (h.strip().lower().rstrip("/") for h in (value or "").split(","))
        return cls(frozenset(h for h in hosts if h))

    @classmethod
    def from_sources(cls, secrets: Mapping[str, object], env: Mapping[str, str]) -> MarkdownPolicy:
        return cls.from_setting(str(secrets.get(SETTING) or env.get(SETTING) or ""))

    def image_allowed(self, url: str) -> bool:
        parsed = strict_http_url(url)
        if parsed is None:
            return False
        host, port = parsed
        return host in self.image_hosts or (port is not None and f"{host}:{port}" in self.image_hosts)


# ------------------------------------------------------------------ URLs
_STRICT_HTTP = re.compile(
    r"https?://(?P<host>[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])"
    r"(?::(?P<port>[0-9]{1,5}))?(?P<rest>[/?#][^\s\\]*)?",
    re.ASCII,
)
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_URL_NOISE = re.compile(r"[\t\n\r]")


def strict_http_url(url: str) -> tuple[str, str | None] | None:
    """(host, port) of a plain ``http(s)://host[:port]/...`` URL, else None.

    Deliberately narrower than what browsers accept (no user info, backslashes, percent signs
    in the host, spaces): a URL that a browser and Python could read differently is refused."""
    match = _STRICT_HTTP.fullmatch(url)
    if match is None:
        return None
    return match["host"].lower(), match["port"]


def loose_host(url: str) -> str:
    """For display only: the host an odd URL names, as "host: ", or "" when it names none."""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return f"{host}: " if re.fullmatch(r"[a-z0-9.-]+", host) else ""


def link_allowed(url: str) -> bool:
    """An ``http(s)``/``mailto`` URL, or an in-page ``#anchor``; read the way a browser does."""
    cleaned = _URL_NOISE.sub("", url).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13"
                                            "\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
    if cleaned.startswith("#"):
        return True
    match = _SCHEME.match(cleaned)
    return match is not None and match[1].lower() in _LINK_SCHEMES


_DESTINATION_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])|&(#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")


def decode_destination(raw: str) -> str:
    """A link destination as CommonMark reads it: backslash escapes and entities resolved."""
    if raw.startswith("<") and raw.endswith(">"):
        raw = raw[1:-1]
    return _DESTINATION_ESCAPE.sub(lambda m: m[1] if m[1] is not None else html.unescape("&" + m[2]), raw)


def canonical_destination(url: str) -> str:
    """``url`` written so that every CommonMark reader decodes it back to exactly ``url``."""
    out = url.replace("\\", "\\\\").replace("&", "\\&").replace("<", "%3C").replace(">", "%3E")
    return "<" + re.sub(r"\s", lambda m: f"%{ord(m[0]):02X}", out) + ">"


__all__ = ["SETTING", "MarkdownPolicy", "canonical_destination", "decode_destination", "link_allowed", "loose_host",
           "strict_http_url"]
