"""Who may use the app: ``st.login`` when an ``[auth]`` section is configured, else the
optional shared password (``APP_PASSWORD`` in secrets or the environment), else anyone.

Every page calls ``require_access()`` first, not only ``app.py``: because the pages live in
``pages/``, Streamlit runs a page file on its own (without ``app.py``) when a fresh server
process's first request is a deep link such as ``/history`` (its multipage-v1 fallback), and
AppTest does the same on every run after the first. A gate in ``app.py`` alone would be
skipped then.

Password attempts are throttled before they are compared (``chatcore.password_gate``): per
client address (``st.context.ip_address``, or with ``CHAT_TRUSTED_PROXY_HOPS`` set, the
address the operator's proxies saw; see ``chatcore.client_address``) and server-wide.
"""

from __future__ import annotations

import os

import streamlit as st

from chatcore.attempt_throttle import ThrottleLimits
from chatcore.client_address import client_address
from chatcore.password_gate import PasswordGate, gate_limits, trusted_proxy_hops

from .state import secrets_mapping, signed_in_user

GATE_PASSED = "gate_passed"


def auth_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file
        return False


def app_password() -> str:
    return str(secrets_mapping().get("APP_PASSWORD") or os.environ.get("APP_PASSWORD") or "")


def _settings() -> dict[str, object]:
    """Environment, overridden by ``st.secrets`` (the README's order)."""
    return {**os.environ, **secrets_mapping()}


@st.cache_resource(show_spinner=False)
def _gate(password: str, limits: ThrottleLimits) -> PasswordGate:
    # One per process on purpose: the attempt counts must be shared by every session to
    # limit guesses made in parallel. It holds only counts per address, no visitor data,
    # and is thread-safe.
    return PasswordGate(password, limits)


def _visitor_address() -> str:
    forwarded = st.context.headers.get_all("X-Forwarded-For")
    return client_address(st.context.ip_address, forwarded, trusted_proxy_hops(_settings()))


def _login_screen() -> None:
    st.title("Streaming Chat")
    st.write("Sign in to see your conversations.")
    st.button("Sign in", icon=":material/login:", type="primary", on_click=st.login)


def _password_screen(gate: PasswordGate) -> None:
    st.title("Streaming Chat")
    with st.form("password_gate"):
        attempt = st.text_input("Password", type="password", key="gate_password")
        submitted = st.form_submit_button("Enter", type="primary")
    if submitted:
        answer = gate.attempt(attempt, _visitor_address())
        if answer.admitted:
            st.session_state[GATE_PASSED] = True
            st.rerun()
        st.error(answer.message, icon=":material/timer:" if answer.throttled else ":material/lock:")


def has_access() -> bool:
    """May this visitor use the app now? (No UI: for ``app.py`` to decide whether to show the menu.)"""
    if auth_configured() or signed_in_user() is not None:
        return signed_in_user() is not None
    return not app_password() or bool(st.session_state.get(GATE_PASSED))


def require_access() -> None:
    """Show the sign-in or password screen and stop the run until the visitor is let in."""
    if auth_configured() or signed_in_user() is not None:
        if signed_in_user() is None:
            _login_screen()
            st.stop()
        with st.sidebar:
            st.caption(f":material/person: {st.user.get('name') or st.user.get('email') or 'Signed in'}")
            st.button("Sign out", icon=":material/logout:", key="sign_out", on_click=st.logout)
        return
    password = app_password()
    if password and not st.session_state.get(GATE_PASSED):
        _password_screen(_gate(password, gate_limits(_settings())))
        st.stop()
