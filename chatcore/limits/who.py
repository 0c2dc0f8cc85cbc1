"""Who a limit counts: a signed-in user, else the browser session *and* the client address.

A browser session alone is one click away from a fresh one (a new tab), and an address alone
lumps together everyone behind one office NAT; an anonymous visitor is therefore counted
under both, and refused when either is over. Subjects are hashed: the counters table holds
no e-mail address or IP in clear.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from typing import Literal

VisitorKind = Literal["user", "anonymous"]


@dataclass(frozen=True, slots=True)
class Requester:
    """``subjects``: the counter keys this visitor's prompts count against (hashed)."""

    kind: VisitorKind
    subjects: tuple[str, ...]


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()[:24]


def requester_for(user_id: str | None, session_key: str, address: str | None) -> Requester:
    if user_id is not None:
        return Requester("user", ("u:" + _digest(user_id),))
    subjects = ["s:" + _digest(session_key)]
    if address:
        subjects.append("a:" + _digest(address))
    return Requester("anonymous", tuple(subjects))


def client_address(peer: str | None, forwarded_for: str | None, trusted_proxies: int = 0) -> str | None:
    """The visitor's address: the socket's peer, or, behind ``trusted_proxies`` reverse proxies
    that each append the address they saw, the entry the outermost trusted proxy wrote.

    Entries further left were written by the client itself (anyone can send an
    ``X-Forwarded-For``), so they are never believed."""
    if trusted_proxies > 0 and forwarded_for:
        hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
        if len(hops) >= trusted_proxies:
            candidate = hops[-trusted_proxies]
            if _is_address(candidate):
                return candidate
    return peer or None


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


__all__ = ["Requester", "VisitorKind", "client_address", "requester_for"]
