"""Who holds the admin role (the Usage page): a signed-in e-mail listed in
``CHAT_ADMIN_EMAILS``, or, when the app has no sign-in, whoever entered ``APP_PASSWORD``.
With neither configured nobody is admin: an open demo has no one to tell apart."""

from __future__ import annotations

from typing import Iterable


def admin_emails(raw: str | Iterable[str] | None) -> frozenset[str]:
    items = raw.split(",") if isinstance(raw, str) else (raw or ())
    return frozenset(str(e).strip().lower() for e in items if str(e).strip())


def is_admin(*, email: str | None, sign_in_configured: bool, admins: frozenset[str],
             password_set: bool, password_passed: bool) -> bool:
    if sign_in_configured:
        return email is not None and email.strip().lower() in admins
    return password_set and password_passed


__all__ = ["admin_emails", "is_admin"]
