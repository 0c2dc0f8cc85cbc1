"""The API page: tokens are shown once, listed with their use, and revocable; an open server
needs none; a server with the API off says so."""

from __future__ import annotations

from chatcore.api_tokens import ApiTokens

from .conftest import new_app


def test_behind_the_password_a_token_is_made_shown_once_and_revoked(monkeypatch, db_store):
    monkeypatch.setenv("APP_PASSWORD", "pw")
    at = new_app()
    at.run()
    at.text_input(key="gate_password").set_value("pw")
    at.button[0].click().run()
    at.switch_page("pages/api.py").run()
    at.text_input[0].set_value("laptop")
    at.button(key="FormSubmitter:new_token-Create token").click().run()
    [shown] = [c.value for c in at.code if c.value.startswith("sct_")]
    [record] = ApiTokens(db_store).list(at.session_state["chat_session"].archive.visitor.creator)
    assert record.name == "laptop" and record.active
    assert ApiTokens(db_store).verify(shown) is not None
    at.run()
    assert not [c for c in at.code if c.value.startswith("sct_")]  # shown once
    at.button(key=f"revoke-{record.id}").click().run()
    assert ApiTokens(db_store).verify(shown) is None


def test_an_open_server_needs_no_token(db_store):
    at = new_app()
    at.run()
    at.switch_page("pages/api.py").run()
    assert any("open, like the dashboard" in c.value for c in at.caption)
    assert not [t for t in at.text_input if t.label == "Name"]  # nothing to create


def test_the_page_says_when_the_api_is_off(monkeypatch, db_store):
    monkeypatch.setenv("CHAT_API", "off")
    at = new_app()
    at.run()
    at.switch_page("pages/api.py").run()
    assert any("turned off" in i.value for i in at.info)
