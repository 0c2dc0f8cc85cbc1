"""Who may use the app: ``st.login`` when an ``[auth]`` section is configured, else the
optional shared password (``APP_PASSWORD`` in secrets or the environment), else anyone.

Every page calls ``require_access()`` first, not only ``app.py``: because the pages live in
``pages/``, Streamlit runs a page file on its own (without ``app.py``) when a fresh server
process's first request is a deep link such as ``/history`` (its multipage-v1 fallback), and
AppTest does the same on every run after the first. A gate in ``app.py`` alone would be
skipped then.
"""

from __future__ import annotations

import os

import streamlit as st

from chatcore.password_gate import PasswordGate

from .state import secrets_mapping, signed_in_user

GATE_PASSED = "gate_passed"
GATE_FAILURES = "gate_failures"


def auth_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file
        return False


def app_password() -> str:
    return str(secrets_mapping().get("APP_PASSWORD") or os.environ.get("APP_PASSWORD") or "")


@st.cache_resource(show_spinner=False)
def _gate(password: str) -> PasswordGate:
    # Shared by every session on purpose: its lock paces failed attempts process-wide.
    return PasswordGate(password)


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
        failures = int(st.session_state.get(GATE_FAILURES, 0))
        if gate.check(attempt, failures):
            st.session_state[GATE_PASSED] = True
            st.session_state[GATE_FAILURES] = 0
            st.rerun()
        st.session_state[GATE_FAILURES] = failures + 1
        st.error("That password is not right.", icon=":material/lock:")


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
        _password_screen(_gate(password))
        st.stop()
