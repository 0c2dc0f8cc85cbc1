"""Saving an answer as it streams, and loading the chat back exactly as it was shown."""

from __future__ import annotations

from sqlalchemy import func, select

from chatcore.conversation import Conversation, UserEntry
from chatcore.events import Chunk, End, ToolCall, ToolResult
from chatcore.store import ChatStore
from chatcore.store.schema import messages, tool_calls
from chatcore.turn import Turn

from .turns import RICH_EVENTS, complete_turn, feed, rendered, rich_turn


def save_streamed(store: ChatStore, cid: str, owner: str, turn_events, *, model: str = "m") -> tuple[int, Turn]:
    """What the chat page does: start, checkpoint after every event, finish."""
    turn = Turn(model=model)
    message_id = store.start_assistant(cid, owner, turn)
    for event in turn_events:
        turn.apply(event)
        store.checkpoint(message_id, turn)
    return message_id, turn


def count(store: ChatStore, table, **where) -> int:
    query = select(func.count()).select_from(table)
    for name, value in where.items():
        query = query.where(table.c[name] == value)
    with store.engine.connect() as conn:
        return conn.execute(query).scalar_one()


def test_a_rich_turn_saved_as_it_streamed_loads_back_rendering_the_same(store):
    cid = store.create_conversation("alice", model="gpt-test")
    store.add_user_message(cid, "alice", "What is 2*21, and the time on Mars?")
    message_id, turn = save_streamed(store, cid, "alice", RICH_EVENTS, model="gpt-test")
    turn.finish("stopped", "cancelled", "Stopped.")
    assert store.finish(message_id, turn)

    loaded = store.load(cid, "alice")
    assert isinstance(loaded, Conversation) and loaded.id == cid
    assert loaded.title == "What is 2*21, and the time on Mars?"
    user, answer = loaded.entries
    assert isinstance(user, UserEntry) and user.content == "What is 2*21, and the time on Mars?"
    assert rendered(answer) == rendered(rich_turn()) | {
        "started_at": turn.started_at,
        "first_token_s": turn.first_token_s,
        "total_s": turn.total_s,
        "tokens_per_second": turn.tokens_per_second,
    }
    assert rendered(answer) == rendered(turn)
    assert loaded.history_messages() == Conversation(entries=[UserEntry(user.content), turn]).history_messages()


def test_tool_calls_have_their_own_rows_matching_the_record(store):
    cid = store.create_conversation("alice")
    message_id, turn = save_streamed(store, cid, "alice", RICH_EVENTS)
    turn.finish("stopped", "cancelled")
    store.finish(message_id, turn)
    with store.engine.connect() as conn:
        rows = conn.execute(select(tool_calls).where(tool_calls.c.message_id == message_id).order_by(tool_calls.c.position)).all()
        row = conn.execute(select(messages).where(messages.c.id == message_id)).one()
    assert [(r.call_id, r.name, r.state) for r in rows] == [
        ("call_a", "calculator", "complete"),
        ("call_b", "current_time", "error"),
        ("call_c", "calculator", "cancelled"),
    ]
    assert rows[0].result == {"result": 42, "steps": [1.5, None, True, "x"]} and rows[0].duration == 0.0123
    assert rows[1].error == "Unknown time zone: 'Mars/Olympus'" and rows[1].arguments == '{"tz": "Mars/Olympus"}'
    assert row.status == "stopped" and row.content == turn.text and row.reasoning == turn.reasoning
    assert row.usage == {"prompt_tokens": 120, "completion_tokens": 37, "total_tokens": 157}
    assert row.timings == {"started_at": turn.started_at, "first_token_s": turn.first_token_s, "total_s": turn.total_s}


def test_each_checkpoint_overwrites_the_answer_so_far(store):
    cid = store.create_conversation("alice")
    turn = Turn(model="m")
    message_id = store.start_assistant(cid, "alice", turn)
    assert store.load(cid, "alice").entries[0].status == "streaming"
    for piece in ("one ", "two ", "three"):
        turn.apply(Chunk(piece))
        store.checkpoint(message_id, turn)
        assert store.load(cid, "alice").entries[0].text == turn.text
    turn.apply(ToolCall(id="t", name="calc", arguments="{}", complete=True, parsed={}))
    store.checkpoint(message_id, turn)
    turn.apply(ToolResult(id="t", name="calc", result=1))
    store.checkpoint(message_id, turn)
    assert count(store, tool_calls, message_id=message_id) == 1
    assert store.load(cid, "alice").entries[0].tool_calls["t"].result == 1


def test_a_late_checkpoint_never_reopens_a_finished_answer(store):
    cid = store.create_conversation("alice")
    turn = Turn()
    message_id = store.start_assistant(cid, "alice", turn)
    snapshot_while_streaming = feed(Turn(), [Chunk("partial")])
    feed(turn, [Chunk("partial answer"), End("stop")])
    assert store.finish(message_id, turn)
    assert store.checkpoint(message_id, snapshot_while_streaming) is False
    answer = store.load(cid, "alice").entries[0]
    assert (answer.status, answer.text) == ("complete", "partial answer")


def test_entries_keep_their_order_when_the_clock_stands_still_or_goes_back(make_store, clock):
    store = make_store(clock=clock)
    cid = store.create_conversation("alice")
    expected = []
    for i in range(30):
        if i % 2 == 0:
            store.add_user_message(cid, "alice", f"prompt {i}")
            expected.append(f"prompt {i}")
        else:
            turn = complete_turn(f"answer {i}")
            store.finish(store.start_assistant(cid, "alice", turn), turn)
            expected.append(f"answer {i}")
        if i == 20:
            clock.advance(-3600)  # an NTP step backwards
    got = [e.content if isinstance(e, UserEntry) else e.text for e in store.load(cid, "alice").entries]
    assert got == expected


def test_edit_and_resend_drops_the_entries_from_that_index_on(store):
    cid = store.create_conversation("alice")
    for i in range(3):
        store.add_user_message(cid, "alice", f"q{i}")
        turn = complete_turn(f"a{i}")
        store.finish(store.start_assistant(cid, "alice", turn), turn)
    assert store.truncate_after(cid, "alice", 2) == 4  # q1 edited: q1 a1 q2 a2 go
    store.add_user_message(cid, "alice", "q1 edited")
    entries = store.load(cid, "alice").entries
    assert [getattr(e, "content", None) or e.text for e in entries] == ["q0", "a0", "q1 edited"]
    assert store.truncate_after(cid, "alice", 99) == 0
    assert count(store, messages, conversation_id=cid) == 3


def test_regenerate_drops_only_a_last_answer_and_ids_are_never_reused(store):
    cid = store.create_conversation("alice")
    store.add_user_message(cid, "alice", "q")
    turn = complete_turn("first try")
    old_id = store.start_assistant(cid, "alice", turn)
    store.finish(old_id, turn)
    assert store.delete_last_assistant(cid, "alice") is True
    assert store.delete_last_assistant(cid, "alice") is False  # the last entry is the prompt now
    new_turn = Turn()
    new_id = store.start_assistant(cid, "alice", new_turn)
    assert new_id != old_id
    assert store.checkpoint(old_id, complete_turn("stale stream")) is False  # the old stream cannot write into the new answer
    assert store.finish(old_id, complete_turn("stale stream")) is False
    entries = store.load(cid, "alice").entries
    assert len(entries) == 2 and entries[1].status == "streaming" and entries[1].text == ""


def test_the_first_prompt_names_an_untitled_conversation(store):
    cid = store.create_conversation("alice")
    store.add_user_message(cid, "alice", "  How do   I\nbake bread?  ")
    store.add_user_message(cid, "alice", "second prompt")
    assert store.load(cid, "alice").title == "How do I bake bread?"
    named = store.create_conversation("alice", title="Mine")
    store.add_user_message(named, "alice", "hello")
    assert store.load(named, "alice").title == "Mine"


def test_create_conversation_with_a_given_id_is_idempotent_for_its_owner(store):
    cid = store.create_conversation("alice", conversation_id="fixed-id-123", title="t")
    assert store.create_conversation("alice", conversation_id=cid) == cid
    assert store.load(cid, "alice").title == "t"


def test_delete_removes_messages_and_tool_calls(store):
    cid = store.create_conversation("alice")
    store.add_user_message(cid, "alice", "q")
    message_id, turn = save_streamed(store, cid, "alice", RICH_EVENTS)
    store.finish(message_id, turn)
    other = store.create_conversation("alice")
    store.add_user_message(other, "alice", "kept")
    assert store.delete(cid, "alice") is True
    assert store.load(cid, "alice") is None
    assert count(store, messages, conversation_id=cid) == 0 and count(store, tool_calls) == 0
    assert count(store, messages) == 1
    assert store.delete(cid, "alice") is False


def test_unusual_text_is_stored_and_found(store):
    cid = store.create_conversation("alice")
    text = "nul\x00byte, emoji 🙂, RTL עברית, quote ' \" ; DROP TABLE messages; --"
    store.add_user_message(cid, "alice", text)
    turn = feed(Turn(), [Chunk("half a pair \ud83d"), Chunk("\ude00 joined"), End("stop")])
    store.finish(store.start_assistant(cid, "alice", turn), turn)
    user, answer = store.load(cid, "alice").entries
    assert user.content == text.replace("\x00", "\ufffd")
    assert answer.text == "half a pair 😀 joined"  # a pair split across chunks comes back whole
    assert [s.id for s in store.list_conversations("alice", search="DROP TABLE")] == [cid]
    assert [s.id for s in store.list_conversations("alice", search="😀 joined")] == [cid]  # the searchable copy is valid UTF-8
