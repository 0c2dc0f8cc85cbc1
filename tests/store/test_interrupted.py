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


# ---------------------------------------------------------------- several replicas on one database
def test_another_replicas_answer_is_dead_after_its_heartbeat_stops_for_3_s(make_store, clock):
    a = make_store(clock=clock, writer="replica-a")  # streams the answer, then is kill -9ed
    b = make_store(clock=clock, writer="replica-b")  # the replica the visitor lands on next
    cid, message_id, _ = start_then_die(a, clock)
    clock.advance(2.5)
    assert b.load(cid, "me").entries[1].status == "streaming"  # a heartbeat 2.5 s old: maybe only slow
    clock.advance(1.0)
    answer = b.load(cid, "me").entries[1]
    assert answer.status == "interrupted" and answer.text == "Half an ans"  # not after the 15 s stale delay
    assert column(b, messages, "status", id=message_id) == "interrupted"


def test_a_replica_trusts_its_own_answers_for_the_whole_stale_delay(make_store, clock):
    a = make_store(clock=clock, writer="replica-a")
    cid, _, _ = start_then_die(a, clock)
    clock.advance(5)  # a long database hiccup on a live replica: its own reader does not call it dead
    assert a.load(cid, "me").entries[1].status == "streaming"


def test_two_replicas_never_both_write_one_answer(make_store, clock):
    a = make_store(clock=clock, writer="replica-a")
    b = make_store(clock=clock, writer="replica-b")
    cid, message_id, turn = start_then_die(a, clock)
    intruder = feed(Turn(model="m"), [Chunk("written by the wrong replica")])
    assert b.checkpoint(message_id, intruder) is False and b.finish(message_id, intruder) is False
    assert b.reopen(message_id, intruder) is False  # a streams it: b may not take it over
    assert column(a, messages, "content", id=message_id) == "Half an ans"
    # a died; b shows it interrupted, and the visitor presses Continue on b: b becomes the writer
    clock.advance(4)
    resumed = b.load(cid, "me").entries[1]
    resumed.resume()
    resumed.apply(Chunk("wer, continued on b"))
    assert b.reopen(message_id, resumed) is True
    assert column(b, messages, "writer", id=message_id) == "replica-b"
    # a comes back from a long pause (it was not dead after all): its late saves are refused
    assert a.checkpoint(message_id, turn) is False and a.finish(message_id, feed(turn, [End("stop")])) is False
    assert b.finish(message_id, feed(resumed, [End("stop")])) is True
    final = b.load(cid, "me").entries[1]
    assert final.status == "complete" and final.text == "Half an answer, continued on b"


def test_stale_after_overrides_the_heartbeat_when_it_is_shorter(make_store, clock):
    a = make_store(clock=clock, writer="replica-a")
    b = make_store(clock=clock, writer="replica-b", stale_after=1.0)
    cid, _, _ = start_then_die(a, clock)
    clock.advance(1.5)
    assert b.load(cid, "me").entries[1].status == "interrupted"
