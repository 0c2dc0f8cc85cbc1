"""The sidebar's *Advanced* section is built only while it is open (AppTest).

Folded, none of its widgets is built, yet the chat uses exactly what they were set to: the
values are read from session state (ui/advanced_values.py). What a visitor would notice is
checked: what reaches the model's server, what the widgets show when unfolded again, and
that a folded sidebar holds fewer elements (the point: less server work on every prompt).
"""

from __future__ import annotations

import json

import pytest

from tests.recording_server import REPLY, RecordingServer

from .conftest import fold_advanced, new_app, open_advanced

ADVANCED_KEYS = {"provider_kind", "mock_scenario", "mock_speed", "mock_model", "system_prompt", "temperature",
                 "max_tokens", "max_steps", "tools", "read_timeout", "connect_timeout", "tool_timeout",
                 "max_retries", "base_url", "api_key"}
POLICY_ENV = ("CHAT_LOCK_PROVIDER", "CHAT_ALLOW_CUSTOM_BASE_URL", "CHAT_ALLOWED_HOSTS")


@pytest.fixture(autouse=True)
def no_policy_env(monkeypatch):
    for name in POLICY_ENV:
        monkeypatch.delenv(name, raising=False)


def sidebar_widget_keys(at) -> set[str]:
    widgets = [*at.sidebar.text_input, *at.sidebar.text_area, *at.sidebar.radio, *at.sidebar.selectbox,
               *at.sidebar.select_slider, *at.sidebar.number_input, *at.sidebar.multiselect]
    return {w.key for w in widgets if w.key}


def sidebar_elements(at) -> int:
    def count(node) -> int:
        children = getattr(node, "children", {})
        return sum(1 + count(child) for child in children.values())
    return count(at.sidebar)


def chat_requests(server: RecordingServer) -> list[dict]:
    return [json.loads(s.body) for s in server.seen if s.method == "POST" and s.path.endswith("/chat/completions")]


def ask(at, prompt: str = "hello") -> None:
    at.chat_input(key="prompt").set_value(prompt).run()
    assert not at.exception


def test_folded_the_sidebar_builds_none_of_the_advanced_widgets_and_still_preloads_the_markdown_guide():
    at = new_app()
    at.run()
    assert not at.exception
    folded_keys, folded_count = sidebar_widget_keys(at), sidebar_elements(at)
    assert not folded_keys & ADVANCED_KEYS, folded_keys
    assert any("What answers can show" in m.value for m in at.sidebar.markdown)  # sent on every run
    assert any(e.label == "Try these prompts" for e in at.sidebar.expander)  # the mock's auto scenario
    open_advanced(at)
    assert {"provider_kind", "mock_speed", "system_prompt", "temperature", "tools"} <= sidebar_widget_keys(at)
    assert sidebar_elements(at) > folded_count + 15, (folded_count, sidebar_elements(at))
    fold_advanced(at)
    assert sidebar_elements(at) == folded_count and not sidebar_widget_keys(at) & ADVANCED_KEYS


def test_settings_made_then_folded_reach_the_server_and_show_again_when_unfolded(monkeypatch, operator):
    monkeypatch.setenv("OPENAI_BASE_URL", operator.url)
    at = open_advanced(new_app())
    at.sidebar.text_area(key="system_prompt").set_value("Answer like a pirate.").run()
    at.sidebar.number_input(key="temperature").set_value(0.3).run()
    at.sidebar.number_input(key="max_tokens").set_value(321).run()
    opened = at.session_state["last_settings"]
    fold_advanced(at)
    assert "system_prompt" not in sidebar_widget_keys(at)
    assert at.session_state["last_settings"] == opened  # folded, the very same settings
    ask(at)
    assert REPLY in at.chat_message[1].markdown[0].value
    [request] = chat_requests(operator)
    assert request["messages"][0] == {"role": "system", "content": "Answer like a pirate."}
    assert request["temperature"] == 0.3
    assert 321 in (request.get("max_tokens"), request.get("max_completion_tokens"))
    at.switch_page("pages/history.py").run()  # another page and back: nothing is lost
    at.switch_page("pages/chat.py").run()
    ask(at, "again")
    assert chat_requests(operator)[-1]["messages"][0]["content"] == "Answer like a pirate."
    open_advanced(at)
    assert at.sidebar.text_area(key="system_prompt").value == "Answer like a pirate."
    assert at.sidebar.number_input(key="temperature").value == 0.3
    assert at.sidebar.number_input(key="max_tokens").value == 321


def test_the_mocks_settings_survive_folding_and_unfolding():
    at = open_advanced(new_app())
    at.sidebar.select_slider(key="mock_speed").set_value("Slow").run()
    at.sidebar.selectbox(key="mock_scenario").set_value("markdown").run()
    at.sidebar.multiselect(key="tools").set_value(["current_time"]).run()
    at.sidebar.number_input(key="read_timeout").set_value(7).run()
    opened = at.session_state["last_settings"]
    assert opened.mock.ttft == 1.2 and opened.generation.tools == ("current_time",)
    fold_advanced(at)
    fold_advanced(at)  # and again: a second folded run still finds them
    assert at.session_state["last_settings"] == opened
    assert not any(e.label == "Try these prompts" for e in at.sidebar.expander)  # a forced scenario has none
    open_advanced(at)
    assert at.sidebar.select_slider(key="mock_speed").value == "Slow"
    assert at.sidebar.selectbox(key="mock_scenario").value == "markdown"
    assert at.sidebar.multiselect(key="tools").value == ["current_time"]
    assert at.sidebar.number_input(key="read_timeout").value == 7
    assert at.session_state["last_settings"] == opened


def test_never_opened_the_folded_settings_are_the_widgets_defaults():
    at = new_app()
    at.run()
    folded = at.session_state["last_settings"]
    open_advanced(at)
    assert at.session_state["last_settings"] == folded


def test_a_preset_picked_while_folded_is_used_and_shown_when_unfolded(monkeypatch, tmp_path):
    config = tmp_path / "chat.toml"
    config.write_text('[presets."Time keeper"]\nsystem_prompt = "Dates and times only."\ntemperature = 0.4\n'
                      'tools = ["current_time"]\n')
    monkeypatch.setenv("CHAT_CONFIG", str(config))
    at = new_app()
    at.run()
    at.sidebar.selectbox(key="preset").set_value("Time keeper").run()
    assert not at.exception
    generation = at.session_state["last_settings"].generation
    assert (generation.system_prompt, generation.temperature, generation.tools) == \
        ("Dates and times only.", 0.4, ("current_time",))
    open_advanced(at)
    assert not at.exception and not at.warning
    assert at.sidebar.text_area(key="system_prompt").value == "Dates and times only."
    assert at.sidebar.number_input(key="temperature").value == 0.4
    assert at.sidebar.multiselect(key="tools").value == ["current_time"]
    assert at.session_state["last_settings"].generation == generation


def test_folded_a_visitors_server_and_key_are_used_and_the_operators_key_stays_home(monkeypatch, operator, visitor_server):
    monkeypatch.setenv("OPENAI_BASE_URL", operator.url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-operator-lazy-0123456789")
    monkeypatch.setenv("CHAT_ALLOW_CUSTOM_BASE_URL", "true")
    at = open_advanced(new_app())
    at.sidebar.text_input(key="base_url").set_value(visitor_server.url).run()
    fold_advanced(at)
    ask(at)  # no key typed: the visitor's server gets none
    assert chat_requests(visitor_server) and not chat_requests(operator)
    assert all("sk-operator-lazy" not in s.text() for s in visitor_server.seen)
    open_advanced(at)
    assert at.sidebar.text_input(key="base_url").value == visitor_server.url
    at.sidebar.text_input(key="api_key").set_value("sk-visitor-lazy-5555").run()
    fold_advanced(at)
    ask(at, "again")
    assert visitor_server.seen[-1].header("Authorization") == "Bearer sk-visitor-lazy-5555"
    assert all("sk-operator-lazy" not in s.text() for s in visitor_server.seen)


def test_folded_a_refused_base_url_is_still_refused(monkeypatch, visitor_server):
    monkeypatch.setenv("CHAT_ALLOWED_HOSTS", "api.example.com")
    at = open_advanced(new_app())
    at.sidebar.radio(key="provider_kind").set_value("OpenAI-compatible").run()
    at.sidebar.text_input(key="base_url").set_value(visitor_server.url).run()
    fold_advanced(at)
    assert any("not on this app's list of allowed hosts" in e.value for e in at.main.error)
    assert at.chat_input(key="prompt").proto.disabled
    assert visitor_server.seen == []
