"""Bearer tokens for the HTTP API: made on a page of the app, shown once, stored hashed.

A token acts as whoever made it (``identity``): ``user:<id>`` for a signed-in user, or the
creator key of the browser that made it behind the shared password. It can read, continue,
rename and delete exactly what that identity could in the dashboard, nothing more. Only
sha256 of the token is stored: it is 256 random bits, so a leaked hash cannot be turned
back into a token, and no pepper (one more secret to keep equal on every replica) is needed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import insert, select, update

from .store import ChatStore, StoreError
from .store.schema import api_tokens

TOKEN_PREFIX = "sct_"  # noqa: S105 - a prefix, not a secret: makes a leaked token recognisable
_WRITE, _READ = "save the API token", "read the API tokens"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True, slots=True)
class ApiToken:
    id: str
    identity: str
    name: str
    created_at: float
    last_used_at: float | None
    revoked_at: float | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ApiTokens:
    def __init__(self, store: ChatStore) -> None:
        self.store = store

    def create(self, identity: str, name: str) -> tuple[str, ApiToken]:
        """A new token for ``identity``: (the token, shown once and never again; its record)."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        record = ApiToken(id=secrets.token_urlsafe(9), identity=identity, name=name.strip()[:80] or "API token",
                          created_at=time.time(), last_used_at=None, revoked_at=None)
        with self.store._transaction(_WRITE, write=True) as conn:
            conn.execute(insert(api_tokens).values(token_hash=_hash(token), id=record.id, identity=record.identity,
                                                   name=record.name, created_at=record.created_at))
        return token, record

    def verify(self, token: str) -> ApiToken | None:
        """The active token matching ``token``, or None (unknown, revoked, or not a token at all)."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        wanted = _hash(token)
        with self.store._transaction(_READ, write=False) as conn:
            row = conn.execute(select(api_tokens).where(api_tokens.c.token_hash == wanted)).first()
        if row is None or row.revoked_at is not None or not hmac.compare_digest(row.token_hash, wanted):
            return None
        self._touch(row.id)
        return _record(row)

    def _touch(self, token_id: str) -> None:
        try:
            with self.store._transaction(_WRITE, write=True) as conn:
                conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(last_used_at=time.time()))
        except StoreError:
            pass  # "last used" is a convenience: never refuse a request over it

    def list(self, identity: str) -> list[ApiToken]:
        with self.store._transaction(_READ, write=False) as conn:
            rows = conn.execute(select(api_tokens).where(api_tokens.c.identity == identity)
                                .order_by(api_tokens.c.created_at.desc())).all()
        return [_record(row) for row in rows]

    def revoke(self, identity: str, token_id: str) -> bool:
        """Revoke one of ``identity``'s tokens (another identity's token id changes nothing)."""
        with self.store._transaction(_WRITE, write=True) as conn:
            result = conn.execute(update(api_tokens)
                                  .where(api_tokens.c.id == token_id, api_tokens.c.identity == identity,
                                         api_tokens.c.revoked_at.is_(None))
                                  .values(revoked_at=time.time()))
        return result.rowcount == 1


def _record(row: object) -> ApiToken:
    return ApiToken(id=row.id, identity=row.identity, name=row.name, created_at=row.created_at,  # type: ignore[attr-defined]
                    last_used_at=row.last_used_at, revoked_at=row.revoked_at)  # type: ignore[attr-defined]


__all__ = ["TOKEN_PREFIX", "ApiToken", "ApiTokens"]
