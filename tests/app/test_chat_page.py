"""The chat page's logic through Streamlit's AppTest (no browser): what a user would see."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from chatcore.literal_markdown import literal_markdown

from .conftest import open_advanced

APP = str(Path(__file__).resolve().parents[2] / "dashboard.py")


@pytest.fixture
def at(monkeypatch) -> AppTest:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL"):
        monkeypatch.delenv(name, raising=False)
    app = AppTest.from_file(APP, default_timeout=30)
    app.run()
    open_advanced(app).sidebar.select_slider(key="mock_speed").set_value("Instant").run()
    return app


def assistant_texts(at: AppTest) -> list[str]:
    return ["\n".join(m.value for m in msg.markdown) for msg in at.chat_message if msg.name == "assistant"]


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def test_starts_on_the_mock_with_no_secrets_and_shows_how_to_begin(at):
    assert not at.exception
    assert at.sidebar.radio(key="provider_kind").value == "Built-in mock"
    assert "Ask anything" in captions(at)


def test_prompt_on_the_mock_streams_an_answer_with_a_tool_panel(at):
    at.chat_input(key="prompt").set_value("What is 23*17+4?").run()
    assert not at.exception
    [user, assistant] = at.chat_message
    assert user.markdown[0].value == literal_markdown("What is 23*17+4?")
    [panel] = assistant.expander
    assert "calculator" in panel.label and "done" in panel.label
    assert any("23*17+4" in c.value for c in panel.code) and any("395" in c.value for c in panel.code)
    assert "395" in assistant_texts(at)[0]
    assert "first token" in captions(at) and "tokens" in captions(at)


def test_parallel_calls_each_get_a_panel(at):
    at.chat_input(key="prompt").set_value("What time is it in Tokyo, London and New York?").run()
    labels = [e.label for e in at.chat_message[1].expander]
    assert len([label for label in labels if "current_time" in label]) == 3


def test_unticking_a_tool_takes_it_away_from_the_model(at):
    at.sidebar.multiselect(key="tools").set_value(["current_time"]).run()
    at.chat_input(key="prompt").set_value("What is 23*17+4?").run()
    assistant = at.chat_message[1]
    assert not [e for e in assistant.expander if "calculator" in e.label]
    assert "calculator" in assistant_texts(at)[0].lower()  # the mock says the tool is not enabled


def test_forcing_a_mock_scenario_in_the_sidebar_overrides_keywords(at):
    at.sidebar.selectbox(key="mock_scenario").set_value("markdown").run()
    at.chat_input(key="prompt").set_value("What is 23*17+4?").run()
    assert not at.chat_message[1].expander
    assert "```" in assistant_texts(at)[0] or at.chat_message[1].code


def test_a_typed_api_key_is_never_echoed_back(at):
    at.sidebar.radio(key="provider_kind").set_value("OpenAI-compatible").run()
    at.sidebar.text_input(key="api_key").set_value("sk-secret-value-123").run()
    shown = [w.value for w in at.text_input if w.key != "api_key"] + [c.value for c in at.caption] + [m.value for m in at.markdown]
    assert not any("sk-secret-value-123" in str(v) for v in shown)


def test_an_interrupted_run_leaves_the_answer_running_and_stop_keeps_it(at):
    at.sidebar.select_slider(key="mock_speed").set_value("Slow").run()
    with pytest.raises(RuntimeError, match="timed out"):  # AppTest stops the run mid-answer
        at.chat_input(key="prompt").set_value("Write a long answer about rivers").run(timeout=3)
    session = at.session_state["chat_session"]
    assert session.is_streaming  # a run that ends (a click, a reload) no longer ends the answer
    session.stop()  # what the Stop button does (the browser tests click it)
    at.chat_input(key="prompt").set_value(None)  # AppTest would otherwise resend the prompt
    at.run()
    [user, assistant] = at.chat_message
    partial = assistant_texts(at)[0]
    assert partial  # what was streamed is kept
    assert "Stopped" in captions(at)
    assert any(b.label == "Retry" for b in at.button)
    at.sidebar.select_slider(key="mock_speed").set_value("Instant").run()
    at.chat_input(key="prompt").set_value("hello").run()  # the next prompt works
    assert len(at.chat_message) == 4 and assistant_texts(at)[0] == partial


def test_an_error_shows_a_clear_message_and_retry_answers_again(at):
    at.sidebar.radio(key="provider_kind").set_value("OpenAI-compatible").run()
    at.sidebar.text_input(key="base_url").set_value("http://127.0.0.1:9/v1").run()  # nothing listens there
    at.chat_input(key="prompt").set_value("hello").run()
    [error] = at.chat_message[1].error
    assert "Could not reach the server at http://127.0.0.1:9/v1" in error.value
    retry = [b for b in at.button if b.label == "Retry"][0]
    at.sidebar.radio(key="provider_kind").set_value("Built-in mock").run()  # the user fixes the setting...
    [b for b in at.button if b.label == "Retry"][0].click().run()  # ...and retries
    assert retry is not None
    assert len(at.chat_message) == 2  # the failed answer was replaced, not duplicated
    assert not at.chat_message[1].error and "mock" in assistant_texts(at)[0].lower()


def test_new_chat_clears_the_conversation(at):
    at.chat_input(key="prompt").set_value("hello").run()
    assert at.chat_message
    at.sidebar.button(key="new_chat").click().run()
    assert not at.chat_message


def test_models_are_listed_from_the_server_and_a_failed_listing_falls_back_to_typing(at):
    from chatcore.mock import MockServer

    with MockServer(quiet=True) as server:
        at.sidebar.radio(key="provider_kind").set_value("OpenAI-compatible").run()
        at.sidebar.text_input(key="base_url").set_value(server.url).run()
        picker = at.sidebar.selectbox(key="model_select")
        assert "mock-gpt" in picker.options and "mock-reasoner" in picker.options
        picker.set_value("mock-gpt").run()
        at.chat_input(key="prompt").set_value("What is 6*7?").run()  # the real provider path, over HTTP
        assert "42" in assistant_texts(at)[0]
    at.sidebar.text_input(key="base_url").set_value("http://127.0.0.1:9/v1").run()
    assert at.sidebar.text_input(key="model_text")  # typed instead
    assert any("Could not list models" in c.value for c in at.sidebar.caption)


def button(at: AppTest, label: str):
    return [b for b in at.button if b.label == label][0]


def test_continue_after_stop_carries_on_the_same_answer_in_one_bubble(at):
    at.sidebar.select_slider(key="mock_speed").set_value("Slow").run()
    with pytest.raises(RuntimeError, match="timed out"):
        at.chat_input(key="prompt").set_value("Write a long answer about rivers").run(timeout=3)
    at.session_state["chat_session"].stop()  # the Stop button
    at.chat_input(key="prompt").set_value(None)
    at.sidebar.select_slider(key="mock_speed").set_value("Instant").run()
    partial = "".join(assistant_texts(at))
    assert "Stopped" in captions(at)
    button(at, "Continue").click().run()
    assert len(at.chat_message) == 2  # one prompt, one answer: no second bubble
    whole = "".join(assistant_texts(at))
    assert whole.startswith(partial[:200]) and len(whole) > len(partial) + 1000
    assert "Stopped" not in captions(at)  # the stop note went with the stop
    assert not [b for b in at.button if b.label == "Continue"]


def test_regenerate_replaces_a_complete_answer(at):
    at.chat_input(key="prompt").set_value("What is 23*17+4?").run()
    button(at, "Regenerate").click().run()
    assert len(at.chat_message) == 2 and "395" in assistant_texts(at)[0]


def test_editing_a_previous_prompt_replaces_the_later_turns(at):
    at.chat_input(key="prompt").set_value("What is 2+2?").run()
    at.chat_input(key="prompt").set_value("hello").run()
    assert len(at.chat_message) == 4
    [b for b in at.button if b.label == "Edit"][0].click().run()
    at.text_area[0].set_value("What is 3*7?")
    button(at, "Send").click().run()
    user_texts = [m.markdown[0].value for m in at.chat_message if m.name == "user"]
    assert user_texts == [literal_markdown("What is 3*7?")] and "21" in assistant_texts(at)[0]
