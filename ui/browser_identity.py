"""An anonymous visitor's browser identity: a random key the browser keeps in a cookie.

Why a cookie, set from the page: the browser sends it back with the websocket handshake
of every later session (a reload, a new tab, a restarted browser), where the server reads
it as ``st.context.cookies`` (fixed when the websocket connects). Not the URL: a link is
shared, a browser identity must not be. Streamlit cannot set a cookie from Python, so a
small component (``st.components.v2``, JavaScript in the page) writes it: SameSite=Lax,
Path=/, 400 days (the most Chrome keeps), Secure on https. It cannot be HttpOnly (script
wrote it); script on this page could read it anyway.

The session's key lives in ``st.session_state`` from its first run: the cookie sent at
connect when it looks like ours, else a new key that this session uses at once and
asks the browser to keep. The page checks that the write took (``document.cookie`` reads
it back) and reports only a failure (a private window, cookies blocked), so the usual case
costs no extra rerun; then the UI says plainly that History is per tab here.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import streamlit as st

from chatcore.visitor import looks_like_browser_key, new_browser_key

COOKIE = "chat_browser"
MAX_AGE_S = 400 * 24 * 3600
KEY = "browser_key"  # session state: this session's key (the cookie's, or a new one)
STATUS = "browser_key_status"  # session state: one of the three below
RETURNED = "returned"  # the browser sent the key back: it keeps it
NEW = "new"  # made in this session; the browser is asked to keep it
BLOCKED = "blocked"  # the browser refused to keep it: History is per tab
KEEPER = "browser_key_keeper"  # the component's widget key

_KEEPER_JS = """
export default function ({ data, setStateValue }) {
  if (!data || !data.key) return;
  const pair = data.name + "=" + data.key;
  let kept = false;
  try {
    const secure = window.location.protocol === "https:" ? "; Secure" : "";
    document.cookie = pair + "; Max-Age=" + data.maxAge + "; Path=/; SameSite=Lax" + secure;
    kept = navigator.cookieEnabled && document.cookie.split("; ").includes(pair);
  } catch (e) {
    kept = false;
  }
  if (!kept && !data.reported) setStateValue("blocked", true);
}
"""


@cache
def _keeper() -> Any:
    """Registered once per process (the definition holds nothing per visitor)."""
    return st.components.v2.component("chat_browser_key", js=_KEEPER_JS)


def _sent_cookie() -> str | None:
    try:
        return st.context.cookies.get(COOKIE)
    except Exception:  # noqa: BLE001 - no client context (bare script runs): no cookie
        return None


def browser_key() -> str:
    """This session's browser key (made on the first run; the cookie's when it came back)."""
    key = st.session_state.get(KEY)
    if key is None:
        sent = _sent_cookie()
        if looks_like_browser_key(sent):
            key, status = sent, RETURNED
        else:
            key, status = new_browser_key(), NEW
        st.session_state[KEY] = key
        st.session_state[STATUS] = status
    return str(key)


def browser_status() -> str:
    browser_key()
    return str(st.session_state[STATUS])


def keeps_history() -> bool:
    """False when this browser refused the cookie: History is per tab here."""
    return browser_status() != BLOCKED


def keep_browser_key() -> None:
    """Have the browser keep this session's key (renders an empty element; nothing when the
    key came back in the cookie). Call it where the page draws, not from a callback."""
    key = browser_key()
    status = st.session_state[STATUS]
    if status == RETURNED:
        return
    data = {"name": COOKIE, "key": key, "maxAge": MAX_AGE_S, "reported": status == BLOCKED}
    result = _keeper()(key=KEEPER, data=data, on_blocked_change=lambda: None, height=0)
    if getattr(result, "blocked", None) and st.session_state.get(STATUS) == NEW:
        st.session_state[STATUS] = BLOCKED  # what is drawn after this says History is per tab


def forget_browser() -> None:
    """``on_click`` of "Forget this browser": a new identity, written over the old cookie.

    Conversations stay reachable by their links; this browser no longer lists them."""
    st.session_state[KEY] = new_browser_key()
    if st.session_state.get(STATUS) != BLOCKED:
        st.session_state[STATUS] = NEW


__all__ = ["COOKIE", "browser_key", "browser_status", "forget_browser", "keep_browser_key", "keeps_history"]
