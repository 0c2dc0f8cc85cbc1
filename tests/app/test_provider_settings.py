"""The sidebar's provider fields under the operator's policy (AppTest).

Upstreams are ``RecordingServer``s on loopback that keep every request's headers, so the
tests check what a user cannot see: whose key reached which server. (AppTest has no real
client address; the app treats it as a local visitor, like a browser on the same machine.
Internal addresses for remote visitors are covered in tests/core/test_provider_policy.py.)
"""

from __future__ import annotations

import pytest

from tests.recording_server import REPLY, RecordingServer

from .conftest import new_app, open_advanced

OPERATOR_KEY = "sk-operator-apptest-0123456789"
POLICY_ENV = ("CHAT_LOCK_PROVIDER", "CHAT_ALLOW_CUSTOM_BASE_URL", "CHAT_ALLOWED_HOSTS")


@pytest.fixture(autouse=True)
def no_policy_env(monkeypatch):
    for name in POLICY_ENV:
        monkeypatch.delenv(name, raising=False)


def configure(monkeypatch, operator: RecordingServer, **policy: str) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", operator.url)
    monkeypatch.setenv("OPENAI_API_KEY", OPERATOR_KEY)
    for name, value in policy.items():
        monkeypatch.setenv(name, value)


def sidebar_keys(at) -> set[str]:
    return {w.key for w in [*at.sidebar.text_input, *at.sidebar.radio, *at.sidebar.selectbox] if w.key}


def authorization(seen) -> list[str]:
    return [s.header("Authorization") for s in seen]


def ask(at, prompt: str = "hello") -> None:
    at.chat_input(key="prompt").set_value(prompt).run()
    assert not at.exception


def test_a_locked_provider_shows_only_the_model_picker_and_uses_the_operators_server(monkeypatch, operator):
    configure(monkeypatch, operator, CHAT_LOCK_PROVIDER="true")
    at = new_app()
    open_advanced(at)
    assert not at.exception
    keys = sidebar_keys(at)
    assert "model_select" in keys
    assert not keys & {"provider_kind", "base_url", "api_key"}, keys
    assert not [b for b in at.sidebar.button if b.key == "forget_api_key"]
    ask(at)
    assert REPLY in at.chat_message[1].markdown[0].value
    assert authorization(operator.seen) and set(authorization(operator.seen)) == {f"Bearer {OPERATOR_KEY}"}


def test_a_locked_app_without_a_provider_stays_on_the_mock(monkeypatch):
    monkeypatch.setenv("CHAT_LOCK_PROVIDER", "true")
    at = new_app()
    open_advanced(at)
    assert not sidebar_keys(at) & {"provider_kind", "base_url", "api_key"}
    assert "mock_scenario" in sidebar_keys(at)


def test_with_an_operator_key_the_base_url_cannot_be_changed(monkeypatch, operator):
    configure(monkeypatch, operator)
    at = new_app()
    open_advanced(at)
    field = at.sidebar.text_input(key="base_url")
    assert field.disabled and field.value == operator.url


def test_a_refused_base_url_is_explained_and_nothing_is_sent(monkeypatch, visitor_server):
    monkeypatch.setenv("CHAT_ALLOWED_HOSTS", "api.example.com")
    at = new_app()
    open_advanced(at)
    at.sidebar.radio(key="provider_kind").set_value("OpenAI-compatible").run()
    at.sidebar.text_input(key="base_url").set_value(visitor_server.url).run()
    assert not at.exception
    [refusal] = at.sidebar.error
    assert "127.0.0.1 is not on this app's list of allowed hosts (api.example.com)" in refusal.value
    assert any("127.0.0.1 is not on this app's list" in e.value for e in at.main.error)
    assert at.chat_input(key="prompt").proto.disabled  # the visitor cannot send with it
    assert "model_select" not in sidebar_keys(at) and "model_text" not in sidebar_keys(at)
    assert visitor_server.seen == []  # not even a model listing


def test_a_bad_scheme_is_refused(monkeypatch):
    at = new_app()
    open_advanced(at)
    at.sidebar.radio(key="provider_kind").set_value("OpenAI-compatible").run()
    at.sidebar.text_input(key="base_url").set_value("file:///etc/passwd").run()
    assert "http:// or https://" in at.sidebar.error[0].value


def test_a_visitors_server_gets_no_operator_key_and_the_visitor_is_told(monkeypatch, operator, visitor_server):
    configure(monkeypatch, operator, CHAT_ALLOW_CUSTOM_BASE_URL="true")
    at = new_app()
    open_advanced(at)
    at.sidebar.radio(key="provider_kind").set_value("OpenAI-compatible").run()
    at.sidebar.text_input(key="base_url").set_value(visitor_server.url).run()
    notes = " ".join(c.value for c in at.sidebar.caption)
    assert "configured key is only sent to 127.0.0.1" in notes
    ask(at)
    assert REPLY in at.chat_message[1].markdown[0].value
    seen = visitor_server.seen
    assert {s.method for s in seen} == {"GET", "POST"}  # the model list and the chat request
    for request in seen:
        assert OPERATOR_KEY not in request.text()


def test_a_typed_key_is_kept_server_side_used_and_forgotten(monkeypatch, operator, visitor_server):
    configure(monkeypatch, operator, CHAT_ALLOW_CUSTOM_BASE_URL="true")
    at = new_app()
    open_advanced(at)
    at.sidebar.radio(key="provider_kind").set_value("OpenAI-compatible").run()
    at.sidebar.text_input(key="base_url").set_value(visitor_server.url).run()
    at.sidebar.text_input(key="api_key").set_value("sk-visitor-typed-55555555").run()
    assert "api_key" not in sidebar_keys(at)  # the field is gone: nothing holds the key on the page
    assert any("Using your key for this session" in c.value for c in at.sidebar.caption)
    ask(at)
    chat_requests = [s for s in visitor_server.seen if s.method == "POST"]
    assert authorization(chat_requests) == ["Bearer sk-visitor-typed-55555555"]
    assert at.session_state["visitor_api_key"] == "sk-visitor-typed-55555555"  # server-side, in no widget
    [forget] = [b for b in at.sidebar.button if b.key == "forget_api_key"]
    forget.click().run()
    assert "api_key" in sidebar_keys(at) and at.sidebar.text_input(key="api_key").value == ""
    ask(at, "again")
    assert authorization([s for s in visitor_server.seen if s.method == "POST"])[-1] != "Bearer sk-visitor-typed-55555555"


def test_the_curl_export_contacts_the_viewers_server_and_names_the_other_one(monkeypatch, operator, visitor_server):
    # The conversation ran on the operator's server; the viewer now uses another one. The curl
    # line must aim at the viewer's, unless they ask for the conversation's, which is then named.
    monkeypatch.setenv("OPENAI_BASE_URL", operator.url)  # no key: visitors may use other servers
    at = new_app()
    open_advanced(at)
    ask(at, "hello")
    at.session_state["chat_session"].wait_saved(5)
    at.sidebar.text_input(key="base_url").set_value(visitor_server.url).run()
    at.switch_page("pages/history.py").run()
    next(b for b in at.button if b.label == "More").click().run()
    assert not at.exception
    [curl] = [c.value for c in at.code if c.value.startswith("curl")]
    viewer_host = visitor_server.url.split("/")[2]
    operator_host = operator.url.split("/")[2]
    assert f"{visitor_server.url}/chat/completions" in curl and operator_host not in curl
    assert any(f"contacts {viewer_host} (your current base URL)" in c.value for c in at.caption)
    [choose_stored] = [c for c in at.checkbox if c.key.startswith("curl-stored-")]
    assert operator_host in choose_stored.label
    choose_stored.check().run()
    [curl] = [c.value for c in at.code if c.value.startswith("curl")]
    assert f"{operator.url}/chat/completions" in curl and "Bearer $OPENAI_API_KEY" in curl
    [warning] = [w.value for w in at.warning if "contacts" in w.value]
    assert f"contacts {operator_host}" in warning and f"not your current server ({viewer_host})" in warning


def test_the_policy_is_read_from_secrets_too(visitor_server):
    at = new_app()
    at.secrets["CHAT_ALLOWED_HOSTS"] = ["api.example.com", "llm.example.org"]  # a TOML list
    at.secrets["CHAT_LOCK_PROVIDER"] = False  # a TOML boolean
    open_advanced(at)
    at.sidebar.radio(key="provider_kind").set_value("OpenAI-compatible").run()
    at.sidebar.text_input(key="base_url").set_value(visitor_server.url).run()
    assert "allowed hosts (api.example.com, llm.example.org)" in at.sidebar.error[0].value
    assert visitor_server.seen == []
