"""The Usage page: only for the admin role (a listed signed-in e-mail, or the password holder
when there is no sign-in), and it shows what was used: tokens per model, answers, limits hit."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from .conftest import new_app, open_advanced

DENIED = "The Usage page is for the app's admins."
USAGE_PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "usage.py")


def usage(at):
    at.switch_page("pages/usage.py").run()
    assert not at.exception
    return at


def shows_denied(at) -> bool:
    return any(e.value == DENIED for e in at.error) and not at.metric and not at.dataframe


def denied(at, user: dict | None = None) -> bool:
    """Not in this visitor's menu, and the page file run on its own (a deep link) refuses too."""
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/usage.py")
    direct = AppTest.from_file(USAGE_PAGE, default_timeout=30)
    if user is not None:
        direct.user = user
    direct.run()
    assert not direct.exception
    return shows_denied(direct)


def signed_in(email: str):
    at = new_app()
    at.user = {"is_logged_in": True, "email": email, "name": "x"}
    at.run()
    return at


def test_a_listed_email_is_admin_and_sees_every_visitors_usage(monkeypatch):
    monkeypatch.setenv("CHAT_ADMIN_EMAILS", "boss@example.com, ops@example.com")
    monkeypatch.setenv("CHAT_LIMIT_PROMPTS_PER_MINUTE", "1")
    visitor = signed_in("someone@example.com")
    open_advanced(visitor).sidebar.select_slider(key="mock_speed").set_value("Instant").run()
    visitor.chat_input(key="prompt").set_value("What is 23*17+4?").run()
    visitor.session_state["chat_session"].wait_saved(5)
    visitor.chat_input(key="prompt").set_value("And 2+2?").run()  # refused: one prompt a minute
    assert any("Limit reached: 1 prompts per minute" in w.value for w in visitor.warning)

    boss = usage(signed_in("Boss@Example.com"))
    assert not shows_denied(boss)
    metrics = {m.label: m.value for m in boss.metric}
    assert metrics["Answers"] == "1" and metrics["Limits hit"] == "1" and int(metrics["Tokens"].replace(",", "")) > 0
    per_model = boss.dataframe[0].value
    assert list(per_model["model"]) == ["mock-gpt"] and list(per_model["answers"]) == [1]
    assert list(boss.dataframe[1].value["limit"]) == ["prompts per minute"]


def test_a_signed_in_user_not_listed_is_not_admin(monkeypatch):
    monkeypatch.setenv("CHAT_ADMIN_EMAILS", "boss@example.com")
    assert denied(signed_in("intern@example.com"), {"is_logged_in": True, "email": "intern@example.com"})


def test_without_sign_in_the_password_holder_is_admin_and_an_open_app_has_none(monkeypatch):
    at = new_app()
    at.run()
    assert denied(at)  # no password, no sign-in: nobody to tell apart, so nobody is admin
    monkeypatch.setenv("APP_PASSWORD", "open sesame")
    at = new_app()
    at.run()
    at.text_input(key="gate_password").set_value("open sesame")
    at.button[0].click().run()
    assert not shows_denied(usage(at)) and at.title[0].value == "Usage"


def test_the_password_holder_is_not_admin_when_sign_in_decides(monkeypatch):
    monkeypatch.setenv("APP_PASSWORD", "open sesame")
    monkeypatch.setenv("CHAT_ADMIN_EMAILS", "boss@example.com")
    assert denied(signed_in("guest@example.com"), {"is_logged_in": True, "email": "guest@example.com"})
