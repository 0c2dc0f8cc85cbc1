"""The chat page in a real browser, on the built-in mock: what a user sees and can do.

One ``streamlit run app.py`` for the module (no provider configured: the built-in mock);
every test is a new visitor (a fresh browser context).
"""

from __future__ import annotations

import time

import openai
import pytest

from chatcore.mock import MockOptions, mock_http_client
from chatcore.mock.assemble import assemble

from .chat_ui import ChatPage, is_prefix, squash
from .harness import StreamlitServer, chromium_missing_reason

if chromium_missing_reason():
    pytest.skip(chromium_missing_reason(), allow_module_level=True)

pytestmark = pytest.mark.browser

LONG_PROMPT = "Write a long answer about rivers"


@pytest.fixture(scope="module")
def app():
    with StreamlitServer("app.py") as server:  # no OPENAI_* settings: the built-in mock
        yield server


def mock_says(prompt: str) -> str:
    """The full text the built-in mock answers to ``prompt`` (a prompt that calls no tool)."""
    client = openai.OpenAI(base_url="http://mock.invalid/v1", api_key="x",
                           http_client=mock_http_client(MockOptions(ttft=0, chunk_delay=0)))
    stream = client.chat.completions.create(model="mock-gpt", messages=[{"role": "user", "content": prompt}],
                                            stream=True)
    return assemble(stream).content


def test_tokens_appear_one_batch_at_a_time_while_the_answer_streams(open_chat):
    chat: ChatPage = open_chat()  # speed stays "Realistic" (25 ms between tokens)
    expected = mock_says("hello")
    chat.send("hello")
    seen: list[str] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        text = chat.answer_text() if chat.assistant.count() else ""
        if squash(text) and (not seen or text != seen[-1]):
            seen.append(text)
        if chat.is_idle() and chat.stop_button.count() == 0 and "total" in (chat.captions() if chat.assistant.count() else ""):
            break
        time.sleep(0.03)
    else:
        pytest.fail("the answer did not finish within 30 s")
    chat.wait_until_done()
    final = chat.answer_text()
    assert squash(final) == squash(expected), "the finished answer is not what the model sent"
    partials = [s for s in seen if squash(s) != squash(final)]
    assert all(is_prefix(s, final) for s in partials), "a partial text was not a beginning of the answer"
    lengths = [len(squash(s)) for s in partials]
    assert lengths == sorted(lengths), "the text shrank or jumped while streaming"
    assert len(set(map(squash, partials))) >= 5, f"only {len(partials)} partial texts seen before the final one"


def test_tool_calls_show_as_panels_with_arguments_and_result(open_chat):
    chat = open_chat()
    chat.set_speed("Instant")
    chat.send("What is 23*17+4?")
    chat.wait_until_done()
    answer = chat.assistant.last
    panel = answer.get_by_test_id("stExpander").filter(has_text="calculator")
    assert panel.count() == 1
    details = panel.get_by_test_id("stExpanderDetails")
    assert not details.is_visible(), "a finished tool panel should be collapsed"
    panel.locator("summary").click()
    details.wait_for(state="visible")
    body = details.inner_text()
    assert "Arguments" in body and "23*17+4" in body
    assert "Result" in body and "395" in body
    assert "395" in chat.answer_text()

    chat.send("What time is it in Tokyo, London and New York?")
    chat.wait_until_done(chat.assistant.nth(1))
    panels = chat.assistant.nth(1).get_by_test_id("stExpander")
    labels = panels.all_inner_texts()
    assert len(labels) == 3 and all("current_time" in label for label in labels), labels
    shown = []
    for i in range(3):
        panels.nth(i).locator("summary").click()
        details = panels.nth(i).get_by_test_id("stExpanderDetails")
        details.wait_for(state="visible")
        shown.append(details.inner_text())
    for zone in ("Asia/Tokyo", "Europe/London", "America/New_York"):
        assert sum(zone in body for body in shown) == 1, f"{zone} is not the argument of exactly one panel"
    assert "Tokyo" in chat.answer_text(chat.assistant.nth(1))


def test_stop_keeps_the_partial_answer_marked_stopped_and_the_next_prompt_works(open_chat):
    chat = open_chat()  # "Realistic" speed: the long answer takes ~2 minutes to stream
    expected = mock_says(LONG_PROMPT)
    chat.send(LONG_PROMPT)
    chat.wait_for_answer_text(min_chars=80)
    chat.stop_button.click()
    answer = chat.assistant.last
    answer.get_by_test_id("stCaptionContainer").filter(has_text="Stopped").wait_for(timeout=3000)
    kept = chat.answer_text()
    assert len(squash(kept)) >= 80
    assert is_prefix(kept, expected), "the kept text is not what the model had sent so far"
    assert len(squash(kept)) < len(squash(expected)) / 2, "the answer was not stopped mid-way"
    assert chat.stop_button_gone(), "the Stop button stayed after the answer stopped"
    time.sleep(1.5)  # at 25 ms a token, a running stream would add ~250 characters meanwhile
    assert chat.answer_text() == kept, "the stopped answer kept growing"

    chat.set_speed("Instant")
    chat.send("What is 23*17+4?")
    chat.wait_until_done(chat.assistant.nth(1))
    assert chat.roles() == ["user", "assistant", "user", "assistant"]
    assert "395" in chat.answer_text(chat.assistant.nth(1))
    assert "Stopped" not in chat.captions(chat.assistant.nth(1))
    assert chat.answer_text(chat.assistant.first) == kept, "the stopped answer changed"


def test_a_prompt_sent_mid_answer_keeps_the_partial_answer_above_the_new_exchange(open_chat):
    chat = open_chat()
    expected = mock_says(LONG_PROMPT)
    chat.send(LONG_PROMPT)
    chat.wait_for_answer_text(min_chars=80)
    chat.send("What is 23*17+4?")
    chat.wait_until_done(chat.assistant.nth(1))
    assert chat.roles() == ["user", "assistant", "user", "assistant"]
    assert chat.answer_text(chat.user.nth(0)) == LONG_PROMPT
    assert chat.answer_text(chat.user.nth(1)) == "What is 23*17+4?"
    first = chat.assistant.nth(0)
    kept = chat.answer_text(first)
    assert len(squash(kept)) >= 80 and is_prefix(kept, expected)
    assert len(squash(kept)) < len(squash(expected)) / 2
    assert "Stopped" in chat.captions(first)
    assert "395" in chat.answer_text(chat.assistant.nth(1))


def test_visitors_do_not_see_each_others_chat(open_chat):
    alice = open_chat()
    alice.set_speed("Instant")
    alice.send("Alice asks: what is 41*43+7?")
    alice.wait_until_done()
    assert "1770" in alice.answer_text()

    bob = open_chat()  # another browser context: another visitor
    assert bob.messages.count() == 0
    assert "41*43" not in bob.main_text() and "1770" not in bob.main_text()
    bob.set_speed("Instant")
    bob.send("Bob wants to convert 10 km to miles")
    bob.wait_until_done()
    assert bob.roles() == ["user", "assistant"]
    assert "41*43" not in bob.main_text() and "1770" not in bob.main_text()

    time.sleep(0.5)
    assert alice.roles() == ["user", "assistant"]
    assert "Bob wants" not in alice.main_text()

    # A reload resumes Alice's own chat (its link is in the URL); Bob's never shows up.
    alice.page.reload()
    alice.input.wait_for()
    alice.wait_until_idle()
    alice.wait_for_answer_text(min_chars=10)
    assert alice.roles() == ["user", "assistant"] and "1770" in alice.answer_text()
    assert "Bob wants" not in alice.main_text()


def test_html_in_model_output_is_shown_as_text_and_never_run(open_chat):
    chat = open_chat()
    dialogs: list[str] = []
    chat.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    chat.set_speed("Instant")
    chat.send("Show me some markup [fault:html]")
    chat.wait_until_done()
    time.sleep(0.3)  # an onerror handler would fire right after the element is inserted
    assert dialogs == []
    assert chat.page.locator('img[src="x"]').count() == 0
    assert chat.page.locator("[data-testid='stChatMessage'] script").count() == 0
    text = chat.answer_text()
    assert "<img src=x onerror=alert(1)>" in text
    assert "<script>alert(1)</script>" in text
    assert chat.assistant.last.locator("strong", has_text="Still markdown").count() == 1  # Markdown still renders
