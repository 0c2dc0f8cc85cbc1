"""Share links in the store (SQLite and PostgreSQL): a frozen snapshot of the shown path, opened
by a long random token, revocable; a token (or a conversation id) gives nothing else."""

from __future__ import annotations

import re
import secrets

import pytest

from chatcore.archive import ChatArchive
from chatcore.conversation import Conversation
from chatcore.feedback import AnswerFeedback
from chatcore.share import NOT_FOUND, TURNED_OFF, ShareLinks, looks_like_share_token, new_share_token, token_hash
from chatcore.store.schema import share_links
from chatcore.store.share_links import MAX_ACTIVE_LINKS, TooManyShareLinks
from chatcore.turn import Turn
from chatcore.visitor import Visitor

from .turns import complete_turn, rendered, rich_turn

ALICE = Visitor(user_id=None, browser_key="a" * 43)
BOB = Visitor(user_id=None, browser_key="b" * 43)


def saved_chat(store, visitor=ALICE, turns=(("What is 2*21?", None),)) -> tuple[ChatArchive, Conversation]:
    archive = ChatArchive(store, visitor)
    conversation = Conversation()
    for prompt, turn in turns:
        entry = conversation.add_user(prompt)
        archive.save_prompt(conversation, entry, {"model": "m"})
        turn = turn or complete_turn(f"answer to {prompt}")
        conversation.add_turn(turn)
        archive.save_answer(conversation, turn)
    return archive, conversation


def test_a_link_shows_a_frozen_copy_of_the_shown_path_with_tool_panels(store):
    archive, conversation = saved_chat(store, turns=(("Compute things", rich_turn()), ("thanks", None)))
    links = ShareLinks(store)
    token, link = links.create(archive, conversation)
    # the chat goes on after sharing: the link does not follow
    entry = conversation.add_user("a later secret")
    archive.save_prompt(conversation, entry, {})
    opened = links.open(token)
    assert opened.state == "shown" and opened.notice is None
    chat = opened.chat
    assert [getattr(e, "content", None) for e in chat.entries[::2]] == ["Compute things", "thanks"]
    assert rendered(chat.entries[1]) == rendered(conversation.entries[1])  # text, reasoning, tool calls, status, notes
    assert "a later secret" not in str(chat)
    assert link.title == chat.title == "Compute things"


def test_the_snapshot_names_neither_the_conversation_nor_its_owner(store):
    archive, conversation = saved_chat(store)
    token, _ = ShareLinks(store).create(archive, conversation)
    with store.engine.connect() as conn:
        row = conn.execute(share_links.select()).one()
    assert conversation.id not in str(row.snapshot) and ALICE.creator not in str(row.snapshot)
    assert token not in str(tuple(row)) and row.token_hash == token_hash(token)  # only the hash is kept


def test_revoked_and_unknown_links_say_so(store):
    archive, conversation = saved_chat(store)
    links = ShareLinks(store)
    token, link = links.create(archive, conversation)
    assert not links.revoke(ChatArchive(store, BOB), link.id)  # someone else's link: nothing happens
    assert links.open(token).state == "shown"
    assert links.revoke(archive, link.id)
    assert (links.open(token).state, links.open(token).notice, links.open(token).chat) == ("turned_off", TURNED_OFF, None)
    assert links.open(new_share_token()).notice == NOT_FOUND
    assert [(s.id, s.active) for s in links.mine(archive)] == [(link.id, False)]
    assert links.mine(ChatArchive(store, BOB)) == []


def test_deleting_the_conversation_turns_its_links_off(store):
    archive, conversation = saved_chat(store)
    links = ShareLinks(store)
    token, _ = links.create(archive, conversation)
    assert archive.delete(conversation.id)
    assert links.open(token).state == "not_found"


def test_only_who_may_write_the_conversation_can_share_it(store):
    archive, conversation = saved_chat(store)
    assert ShareLinks(store).create(ChatArchive(store, BOB), conversation) is None  # bob never opened it
    signed = ChatArchive(store, Visitor(user_id="carol", browser_key=""))
    assert ShareLinks(store).create(signed, conversation) is None  # signed in, but not carol's
    with store.engine.connect() as conn:
        assert conn.execute(share_links.select()).all() == []


def test_tokens_are_long_random_and_not_the_conversation_id(store):
    archive, conversation = saved_chat(store)
    tokens = {ShareLinks(store).create(archive, conversation)[0] for _ in range(20)}
    assert len(tokens) == 20
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # 32 bytes = 256 bits, URL-safe
        assert conversation.id not in token


@pytest.mark.parametrize("kind", ["conversation id", "link id", "hash", "junk"])
def test_nothing_but_the_token_opens_a_link(store, kind):
    archive, conversation = saved_chat(store)
    token, link = ShareLinks(store).create(archive, conversation)
    guess = {"conversation id": conversation.id, "link id": link.id, "hash": token_hash(token),
             "junk": "' OR 1=1 --" + "x" * 40}[kind]
    assert ShareLinks(store).open(guess).state == "not_found"


def test_a_token_gives_no_right_to_write(store):
    archive, conversation = saved_chat(store)
    token, _ = ShareLinks(store).create(archive, conversation)
    holder = ChatArchive(store, Visitor(user_id=None, browser_key=secrets.token_urlsafe(32)))
    shared = ShareLinks(store).open(token).chat
    assert holder.owner_of(conversation.id) is None and holder.list() == []
    answer = shared.entries[1]
    assert isinstance(answer, Turn) and answer.message_id is None  # the copy points at no stored row
    assert not AnswerFeedback(holder).rate(conversation, conversation.entries[1], "down")
    assert not holder.rename(conversation.id, "pwned") and not holder.delete(conversation.id)
    assert holder.open(token) is None  # a token is not a conversation link either
    assert store.load(conversation.id, None).title == "What is 2*21?"


def test_the_token_shape_check_rejects_conversation_ids():
    assert looks_like_share_token(new_share_token())
    assert not looks_like_share_token(secrets.token_urlsafe(18))  # what a conversation id looks like
    assert not looks_like_share_token(None) and not looks_like_share_token("a" * 300)


def test_a_turned_off_link_keeps_no_copy_and_links_on_are_capped(store):
    archive, conversation = saved_chat(store)
    links = ShareLinks(store)
    made = [links.create(archive, conversation) for _ in range(MAX_ACTIVE_LINKS)]
    with pytest.raises(TooManyShareLinks):
        links.create(archive, conversation)
    assert links.revoke(archive, made[0][1].id)
    with store.engine.connect() as conn:
        row = conn.execute(share_links.select().where(share_links.c.id == made[0][1].id)).one()
    assert row.snapshot == {} and row.title == ""  # nothing of the chat is left behind
    assert links.create(archive, conversation) is not None  # room again
    assert links.create(*saved_chat(store, BOB)) is not None  # the cap is per creator


def test_a_link_reads_the_files_its_snapshot_lists_and_no_other_blob(store):
    from chatcore.attachments import prepare
    from chatcore.store.share_links import shared_files
    from tests.attachment_files import png, text_pdf

    photo = prepare("photo.png", png((320, 200), (200, 40, 40)))
    report = prepare("report.pdf", text_pdf(["Quarterly numbers: up 12%"]))
    archive = ChatArchive(store, ALICE)
    conversation = Conversation()
    entry = conversation.add_user("look", attachments=(photo, report))
    archive.save_prompt(conversation, entry, {})
    turn = complete_turn("a red picture and a report")
    conversation.add_turn(turn)
    archive.save_answer(conversation, turn)
    links = ShareLinks(store)
    token, link = links.create(archive, conversation)
    # after sharing: a later file in the same chat, and another visitor's file
    later = prepare("later.png", png((100, 100), (10, 200, 10)))
    entry = conversation.add_user("and this", attachments=(later,))
    archive.save_prompt(conversation, entry, {})
    _, bobs = saved_chat(store, visitor=BOB)
    bobs_file = prepare("bob.png", png((50, 60), (1, 2, 3)))
    bob_entry = bobs.add_user("bob's", attachments=(bobs_file,))
    ChatArchive(store, BOB).save_prompt(bobs, bob_entry, {})

    shown = links.open(token).chat
    assert [a.data for a in shown.entries[0].attachments] == [photo.data, report.data]
    assert shown.entries[0].attachments[1].text == report.text  # the chip's preview, as in the chat
    assert set(shared_files(store, token_hash(token))) == {photo.sha256, report.sha256}
    # a token reaches only its snapshot's files: nothing else of the chat, nobody else's, nothing once off
    with store.engine.begin() as conn:  # a snapshot tampered to list more changes what the link names, not whose blobs
        conn.execute(share_links.update().values(snapshot={"entries": [{"role": "user", "attachments": [
            {"sha256": bobs_file.sha256}, {"sha256": later.sha256}, {"sha256": photo.sha256}]}]}))
    assert set(shared_files(store, token_hash(token))) == {later.sha256, photo.sha256}  # bob's blob: never
    assert shared_files(store, token_hash(new_share_token())) == {}
    assert links.revoke(archive, link.id)
    assert shared_files(store, token_hash(token)) == {}


def test_a_shared_file_that_is_gone_leaves_its_reference_only(store):
    from chatcore.attachments import prepare
    from chatcore.store.schema import message_attachments
    from tests.attachment_files import png

    photo = prepare("photo.png", png())
    archive = ChatArchive(store, ALICE)
    conversation = Conversation()
    entry = conversation.add_user("look", attachments=(photo,))
    archive.save_prompt(conversation, entry, {})
    token, _ = ShareLinks(store).create(archive, conversation)
    with store.engine.begin() as conn:
        conn.execute(message_attachments.delete())
    chat = ShareLinks(store).open(token).chat
    assert chat.entries[0].attachments == () and chat.attachments[0][0]["name"] == "photo.png"
