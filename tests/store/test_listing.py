"""The conversation list: newest first, with counts, searchable by title and by what was said."""

from __future__ import annotations

from .turns import complete_turn


def chat(store, owner, title, *said, clock=None):
    cid = store.create_conversation(owner, title=title, model="m-create")
    for i, text in enumerate(said):
        if clock is not None:
            clock.advance(1)
        if i % 2 == 0:
            store.add_user_message(cid, owner, text)
        else:
            turn = complete_turn(text, model="m-used")
            store.finish(store.start_assistant(cid, owner, turn), turn)
    return cid


def test_newest_first_with_counts_and_model(make_store, clock):
    store = make_store(clock=clock)
    old = chat(store, "me", "Old", "q", "a", clock=clock)
    new = chat(store, "me", "New", "q", clock=clock)
    assert [s.id for s in store.list_conversations("me")] == [new, old]
    clock.advance(1)
    store.add_user_message(old, "me", "back to the old one")
    summaries = store.list_conversations("me")
    assert [s.id for s in summaries] == [old, new]
    top = summaries[0]
    assert (top.title, top.message_count, top.model) == ("Old", 3, "m-used")
    assert top.updated_at == clock.now and top.created_at < top.updated_at
    assert summaries[1].model == "m-create"


def test_order_is_stable_when_times_are_equal(make_store, clock):
    store = make_store(clock=clock)
    ids = [chat(store, "me", f"c{i}") for i in range(12)]
    first = [s.id for s in store.list_conversations("me")]
    assert sorted(first) == sorted(ids)
    assert all([s.id for s in store.list_conversations("me")] == first for _ in range(3))


def test_limit(store):
    for i in range(5):
        chat(store, "me", f"c{i}")
    assert len(store.list_conversations("me", limit=3)) == 3
    assert store.list_conversations("me", limit=0) == []


def test_search_matches_titles_and_message_content_case_insensitively(store):
    bread = chat(store, "me", "Baking Bread", "how long to knead?", "About ten minutes.")
    trip = chat(store, "me", "Trip", "Plan a week in KYOTO", "Day 1: Fushimi Inari")
    chat(store, "someone else", "Bread too", "bread")
    assert [s.id for s in store.list_conversations("me", search="bread")] == [bread]  # title
    assert [s.id for s in store.list_conversations("me", search="KNEAD")] == [bread]  # a prompt
    assert [s.id for s in store.list_conversations("me", search="fushimi")] == [trip]  # an answer
    assert [s.id for s in store.list_conversations("me", search="kyoto")] == [trip]
    assert {s.id for s in store.list_conversations("me", search="  ")} == {bread, trip}
    assert store.list_conversations("me", search="nowhere") == []


def test_search_wildcards_are_literal(store):
    percent = chat(store, "me", "Discount", "is 50% off real?")
    chat(store, "me", "Other", "is 50 off real?")
    assert [s.id for s in store.list_conversations("me", search="50%")] == [percent]
    assert store.list_conversations("me", search="_0%_off") == []


def test_search_covers_conversations_opened_by_link(store):
    theirs = chat(store, "them", "Shared recipe", "pancakes")
    assert [s.id for s in store.list_conversations("me", search="pancake", ids=[theirs])] == [theirs]
    assert store.list_conversations("me", search="pancake") == []


def test_rename(store):
    cid = chat(store, "me", "Old name", "q")
    assert store.rename(cid, "me", "  New name ") is True
    assert store.load(cid, "me").title == "New name"
    assert [s.title for s in store.list_conversations("me", search="new")] == ["New name"]
    assert store.rename("missing", "me", "x") is False
