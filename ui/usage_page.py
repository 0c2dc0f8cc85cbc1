"""Usage: tokens per day per model, answers, errors and limits hit, for the admin role only.

Who is admin (``chatcore/limits/roles.py``): a signed-in e-mail listed in
``CHAT_ADMIN_EMAILS``, or, when the app has no sign-in, whoever entered ``APP_PASSWORD``.
The page checks that itself: Streamlit can run a ``pages/`` file directly.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict

import streamlit as st

from chatcore.limits import LimitCounters, admin_emails, is_admin
from chatcore.limits.counters import DAY, day_of
from chatcore.store import StoreError

from .access import GATE_PASSED, app_password, auth_configured
from .state import secrets_mapping, shared_store, signed_in_user

DAYS_SHOWN = 14
LIMIT_NAMES = {
    "prompts_per_minute": "prompts per minute",
    "tokens_per_day": "tokens per day (a visitor)",
    "global_tokens_per_day": "tokens per day (everyone)",
    "concurrent_answers": "answers at once",
    "store": "limits could not be checked",
}


def _email() -> str | None:
    if signed_in_user() is None:
        return None
    email = st.user.get("email")
    return str(email) if email else None


def current_visitor_is_admin() -> bool:
    raw = secrets_mapping().get("CHAT_ADMIN_EMAILS") or os.environ.get("CHAT_ADMIN_EMAILS", "")
    return is_admin(
        email=_email(),
        sign_in_configured=auth_configured() or signed_in_user() is not None,
        admins=admin_emails(raw),
        password_set=bool(app_password()),
        password_passed=bool(st.session_state.get(GATE_PASSED)),
    )


def render_usage_page() -> None:
    if not current_visitor_is_admin():
        st.error("The Usage page is for the app's admins.", icon=":material/admin_panel_settings:")
        st.stop()
    st.title("Usage")
    store = shared_store()
    if store is None:
        st.warning("The database cannot be reached, so there are no figures to show.", icon=":material/cloud_off:")
        return
    since = day_of(time.time() - (DAYS_SHOWN - 1) * DAY)
    try:
        figures = LimitCounters(store).daily(since)
    except StoreError as exc:
        st.warning(str(exc), icon=":material/cloud_off:")
        return
    st.caption(f"The last {DAYS_SHOWN} days (UTC), every replica together (the counters live in the shared database).")
    per_model: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: {"tokens": 0, "answers": 0, "errors": 0})
    hits: dict[tuple[str, str], int] = {}
    for f in figures:
        if f.kind in ("tokens", "answers", "errors"):
            per_model[(f.day, f.label)][f.kind] += f.value
        elif f.kind == "hit":
            hits[(f.day, LIMIT_NAMES.get(f.label, f.label))] = f.value
    total_tokens = sum(v["tokens"] for v in per_model.values())
    total_answers = sum(v["answers"] for v in per_model.values())
    cols = st.columns(4)
    cols[0].metric("Tokens", f"{total_tokens:,}")
    cols[1].metric("Answers", f"{total_answers:,}")
    cols[2].metric("Errors", f"{sum(v['errors'] for v in per_model.values()):,}")
    cols[3].metric("Limits hit", f"{sum(hits.values()):,}")
    st.subheader("Tokens per day per model")
    if per_model:
        rows = [{"day": day, "model": model, **values} for (day, model), values in sorted(per_model.items(), reverse=True)]
        st.dataframe(rows, hide_index=True, key="usage_per_model")
    else:
        st.caption("No answers yet.")
    st.subheader("Limits hit")
    if hits:
        st.dataframe([{"day": day, "limit": name, "times": n} for (day, name), n in sorted(hits.items(), reverse=True)],
                     hide_index=True, key="usage_limits_hit")
    else:
        st.caption("No prompt was refused.")
