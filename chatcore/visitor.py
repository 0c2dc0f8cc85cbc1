"""Who is asking, which stored conversations that lets them touch, and how much they may keep.

Two kinds of visitor:

* **signed in** (``st.login``/OIDC): their conversations are owned and created by
  ``user:<id>``. They see and change only those, wherever they sign in from.
* **anonymous** (no auth, or behind the shared ``APP_PASSWORD``, which keeps strangers
  out but says nothing about who is who): a conversation they start is owned by its own
  link, ``link:<conversation id>``: the id is 144 random bits, so holding the link is the
  permission to read and continue it. It is *created* by their browser,
  ``browser:<sha256 of the browser's key>``: only that browser may rename or delete it,
  and its History lists it after reloads, in new tabs and after a restart. The key is 256
  random bits the browser keeps in a cookie (the UI's business); where the browser keeps
  nothing, it lives as long as the tab.

A signed-in visitor can also open a link-owned conversation by its link; no visitor can
open a ``user:`` conversation that is not theirs, whatever id they type.

Only a hash of the browser key is stored. Plain sha256 is enough, no pepper: the key is
256 random bits, so nobody can search for a key that matches a leaked hash, and a pepper
(which protects guessable secrets) would be one more secret that must be the same on every
replica and never lost, or every browser's History would vanish.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from typing import Any, Mapping

USER_PREFIX = "user:"
LINK_PREFIX = "link:"
BROWSER_PREFIX = "browser:"
_BROWSER_KEY = re.compile(r"^[A-Za-z0-9_-]{32,128}$")  # token_urlsafe(32) gives 43 characters


def link_owner(conversation_id: str) -> str:
    return LINK_PREFIX + conversation_id


def new_browser_key() -> str:
    """A fresh browser identity: 256 random bits, URL- and cookie-safe."""
    return secrets.token_urlsafe(32)


def looks_like_browser_key(value: object) -> bool:
    """Is ``value`` (e.g. a cookie sent back) shaped like a key we hand out? Junk starts a new identity."""
    return isinstance(value, str) and bool(_BROWSER_KEY.match(value))


def browser_creator(browser_key: str) -> str:
    """What the store records as the creator of a conversation this browser starts."""
    return BROWSER_PREFIX + hashlib.sha256(("chat-visitor-v1:" + browser_key).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Visitor:
    """``user_id``: the signed-in identity (e.g. the OIDC ``sub`` or e-mail), None if anonymous.

    ``browser_key``: the random key this browser keeps (or, where it keeps nothing, this tab):
    an anonymous visitor's identity. Never stored or logged as such (only its hash)."""

    user_id: str | None
    browser_key: str = field(repr=False)
    acting_as: str | None = None  # set by ``for_creator``: a stored identity, e.g. an API token's

    @classmethod
    def for_creator(cls, creator: str) -> Visitor:
        """The visitor a stored identity stands for (``user:<id>``, or ``browser:<hash>``: only
        the hash is ever stored, so such a visitor is known by it, not by the key)."""
        if creator.startswith(USER_PREFIX):
            return cls(user_id=creator.removeprefix(USER_PREFIX), browser_key="")
        return cls(user_id=None, browser_key="", acting_as=creator)

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None

    @property
    def creator(self) -> str:
        """Who this visitor is to the store: whose conversations they list, rename and delete."""
        if self.user_id is not None:
            return USER_PREFIX + self.user_id
        return self.acting_as if self.acting_as is not None else browser_creator(self.browser_key)

    def owner_for_new(self, conversation_id: str) -> str:
        """Who owns (may write to) a conversation this visitor starts."""
        return USER_PREFIX + self.user_id if self.user_id is not None else link_owner(conversation_id)

    def owners_to_try(self, conversation_id: str) -> tuple[str, ...]:
        """The owners under which this visitor may open ``conversation_id``: theirs, then its link."""
        if self.user_id is not None:
            return (USER_PREFIX + self.user_id, link_owner(conversation_id))
        return (link_owner(conversation_id),)


@dataclass(frozen=True, slots=True)
class VisitorLimits:
    """How much one visitor (by creator: account or browser) may keep. Generous by default:
    they stop a runaway script or an abuser from filling the disk, not a person chatting."""

    max_conversations: int = 500
    max_stored_bytes: int = 50_000_000

    @classmethod
    def from_sources(cls, env: Mapping[str, str], secrets: Mapping[str, Any] = {}) -> VisitorLimits:  # noqa: B006
        """``CHAT_MAX_CONVERSATIONS_PER_VISITOR`` and ``CHAT_MAX_STORED_BYTES_PER_VISITOR``,
        from secrets first, then the environment; anything unreadable keeps the default."""
        default = cls()
        return cls(
            max_conversations=_positive_int(
                "CHAT_MAX_CONVERSATIONS_PER_VISITOR", (secrets, env), default.max_conversations),
            max_stored_bytes=_positive_int("CHAT_MAX_STORED_BYTES_PER_VISITOR", (secrets, env), default.max_stored_bytes),
        )


def _positive_int(name: str, sources: tuple[Mapping[str, Any], ...], default: int) -> int:
    for source in sources:
        try:
            value = source.get(name)
        except Exception:  # noqa: BLE001, S112 - st.secrets raises when there is no secrets file: nothing to read
            continue
        if value is None or str(value).strip() == "":
            continue
        try:
            number = int(str(value).strip().replace("_", ""))
        except ValueError:
            return default
        return number if number > 0 else default
    return default


__all__ = [
    "BROWSER_PREFIX",
    "LINK_PREFIX",
    "USER_PREFIX",
    "Visitor",
    "VisitorLimits",
    "browser_creator",
    "link_owner",
    "looks_like_browser_key",
    "new_browser_key",
]
