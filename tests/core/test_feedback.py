"""Feedback through a real chat (mock provider, SQLite): what a rating keeps, the Metrics
tallies, and the JSONL evaluation export (its lines, and that no secret or other visitor's
rating gets in)."""

from __future__ import annotations

import json

import pytest

from chatcore.archive import ChatArchive
from chatcore.feedback import NO_PRESET, AnswerFeedback, by_model, by_preset, feedback_settings, tallies, to_jsonl
from chatcore.mock.options import MockOptions
from chatcore.session import ChatSession
from chatcore.settings import GenerationSettings, ProviderConfig
from chatcore.store import ChatStore
from chatcore.turn import Turn
from chatcore.visitor import Visitor

FAST = MockOptions(ttft=0, chunk_delay=0)
KEYED = ProviderConfig(kind="mock", model="mock-gpt", api_key="sk-operator-SECRET")  # a key must never be kept


@pytest.fixture
def store(tmp_path):
    with ChatStore(f"sqlite:///{tmp_path / 'chat.sqlite3'}") as store:
        store.migrate()
        yield store


def chat(store, key: str, prompts: list[str], generation: GenerationSettings, config: ProviderConfig = KEYED) -> ChatSession:
    session = ChatSession(archive=ChatArchive(store, Visitor(user_id=None, browser_key=key)))
    for prompt in prompts:
        for _ in session.events(session.send(prompt, config, generation, FAST)):
            pass
        assert session.wait_saved(5)
    return session


def answers(session: ChatSession) -> list[Turn]:
    return session.conversation.turns


def test_a_rating_keeps_the_answers_settings_and_no_key(store):
    gen = GenerationSettings(system_prompt="Answer in French.", temperature=0.7, tools=("calculator",), preset="French")
    session = chat(store, "alice", ["What is 2+2?"], gen)
    book = AnswerFeedback(session.archive)
    [turn] = answers(session)
    assert book.may_rate(session.conversation, turn)
    assert book.rate(session.conversation, turn, "down", "  says 5  ")
    [rated] = book.mine()
    assert (rated.prompt, rated.answer, rated.rating, rated.comment) == ("What is 2+2?", turn.text, "down", "says 5")
    assert rated.settings == {"model": "mock-gpt", "system_prompt": "Answer in French.", "temperature": 0.7,
                              "tools": ["calculator"], "preset": "French"}
    assert "SECRET" not in to_jsonl(book.mine())
    assert book.of(session.conversation)[turn.message_id].rating == "down"
    assert book.rate(session.conversation, turn, None)  # taken back
    assert book.mine() == []


def test_a_streaming_or_unsaved_answer_cannot_be_rated(store):
    session = chat(store, "alice", ["hi"], GenerationSettings())
    book = AnswerFeedback(session.archive)
    assert not book.rate(session.conversation, Turn(model="m"), "up")  # never saved
    streaming = answers(session)[0]
    streaming.status = "streaming"
    assert not book.may_rate(session.conversation, streaming) and not book.rate(session.conversation, streaming, "up")


def test_another_visitor_cannot_rate_and_never_sees_my_ratings(store):
    mine = chat(store, "alice", ["hello"], GenerationSettings())
    theirs = chat(store, "bob", ["hello"], GenerationSettings())
    alice, bob = AnswerFeedback(mine.archive), AnswerFeedback(theirs.archive)
    assert alice.rate(mine.conversation, answers(mine)[0], "up")
    assert not bob.rate(mine.conversation, answers(mine)[0], "down")  # bob never had alice's link
    assert bob.of(mine.conversation) == {} and bob.mine() == []
    assert bob.rate(theirs.conversation, answers(theirs)[0], "down", "bob's comment")
    assert "bob's comment" not in to_jsonl(alice.mine())


def test_tallies_by_model_and_by_preset(store):
    session = chat(store, "alice", ["one", "two", "three"], GenerationSettings(preset="Terse"))
    other = ProviderConfig(kind="mock", model="mock-no-tools")
    book = AnswerFeedback(session.archive)
    for turn, rating in zip(answers(session), ["up", "up", "down"], strict=True):
        book.rate(session.conversation, turn, rating)
    plain = chat(store, "alice", ["four"], GenerationSettings(), other)
    AnswerFeedback(plain.archive).rate(plain.conversation, answers(plain)[0], "down")
    rated = book.mine()
    assert [(t.group, t.up, t.down) for t in tallies(rated, by_model)] == [("mock-gpt", 2, 1), ("mock-no-tools", 0, 1)]
    by = tallies(rated, by_preset)
    assert [(t.group, t.up, t.down) for t in by] == [("Terse", 2, 1), (NO_PRESET, 0, 1)]
    assert by[0].positive_share == pytest.approx(2 / 3) and by[1].positive_share == 0


def test_the_jsonl_export_is_one_rated_answer_per_line_with_its_prompt_and_settings(store):
    session = chat(store, "alice", ["What is 2+2?", "Tell me a joke", "unrated"], GenerationSettings(temperature=0.2))
    book = AnswerFeedback(session.archive)
    first, second, _ = answers(session)
    book.rate(session.conversation, second, "up", "funny — «très» drôle")
    book.rate(session.conversation, first, "down", "wrong")
    text = to_jsonl(book.mine())
    lines = [json.loads(line) for line in text.splitlines()]
    assert text.endswith("\n") and len(lines) == 2
    assert [(line["prompt"], line["answer"], line["rating"], line["comment"]) for line in lines] == [
        ("Tell me a joke", second.text, "up", "funny — «très» drôle"),
        ("What is 2+2?", first.text, "down", "wrong"),
    ]
    assert all(set(line["settings"]) == {"model", "system_prompt", "temperature", "tools", "preset"} for line in lines)
    assert lines[0]["settings"]["temperature"] == 0.2 and lines[0]["settings"]["model"] == "mock-gpt"


def test_feedback_settings_keep_only_the_named_fields():
    turn = Turn(model="answered-by")
    kept = feedback_settings({"model": "asked-for", "base_url": "http://x", "api_key": "sk", "temperature": 1.0}, turn)
    assert kept == {"model": "answered-by", "system_prompt": None, "temperature": 1.0, "tools": None, "preset": ""}


def test_a_rating_keeps_the_settings_its_own_answer_was_made_with_even_after_they_changed(store):
    first_settings = GenerationSettings(system_prompt="Answer in French.", temperature=0.2, preset="French")
    session = chat(store, "alice", ["What is 2+2?"], first_settings)
    later = GenerationSettings(system_prompt="Answer in German.", temperature=1.1, tools=("calculator",), preset="German")
    for _ in session.events(session.send("And 3+3?", KEYED, later, FAST)):
        pass
    assert session.wait_saved(5)
    reloaded = ChatSession(archive=ChatArchive(store, Visitor(user_id=None, browser_key="alice")))
    assert reloaded.open_conversation(session.conversation.id)  # what the store kept, not this session's objects
    book = AnswerFeedback(reloaded.archive)
    first, second = answers(reloaded)
    assert book.rate(reloaded.conversation, first, "up") and book.rate(reloaded.conversation, second, "down")
    lines = [json.loads(line) for line in to_jsonl(book.mine()).splitlines()]
    assert [(line["prompt"], line["settings"]) for line in lines] == [
        ("What is 2+2?", {"model": "mock-gpt", "system_prompt": "Answer in French.", "temperature": 0.2, "tools": None,
                          "preset": "French"}),
        ("And 3+3?", {"model": "mock-gpt", "system_prompt": "Answer in German.", "temperature": 1.1,
                      "tools": ["calculator"], "preset": "German"}),
    ]
    assert "SECRET" not in str(store_records(store))


def store_records(store) -> list[object]:
    from sqlalchemy import select

    from chatcore.store.schema import messages

    with store.transaction("read", write=False) as conn:
        return [row.record for row in conn.execute(select(messages.c.record))]
