"""The runner runs calls concurrently and every outcome becomes a ToolResult."""

from __future__ import annotations

import json
import threading
import time
from datetime import date

from chatcore.cancel import CancelToken
from chatcore.events import ToolCall
from chatcore.tools import ToolContext, ToolError, ToolRegistry, default_registry, run_tool_calls


def make_call(name: str, args: dict | None = None, call_id: str | None = None, raw: str | None = None) -> ToolCall:
    arguments = raw if raw is not None else json.dumps(args or {})
    parsed = None if raw is not None else (args or {})
    return ToolCall(id=call_id or f"call_{name}", name=name, arguments=arguments, complete=True, parsed=parsed)


def test_registry() -> tuple[ToolRegistry, dict]:
    seen: dict = {"contexts": {}, "stopped": threading.Event()}
    registry = ToolRegistry()

    @registry.tool
    def nap(seconds: float, context: ToolContext) -> float:
        """Sleep cooperatively."""
        seen["contexts"][context.call_id] = context
        context.sleep(seconds)
        return seconds

    @registry.tool(timeout=0.2)
    def hang(context: ToolContext) -> str:
        """Block, ignoring nothing but cancel (like a stuck network read with a closer)."""
        seen["contexts"][context.call_id] = context
        context.cancel.wait()
        seen["stopped"].set()
        return "never reported"

    @registry.tool
    def stubborn() -> str:
        """Ignore cancellation completely."""
        time.sleep(5)
        return "late"

    @registry.tool
    def boom(message: str = "kaput") -> None:
        """Raise."""
        raise RuntimeError(message)

    @registry.tool
    def polite_failure() -> None:
        """Fail in words."""
        raise ToolError("The printer is on fire")

    @registry.tool
    def odd_result() -> object:
        """Return something JSON cannot hold."""
        return {"when": date(2025, 1, 2), "things": (1, 2), "obj": object()}

    @registry.tool
    def plain(x: int) -> dict:
        """Return JSON data."""
        return {"x": x}

    return registry, seen


test_registry.__test__ = False  # a helper, not a test


def run(registry, calls, cancel=None, **kwargs):
    return list(run_tool_calls(registry, calls, cancel or CancelToken(), **kwargs))


def test_calls_run_concurrently_and_report_in_completion_order():
    registry, _ = test_registry()
    calls = [make_call("nap", {"seconds": s}, f"c{i}") for i, s in enumerate([0.3, 0.1, 0.2])]
    started = time.perf_counter()
    results = run(registry, calls)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.8  # sequential would take 0.6 s plus overhead; concurrent ~0.3 s
    assert [r.id for r in results] == ["c1", "c2", "c0"]
    assert [r.result for r in results] == [0.1, 0.2, 0.3]
    assert all(r.ok and r.name == "nap" for r in results)
    assert 0.25 <= results[-1].duration < 0.8


def test_three_calls_of_0_3_s_take_well_under_0_9_s():
    registry, _ = test_registry()
    calls = [make_call("nap", {"seconds": 0.3}, f"c{i}") for i in range(3)]
    started = time.perf_counter()
    results = run(registry, calls)
    assert time.perf_counter() - started < 0.8
    assert sorted(r.id for r in results) == ["c0", "c1", "c2"]


def test_unknown_tool_lists_the_available_ones():
    registry = ToolRegistry()
    registry.register(lambda: 1, name="a")
    registry.register(lambda: 2, name="b")
    [result] = run(registry, [make_call("x", {}, "c1")])
    assert (result.id, result.name, result.result) == ("c1", "x", None)
    assert result.error == "Unknown tool 'x'. Available: a, b"


def test_arguments_that_are_not_json():
    registry, _ = test_registry()
    raw = '{"x": 1' + " " * 300
    [result] = run(registry, [make_call("plain", raw=raw)])
    assert result.error.startswith("The model sent arguments that are not valid JSON: {\"x\": 1")
    assert len(result.error) < 260  # the arguments are shortened to 200 characters


def test_empty_arguments_mean_no_arguments():
    registry = ToolRegistry()
    registry.register(lambda: "ok", name="noargs")
    [result] = run(registry, [make_call("noargs", raw="")])
    assert result.ok and result.result == "ok"


def test_schema_failure_is_reported_in_words():
    registry, _ = test_registry()
    results = run(registry, [make_call("plain", {}, "c1"), make_call("plain", {"x": "nope", "y": 1}, "c2")])
    errors = {r.id: r.error for r in results}
    assert errors["c1"] == "Invalid arguments for plain: 'x' is required"
    assert "'x': Input should be a valid integer" in errors["c2"]
    assert "unknown parameter 'y'" in errors["c2"]


def test_a_raising_tool_becomes_an_error_result():
    registry, _ = test_registry()
    calls = [make_call("boom", {"message": "disk full"}, "c1"), make_call("polite_failure", {}, "c2"), make_call("plain", {"x": 1}, "c3")]
    results = {r.id: r for r in run(registry, calls)}
    assert results["c1"].error == "RuntimeError: disk full"
    assert results["c2"].error == "The printer is on fire"
    assert results["c3"].ok and results["c3"].result == {"x": 1}


def test_results_are_always_json_serialisable():
    registry, _ = test_registry()
    [result] = run(registry, [make_call("odd_result")])
    assert result.ok and isinstance(result.result, str)  # the object() forces str()
    json.dumps(result.to_dict())
    registry.register(lambda: {"d": date(2025, 1, 2), "t": (1, 2)}, name="jsonish")
    [result] = run(registry, [make_call("jsonish")])
    assert result.result == {"d": "2025-01-02", "t": [1, 2]}


def test_a_hanging_tool_times_out_and_is_told_to_stop():
    registry, seen = test_registry()
    started = time.perf_counter()
    results = run(registry, [make_call("hang", {}, "h1"), make_call("nap", {"seconds": 0.05}, "n1")])
    elapsed = time.perf_counter() - started
    assert [r.id for r in results] == ["n1", "h1"]
    assert results[1].error == "Timed out after 0.2 s"
    assert 0.2 <= results[1].duration < 0.5
    assert elapsed < 0.6
    assert seen["contexts"]["h1"].cancelled
    assert seen["stopped"].wait(1)  # the cooperative tool did stop


def test_default_timeout_applies_to_tools_without_their_own():
    registry, _ = test_registry()
    started = time.perf_counter()
    [result] = run(registry, [make_call("stubborn")], default_timeout=0.15)
    assert result.error == "Timed out after 0.15 s"
    assert time.perf_counter() - started < 0.5  # the stuck thread is abandoned, not joined


def test_cancel_from_another_thread_returns_promptly_and_stops_tools():
    registry, seen = test_registry()
    cancel = CancelToken()
    calls = [make_call("nap", {"seconds": 0.01}, "fast"), make_call("hang", {}, "h1"),
             make_call("stubborn", {}, "s1"), make_call("nap", {"seconds": 10}, "n1")]
    registry = ToolRegistry(t if t.name != "hang" else _untimed(t) for t in registry)
    timer = threading.Timer(0.15, cancel.cancel)
    timer.start()
    started = time.perf_counter()
    results = run(registry, calls, cancel)
    elapsed = time.perf_counter() - started
    assert 0.1 <= elapsed < 0.5
    by_id = {r.id: r for r in results}
    assert len(results) == 4
    assert by_id["fast"].ok
    assert [by_id[i].error for i in ("h1", "s1", "n1")] == ["Cancelled"] * 3
    assert [r.id for r in results[1:]] == ["h1", "s1", "n1"]  # unfinished calls in call order
    assert seen["contexts"]["h1"].cancelled and seen["contexts"]["n1"].cancelled
    assert seen["stopped"].wait(1)
    assert not cancel._closers  # every on_cancel callback was unregistered


def _untimed(tool):
    from dataclasses import replace

    return replace(tool, timeout=None)


def test_already_cancelled_runs_nothing():
    registry, seen = test_registry()
    cancel = CancelToken()
    cancel.cancel()
    results = run(registry, [make_call("nap", {"seconds": 5}, "a"), make_call("unknown", {}, "b")], cancel)
    assert [(r.id, r.error) for r in results] == [("a", "Cancelled"), ("b", "Cancelled")]
    assert seen["contexts"] == {}


def test_callbacks_are_unregistered_after_a_normal_run():
    registry, _ = test_registry()
    cancel = CancelToken()
    run(registry, [make_call("plain", {"x": 1}), make_call("nap", {"seconds": 0.01}, "n")], cancel)
    assert not cancel._closers


def test_stopping_iteration_early_tells_running_tools_to_stop():
    registry, seen = test_registry()
    cancel = CancelToken()
    results = run_tool_calls(registry, [make_call("nap", {"seconds": 0.01}, "a"), make_call("nap", {"seconds": 10}, "b")], cancel)
    assert next(results).id == "a"
    results.close()
    assert seen["contexts"]["b"].cancelled
    assert not cancel._closers


def test_duplicate_call_ids_still_get_one_result_each():
    registry, _ = test_registry()
    results = run(registry, [make_call("plain", {"x": 1}, "same"), make_call("plain", {"x": 2}, "same")])
    assert sorted(r.result["x"] for r in results) == [1, 2]


def test_builtin_multi_step_demo_runs_through_the_runner():
    registry = default_registry()
    [now] = run(registry, [make_call("current_time", {"timezone": "UTC"})])
    year = int(now.result["date"][:4])
    [days] = run(registry, [make_call("days_between", {"start_date": now.result["date"], "end_date": f"{year + 1}-01-01"})])
    assert days.ok and 1 <= days.result["days"] <= 366
