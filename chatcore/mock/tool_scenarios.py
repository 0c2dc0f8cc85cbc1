"""Scenarios that use tools: ask for the call, then answer from what came back.

Each behaviour looks at the conversation: with no tool results yet it emits the call
(arguments taken from the prompt); once results arrive it writes the answer from them,
numbers included, and says so honestly when a tool failed. A tool the client did not
offer is never called; the answer explains it is not enabled instead.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, Iterable

from .conversation import Conversation, ToolOutcome
from .prompt_parsing import find_cities, find_conversion, find_date, find_expression, target_date
from .turn import PlannedCall, Turn

_RESULT_KEYS = ("result", "value", "answer", "output", "converted", "days")
_TIME_KEYS = ("local_time", "time", "datetime", "iso", "current_time", "now", "date")


def fmt(value: Any) -> str:
    """A tool value as the answer shows it: integral floats without ``.0``, long floats rounded."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(round(value, 6))
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def result_value(value: Any, keys: Iterable[str] = _RESULT_KEYS) -> Any:
    """The interesting part of a tool result: a known key, a lone key, or the value itself."""
    if isinstance(value, dict):
        for key in keys:
            if key in value:
                return value[key]
        if len(value) == 1:
            return next(iter(value.values()))
    return value


def first_number(value: Any) -> float | int | None:
    picked = result_value(value)
    if isinstance(picked, (int, float)) and not isinstance(picked, bool):
        return picked
    match = re.search(r"-?\d+(?:\.\d+)?", picked if isinstance(picked, str) else json.dumps(picked))
    if not match:
        return None
    number = float(match.group(0))
    return int(number) if number.is_integer() else number


def not_enabled(*names: str) -> Turn:
    tools = " and ".join(f"`{n}`" for n in names)
    what, it = ("tool", "it isn't") if len(names) == 1 else ("tools", "they aren't")
    return Turn(
        content=f"I'd use the {tools} {what} for this, but {it} enabled in this chat, so I can't run "
        f"{'it' if len(names) == 1 else 'them'}. Enable the {what} in the settings and ask again."
    )


def missing_tools(conv: Conversation, *names: str) -> Turn | None:
    missing = [n for n in names if not conv.offers(n)]
    return not_enabled(*missing) if missing else None


def failed(outcome: ToolOutcome, doing: str) -> Turn:
    return Turn(
        content=f"I tried to {doing} with the `{outcome.name}` tool, but it failed: **{outcome.error}**\n\n"
        "I don't want to guess a result, so I'll stop here. You can retry, or check the tool's settings."
    )


def summarize_results(results: tuple[ToolOutcome, ...]) -> Turn:
    """The fallback follow-up: report every result (or error) as it came back."""
    lines = []
    for outcome in results:
        if outcome.error:
            lines.append(f"- `{outcome.name}` failed: **{outcome.error}**")
        else:
            lines.append(f"- `{outcome.name}` returned: {fmt(result_value(outcome.value))}")
    errors = sum(1 for o in results if o.error)
    note = f"\n\n{errors} of {len(results)} tool calls failed, so the answer above is incomplete." if errors else ""
    return Turn(content="Here's what the tools returned:\n\n" + "\n".join(lines) + note)


def calculator(conv: Conversation) -> Turn:
    if conv.results:
        outcome = conv.results[0]
        expression = outcome.arguments.get("expression", "the expression")
        if outcome.error:
            return failed(outcome, f"evaluate `{expression}`")
        value = fmt(result_value(outcome.value))
        return Turn(content=f"**{expression} = {value}**\n\nI evaluated `{expression}` with the calculator tool, "
                    f"which returned {value}.")
    expression = find_expression(conv.prompt)
    if expression is None:
        return Turn(content="Happy to calculate something. Give me an arithmetic expression, for example "
                    "`23*17+4` or `(3 + 4) * 2`.")
    return missing_tools(conv, "calculator") or Turn(tool_calls=(PlannedCall.of("calculator", expression=expression),))


def parallel_times(conv: Conversation) -> Turn:
    cities = find_cities(conv.prompt)
    if conv.results:
        labels = {zone: city for city, zone in cities}
        rows, errors = [], 0
        for outcome in conv.results:
            zone = str(outcome.arguments.get("timezone", "?"))
            if outcome.error:
                errors += 1
                cell = f"failed: {outcome.error}"
            else:
                cell = fmt(result_value(outcome.value, _TIME_KEYS))
            rows.append(f"| {labels.get(zone, zone)} | {zone} | {cell} |")
        table = "| City | Timezone | Local time |\n|---|---|---|\n" + "\n".join(rows)
        note = (f"\n\n{errors} lookup(s) failed; those rows show the error instead of a time." if errors
                else "\n\nAll times come straight from the `current_time` tool.")
        return Turn(content=f"Here are the current times I looked up in parallel:\n\n{table}{note}")
    calls = tuple(PlannedCall.of("current_time", timezone=zone) for _, zone in cities)
    return missing_tools(conv, "current_time") or Turn(tool_calls=calls)


def _days_answer(conv: Conversation, outcome: ToolOutcome) -> Turn:
    if outcome.error:
        return failed(outcome, "count the days")
    days = first_number(outcome.value)
    start, end = outcome.arguments.get("start_date", "today"), outcome.arguments.get("end_date", "the target date")
    if days is None:
        return Turn(content=f"The `days_between` tool answered `{outcome.content[:200]}`, which has no number "
                    "of days I can read, so I can't give you a reliable count.")
    label = target_date(conv.prompt, find_date(str(start)) or dt.date.today())[1]
    return Turn(content=(
        f"There are **{fmt(days)} days** until {label if str(end) in label else f'{label} ({end})'}.\n\n"
        f"How I worked it out:\n\n1. `current_time` told me today is **{start}** (UTC).\n"
        f"2. `days_between` counted from {start} to {end}: **{fmt(days)}** days."
    ))


def multistep_days(conv: Conversation) -> Turn:
    missing = missing_tools(conv, "current_time", "days_between")
    if conv.results and conv.results[0].name == "days_between":
        return _days_answer(conv, conv.results[0])
    if conv.results and conv.results[0].name == "current_time":
        outcome = conv.results[0]
        if outcome.error:
            return failed(outcome, "find today's date")
        today = find_date(outcome.content)
        if today is None:
            return Turn(content=f"The `current_time` tool answered `{outcome.content[:200]}`, but I couldn't find "
                        "a date in it, so I can't count the days.")
        if missing:
            return missing
        end, label = target_date(conv.prompt, today)
        call = PlannedCall.of("days_between", start_date=today.isoformat(), end_date=end.isoformat())
        return Turn(content=f"Today is {today.isoformat()} (UTC). Now I'll count the days until {label}.\n\n",
                    tool_calls=(call,))
    if conv.results:
        return summarize_results(conv.results)
    return missing or Turn(content="First I'll check today's date in UTC, then count the days.\n\n",
                           tool_calls=(PlannedCall.of("current_time", timezone="UTC"),))


def convert(conv: Conversation) -> Turn:
    if conv.results:
        outcome = conv.results[0]
        args = outcome.arguments
        what = f"{fmt(args.get('value', '?'))} {args.get('from_unit', '')}".strip()
        if outcome.error:
            return failed(outcome, f"convert {what} to {args.get('to_unit', 'the target unit')}")
        converted = fmt(result_value(outcome.value))
        to_unit = args.get("to_unit", "")
        return Turn(content=f"{what} is **{converted} {to_unit}**.\n\n(Converted with the `convert_units` tool.)")
    parsed = find_conversion(conv.prompt)
    if parsed is None:
        return Turn(content="Tell me what to convert, for example: *convert 10 km to miles* or "
                    "*convert 100 fahrenheit to celsius*.")
    value, from_unit, to_unit = parsed
    call = PlannedCall.of("convert_units", value=value, from_unit=from_unit, to_unit=to_unit)
    return missing_tools(conv, "convert_units") or Turn(tool_calls=(call,))


def slow_task(conv: Conversation) -> Turn:
    if conv.results:
        outcome = conv.results[0]
        if outcome.error:
            return failed(outcome, "run the slow task")
        return Turn(content=f"The slow task finished. It reported: {fmt(result_value(outcome.value))}")
    match = re.search(r"(\d+(?:\.\d+)?)\s*(?:s\b|sec|second)", conv.prompt, re.I)
    seconds = float(match.group(1)) if match else 3.0
    call = PlannedCall.of("slow_task", seconds=int(seconds) if seconds.is_integer() else seconds)
    return missing_tools(conv, "slow_task") or Turn(tool_calls=(call,))


# "Call <tool> with key=value …" (or the tool's name ending the prompt): a prompt that only
# mentions a tool in passing ("call current_time once per city") keeps its keyword scenario.
_NAMED_RE = re.compile(r"\b(?:use|call|run|try)\s+(?:the\s+)?`?([A-Za-z0-9_-]+)`?(?=\s+with\b|\s*[.!?]?\s*$)", re.I)
_ARG_RE = re.compile(r"""([A-Za-z_][A-Za-z0-9_]*)\s*=\s*("[^"]*"|'[^']*'|[^\s,]+)""")


def named_tool(conv: Conversation) -> str | None:
    """The offered tool a prompt asks for by name ("Call get_current_time with timezone=Asia/Tokyo")."""
    for match in _NAMED_RE.finditer(conv.prompt):
        if conv.offers(match.group(1)):
            return match.group(1)
    return None


def named_arguments(prompt: str) -> dict[str, Any]:
    """``key=value`` pairs of a prompt; values are JSON when they parse (numbers, true), else text."""
    arguments: dict[str, Any] = {}
    for key, raw in _ARG_RE.findall(prompt):
        if raw[:1] in "\"'" and raw[-1:] == raw[:1]:
            arguments[key] = raw[1:-1]
            continue
        try:
            arguments[key] = json.loads(raw)
        except ValueError:
            arguments[key] = raw
    return arguments


def call_named_tool(conv: Conversation) -> Turn:
    """Any tool, e.g. one of an MCP server's, called as the prompt says; then what it returned."""
    if conv.results:
        return summarize_results(conv.results)
    name = named_tool(conv)
    if name is None:
        return Turn(content="Name a tool to call, for example: *call get_current_time with timezone=Asia/Tokyo*.")
    return Turn(tool_calls=(PlannedCall(name, json.dumps(named_arguments(conv.prompt), ensure_ascii=False)),))


__all__ = [
    "call_named_tool",
    "calculator",
    "convert",
    "first_number",
    "fmt",
    "multistep_days",
    "named_arguments",
    "named_tool",
    "not_enabled",
    "parallel_times",
    "result_value",
    "slow_task",
    "summarize_results",
]
