"""Who is asking, and which stored conversations that lets them touch.

Two kinds of visitor:

* **signed in** (``st.login``/OIDC): their conversations are owned by ``user:<id>``. They
  see and change only those, wherever they sign in from.
* **anonymous** (no auth, or behind the shared ``APP_PASSWORD``, which keeps strangers
  out but says nothing about who is who): a conversation they start is owned by its own
  link, ``link:<conversation id>``. The id is 144 random bits, so holding the link is the
  permission, and a refresh (the link is in the URL) resumes the chat. Their History lists
  what this browser session started or opened, nothing else.

A signed-in visitor can also open a link-owned conversation by its link; no visitor can
open a ``user:`` conversation that is not theirs, whatever id they type.
"""

from __future__ import annotations

from dataclasses import dataclass

USER_PREFIX = "user:"
LINK_PREFIX = "link:"


def link_owner(conversation_id: str) -> str:
    return LINK_PREFIX + conversation_id


@dataclass(frozen=True, slots=True)
class Visitor:
    """``user_id``: the signed-in identity (e.g. the OIDC ``sub`` or e-mail), None if anonymous.

    ``session_key``: random per browser session, so an anonymous visitor's list query
    matches no owner at all (only the ids this session knows)."""

    user_id: str | None
    session_key: str

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None

    @property
    def list_owner(self) -> str:
        """The owner whose conversations the History page lists (plus the ids this session knows)."""
        return USER_PREFIX + self.user_id if self.user_id is not None else "session:" + self.session_key

    @property
    def creator(self) -> str:
        """Who this visitor is to the store (what their API tokens act as)."""
        return self.list_owner

    def owner_for_new(self, conversation_id: str) -> str:
        """Who owns a conversation this visitor starts."""
        return USER_PREFIX + self.user_id if self.user_id is not None else link_owner(conversation_id)

    def owners_to_try(self, conversation_id: str) -> tuple[str, ...]:
        """The owners under which this visitor may open ``conversation_id``: theirs, then its link."""
        if self.user_id is not None:
            return (USER_PREFIX + self.user_id, link_owner(conversation_id))
        return (link_owner(conversation_id),)


__all__ = ["LINK_PREFIX", "USER_PREFIX", "Visitor", "link_owner"]
