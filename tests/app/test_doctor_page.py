"""The Endpoint doctor page through AppTest: a full table for the mock, and findings the chat applies."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.profiles import shared_profiles

from .conftest import open_advanced

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fresh_profiles():
    shared_profiles.clear()  # the cache is process-wide: keep tests apart
    yield
    shared_profiles.clear()


def doctor_for(model: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    open_advanced(at).sidebar.select_slider(key="mock_speed").set_value("Instant").run()
    at.sidebar.selectbox(key="mock_model").set_value(model).run()
    at.switch_page("pages/doctor.py").run()
    at.button(key="doctor_run").click().run()
    assert not at.exception
    return at


def test_doctor_shows_a_full_table_for_the_mock_and_the_markdown_to_copy():
    at = doctor_for("mock-gpt")
    table = at.table[0].value
    assert len(table) == 13
    assert all(result.startswith(("✅", "ℹ️")) for result in table["result"])
    assert "Every capability the app uses works" in at.success[0].value
    markdown = at.code[0].value
    assert markdown.startswith("### Endpoint check: `mock-gpt`") and "| Parallel tool calls | ✅ ok" in markdown


def test_a_model_without_tools_gets_tools_switched_off_in_the_chat():
    from chatcore.mock import MockOptions, MockServer

    with MockServer(options=MockOptions(ttft=0, chunk_delay=0), quiet=True) as server:
        at = open_advanced(AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60))
        at.sidebar.radio(key="provider_kind").set_value("OpenAI-compatible").run()
        at.sidebar.text_input(key="base_url").set_value(server.url).run()
        at.sidebar.selectbox(key="model_select").set_value("mock-no-tools").run()
        at.chat_input(key="prompt").set_value("What is 23*17+4?").run()
        assert "tools" in server.requests[-1].body  # before the check: offered (and silently ignored)
        at.switch_page("pages/doctor.py").run()
        at.button(key="doctor_run").click().run()
        assert "Tools are off for this model" in at.info[0].value
        row = at.table[0].value.set_index("check").loc["Tool call (single), valid JSON arguments"]
        assert row["result"] == "⚠️ gap: no tool call came" and row["what the app does"] == "Tools are off for this model."
        open_advanced(at.switch_page("pages/chat.py"))  # the doctor's note is under Advanced
        at.sidebar.selectbox(key="model_select").set_value("mock-no-tools").run()  # the picker has no persist_state
        assert any("Tools are off for this model" in c.value for c in at.sidebar.caption)
        server.reset()
        at.chat_input(key="prompt").set_value("What is 23*17+4?").run()
        chat_requests = [r for r in server.requests if r.path.endswith("chat/completions")]
        assert chat_requests and all("tools" not in r.body for r in chat_requests)  # after: not sent at all
        assert not at.exception


def test_another_endpoint_that_rejects_the_key_is_reported_and_changes_nothing():
    from chatcore.mock import MockOptions, MockServer

    with MockServer(options=MockOptions(ttft=0, chunk_delay=0), quiet=True) as server:
        at = AppTest.from_file(str(ROOT / "pages" / "doctor.py"), default_timeout=60).run()
        at.radio(key="doctor_source").set_value("Another endpoint").run()
        at.text_input(key="doctor_base_url").set_value(server.url)
        at.text_input(key="doctor_api_key").set_value("sk-typed-secret")
        at.text_input(key="doctor_model").set_value("mock-fault-401").run()
        at.button(key="doctor_run").click().run()
    assert "nothing changes in the app" in at.error[0].value
    assert "HTTP 401" in " ".join(at.table[0].value["evidence"])
    assert "sk-typed-secret" not in at.code[0].value
    assert len(shared_profiles()) == 0
