"""Attachments are saved with their prompt, come back on load, are stored once however often
they are sent, and go when nothing needs them any more (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from chatcore.archive import ChatArchive
from chatcore.attachments import prepare
from chatcore.conversation import Conversation
from chatcore.messages import user_message
from chatcore.store.schema import attachment_blobs, message_attachments
from chatcore.visitor import Visitor, new_browser_key
from tests.attachment_files import png, text_pdf

from .turns import complete_turn


def count(store, table) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


@pytest.fixture
def files():
    photo = prepare("photo.png", png((320, 200), (200, 40, 40)))
    report = prepare("report.pdf", text_pdf(["Quarterly numbers: up 12%", "Page two"]))
    return photo, report


def test_a_prompt_and_its_files_load_back_exactly(store, files):
    photo, report = files
    cid = store.create_conversation("alice")
    store.add_user_message(cid, "alice", "What do these say?", attachments=[photo, report])
    loaded = store.load(cid, "alice").entries[0]
    assert loaded.attachments == (photo, report)  # bytes, name, kind, mime, text and meta
    assert loaded.attachments[1].meta["pages"] == 2
    assert user_message(loaded.content, loaded.attachments) == user_message("What do these say?", (photo, report))


def test_a_prompt_of_files_only_names_the_chat_after_them(store, files):
    cid = store.create_conversation("alice")
    store.add_user_message(cid, "alice", "", attachments=list(files))
    assert store.load(cid, "alice").title == "photo.png, report.pdf"


def test_the_same_file_sent_again_is_stored_once(store, files):
    photo, report = files
    cid = store.create_conversation("alice")
    other = store.create_conversation("bob")
    store.add_user_message(cid, "alice", "one", attachments=[photo, photo])
    store.add_user_message(cid, "alice", "two", attachments=[photo, report])
    store.add_user_message(other, "bob", "mine too", attachments=[photo])
    assert count(store, attachment_blobs) == 2
    assert count(store, message_attachments) == 5
    assert [e.attachments for e in store.load(cid, "alice").entries] == [(photo, photo), (photo, report)]


def test_deleting_a_conversation_deletes_files_nobody_else_has(store, files):
    photo, report = files
    mine = store.create_conversation("alice")
    theirs = store.create_conversation("bob")
    store.add_user_message(mine, "alice", "both", attachments=[photo, report])
    store.add_user_message(theirs, "bob", "the photo", attachments=[photo])
    assert store.delete(mine, "alice")
    with store.engine.connect() as conn:
        kept = conn.execute(select(attachment_blobs.c.sha256)).scalars().all()
    assert kept == [photo.sha256]  # the report went; bob's photo stays
    assert store.load(theirs, "bob").entries[0].attachments == (photo,)
    assert store.delete(theirs, "bob")
    assert count(store, attachment_blobs) == 0 and count(store, message_attachments) == 0


def test_editing_a_prompt_forgets_its_files(store, files):
    photo, report = files
    cid = store.create_conversation("alice")
    store.add_user_message(cid, "alice", "first", attachments=[photo])
    second = store.add_user_message(cid, "alice", "second", attachments=[report])
    assert store.delete_from(cid, "alice", second) == 1
    assert count(store, attachment_blobs) == 1
    store.truncate_after(cid, "alice", 0)
    assert count(store, attachment_blobs) == 0 and count(store, message_attachments) == 0


def test_a_prompt_that_cannot_be_saved_leaves_no_file_behind(store, files):
    cid = store.create_conversation("alice")
    with pytest.raises(Exception, match="not found"):
        store.add_user_message(cid, "mallory", "mine now", attachments=list(files))  # not the owner
    assert count(store, attachment_blobs) == 0


def test_the_archive_saves_what_the_session_sends(store, files):
    photo, report = files
    archive = ChatArchive(store, Visitor(user_id=None, browser_key=new_browser_key()))
    conversation = Conversation()
    entry = conversation.add_user("Look", attachments=(photo, report))
    archive.save_prompt(conversation, entry, {"model": "m"})
    archive.save_answer(conversation, conversation.add_turn(complete_turn("Seen.")))
    reopened = archive.open(conversation.id)
    assert reopened is not None
    assert reopened.entries[0].attachments == (photo, report)
    assert reopened.history_messages() == conversation.history_messages()


def test_attached_files_count_against_the_visitors_room(store, files):
    photo, report = files
    archive = ChatArchive(store, Visitor(user_id=None, browser_key=new_browser_key()))
    conversation = Conversation()
    before = store.usage(archive.visitor.creator, conversation.id)[0].stored_chars
    archive.save_prompt(conversation, conversation.add_user("Look", attachments=(photo, report)), {})
    after = store.usage(archive.visitor.creator, conversation.id)[0].stored_chars
    assert after - before >= photo.size + report.size
