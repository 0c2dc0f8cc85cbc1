"""A turn becomes a plain JSON record and comes back rendering exactly the same."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from chatcore.events import Chunk, End, Error, Reasoning, ToolCall, ToolResult, Usage
from chatcore.store.records import dumps, loads, mark_interrupted, turn_from_record, turn_to_record
from chatcore.turn import Turn

from .turns import RICH_EVENTS, complete_turn, feed, rendered, rich_turn


def through_json(turn: Turn) -> Turn:
    return turn_from_record(loads(dumps(turn_to_record(turn))))


def test_a_rich_turn_survives_json_and_renders_the_same():
    turn = rich_turn()
    record = turn_to_record(turn)
    assert json.loads(json.dumps(record)) == record  # plain JSON values only
    again = through_json(turn)
    assert rendered(again) == rendered(turn)
    assert turn_to_record(again) == record


def test_the_record_keeps_every_field_the_ui_reads():
    record = turn_to_record(rich_turn())
    assert [s["kind"] for s in record["segments"]] == ["reasoning", "text", "tool", "tool", "text", "reasoning", "tool"]
    a, b, c = record["tool_calls"]
    assert (a["state"], a["result"]["result"], a["step"], a["duration"]) == ("complete", 42, 0, 0.0123)
    assert (b["state"], b["error"]) == ("error", "Unknown time zone: 'Mars/Olympus'")
    assert (c["state"], c["complete"], c["arguments"]) == ("cancelled", False, '{"expression": "1/')
    assert record["usage"] == {"prompt_tokens": 120, "completion_tokens": 37, "total_tokens": 157}
    assert record["error"]["kind"] == "connection" and record["error"]["request_id"] == "req_123"
    assert record["notices"] == ["Rate limited, retrying in 1 s"]
    assert (record["status"], record["finish_reason"], record["end_message"]) == ("stopped", "cancelled", "Stopped.")
    assert record["first_token_s"] is not None and record["total_s"] >= record["first_token_s"]
    assert record["model"] == "gpt-test" and record["chunk_count"] == 3


def test_an_empty_and_a_streaming_turn_round_trip():
    for turn in (Turn(), feed(Turn(model="m"), RICH_EVENTS[:9])):
        assert rendered(through_json(turn)) == rendered(turn)


def test_a_rebuilt_turn_goes_on_exactly_like_the_original():
    """The stream state (step counter, 'after tools') comes back too: later events land alike."""
    first, rest = RICH_EVENTS[:10], [Chunk("after the tools"), ToolCall(id="d", name="x"), End("stop")]
    original = feed(Turn(model="m"), first)
    rebuilt = through_json(original)
    feed(original, rest)
    feed(rebuilt, rest)
    a, b = turn_to_record(original), turn_to_record(rebuilt)
    assert abs(a.pop("total_s") - b.pop("total_s")) < 5  # measured by each from its own clock
    assert a == b
    assert rebuilt.segments[-2].step == 1


def test_recording_does_not_join_text_in_place():
    """A checkpoint reads while the stream thread appends: it must not rewrite the pieces list."""
    turn = feed(Turn(), [Chunk("a"), Chunk("b"), Chunk("c")])
    pieces = turn.segments[0].pieces
    turn_to_record(turn)
    assert pieces == ["a", "b", "c"]


def test_interrupted_closes_open_tools_and_leaves_total_unknown():
    turn = feed(Turn(), RICH_EVENTS[:9])
    mark_interrupted(turn)
    assert turn.status == "interrupted" and turn.total_s is None
    assert {r.state for r in turn.tool_calls.values()} == {"cancelled"}
    assert turn.to_openai_messages()[-1]["role"] == "tool"  # history stays valid for strict servers
    done = complete_turn()
    assert mark_interrupted(done).status == "complete"  # a finished turn is left alone


def test_odd_tool_results_are_stored_readably_not_crashing():
    turn = feed(Turn(), [ToolCall(id="t", name="n", complete=True, parsed={}), ToolResult(id="t", name="n", result={"x": float("nan"), "s": {1}})])
    text = dumps(turn_to_record(turn))
    assert "NaN" not in text  # PostgreSQL's json would refuse it; a string is kept instead
    assert loads(text)["tool_calls"][0]["result"] == {"x": "nan", "s": [1]}


_text = st.text(max_size=8)
_events = st.lists(
    st.one_of(
        st.builds(Chunk, _text),
        st.builds(Reasoning, _text),
        st.builds(
            ToolCall,
            id=st.sampled_from(["a", "b", "c"]),
            name=st.sampled_from(["calc", "time"]),
            arguments=_text,
            complete=st.booleans(),
            parsed=st.one_of(st.none(), st.dictionaries(_text, st.integers(), max_size=2)),
        ),
        st.builds(
            ToolResult,
            id=st.sampled_from(["a", "b", "c"]),
            name=st.just("calc"),
            result=st.one_of(st.none(), st.integers(), _text),
            error=st.one_of(st.none(), _text),
            duration=st.floats(0, 10),
        ),
        st.builds(Usage, st.integers(0, 99), st.integers(0, 99), st.integers(0, 99)),
        st.builds(Error, kind=st.just("server"), message=_text, retry_in=st.one_of(st.none(), st.just(1.0))),
        st.builds(End, st.sampled_from(["stop", "cancelled", "error", "incomplete", "length"]), _text),
    ),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(_events)
def test_any_event_sequence_round_trips(events):
    turn = feed(Turn(model="m"), events)
    record = turn_to_record(turn)
    again = through_json(turn)
    assert turn_to_record(again) == record
    assert rendered(again) == rendered(turn)
