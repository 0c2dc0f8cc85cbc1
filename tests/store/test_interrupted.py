"""An answer still 'streaming' long after its last checkpoint was cut off by a server restart."""

from __future__ import annotations

from sqlalchemy import select

from chatcore.events import Chunk, End, ToolCall
from chatcore.store.schema import messages, tool_calls
from chatcore.turn import Turn

from .turns import feed, rendered


def column(store, table, name, **where):
    query = select(table.c[name])
    for key, value in where.items():
        query = query.where(table.c[key] == value)
    with store.engine.connect() as conn:
        return conn.execute(query).scalar_one()


def start_then_die(store, clock):
    """A server saved an answer mid-stream (a tool call running), then died."""
    cid = store.create_conversation("me")
    store.add_user_message(cid, "me", "q")
    turn = feed(Turn(model="m"), [Chunk("Half an ans"), ToolCall(id="t1", name="calc", arguments="{}", complete=True, parsed={})])
    message_id = store.start_assistant(cid, "me", turn)
    store.checkpoint(message_id, turn)
    return cid, message_id, turn


def test_a_fresh_streaming_answer_stays_streaming(make_store, clock):
    store = make_store(clock=clock)
    cid, message_id, turn = start_then_die(store, clock)
    clock.advance(14)
    answer = store.load(cid, "me").entries[1]
    assert answer.status == "streaming" and answer.text == "Half an ans"
    assert column(store, messages, "status", id=message_id) == "streaming"


def test_a_stale_streaming_answer_loads_and_is_saved_as_interrupted(make_store, clock):
    store = make_store(clock=clock)
    cid, message_id, turn = start_then_die(store, clock)
    clock.advance(16)
    answer = store.load(cid, "me").entries[1]
    assert answer.status == "interrupted" and answer.is_finished
    assert answer.text == "Half an ans"  # kept as far as it got
    assert answer.tool_calls["t1"].state == "cancelled" and answer.total_s is None
    # saved: the status column, the record and the tool call row agree, for every later reader
    assert column(store, messages, "status", id=message_id) == "interrupted"
    assert column(store, messages, "record", id=message_id)["status"] == "interrupted"
    assert column(store, tool_calls, "state", message_id=message_id) == "cancelled"
    again = store.load(cid, None).entries[1]
    assert rendered(again) == rendered(answer)


def test_stale_after_is_configurable(make_store, clock):
    store = make_store(clock=clock, stale_after=60)
    cid, _, _ = start_then_die(store, clock)
    clock.advance(30)
    assert store.load(cid, "me").entries[1].status == "streaming"
    assert store.load(cid, "me", stale_after=5).entries[1].status == "interrupted"


def test_the_writer_that_was_only_slow_still_finishes_its_answer(make_store, clock):
    store = make_store(clock=clock)
    cid, message_id, turn = start_then_die(store, clock)
    clock.advance(20)
    assert store.load(cid, "me").entries[1].status == "interrupted"
    turn.apply(Chunk("wer."))
    assert store.checkpoint(message_id, turn) is True  # alive after all: it takes the answer back
    turn.apply(End("stop"))
    assert store.finish(message_id, turn) is True
    answer = store.load(cid, "me").entries[1]
    assert (answer.status, answer.text) == ("complete", "Half an answer.")
