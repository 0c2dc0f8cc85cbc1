"""Exports of a chat with versions: Markdown and the next request follow the path shown and
say so; JSON keeps every version with its parent and marks the path shown."""

from __future__ import annotations

import json

from chatcore.conversation import Conversation
from chatcore.events import Chunk, End
from chatcore.export import next_turn_request, path_note, to_json, to_markdown
from chatcore.settings import GenerationSettings, ProviderConfig
from chatcore.store.records import turn_to_record
from chatcore.turn import Turn


def answer(text: str) -> Turn:
    turn = Turn(model="m")
    turn.apply(Chunk(text))
    turn.apply(End("stop"))
    return turn


def branched() -> Conversation:
    """q1 → A1 | A2 | A3 (A2 shown), then q2 → B."""
    conv = Conversation(title="Branches")
    conv.add_user("q1")
    for text in ("A1", "A2", "A3"):
        conv.add_turn(answer(text))
        conv.branch_at(1)
    conv.add_turn(answer("A4"))
    assert conv.switch_version(1, 1)
    conv.add_user("q2")
    conv.add_turn(answer("B"))
    return conv


def test_markdown_says_which_versions_it_shows_and_leaves_the_others_out():
    md = to_markdown(branched())
    assert "path shown" in md and "message 2 is version 2 of 4" in md
    assert "## Assistant (m) · version 2 of 4" in md and "A2" in md
    for hidden in ("A1", "A3", "A4"):
        assert hidden not in md


def test_a_chat_without_versions_exports_as_before():
    conv = Conversation(title="Plain")
    conv.add_user("hi")
    conv.add_turn(answer("hello"))
    assert path_note(conv) is None and "version" not in to_markdown(conv)


def test_next_request_carries_the_path_shown_only():
    conv = branched()
    body = next_turn_request(conv, ProviderConfig(), GenerationSettings(system_prompt=""))
    assert [m.get("content") for m in body["messages"]] == ["q1", "A2", "q2", "B"]
    assert "version 2 of 4" in (path_note(conv) or "")


def words(record: dict) -> str:
    return record.get("content") or "".join(s["text"] for s in record["segments"])


def test_json_keeps_the_whole_tree_and_marks_the_path_shown():
    data = json.loads(to_json(branched(), turn_to_record))
    messages = {m["id"]: m for m in data["messages"]}
    text = {i: words(m) for i, m in messages.items()}
    assert sorted(t for t in text.values()) == ["A1", "A2", "A3", "A4", "B", "q1", "q2"]
    [q1] = [i for i, t in text.items() if t == "q1"]
    assert messages[q1]["parent_id"] is None
    assert sorted(text[i] for i, m in messages.items() if m["parent_id"] == q1) == ["A1", "A2", "A3", "A4"]
    assert [text[i] for i in data["shown_path"]] == ["q1", "A2", "q2", "B"]
    assert [m["shown"] for m in data["messages"] if text[m["id"]] in ("A1", "A3", "A4")] == [False] * 3
    assert [words(e) for e in data["entries"]] == ["q1", "A2", "q2", "B"]
