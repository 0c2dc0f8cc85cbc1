"""The chat page against a real OpenAI-compatible HTTP server (the mock on a socket).

Here the upstream is a separate server that records what reached it and whether the
client hung up, so the tests can check what the user cannot see: that Stop really closes
the upstream connection, and that Retry sends the request again.
"""

from __future__ import annotations

import re
import time

import pytest

from chatcore.mock import MockOptions, MockServer

from .chat_ui import ChatPage, squash
from .harness import StreamlitServer, chromium_missing_reason

if chromium_missing_reason():
    pytest.skip(chromium_missing_reason(), allow_module_level=True)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def upstream():
    with MockServer(options=MockOptions(ttft=0.05, chunk_delay=0.005), quiet=True) as server:
        yield server


@pytest.fixture(scope="module")
def app(upstream):
    env = {"OPENAI_BASE_URL": upstream.url, "OPENAI_API_KEY": "test", "OPENAI_MODEL": "mock-gpt"}
    with StreamlitServer("app.py", env=env) as server:
        yield server


def chat_requests(upstream: MockServer):
    return [r for r in upstream.requests if r.method == "POST" and r.path.endswith("/chat/completions")]


def last_user_text(record) -> str:
    return [m for m in record.body["messages"] if m["role"] == "user"][-1]["content"]


def pick_model(chat: ChatPage, name: str, *, new: bool = False) -> None:
    """Choose a model in the sidebar's picker (``new``: type a name the server did not list)."""
    combo = chat.page.get_by_test_id("stSidebar").get_by_role("combobox", name="Model")
    combo.click()
    if new:
        combo.fill(name)
        chat.page.get_by_role("option", name=f"Add: {name}").click()
    else:
        chat.page.get_by_role("option", name=name, exact=True).click()
    deadline = time.monotonic() + 10
    while not (combo.input_value() == name and chat.is_idle()):
        assert time.monotonic() < deadline, f"the model picker did not switch to {name}"
        time.sleep(0.05)


def test_stop_during_a_silent_upstream_closes_the_connection_at_once(open_chat, upstream):
    upstream.reset()
    chat = open_chat()
    chat.send("Tell me about rivers [fault:stall:30]")  # 3 chunks, then 30 s of silence
    chat.wait_for_answer_text(min_chars=1)
    deadline = time.monotonic() + 5
    while True:  # the upstream sent its 3 chunks and is now silent, the request still open
        [record] = chat_requests(upstream)
        if record.chunks_sent >= 4 and record.finished is None:
            break
        assert time.monotonic() < deadline, "the stall did not start"
        time.sleep(0.02)
    time.sleep(0.3)  # let the page show what arrived before the silence
    shown = chat.answer_text()
    assert squash(shown)

    clicked = time.time()
    chat.stop_button.click()
    chat.assistant.last.get_by_test_id("stCaptionContainer").filter(has_text="Stopped").wait_for(timeout=2000)
    marker_after = time.time() - clicked
    while not chat_requests(upstream)[0].client_disconnected and time.time() - clicked < 3:
        time.sleep(0.005)
    [record] = chat_requests(upstream)
    assert record.client_disconnected, "Stop did not close the upstream connection"
    assert record.disconnected_at - clicked < 1.0, f"upstream closed {record.disconnected_at - clicked:.3f} s after the click"
    assert marker_after < 2.0
    assert chat.answer_text() == shown, "the text received before the stall was not kept as it was"
    assert chat.stop_button_gone(), "the Stop button stayed after the answer stopped"


def test_an_error_shows_a_clear_message_and_retry_sends_the_prompt_again(open_chat, upstream):
    upstream.reset()
    chat = open_chat()
    pick_model(chat, "mock-fault-404", new=True)  # a model this server does not have
    prompt = "What is 23*17+4?"
    chat.send(prompt)
    chat.wait_until_done()
    answer = chat.assistant.last
    alert = answer.get_by_test_id("stAlert")
    assert alert.count() == 1
    message = alert.inner_text()
    assert "mock-fault-404" in message and "not found" in message and "404" in message
    retry = answer.get_by_role("button", name=re.compile("Retry"))
    assert retry.count() == 1

    pick_model(chat, "mock-gpt")  # the user fixes the cause, then retries
    retry.click()
    alert.wait_for(state="detached")  # the failed answer is replaced
    chat.wait_until_done()
    assert chat.roles() == ["user", "assistant"], "Retry should replace the failed answer, not add a prompt"
    assert chat.answer_text(chat.user.first) == prompt
    answer = chat.assistant.last
    assert answer.get_by_test_id("stAlert").count() == 0
    assert "395" in chat.answer_text()
    assert "mock-gpt" in chat.captions()

    first, second, *tool_follow_up = chat_requests(upstream)
    assert (first.body["model"], first.status) == ("mock-fault-404", 404)
    assert (second.body["model"], second.status) == ("mock-gpt", 200)
    assert last_user_text(first) == last_user_text(second) == prompt
