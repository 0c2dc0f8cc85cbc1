"""‹ n / m › on the chat page (AppTest): Regenerate and Edit add versions, the buttons switch
between them, and the choice is what a reload (a link opened elsewhere) shows."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from chatcore.literal_markdown import literal_markdown

from .conftest import new_app, open_advanced


def chat() -> AppTest:
    at = new_app()
    at.run()
    open_advanced(at).sidebar.select_slider(key="mock_speed").set_value("Instant").run()
    return at


def button(at: AppTest, label: str, nth: int = 0):
    return [b for b in at.button if b.label == label][nth]


def version_labels(at: AppTest) -> list[str]:
    return [c.value for c in at.caption if " / " in c.value]


def user_texts(at: AppTest) -> list[str]:
    return [m.markdown[0].value for m in at.chat_message if m.name == "user"]


def assistant_texts(at: AppTest) -> list[str]:
    return ["\n".join(m.value for m in msg.markdown) for msg in at.chat_message if msg.name == "assistant"]


def test_no_switcher_until_a_message_has_versions():
    at = chat()
    at.chat_input(key="prompt").set_value("What is 23*17+4?").run()
    assert version_labels(at) == [] and not [b for b in at.button if b.label in ("‹", "›")]


def test_regenerating_twice_gives_three_answers_to_step_through():
    at = chat()
    at.chat_input(key="prompt").set_value("What is 23*17+4?").run()
    first = at.session_state["chat_session"].conversation.last_turn
    button(at, "Regenerate").click().run()
    button(at, "Regenerate").click().run()
    assert version_labels(at) == ["3 / 3"] and len(at.chat_message) == 2
    assert button(at, "›").disabled and not button(at, "‹").disabled
    button(at, "‹").click().run()
    assert version_labels(at) == ["2 / 3"]
    button(at, "‹").click().run()
    assert version_labels(at) == ["1 / 3"] and button(at, "‹").disabled
    assert at.session_state["chat_session"].conversation.last_turn is first
    assert len(at.chat_message) == 2 and "395" in assistant_texts(at)[0] and not at.exception


def test_an_edited_prompt_switches_back_to_the_original_branch_and_a_reload_keeps_it():
    at = chat()
    at.chat_input(key="prompt").set_value("What is 2+2?").run()
    button(at, "Edit").click().run()
    at.text_area[0].set_value("What is 3*7?")
    button(at, "Send").click().run()
    assert user_texts(at) == [literal_markdown("What is 3*7?")] and "21" in assistant_texts(at)[0]
    assert version_labels(at) == ["2 / 2"]
    button(at, "‹").click().run()
    assert user_texts(at) == [literal_markdown("What is 2+2?")] and "4" in assistant_texts(at)[0]
    assert version_labels(at) == ["1 / 2"]
    cid = at.session_state["chat_session"].conversation.id
    elsewhere = new_app()
    elsewhere.query_params["c"] = cid
    elsewhere.run()
    assert user_texts(elsewhere) == [literal_markdown("What is 2+2?")] and version_labels(elsewhere) == ["1 / 2"]
    button(elsewhere, "›").click().run()
    assert user_texts(elsewhere) == [literal_markdown("What is 3*7?")] and "21" in assistant_texts(elsewhere)[0]


def test_the_next_prompt_follows_the_version_shown():
    at = chat()
    at.chat_input(key="prompt").set_value("What is 2+2?").run()
    button(at, "Edit").click().run()
    at.text_area[0].set_value("What is 3*7?")
    button(at, "Send").click().run()
    button(at, "‹").click().run()
    at.chat_input(key="prompt").set_value("hello").run()
    assert user_texts(at) == [literal_markdown("What is 2+2?"), literal_markdown("hello")]
    assert version_labels(at) == ["1 / 2"]
