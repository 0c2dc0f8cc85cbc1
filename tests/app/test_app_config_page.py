"""chat.toml through the pages (AppTest): title, welcome, starter prompts, presets, a broken file."""

from __future__ import annotations

import pytest

from chatcore.literal_markdown import literal_markdown

from .conftest import new_app, open_advanced


def _assistant_text(at) -> str:
    return "\n".join(m.value for msg in at.chat_message if msg.name == "assistant" for m in msg.markdown)


@pytest.fixture
def config_file(tmp_path, monkeypatch):
    path = tmp_path / "chat.toml"
    monkeypatch.setenv("CHAT_CONFIG", str(path))
    return path


def _run(timeout: float = 30):
    at = new_app(timeout)
    at.run()
    open_advanced(at).sidebar.select_slider(key="mock_speed").set_value("Instant").run()
    return at


def test_clicking_a_starter_prompt_answers_it_and_the_welcome_leaves():
    at = _run()
    assert any("Ask anything" in c.value for c in at.caption)
    starter = at.button(key="starter-1")
    assert starter.label == "What is 23*17+4?"
    starter.click().run()
    assert not at.exception
    [user, assistant] = at.chat_message
    assert user.markdown[0].value == literal_markdown("What is 23*17+4?")  # shown exactly as if typed
    assert "395" in _assistant_text(at)
    assert not [b for b in at.button if (b.key or "").startswith("starter-")]  # the welcome is gone
    assert not any("Ask anything" in c.value for c in at.caption)


def test_the_config_file_sets_title_welcome_starters_and_system_prompt(config_file):
    config_file.write_text(
        'title = "Acme helpdesk"\nwelcome = "How can we help today?"\n'
        'starter_prompts = ["Convert 10 km to miles", "hello"]\n'
        '[defaults]\nsystem_prompt = "You are Acme support."\n'
    )
    at = _run()
    assert at.title[0].value == "Acme helpdesk"
    assert any(c.value == "How can we help today?" for c in at.caption)
    assert [b.label for b in at.button if (b.key or "").startswith("starter-")] == ["Convert 10 km to miles", "hello"]
    assert at.sidebar.text_area(key="system_prompt").value == "You are Acme support."


def test_a_broken_config_file_is_reported_with_key_and_line_and_the_app_runs_on_defaults(config_file):
    config_file.write_text('title = "Mine"\n[defaults]\ntemperature = "hot"\n')
    at = _run()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert any("line 3" in w and "[defaults] temperature is not a known key" in w for w in warnings)
    assert at.title[0].value == "Mine"
    at.chat_input(key="prompt").set_value("What is 23*17+4?").run()
    assert "395" in _assistant_text(at)


def test_invalid_toml_still_starts_the_app(config_file):
    config_file.write_text("title = = 3\n")
    at = _run()
    assert not at.exception
    assert any("not valid TOML" in w.value and "line 1" in w.value for w in at.warning)
    assert at.title[0].value == "Streaming Chat"


def test_a_preset_fills_system_prompt_temperature_and_tools(config_file):
    config_file.write_text(
        '[presets."Time keeper"]\nsystem_prompt = "Dates and times only."\ntemperature = 0.3\n'
        'tools = ["current_time", "days_between"]\n'
    )
    at = _run()
    at.sidebar.selectbox(key="preset").set_value("Time keeper").run()
    assert not at.exception
    assert at.sidebar.text_area(key="system_prompt").value == "Dates and times only."
    assert at.sidebar.number_input(key="temperature").value == 0.3
    assert at.sidebar.multiselect(key="tools").value == ["current_time", "days_between"]
    at.chat_input(key="prompt").set_value("What is 23*17+4?").run()
    assert "calculator" in _assistant_text(at) and "enabled" in _assistant_text(at)  # not offered any more


def test_builtin_tools_in_the_config_decide_what_starts_ticked(config_file):
    config_file.write_text('[defaults]\nbuiltin_tools = ["calculator"]\n')
    at = _run()
    ticked = at.sidebar.multiselect(key="tools").value
    assert "calculator" in ticked and "search_docs" in ticked  # your own tools start ticked
    assert not {"current_time", "days_between", "convert_units", "slow_task"} & set(ticked)


def test_a_presets_model_becomes_the_model_of_an_openai_compatible_server(config_file, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens: the model is typed
    config_file.write_text('[defaults]\nmodel = "from-the-file"\n[presets.Big]\nmodel = "big-model"\n')
    at = open_advanced(new_app())
    assert at.sidebar.radio(key="provider_kind").value == "OpenAI-compatible"
    assert at.sidebar.text_input(key="model_text").value == "from-the-file"
    at.sidebar.selectbox(key="preset").set_value("Big").run()
    assert not at.exception
    assert at.sidebar.text_input(key="model_text").value == "big-model"


def test_the_config_files_provider_decides_where_the_app_starts(config_file, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    config_file.write_text('[defaults]\nprovider = "mock"\n')
    at = open_advanced(new_app())
    assert at.sidebar.radio(key="provider_kind").value == "Built-in mock"
