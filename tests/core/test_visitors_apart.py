"""No visitor reads another's conversations: not by listing, not by guessing an id.

Anonymous visitors hold their conversations by link; signed-in visitors own theirs. Checked
through ``ChatArchive`` (what every page uses) on a real SQLite store.
"""

from __future__ import annotations

import secrets

import pytest

from chatcore.archive import ChatArchive
from chatcore.conversation import Conversation
from chatcore.store import ChatStore
from chatcore.turn import Turn
from chatcore.visitor import Visitor


@pytest.fixture
def store(tmp_path):
    with ChatStore(f"sqlite:///{tmp_path / 'chat.sqlite3'}") as store:
        store.migrate()
        yield store


def archive(store: ChatStore, user: str | None = None) -> ChatArchive:
    return ChatArchive(store, Visitor(user_id=user, browser_key=secrets.token_urlsafe(8)))


def start_chat(archive: ChatArchive, prompt: str) -> str:
    conversation = Conversation()
    entry = conversation.add_user(prompt)
    archive.save_prompt(conversation, entry, {"model": "m"})
    turn = conversation.add_turn(Turn())
    saver = archive.start_answer(conversation, turn)
    turn.finish("complete", "stop")
    saver.wake()
    assert saver.wait(5)
    return conversation.id


def guesses(real: str) -> list[str]:
    near = [real[:-1] + ("A" if real[-1] != "A" else "B"), real.upper(), real.lower(), real + "x", real[1:]]
    return [g for g in near if g != real] + [secrets.token_urlsafe(18) for _ in range(50)] + ["", "%", "' OR 1=1 --"]


def test_two_anonymous_visitors_never_see_each_others_list(store):
    ann, bob = archive(store), archive(store)
    start_chat(ann, "Ann's plans")
    start_chat(bob, "Bob's plans")
    assert [s.title for s in ann.list()] == ["Ann's plans"]
    assert [s.title for s in bob.list()] == ["Bob's plans"]
    assert bob.list(search="Ann") == [] and bob.figures() != [] and len(bob.figures()) == 1


def test_an_anonymous_conversation_opens_with_its_exact_link_only(store):
    ann, bob = archive(store), archive(store)
    cid = start_chat(ann, "Ann's plans")
    for guess in guesses(cid):
        assert bob.open(guess) is None, guess
    assert bob.list() == []
    shared = bob.open(cid)  # Ann shared the link
    assert shared is not None and shared.entries[0].content == "Ann's plans"
    assert [s.id for s in bob.list()] == [cid]


def test_signed_in_visitors_own_their_conversations_across_sessions(store):
    alice_today, alice_tomorrow = archive(store, "alice"), archive(store, "alice")
    cid = start_chat(alice_today, "Alice's plans")
    assert [s.id for s in alice_tomorrow.list()] == [cid] and alice_tomorrow.list()[0].is_creator
    assert alice_tomorrow.open(cid) is not None
    assert alice_tomorrow.rename(cid, "Renamed")
    assert alice_today.list()[0].title == "Renamed"


def test_a_signed_in_conversation_cannot_be_opened_by_anyone_else_even_with_its_id(store):
    alice, bob, stranger = archive(store, "alice"), archive(store, "bob"), archive(store)
    cid = start_chat(alice, "Alice's plans")
    for other in (bob, stranger):
        assert other.open(cid) is None
        assert other.list() == [] and other.figures() == []
        assert other.rename(cid, "pwned") is False and other.delete(cid) is False
    assert alice.list()[0].title == "Alice's plans"


def test_a_signed_in_visitor_may_open_a_shared_anonymous_link(store):
    ann, alice = archive(store), archive(store, "alice")
    cid = start_chat(ann, "Ann's shared plan")
    assert alice.open(cid) is not None
    assert {s.id for s in alice.list()} == {cid}


def test_deleting_takes_the_conversation_away_for_everyone(store):
    ann, bob = archive(store), archive(store)
    cid = start_chat(ann, "to delete")
    assert bob.open(cid) is not None
    assert ann.delete(cid)
    assert ann.list() == [] and bob.open(cid) is None and bob.list() == []
