"""Named session-state keys, the shared store, and the per-visitor chat session.

Everything per user lives in ``st.session_state`` (one per browser session): never in a
module global or ``st.cache_resource``. The shared objects (``chatcore.services``: the store
opener and the hub of running answers) hold no per-user data of their own; the ``StoreOpener``
holds no per-user data (every call says whose conversation it touches) and is thread-safe.
"""

from __future__ import annotations

import os
from typing import Any

import streamlit as st

from chatcore.answer_log import enable_answer_log
from chatcore.app_config import load_app_config
from chatcore.archive import ChatArchive
from chatcore.limits import Guard, LimitCounters, Limits, LimitsConfigError, client_address, requester_for
from chatcore.services import store_opener, turn_hub
from chatcore.session import ChatSession
from chatcore.store import StoreError
from chatcore.visitor import Visitor, VisitorLimits

from .browser_identity import browser_key

SESSION = "chat_session"
PENDING_ACTION = "pending_action"  # set by button callbacks, consumed at the top of the next run
STOP_BUTTON = "stop_button"
PROMPT = "prompt"
MODEL_LIST = "model_list"  # (base_url, [ids] or error message)
STORE_PROBLEM = "store_problem"  # why the store could not be opened, for this run
LINK_PARAM = "c"  # ?c=<conversation id>: the current chat's link



def secrets_mapping() -> dict[str, Any]:
    """``st.secrets`` as a plain dict of its top-level values; empty when the app has no secrets."""
    try:
        return {k: v for k, v in st.secrets.items() if not isinstance(v, dict)}
    except Exception:  # no secrets.toml: the app still starts, on the mock
        return {}


def shared_store():
    """The process's ``ChatStore``, or None (and ``STORE_PROBLEM`` set) when it cannot be opened."""
    opener = store_opener(secrets_mapping())
    try:
        return opener.get()
    except StoreError as exc:
        st.session_state[STORE_PROBLEM] = f"Conversations are not being saved: {exc}. The chat still works."
        return None


def signed_in_user() -> str | None:
    """The signed-in identity (``st.login``), or None. Qualified by the issuer when it has one."""
    try:
        info = st.user.to_dict()
    except Exception:  # noqa: BLE001 - no user info at all
        return None
    if not info.get("is_logged_in"):
        return None
    subject = info.get("sub") or info.get("email") or info.get("name")
    if not subject:
        return None
    issuer = info.get("iss")
    return f"{issuer}|{subject}" if issuer and info.get("sub") else str(subject)


def current_visitor() -> Visitor:
    """The signed-in account, else this browser (its key, kept in a cookie; see ``browser_identity``)."""
    return Visitor(user_id=signed_in_user(), browser_key=browser_key())


def visitor_limits() -> VisitorLimits:
    """How much one visitor may keep (``CHAT_MAX_*_PER_VISITOR`` in secrets or the environment)."""
    return VisitorLimits.from_sources(os.environ, secrets_mapping())


def chat_session() -> ChatSession:
    """This visitor's chat, saved to the store when there is one.

    A different visitor in the same browser session (signed out, or in as someone else)
    gets a fresh chat: nothing of the previous one stays on screen."""
    st.session_state.pop(STORE_PROBLEM, None)
    visitor = current_visitor()
    session: ChatSession | None = st.session_state.get(SESSION)
    if session is not None and session.archive is not None and session.archive.visitor != visitor:
        session.stop("new_chat")
        session = None
    if session is None:
        session = ChatSession(hub=turn_hub())
        st.session_state[SESSION] = session
    if session.archive is None:  # no store yet (first run, or it was down): try again
        store = shared_store()
        if store is not None:
            session.archive = ChatArchive(store, visitor, limits=visitor_limits())
    if session.guard is None or session.guard.counters is None:
        session.guard = visitor_guard(session, visitor)
    return session


def configured_limits() -> Limits:
    """``CHAT_LIMIT_*`` from secrets, then the environment (chatcore/limits/config.py)."""
    return Limits.from_sources(secrets_mapping(), os.environ, dict(load_app_config().limits))


def visitor_guard(session: ChatSession, visitor: Visitor) -> Guard | None:
    """This visitor's limits, counted in the shared store. Also when nothing is limited: the
    guard then only counts answers for the Usage page. None without a store and without limits."""
    enable_answer_log()  # one JSON line per answer on stdout (chatcore/answer_log.py)
    session.log_messages = os.environ.get("CHAT_LOG_MESSAGES", "") == "1"
    try:
        limits = configured_limits()
    except LimitsConfigError as exc:  # an operator's typo must not quietly mean "no limits"
        st.error(f"The app's limits are misconfigured: {exc}.", icon=":material/error:")
        st.stop()
    store = session.archive.store if session.archive is not None else None
    if store is None and not limits.any:
        return None
    try:
        peer = st.context.ip_address
        forwarded = st.context.headers.get("X-Forwarded-For")
    except Exception:  # noqa: BLE001 - no request context (AppTest): the session alone counts
        peer = forwarded = None
    address = client_address(peer if isinstance(peer, str) else None, forwarded if isinstance(forwarded, str) else None,
                             limits.trusted_proxies)
    requester = requester_for(visitor.user_id, visitor.browser_key, address)
    return Guard(limits, LimitCounters(store) if store is not None else None, requester)


def store_problem(session: ChatSession) -> str | None:
    return st.session_state.get(STORE_PROBLEM) or session.storage_problem


def start_new_chat() -> None:
    """``on_click`` of "New chat": stop the answer, start an empty chat, drop its link from the URL."""
    chat_session().new_chat()
    st.query_params.pop(LINK_PARAM, None)


def stop_answer() -> None:
    """``on_click`` of Stop (Esc clicks it too): end the answer running in this chat before the
    next run even starts (callbacks run right after the click reaches the server, before the
    page is set up). Any tab following the answer stops it: each one's session finds the same
    running answer in the hub. The partial answer is kept, marked stopped, and the run that
    follows draws it from the records."""
    session: ChatSession | None = st.session_state.get(SESSION)
    if session is not None and session.is_streaming:
        session.stop("stop")


def request_action(action: str, **data: Any) -> None:
    """For ``on_click``: runs before the script, so the next run starts from the right state."""
    st.session_state[PENDING_ACTION] = {"action": action, **data}


def take_action() -> dict[str, Any] | None:
    return st.session_state.pop(PENDING_ACTION, None)
