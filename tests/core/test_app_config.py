"""chat.toml: the app's words and defaults, and what a broken file does (names key and line)."""

from __future__ import annotations

from chatcore.app_config import DEFAULT_PATH, AppConfig, load_app_config, parse_app_config
from chatcore.mock.scenarios import scenario_for_prompt
from chatcore.settings import DEFAULT_SYSTEM_PROMPT

VALID = """
title = "Acme helpdesk"
icon = "🛟"
welcome = "How can we help?"
starter_prompts = ["Reset my password", "Where is my order?"]

[defaults]
provider = "openai"
model = "gpt-4.1-mini"
system_prompt = "You are Acme's support agent."
builtin_tools = ["current_time"]

[presets."Short answers"]
system_prompt = "Be brief."
temperature = 0.1
tools = []

[presets.Researcher]
model = "gpt-4.1"
"""


def test_the_committed_chat_toml_is_valid_and_its_starters_are_prompts_the_mock_answers_well():
    config = load_app_config(DEFAULT_PATH)
    assert config.problems == ()
    assert config.source == "chat.toml" and config.presets
    picked = {scenario_for_prompt(p) for p in config.starter_prompts}
    assert 3 <= len(config.starter_prompts) <= 4
    assert {"markdown", "calculator", "parallel", "slow"} <= picked  # words, a tool, parallel tools, a slow tool


def test_a_valid_file_sets_every_value():
    config = parse_app_config(VALID)
    assert config.problems == ()
    assert (config.title, config.icon, config.welcome) == ("Acme helpdesk", "🛟", "How can we help?")
    assert config.starter_prompts == ("Reset my password", "Where is my order?")
    assert (config.provider, config.model) == ("openai", "gpt-4.1-mini")
    assert config.system_prompt == "You are Acme's support agent."
    assert config.builtin_tools == ("current_time",)
    short = config.preset("Short answers")
    assert short is not None and short.temperature == 0.1 and short.tools == () and short.model is None
    researcher = config.preset("Researcher")
    assert researcher is not None and researcher.model == "gpt-4.1" and researcher.system_prompt is None


def test_bad_toml_names_the_line_and_falls_back_to_every_default():
    config = parse_app_config('title = "ok"\nwelcome = \n')
    assert config.title == AppConfig().title and config.system_prompt == DEFAULT_SYSTEM_PROMPT
    [problem] = config.problems
    assert "not valid TOML" in problem and "line 2" in problem and "defaults" in problem


def test_a_wrong_type_or_unknown_key_names_key_and_line_and_the_rest_still_applies():
    config = parse_app_config(
        'title = "Mine"\n'
        "welcom = 'typo'\n"
        "[defaults]\n"
        "provider = 'anthropic'\n"
        "[presets.Hot]\n"
        "\n"
        "temperature = 'very'\n"
        "system_prompt = 'Be warm.'\n"
    )
    assert config.title == "Mine"  # the good keys apply
    assert config.provider == "auto"  # the bad one keeps its default
    assert config.preset("Hot").system_prompt == "Be warm." and config.preset("Hot").temperature is None
    problems = "\n".join(config.problems)
    assert "line 2: welcom is not a known key" in problems
    assert "line 4: [defaults] provider must be one of" in problems and '"anthropic"' in problems
    assert "line 7: [presets.Hot] temperature must be a number" in problems


def test_a_missing_default_file_is_silent_but_a_missing_chat_config_is_reported(tmp_path, monkeypatch):
    gone = tmp_path / "nope.toml"
    monkeypatch.setenv("CHAT_CONFIG", str(gone))
    config = load_app_config()
    assert config.title == AppConfig().title
    assert len(config.problems) == 1 and "file not found" in config.problems[0] and str(gone) in config.problems[0]


def test_an_edit_is_read_again_without_a_restart(tmp_path, monkeypatch):
    path = tmp_path / "chat.toml"
    path.write_text('title = "One"\n')
    monkeypatch.setenv("CHAT_CONFIG", str(path))
    assert load_app_config().title == "One"
    path.write_text('title = "Two, longer"\n')
    assert load_app_config().title == "Two, longer"


def test_limits_in_chat_toml_feed_the_demo_guard_and_secrets_win():
    from chatcore.app_config import parse_app_config
    from chatcore.limits import Limits

    config = parse_app_config('[limits]\nprompts_per_minute = 10\nmodels = ["gpt-4o-mini"]\nper_hour = 3\n')
    assert dict(config.limits) == {"prompts_per_minute": 10, "models": ["gpt-4o-mini"]}
    assert any("[limits]" in p and "per_hour" in p and "is not a limit" in p for p in config.problems)
    limits = Limits.from_sources({}, {"CHAT_LIMIT_TOKENS_PER_DAY": "500"}, dict(config.limits))
    assert limits.prompts_per_minute == 10 and limits.models == ("gpt-4o-mini",) and limits.tokens_per_day == 500
    overridden = Limits.from_sources({"CHAT_LIMIT_PROMPTS_PER_MINUTE": 3}, {}, dict(config.limits))
    assert overridden.prompts_per_minute == 3  # secrets over the file
