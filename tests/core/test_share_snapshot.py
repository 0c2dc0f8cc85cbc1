"""What a share snapshot keeps: shown prompts and finished, saved answers; attachments by
reference (never their bytes); no ids."""

from __future__ import annotations

import json

from chatcore.attachments import Attachment
from chatcore.conversation import Conversation, UserEntry
from chatcore.events import Chunk, End
from chatcore.share import chat_from_snapshot, snapshot_of
from chatcore.turn import Turn


def answered(text: str, message_id: int) -> Turn:
    turn = Turn(model="m")
    turn.apply(Chunk(text))
    turn.apply(End("stop"))
    turn.message_id = message_id
    return turn


def test_attachments_are_kept_by_reference_and_the_copy_renders_them_as_such():
    picture = Attachment(kind="image", name="<b>cat</b>.png", mime="image/png", data=b"\x89PNG" + b"\0" * 5000)
    conversation = Conversation(id="C" * 24, title="cats", entries=[
        UserEntry("look", message_id=1, attachments=(picture,)),
        answered("a cat", 2),
    ])
    snapshot = snapshot_of(conversation)
    text = json.dumps(snapshot)
    assert "PNG" not in text and "C" * 24 not in text and '"message_id"' not in text
    [ref] = snapshot["entries"][0]["attachments"]
    assert ref == {"kind": "image", "name": "<b>cat</b>.png", "mime": "image/png", "size": 5004, "sha256": picture.sha256}
    chat = chat_from_snapshot("cats", 0.0, json.loads(text))
    assert chat.attachments == {0: [ref]} and chat.entries[1].text == "a cat"


def test_hidden_prompts_unsaved_entries_and_unfinished_answers_are_left_out():
    streaming = Turn(model="m")
    streaming.apply(Chunk("half"))
    streaming.message_id = 5
    conversation = Conversation(entries=[
        UserEntry("shown", message_id=1), answered("done", 2),
        UserEntry("continue", hidden=True, message_id=3),
        UserEntry("never saved"), answered("also unsaved", None),  # type: ignore[arg-type]
        UserEntry("last", message_id=4), streaming,
    ])
    kept = snapshot_of(conversation)["entries"]
    assert [(e["role"], e.get("content") or e["record"]["segments"][0]["text"]) for e in kept] == [
        ("user", "shown"), ("assistant", "done"), ("user", "last")]


def test_the_settings_an_answer_was_made_with_stay_out_of_the_snapshot():
    turn = answered("a cat", 2)
    turn.settings = {"model": "m", "system_prompt": "Secret house rules", "temperature": 0.1}
    conversation = Conversation(id="c", title="t")
    conversation.entries = [UserEntry("look", message_id=1), turn]
    snapshot = snapshot_of(conversation)
    assert "Secret house rules" not in str(snapshot)
    assert chat_from_snapshot("t", 0.0, snapshot).entries[1].text == "a cat"
