"""A conversation is its owner's; a link holder may read it with the exact id, nothing more."""

from __future__ import annotations

import secrets

import pytest

from chatcore.store import ConversationNotFound, StoreError
from chatcore.turn import Turn

from .turns import complete_turn


@pytest.fixture
def alices(store):
    cid = store.create_conversation("alice", title="Alice's plans", settings={"temperature": 0.2})
    store.add_user_message(cid, "alice", "secret plans")
    turn = complete_turn("the answer")
    store.finish(store.start_assistant(cid, "alice", turn), turn)
    return cid


def test_another_owner_cannot_load_list_rename_or_delete(store, alices):
    assert store.load(alices, "bob") is None
    assert store.list_conversations("bob") == []
    assert store.list_conversations("bob", search="plans") == []
    assert store.rename(alices, "bob", "pwned") is False
    assert store.delete(alices, "bob") is False
    assert store.get_settings(alices, "bob") is None
    conversation = store.load(alices, "alice")
    assert conversation.title == "Alice's plans" and len(conversation.entries) == 2


def test_another_owner_cannot_write_into_it(store, alices):
    with pytest.raises(ConversationNotFound):
        store.add_user_message(alices, "bob", "injected")
    with pytest.raises(ConversationNotFound):
        store.start_assistant(alices, "bob", Turn())
    with pytest.raises(ConversationNotFound):
        store.truncate_after(alices, "bob", 0)
    with pytest.raises(ConversationNotFound):
        store.delete_last_assistant(alices, "bob")
    with pytest.raises(StoreError):  # cannot take the id over either
        store.create_conversation("bob", conversation_id=alices)
    assert len(store.load(alices, "alice").entries) == 2


def test_guessed_ids_find_nothing(store, alices):
    for guess in [secrets.token_urlsafe(18) for _ in range(50)] + ["", "%", "_", "*", alices[:-1], alices + " ", alices.upper()]:
        if guess == alices:
            continue
        assert store.load(guess, None) is None
        assert store.load(guess, "alice") is None


def test_a_link_holder_reads_with_the_exact_id_only(store, alices):
    conversation = store.load(alices, None)
    assert conversation is not None and conversation.entries[1].text == "the answer"
    assert store.load(alices[:-1], None) is None
    # listed for the browser that opened the link, marked as not theirs
    [summary] = store.list_conversations("bob", ids=[alices, "nonexistent"])
    assert summary.id == alices and summary.is_creator is False
    assert store.list_conversations("alice")[0].is_creator is True


def test_owner_names_are_compared_exactly(store, alices):
    for near in ("Alice", "alice ", "", "%"):
        assert store.load(alices, near) is None
        assert store.list_conversations(near) == []


def test_no_owner_means_read_only(store, alices):
    for change in (
        lambda: store.rename(alices, None, "x"),
        lambda: store.delete(alices, None),
        lambda: store.add_user_message(alices, None, "x"),
        lambda: store.truncate_after(alices, None, 0),
    ):
        with pytest.raises(TypeError):
            change()
    assert store.get_settings(alices, None) == {"temperature": 0.2}
    assert len(store.load(alices, "alice").entries) == 2
