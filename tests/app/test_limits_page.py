"""A visitor over a limit sees which limit and when it resets, on the chat page, and the
prompt is neither answered nor saved. A model outside the allow-list is refused the same way."""

from __future__ import annotations

from .conftest import new_app, open_advanced


def ready(monkeypatch, **env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    at = new_app()
    at.run()
    open_advanced(at).sidebar.select_slider(key="mock_speed").set_value("Instant").run()
    return at


def send(at, prompt: str):
    at.chat_input(key="prompt").set_value(prompt).run()
    at.chat_input(key="prompt").set_value(None)
    return at


def test_the_third_prompt_in_a_minute_is_refused_with_the_limit_and_the_wait(monkeypatch):
    at = ready(monkeypatch, CHAT_LIMIT_PROMPTS_PER_MINUTE="2")
    send(at, "What is 23*17+4?")
    send(at, "Convert 10 km to miles")
    assert not at.warning or all("Limit reached" not in w.value for w in at.warning)
    send(at, "What is 2+2?")
    refusals = [w.value for w in at.warning if "Limit reached" in w.value]
    assert len(refusals) == 1 and refusals[0].startswith("Limit reached: 2 prompts per minute. You can send the next one in")
    at.run()  # the next run shows the chat as stored: two prompts, two answers, no third prompt
    assert [m.name for m in at.chat_message] == ["user", "assistant", "user", "assistant"]


def test_a_model_outside_the_allow_list_is_refused_before_any_request(monkeypatch):
    at = ready(monkeypatch, CHAT_LIMIT_MODELS="mock-other")
    send(at, "What is 23*17+4?")
    assert any("The model 'mock-gpt' is not available here. Pick one of: mock-other." in w.value for w in at.warning)
    assert all("395" not in md.value for m in at.chat_message for md in m.markdown)  # never answered
    at.run()
    assert [m.name for m in at.chat_message] == []  # nor saved: the chat is empty again


def test_a_misconfigured_limit_stops_the_app_saying_which_instead_of_running_unlimited(monkeypatch):
    monkeypatch.setenv("CHAT_LIMIT_PROMPTS_PER_MINUTE", "ten")
    at = new_app()
    at.run()
    assert not at.exception and not at.chat_input
    assert [e.value for e in at.error] == [
        "The app's limits are misconfigured: CHAT_LIMIT_PROMPTS_PER_MINUTE must be a whole number, not 'ten'."]
