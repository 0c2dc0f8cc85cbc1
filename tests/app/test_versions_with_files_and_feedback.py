"""Versions, attachments and feedback together on the chat page (AppTest): a regenerated
answer to a prompt with an image is asked with the image again, and each version keeps its
own rating through switching and a refresh."""

from __future__ import annotations

import json

from chatcore.store.feedback import rated_answers
from tests.e2e.sample_files import png
from tests.recording_server import REPLY

from .conftest import new_app
from .test_version_switcher import button, version_labels

OPERATOR_KEY = "sk-operator-apptest-0123456789"


def chat_requests(server) -> list[dict]:
    return [json.loads(s.body) for s in server.seen if s.method == "POST" and s.path.endswith("/chat/completions")]


def images_sent(request: dict) -> list[str]:
    return [part["image_url"]["url"] for message in request["messages"] if message["role"] == "user"
            and isinstance(message["content"], list) for part in message["content"] if part.get("type") == "image_url"]


def test_a_regenerated_answer_is_asked_with_the_image_again_and_each_version_keeps_its_rating(monkeypatch, operator, db_store):
    monkeypatch.setenv("OPENAI_BASE_URL", operator.url)
    monkeypatch.setenv("OPENAI_API_KEY", OPERATOR_KEY)
    at = new_app().run()
    at.chat_input(key="prompt").upload("red.png", png(640, 480)).set_value("What colour is this?").run()
    assert not at.exception and REPLY in at.chat_message[1].markdown[0].value
    button(at, "Regenerate").click().run()
    assert not at.exception and version_labels(at) == ["2 / 2"]
    first_request, second_request = chat_requests(operator)
    [image] = images_sent(first_request)
    assert image.startswith("data:image/") and images_sent(second_request) == [image]  # the same picture, again
    assert [m["role"] for m in second_request["messages"] if m["role"] != "system"] == ["user"]  # not version 1 as history

    session = at.session_state["chat_session"]
    session.wait_saved(5)
    second = session.conversation.last_turn.message_id
    at.feedback(key=f"feedback-{second}").set_value(0).run()  # version 2: thumbs down
    button(at, "‹").click().run()
    first = session.conversation.last_turn.message_id
    assert version_labels(at) == ["1 / 2"] and first != second
    assert at.feedback(key=f"feedback-{first}").value is None  # version 2's rating is not version 1's
    at.feedback(key=f"feedback-{first}").set_value(1).run()  # version 1: thumbs up
    button(at, "›").click().run()
    assert at.feedback(key=f"feedback-{second}").value == 0

    refreshed = new_app()
    refreshed.query_params["c"] = at.query_params["c"]
    refreshed.run()
    assert version_labels(refreshed) == ["2 / 2"] and refreshed.feedback(key=f"feedback-{second}").value == 0
    button(refreshed, "‹").click().run()
    assert refreshed.feedback(key=f"feedback-{first}").value == 1
    assert not refreshed.exception
    rated = {a.message_id: (a.rating, a.prompt) for a in rated_answers(db_store, session.archive.visitor.creator)}
    assert rated == {first: ("up", "What colour is this?"), second: ("down", "What colour is this?")}
