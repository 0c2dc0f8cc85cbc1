"""The built-in demo tools: small, real, and safe to hand to any model.

Each docstring is what the model reads (first paragraph: the tool; ``Args:``: each
parameter), so they are written for the model. Failures raise ``ToolError`` so the
model sees a plain sentence it can act on.
"""

from __future__ import annotations

import math
import time
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field

from chatcore.tools.calculator import CalculatorError, evaluate
from chatcore.tools.context import ToolContext
from chatcore.tools.errors import ToolError
from chatcore.tools.registry import ToolRegistry
from chatcore.tools.timezones import TimezoneError, resolve_timezone
from chatcore.tools.units import UnitError, convert

SLOW_TASK_MAX_SECONDS = 30.0
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]


def calculator(expression: str) -> dict[str, Any]:
    """Evaluate an arithmetic expression exactly; use it instead of doing maths in your head.

    Args:
        expression: The expression, e.g. "2 * (3 + 4) ** 2" or "sqrt(2) / 3". Supports
            + - * / // % ** (also ×, ÷, ^), parentheses, pi, e and the functions sqrt,
            sin, cos, tan (radians), log (natural, or log(x, base)), log10, exp, abs,
            round, floor, ceil, min, max.
    """
    try:
        return {"expression": expression, "result": evaluate(expression)}
    except CalculatorError as exc:
        raise ToolError(str(exc)) from None


def current_time(timezone: str = "UTC") -> dict[str, Any]:
    """Get the current date and time in a time zone; call it whenever today's date or the time matters.

    Args:
        timezone: An IANA time zone such as "Europe/Paris" or "America/New_York", a city
            such as "Tokyo", "UTC", or an offset such as "UTC+02:00".
    """
    try:
        name, tz = resolve_timezone(timezone)
    except TimezoneError as exc:
        raise ToolError(str(exc)) from None
    now = datetime.now(tz)
    offset = now.strftime("%z")  # "+0130"
    return {
        "timezone": name,
        "iso": now.isoformat(timespec="seconds"),
        "date": now.strftime("%Y-%m-%d"),
        "time": now.strftime("%H:%M"),
        "weekday": now.strftime("%A"),
        "utc_offset": f"{offset[:3]}:{offset[3:]}",
        "abbreviation": now.tzname(),
    }


def convert_units(value: FiniteFloat, from_unit: str, to_unit: str) -> dict[str, Any]:
    """Convert a quantity between units of length, mass, volume, temperature, speed, data size or time.

    Args:
        value: The number to convert.
        from_unit: The unit of value, e.g. "km", "miles", "lb", "°C", "fahrenheit", "l",
            "mph", "GB", "GiB", "Mbit", "hours".
        to_unit: The unit to convert to, of the same kind as from_unit.
    """
    try:
        result, source, target = convert(value, from_unit, to_unit)
    except UnitError as exc:
        raise ToolError(str(exc)) from None
    if not math.isfinite(result):
        raise ToolError(f"{value:g} {source.symbol} in {target.symbol} is too large to represent")
    shown = float(f"{result:.12g}")
    return {
        "value": value,
        "from_unit": source.symbol,
        "to_unit": target.symbol,
        "category": source.category,
        "result": shown,
        "text": f"{value:g} {source.symbol} = {shown:.6g} {target.symbol}",
    }


def days_between(start_date: str, end_date: str) -> dict[str, Any]:
    """Count the days from start_date to end_date, plus weeks and weekdays; for dates relative to today, first get today's date from current_time.

    Days are negative when end_date is earlier. Weekdays are Monday to Friday, counting
    start_date but not end_date.

    Args:
        start_date: ISO date, YYYY-MM-DD.
        end_date: ISO date, YYYY-MM-DD.
    """
    start, end = _parse_date(start_date, "start_date"), _parse_date(end_date, "end_date")
    days = (end - start).days
    low, high = (start, end) if days >= 0 else (end, start)
    weekdays = _weekdays(low, high)
    return {
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "days": days,
        "weeks": round(days / 7, 2),
        "weekdays": weekdays if days >= 0 else -weekdays,
    }


def slow_task(
    context: ToolContext,
    seconds: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 2.0,
) -> dict[str, Any]:
    """Wait for a number of seconds, then report how long it waited (a demo of a slow tool that can be stopped).

    Args:
        seconds: How long to wait, at most 30 (longer values are capped).
    """
    wanted = min(float(seconds), SLOW_TASK_MAX_SECONDS)
    started = time.perf_counter()
    stopped = context.sleep(wanted)
    return {
        "requested_seconds": seconds,
        "waited_seconds": round(time.perf_counter() - started, 3),
        "capped": seconds > SLOW_TASK_MAX_SECONDS,
        "stopped_early": stopped,
    }


def default_registry() -> ToolRegistry:
    """A new registry holding the built-in tools (a fresh one per call: nothing shared)."""
    registry = ToolRegistry()
    registry.register(calculator, timeout=5.0)
    registry.register(current_time, timeout=5.0)
    registry.register(convert_units, timeout=5.0)
    registry.register(days_between, timeout=5.0)
    registry.register(slow_task, timeout=SLOW_TASK_MAX_SECONDS + 5.0)
    return registry


def _parse_date(text: str, field_name: str) -> date:
    cleaned = text.strip()
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(cleaned).date()
    except ValueError:
        shown = cleaned if len(cleaned) <= 40 else cleaned[:37] + "..."
        raise ToolError(f"{field_name} must be an ISO date like 2025-12-31, got '{shown}'") from None


def _weekdays(start: date, end: date) -> int:
    """Mondays to Fridays in [start, end)."""
    total = (end - start).days
    full_weeks, rest = divmod(total, 7)
    count = full_weeks * 5
    first = start.weekday()
    count += sum(1 for i in range(rest) if (first + i) % 7 < 5)
    return count


__all__ = ["calculator", "convert_units", "current_time", "days_between", "default_registry", "slow_task"]
