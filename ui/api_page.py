"""The API page: the endpoint, a curl line, and (when sign-in or a password guards the app)
this visitor's bearer tokens: create one (shown once), see when each was last used, revoke."""

from __future__ import annotations

import datetime as dt
import os

import streamlit as st

from chatcore.api_tokens import ApiTokens

from .access import app_password, auth_configured
from .state import current_visitor, secrets_mapping, shared_store

NEW_TOKEN = "api_new_token"  # noqa: S105 - a session-state key; the token just made is shown on this run only


def api_enabled() -> bool:
    value = secrets_mapping().get("CHAT_API") or os.environ.get("CHAT_API", "on")
    return str(value).strip().lower() not in ("off", "0", "false", "no")


def _when(timestamp: float | None) -> str:
    return dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M") if timestamp else "never"


def render_api_page() -> None:
    st.title("API")
    if not api_enabled():
        st.info("The HTTP API is turned off on this server (`CHAT_API = \"off\"`).", icon=":material/block:")
        return
    base = st.context.url.split("?")[0].rstrip("/").rsplit("/", 1)[0] if st.context.url else "http://localhost:8501"
    needs_token = auth_configured() or bool(app_password())
    st.write("The same engine, tools and conversations as this dashboard, over HTTP: answers stream as "
             "Server-Sent Events. A chat started here shows in History, and the other way round.")
    auth = ' -H "Authorization: Bearer $CHAT_TOKEN"' if needs_token else ""
    st.code(f"curl -N {base}/api/chat{auth} -H 'Content-Type: application/json' \\\n"
            f"  -d '{{\"message\": \"What is 23*17+4?\"}}'", language="bash")
    st.markdown(f"[Reference client]({base}/api/demo) · [OpenAPI description]({base}/api/openapi.json)")
    if not needs_token:
        st.caption("This server's API is open, like the dashboard: no token is needed. A conversation it starts "
                   "belongs to whoever holds its id.")
        return
    _render_tokens()


def _revoke(tokens: ApiTokens, identity: str, token_id: str) -> None:
    tokens.revoke(identity, token_id)


def _render_tokens() -> None:
    store = shared_store()
    if store is None:
        st.warning("Tokens cannot be managed while the database is unavailable.", icon=":material/cloud_off:")
        return
    tokens = ApiTokens(store)
    identity = current_visitor().creator
    st.subheader("Your tokens")
    with st.form("new_token", clear_on_submit=True):
        name = st.text_input("Name", placeholder="e.g. my laptop", max_chars=80)
        if st.form_submit_button("Create token", icon=":material/key:"):
            token, _ = tokens.create(identity, name)
            st.session_state[NEW_TOKEN] = token
    token = st.session_state.pop(NEW_TOKEN, None)
    if token:
        st.success("Copy it now: it is shown only once (only its hash is kept).", icon=":material/key:")
        st.code(token, language=None)
    for record in tokens.list(identity):
        cols = st.columns([3, 3, 2], vertical_alignment="center")
        cols[0].markdown(f"**{record.name}**" if record.active else f"~~{record.name}~~")
        cols[1].caption(f"made {_when(record.created_at)} · last used {_when(record.last_used_at)}")
        if record.active:
            cols[2].button("Revoke", key=f"revoke-{record.id}", type="secondary",
                           on_click=_revoke, args=(tokens, identity, record.id))
        else:
            cols[2].caption(f"revoked {_when(record.revoked_at)}")
