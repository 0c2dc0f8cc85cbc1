"""Bad input from the user never breaks the chat, and nothing typed is run as HTML."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from chatcore.literal_markdown import literal_markdown
from chatcore.user_text import clean_user_text

from .conftest import open_advanced

APP = str(Path(__file__).resolve().parents[2] / "dashboard.py")


@pytest.fixture
def at(monkeypatch) -> AppTest:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL"):
        monkeypatch.delenv(name, raising=False)
    app = AppTest.from_file(APP, default_timeout=30).run()
    open_advanced(app).sidebar.select_slider(key="mock_speed").set_value("Instant").run()
    return app


def test_an_empty_or_blank_prompt_does_nothing(at):
    at.chat_input(key="prompt").set_value("   \n ").run()
    assert not at.chat_message and not at.exception


def test_a_100k_character_prompt_is_answered_and_shown_folded(at):
    prompt = "word " * 20_000
    at.chat_input(key="prompt").set_value(prompt).run()
    assert not at.exception
    user, assistant = at.chat_message
    assert "100,000 characters" in user.expander[0].label
    assert at.session_state["chat_session"].conversation.entries[0].content == prompt
    assert assistant.markdown and at.session_state["chat_session"].conversation.last_turn.status == "complete"


def test_control_characters_are_cleaned_not_fatal(at):
    at.chat_input(key="prompt").set_value("hel\x00lo there\x07").run()
    assert not at.exception
    assert at.chat_message[0].markdown[0].value == "hello there"
    assert at.session_state["chat_session"].conversation.last_turn.status == "complete"


def test_a_lone_surrogate_reaching_the_core_is_replaced_not_fatal():
    # Streamlit's protobuf refuses them at the browser boundary; other callers of the core may not.
    from chatcore.mock.options import MockOptions
    from chatcore.session import ChatSession
    from chatcore.settings import GenerationSettings, ProviderConfig

    session = ChatSession()
    active = session.send("hi \ud800 there", ProviderConfig(), GenerationSettings(), MockOptions(ttft=0, chunk_delay=0))
    list(session.events(active))
    assert session.conversation.entries[0].content == "hi ? there"
    assert active.turn.status == "complete"


def test_markdown_and_html_in_the_prompt_stay_text(at):
    prompt = "<script>alert(1)</script> <img src=x onerror=alert(1)> **bold**"
    at.chat_input(key="prompt").set_value(prompt).run()
    md = at.chat_message[0].markdown[0]
    # Shown as typed: every Markdown character escaped (tests/core/test_literal_markdown.py),
    # and Streamlit escapes HTML anyway unless told otherwise.
    assert md.value == literal_markdown(prompt) and "\\*\\*bold\\*\\*" in md.value and not md.allow_html


def test_html_in_model_output_is_never_allowed_as_html(at):
    at.chat_input(key="prompt").set_value("show me [fault:html]").run()
    blocks = at.chat_message[1].markdown
    assert any("<img src=x onerror=alert(1)>" in b.value.replace("\\<", "<") for b in blocks)
    assert not any(b.allow_html for b in blocks)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("a\r\nb\rc", "a\nb\nc"), ("tab\tkept\n", "tab\tkept\n"), ("\x1b[31mred", "[31mred"), ("é漢🙂", "é漢🙂")],
)
def test_clean_user_text(raw, clean):
    assert clean_user_text(raw) == clean
