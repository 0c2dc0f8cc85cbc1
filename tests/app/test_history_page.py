"""Saved conversations through the app (AppTest): the link in the URL, the History page, exports."""

from __future__ import annotations

import json
import shlex

from chatcore.export import to_json
from chatcore.literal_markdown import literal_markdown
from chatcore.store import turn_to_record
from chatcore.visitor import link_owner

from .conftest import new_app, open_advanced, shown_titles


def chat(prompts: list[str], at=None):
    at = at or new_app()
    at.run()
    open_advanced(at).sidebar.select_slider(key="mock_speed").set_value("Instant").run()
    for prompt in prompts:
        at.chat_input(key="prompt").set_value(prompt).run()
        assert not at.exception
    at.session_state["chat_session"].wait_saved(5)
    return at


def history(at):
    at.switch_page("pages/history.py").run()
    assert not at.exception
    return at


def button(at, label: str, n: int = 0):
    return [b for b in at.button if b.label == label][n]


def test_the_chat_link_is_in_the_url_and_a_refresh_resumes_it(db_store):
    at = chat(["What is 23*17+4?"])
    cid = at.query_params["c"]
    assert cid == at.session_state["chat_session"].conversation.id and len(cid) >= 22  # >= 128 bits
    refreshed = new_app()
    refreshed.query_params["c"] = cid
    refreshed.run()
    assert not refreshed.exception
    [user, answer] = refreshed.chat_message
    assert user.markdown[0].value == literal_markdown("What is 23*17+4?") and "395" in answer.markdown[0].value
    assert any("calculator" in e.label for e in answer.expander)
    refreshed.chat_input(key="prompt").set_value("hello").run()  # the chat goes on, saved under the same link
    refreshed.session_state["chat_session"].wait_saved(5)
    assert len(db_store.load(cid, link_owner(cid)).entries) == 4


def test_an_unknown_link_says_so_and_starts_an_empty_chat():
    at = new_app()
    at.query_params["c"] = "A" * 24
    at.run()
    assert "not found" in at.warning[0].value and not at.chat_message
    assert "c" not in at.query_params


def test_history_lists_this_tabs_chats_newest_first_and_opens_one():
    at = chat(["hello"])
    at.button(key="new_chat").click().run()
    assert "c" not in at.query_params and not at.chat_message
    at.chat_input(key="prompt").set_value("What is 2+2?").run()
    at.session_state["chat_session"].wait_saved(5)
    history(at)
    assert shown_titles(at) == ["What is 2+2?", "hello"]
    button(at, "Open", 1).click().run()  # "hello"
    assert not at.exception
    assert [m.markdown[0].value for m in at.chat_message if m.name == "user"] == ["hello"]


def test_search_rename_and_delete_with_confirmation():
    at = chat(["Tell me about rivers", "What is 2+2?"])
    at.button(key="new_chat").click().run()
    at.chat_input(key="prompt").set_value("hello").run()
    history(at)
    at.text_input(key="history_search").set_value("river").run()
    assert shown_titles(at) == ["Tell me about rivers"]
    at.text_input(key="history_search").set_value("").run()
    assert len(shown_titles(at)) == 2
    button(at, "More", 1).click().run()  # the rivers chat
    [title] = [t for t in at.text_input if (t.key or "").startswith("title-")]
    assert title.value == "Tell me about rivers"
    title.set_value("Rivers, renamed").run()
    button(at, "Rename").click().run()
    assert "Rivers, renamed" in shown_titles(at)
    button(at, "Delete…").click().run()
    assert "cannot be undone" in at.warning[0].value and len(shown_titles(at)) == 2  # nothing deleted yet
    button(at, "Keep it").click().run()
    assert len(shown_titles(at)) == 2
    button(at, "Delete…").click().run()
    button(at, "Delete for good").click().run()
    assert shown_titles(at) == ["hello"]


def test_export_gives_the_next_request_and_a_curl_line_without_the_key(monkeypatch):
    from chatcore.mock import MockOptions, MockServer

    secret = "sk-live-" + "k" * 32
    with MockServer(options=MockOptions(ttft=0, chunk_delay=0), quiet=True) as server:
        base_url = server.url  # ends in /v1
        monkeypatch.setenv("OPENAI_BASE_URL", base_url)
        monkeypatch.setenv("OPENAI_API_KEY", secret)
        monkeypatch.setenv("OPENAI_MODEL", "mock-gpt")
        at = new_app()
        at.run()
        at.chat_input(key="prompt").set_value("What is 23*17+4?").run()
        at.session_state["chat_session"].wait_saved(5)
        history(at)
        button(at, "More").click().run()
    assert not at.exception
    [curl] = [c.value for c in at.code if c.value.startswith("curl")]
    assert f"{base_url}/chat/completions" in curl and "$OPENAI_API_KEY" in curl
    argv = shlex.split(curl.replace("\\\n", " "))  # what a shell would pass to curl
    body = json.loads(argv[argv.index("-d") + 1])
    roles = [m["role"] for m in body["messages"]]
    assert roles == ["system", "user", "assistant", "tool", "assistant"] and body["model"] == "mock-gpt"
    assert {t["function"]["name"] for t in body["tools"]} >= {"calculator"}
    assert secret not in curl
    shown = [str(getattr(element, "value", "")) for element in at.main] + [str(e.proto) for e in at.get("download_button")]
    assert len(at.get("download_button")) == 3 and not any(secret in text for text in shown)
    session = at.session_state["chat_session"]
    exported = to_json(session.conversation, turn_to_record, session.archive.settings_of(session.conversation.id))
    assert secret not in exported and json.loads(exported)["settings"]["base_url"] == base_url


def test_metrics_page_charts_saved_answers_of_earlier_sessions(db_store):
    first = chat(["hello", "What is 2+2?"])
    cid = first.query_params["c"]
    later = new_app()  # a new tab that holds the link
    later.query_params["c"] = cid
    later.run()
    later.switch_page("pages/metrics.py").run()
    assert not later.exception
    assert "No answers yet" in later.info[0].value  # nothing answered in this tab...
    assert later.metric[0].value == "2"  # ...but the two saved answers are charted


def test_a_database_that_cannot_be_opened_warns_and_the_chat_still_works(monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where a folder should be")
    monkeypatch.setenv("CHAT_DB_PATH", str(blocker / "chat.sqlite3"))
    at = chat(["hello"])
    assert "not being saved" in at.warning[0].value
    assert at.session_state["chat_session"].conversation.last_turn.status == "complete"
    assert "c" not in at.query_params
    history(at)
    assert "not being saved" in at.warning[0].value
