"""The tool loop: stream, run tools, send results back, repeat, bounded; every failure is data."""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Iterator, Sequence

from chatcore.cancel import CancelToken
from chatcore.events import Chunk, End, Event, ToolCall, ToolResult
from chatcore.loop import run_turn
from chatcore.mock.options import MockOptions
from chatcore.providers import make_provider
from chatcore.settings import GenerationSettings, ProviderConfig, Timeouts
from chatcore.tools import ToolContext, ToolRegistry, default_registry
from chatcore.turn import Turn

FAST_MOCK = MockOptions(ttft=0, chunk_delay=0)


def call(id: str, name: str, args: Any) -> ToolCall:
    text = args if isinstance(args, str) else json.dumps(args)
    parsed = args if isinstance(args, dict) else None
    return ToolCall(id=id, name=name, arguments=text, complete=True, parsed=parsed)


class ScriptedProvider:
    """A provider that plays one scripted list of events per model call and records requests."""

    def __init__(self, *steps: list[Event]) -> None:
        self.steps = list(steps)
        self.requests: list[dict[str, Any]] = []

    def stream(self, messages: Sequence[dict], *, tools=None, settings=None, cancel=None) -> Iterator[Event]:
        self.requests.append({"messages": [dict(m) for m in messages], "tools": tools})
        yield from self.steps.pop(0)


def registry_with(*fns, timeout: float | None = None) -> ToolRegistry:
    registry = ToolRegistry()
    for fn in fns:
        registry.register(fn, timeout=timeout)
    return registry


def echo(text: str) -> dict:
    """Echo text back.

    Args:
        text: what to echo
    """
    return {"echo": text}


def boom(text: str) -> dict:
    """Always fails."""
    raise RuntimeError("disk on fire")


def hang(context: ToolContext) -> str:
    """Waits until told to stop."""
    context.sleep(60)
    return "woke"


def results_of(events) -> list[ToolResult]:
    return [e for e in events if isinstance(e, ToolResult)]


def test_results_go_back_to_the_model_in_call_order_and_the_answer_follows():
    provider = ScriptedProvider(
        [Chunk("Checking. "), call("a", "echo", {"text": "x"}), call("b", "echo", {"text": "y"}), End("tool_calls")],
        [Chunk("Done."), End("stop")],
    )
    events = list(run_turn(provider, [{"role": "user", "content": "go"}], tools=registry_with(echo)))
    assert {r.id: r.result for r in results_of(events)} == {"a": {"echo": "x"}, "b": {"echo": "y"}}
    second = provider.requests[1]["messages"]
    assert second[0]["role"] == "system"
    assert second[-3] == {
        "role": "assistant",
        "content": "Checking. ",
        "tool_calls": [
            {"id": "a", "type": "function", "function": {"name": "echo", "arguments": '{"text": "x"}'}},
            {"id": "b", "type": "function", "function": {"name": "echo", "arguments": '{"text": "y"}'}},
        ],
    }
    assert [m["tool_call_id"] for m in second[-2:]] == ["a", "b"]
    assert json.loads(second[-2]["content"]) == {"echo": "x"}
    assert events[-1] == End("stop")


def test_failures_become_error_results_the_model_reads_and_the_turn_goes_on():
    provider = ScriptedProvider(
        [
            call("u", "launch_rockets", {}),
            call("j", "echo", '{"text": '),
            call("s", "echo", {"wrong": 1}),
            call("r", "boom", {"text": "x"}),
            End("tool_calls"),
        ],
        [Chunk("Sorry, the tools failed."), End("stop")],
    )
    events = list(run_turn(provider, [{"role": "user", "content": "go"}], tools=registry_with(echo, boom)))
    errors = {r.id: r.error for r in results_of(events)}
    assert "Unknown tool 'launch_rockets'" in errors["u"]
    assert "not valid JSON" in errors["j"]
    assert "Invalid arguments for echo" in errors["s"]
    assert "disk on fire" in errors["r"]
    sent_back = {m["tool_call_id"]: json.loads(m["content"]) for m in provider.requests[1]["messages"] if m["role"] == "tool"}
    assert all("error" in v for v in sent_back.values()) and len(sent_back) == 4
    assert events[-1] == End("stop")


def test_a_hanging_tool_times_out_and_the_answer_continues():
    provider = ScriptedProvider([call("h", "hang", {}), End("tool_calls")], [Chunk("It timed out."), End("stop")])
    start = time.perf_counter()
    events = list(run_turn(provider, [], tools=registry_with(hang), timeouts=Timeouts(tool=0.2)))
    assert time.perf_counter() - start < 2
    [result] = results_of(events)
    assert "Timed out" in result.error and events[-1] == End("stop")


def test_max_steps_bounds_the_loop_and_the_last_call_gets_no_tools():
    looping = [[call(f"c{i}", "echo", {"text": str(i)}), End("tool_calls")] for i in range(2)]
    provider = ScriptedProvider(*looping, [Chunk("Summary."), End("stop")])
    events = list(run_turn(provider, [], tools=registry_with(echo), settings=GenerationSettings(max_steps=2)))
    assert len(provider.requests) == 3
    assert provider.requests[0]["tools"] and provider.requests[1]["tools"] and provider.requests[2]["tools"] is None
    assert events[-1] == End("stop")


def test_max_steps_zero_means_no_tools_at_all():
    provider = ScriptedProvider([Chunk("Plain."), End("stop")])
    list(run_turn(provider, [], tools=registry_with(echo), settings=GenerationSettings(max_steps=0)))
    assert provider.requests[0]["tools"] is None


def test_only_the_selected_tools_are_offered():
    provider = ScriptedProvider([End("stop")])
    list(run_turn(provider, [], tools=registry_with(echo, boom), settings=GenerationSettings(tools=("echo",))))
    assert [t["function"]["name"] for t in provider.requests[0]["tools"]] == ["echo"]


def test_cancel_while_a_tool_runs_ends_the_turn_at_once_with_results_cancelled():
    provider = ScriptedProvider([Chunk("Working… "), call("h", "hang", {}), End("tool_calls")], [Chunk("never"), End("stop")])
    token = CancelToken()
    turn = Turn()
    events = []
    stream = run_turn(provider, [], tools=registry_with(hang), cancel=token)
    for event in stream:
        turn.apply(event)
        events.append(event)
        if isinstance(event, ToolCall):
            threading.Timer(0.1, token.cancel).start()
            cancelled_at = time.perf_counter() + 0.1
    assert time.perf_counter() - cancelled_at < 1.0  # the tool hangs for good: this is 'at once' on a loaded CI box
    assert events[-1] == End("cancelled") and len(provider.requests) == 1
    assert turn.status == "stopped" and turn.text == "Working… "
    assert turn.tool_calls["h"].state == "cancelled"


def test_whole_loop_through_the_mock_multi_step_scenario():
    provider = make_provider(ProviderConfig(), FAST_MOCK)
    turn = Turn()
    for event in run_turn(provider, [{"role": "user", "content": "How many days until New Year?"}], tools=default_registry()):
        turn.apply(event)
    names = [r.name for r in turn.tool_calls.values()]
    assert names == ["current_time", "days_between"]
    days = turn.tool_calls[list(turn.tool_calls)[1]].result["days"]
    assert str(days) in turn.text and turn.status == "complete"
    assert len({s.step for s in turn.segments}) == 3  # text, tool, text, tool, answer over three model calls


def test_closing_the_turn_generator_cancels_it():
    token = CancelToken()
    provider = make_provider(ProviderConfig(), MockOptions(ttft=0, chunk_delay=0.01))
    stream = run_turn(provider, [{"role": "user", "content": "write something long"}], cancel=token)
    next(stream)
    stream.close()
    assert token.cancelled
