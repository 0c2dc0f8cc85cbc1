"""Who is calling: the same owner rules as the dashboard (``chatcore.visitor``).

* Sign-in or a shared password configured: a bearer token is required. It acts as whoever
  made it on the API page (a signed-in user, or the browser of a password holder), so the
  caller sees exactly the conversations that person sees in the dashboard.
* Neither (an open demo): the API is open, as the dashboard is. A caller is recognised the
  way a browser is, by the dashboard's visitor cookie when it sends one (the reference page
  does, being same-origin); a conversation it starts belongs to whoever holds its id.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from chatcore.api_tokens import ApiTokens
from chatcore.store import ChatStore
from chatcore.visitor import Visitor, looks_like_browser_key, new_browser_key

from .responses import ApiRefusal
from .settings import ApiSettings

VISITOR_COOKIE = "chat_browser"  # the dashboard's browser identity (ui/browser_identity.py)


@dataclass(frozen=True, slots=True)
class Caller:
    visitor: Visitor
    via_token: bool


def visitor_for_identity(identity: str) -> Visitor:
    """The visitor a token acts as (its ``identity`` was recorded when it was made)."""
    return Visitor.for_creator(identity)


def identify(request: Request, settings: ApiSettings, store: ChatStore | None) -> Caller:
    """The caller, or ``ApiRefusal(401)`` with a JSON body (no token, a wrong or revoked one)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if settings.needs_token or header:
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiRefusal(401, "This API needs a bearer token: create one on the app's API page.")
        if store is None:
            raise ApiRefusal(503, "Conversations cannot be checked right now: the database is unavailable.")
        found = ApiTokens(store).verify(token.strip())
        if found is None:
            raise ApiRefusal(401, "That token is not valid (unknown or revoked).")
        return Caller(visitor_for_identity(found.identity), via_token=True)
    cookie = request.cookies.get(VISITOR_COOKIE)
    key = cookie if cookie is not None and looks_like_browser_key(cookie) else new_browser_key()
    return Caller(Visitor(user_id=None, browser_key=key), via_token=False)


__all__ = ["Caller", "VISITOR_COOKIE", "identify", "visitor_for_identity"]
