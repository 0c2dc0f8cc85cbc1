"""Who gets in, and who sees what: signed-in users (``at.user``) and the shared password gate."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.access import _gate

from .conftest import new_app, open_advanced, shown_titles

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fresh_gate():
    """The gate is process-wide on purpose; each test starts with no attempts counted."""
    _gate.clear()
    yield
    _gate.clear()


def signed_in(email: str):
    at = new_app()
    at.user = {"is_logged_in": True, "email": email, "name": email.split("@")[0].title()}
    return at


def ask(at, prompt: str):
    at.run()
    open_advanced(at).sidebar.select_slider(key="mock_speed").set_value("Instant").run()
    at.chat_input(key="prompt").set_value(prompt).run()
    assert not at.exception
    at.session_state["chat_session"].wait_saved(5)
    return at


def history_titles(at) -> list[str]:
    at.switch_page("pages/history.py").run()
    assert not at.exception
    return shown_titles(at)


def test_signed_in_users_see_only_their_own_conversations():
    alice = ask(signed_in("alice@example.com"), "Alice's secret plans")
    assert any("Alice" in c.value for c in alice.sidebar.caption)  # who is signed in is shown
    bob = ask(signed_in("bob@example.com"), "Bob's lunch")
    assert history_titles(alice) == ["Alice's secret plans"]
    assert history_titles(bob) == ["Bob's lunch"]


def test_a_signed_in_user_finds_their_chats_in_a_new_session():
    ask(signed_in("alice@example.com"), "Alice's plans")
    tomorrow = signed_in("alice@example.com")
    tomorrow.run()
    assert history_titles(tomorrow) == ["Alice's plans"]


def test_another_users_link_does_not_open_their_conversation():
    alice = ask(signed_in("alice@example.com"), "Alice's secret plans")
    link = alice.query_params["c"]
    for visitor in (signed_in("bob@example.com"), new_app()):  # another user, and an anonymous visitor
        visitor.query_params["c"] = link
        visitor.run()
        assert not visitor.exception
        assert "not found" in visitor.warning[0].value
        assert not visitor.chat_message
        assert history_titles(visitor) == []


def test_two_anonymous_visitors_are_kept_apart():
    ann = ask(new_app(), "Ann's plans")
    bob = ask(new_app(), "Bob's plans")
    assert history_titles(ann) == ["Ann's plans"] and history_titles(bob) == ["Bob's plans"]


def test_signing_out_clears_the_chat_from_the_screen():
    alice = ask(signed_in("alice@example.com"), "Alice's secret plans")
    alice.user = {"is_logged_in": False}
    alice.query_params.pop("c", None)
    alice.run()
    assert not alice.exception
    assert not alice.chat_message


def enter(at, password: str):
    at.text_input(key="gate_password").set_value(password)
    at.button[0].click().run()
    assert not at.exception
    return at


def test_the_password_gate_keeps_strangers_out(monkeypatch):
    monkeypatch.setenv("APP_PASSWORD", "open sesame")
    at = new_app()
    at.run()
    assert not at.chat_input and not at.chat_message
    enter(at, "wrong")
    assert "not right" in at.error[0].value and not at.chat_input
    enter(at, "open sesame")
    assert at.chat_input


def test_guesses_over_the_limit_are_refused_even_the_right_one(monkeypatch):
    monkeypatch.setenv("APP_PASSWORD", "open sesame")
    monkeypatch.setenv("CHAT_GATE_ATTEMPTS_PER_MINUTE", "2")
    at = new_app()
    at.run()
    for guess in ("wrong 1", "wrong 2"):
        assert "not right" in enter(at, guess).error[0].value
    locked = enter(at, "open sesame").error[0].value
    assert locked.startswith("Too many password attempts from your address (limit: 2 per minute). Try again in ")
    assert not at.chat_input
    other_tab = new_app()  # same address (AppTest has none): the lockout is not per browser session
    other_tab.run()
    assert "Too many password attempts" in enter(other_tab, "open sesame").error[0].value
    assert not other_tab.chat_input


def test_behind_the_password_each_visitor_still_sees_only_their_own(monkeypatch):
    monkeypatch.setenv("APP_PASSWORD", "open sesame")
    visitors = []
    for prompt in ("Ann's plans", "Bob's plans"):
        at = new_app()
        at.run()
        at.text_input(key="gate_password").set_value("open sesame")
        at.button[0].click().run()
        visitors.append(ask(at, prompt))
    ann, bob = visitors
    assert history_titles(ann) == ["Ann's plans"] and history_titles(bob) == ["Bob's plans"]


@pytest.mark.parametrize("page", ["chat", "history", "metrics", "tools"])
def test_every_page_is_behind_the_gate_even_when_run_on_its_own(monkeypatch, page):
    """A fresh server's first request for /history runs pages/history.py without app.py."""
    monkeypatch.setenv("APP_PASSWORD", "open sesame")
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=30).run()
    assert not at.exception
    assert at.text_input(key="gate_password") and not at.chat_input and not at.expander and not at.metric


def test_with_sign_in_configured_a_stranger_sees_only_the_sign_in_button():
    at = new_app()
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "x" * 32,
        "client_id": "id",
        "client_secret": "secret",
        "server_metadata_url": "https://accounts.example.com/.well-known/openid-configuration",
    }
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"] and not at.chat_input and not at.chat_message
