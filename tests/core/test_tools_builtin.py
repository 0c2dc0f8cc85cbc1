"""The built-in tools give real answers and explain bad input."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chatcore.tools import (
    ToolContext,
    ToolError,
    calculator,
    convert_units,
    current_time,
    days_between,
    default_registry,
    slow_task,
)


def test_default_registry_is_fresh_each_time_and_schemas_are_clean():
    first, second = default_registry(), default_registry()
    assert first is not second
    assert first.names() == ["calculator", "current_time", "convert_units", "days_between", "slow_task"]
    first.register(lambda: 1, name="extra")
    assert "extra" not in second
    for spec in second.openai_tools():
        fn = spec["function"]
        assert fn["description"]
        assert fn["parameters"]["additionalProperties"] is False
        assert all(p.get("description") for p in fn["parameters"]["properties"].values())
    assert "context" not in second.get("slow_task").parameters["properties"]


def test_calculator_tool():
    assert calculator("2 × (3 + 4)") == {"expression": "2 × (3 + 4)", "result": 14}
    with pytest.raises(ToolError, match="Division by zero"):
        calculator("1/0")


def test_current_time_matches_the_clock():
    out = current_time("Europe/Paris")
    parsed = datetime.fromisoformat(out["iso"])
    assert abs(parsed - datetime.now(UTC)) < timedelta(seconds=5)
    expected = datetime.now(ZoneInfo("Europe/Paris"))
    assert out["timezone"] == "Europe/Paris"
    assert out["utc_offset"] in {"+01:00", "+02:00"}
    assert out["utc_offset"] == out["iso"][-6:]
    assert out["date"] == parsed.strftime("%Y-%m-%d") and out["time"] == parsed.strftime("%H:%M")
    assert out["weekday"] in {expected.strftime("%A"), (expected - timedelta(seconds=5)).strftime("%A")}


def test_current_time_defaults_to_utc_and_accepts_friendly_names():
    assert current_time()["utc_offset"] == "+00:00"
    assert current_time()["timezone"] == "UTC"
    assert current_time("new york")["timezone"] == "America/New_York"
    assert current_time("tokyo")["utc_offset"] == "+09:00"
    assert current_time("UTC+05:30")["utc_offset"] == "+05:30"


def test_unknown_timezone_suggests_close_matches():
    with pytest.raises(ToolError) as exc:
        current_time("Europe/Pariss")
    assert "Unknown timezone 'Europe/Pariss'" in str(exc.value)
    assert "Europe/Paris" in str(exc.value)
    with pytest.raises(ToolError, match="Asia/Tokyo"):
        current_time("Tokio")


@pytest.mark.parametrize(
    ("value", "source", "target", "expected"),
    [
        (10, "km", "mi", 6.21371192237),
        (1, "miles", "kilometers", 1.609344),
        (100, "°C", "°F", 212),
        (32, "fahrenheit", "celsius", 0),
        (0, "K", "C", -273.15),
        (1, "kg", "lb", 2.20462262185),
        (1, "GiB", "MB", 1073.741824),
        (1, "GB", "GiB", 0.931322574615),
        (8, "Mbit", "MB", 1),
        (3.5, "hours", "min", 210),
        (100, "km/h", "mph", 62.1371192237),
        (1, "gallon", "l", 3.785411784),
        (12, "inches", "feet", 1),
    ],
)
def test_convert_units(value, source, target, expected):
    out = convert_units(value, source, target)
    assert out["result"] == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert out["value"] == value


def test_convert_units_reports_canonical_units_and_a_readable_line():
    out = convert_units(10, "kilometres", "miles")
    assert (out["from_unit"], out["to_unit"], out["category"]) == ("km", "mi", "length")
    assert out["text"] == "10 km = 6.21371 mi"


def test_convert_units_errors():
    with pytest.raises(ToolError, match=r"Cannot convert km \(length\) to kg \(mass\)"):
        convert_units(1, "km", "kg")
    with pytest.raises(ToolError, match="Unknown unit 'furlongz'"):
        convert_units(1, "furlongz", "m")
    with pytest.raises(ToolError, match="below absolute zero"):
        convert_units(-300, "C", "K")


def test_days_between():
    out = days_between("2025-01-01", "2025-12-25")
    assert out == {"start_date": "2025-01-01", "end_date": "2025-12-25", "days": 358, "weeks": 51.14, "weekdays": 256}
    week = days_between("2024-06-03", "2024-06-10")  # Monday to next Monday
    assert (week["days"], week["weekdays"], week["weeks"]) == (7, 5, 1)
    weekend = days_between("2024-06-08", "2024-06-10")  # Saturday to Monday
    assert weekend["weekdays"] == 0
    backwards = days_between("2024-06-10", "2024-06-03")
    assert (backwards["days"], backwards["weekdays"]) == (-7, -5)
    assert days_between("2024-02-28", "2024-03-01")["days"] == 2  # leap year
    assert days_between("2024-01-01T10:00:00", "2024-01-02")["days"] == 1


def test_days_between_bad_date():
    with pytest.raises(ToolError, match="start_date must be an ISO date like 2025-12-31, got 'next friday'"):
        days_between("next friday", "2025-01-01")


def test_days_between_pairs_with_current_time_for_days_until_new_year():
    today = current_time("UTC")["date"]
    new_year = f"{int(today[:4]) + 1}-01-01"
    out = days_between(today, new_year)
    assert 1 <= out["days"] <= 366


def test_slow_task_waits_and_stops_early_on_cancel():
    out = slow_task(ToolContext(), seconds=0.05)
    assert out["waited_seconds"] >= 0.04 and out["stopped_early"] is False
    context = ToolContext()
    threading.Timer(0.05, context.cancel.cancel).start()
    started = time.perf_counter()
    out = slow_task(context, seconds=30)
    assert time.perf_counter() - started < 1
    assert out["stopped_early"] is True


def test_slow_task_caps_at_30_seconds():
    context = ToolContext()
    context.cancel.cancel()  # so the test does not wait
    out = slow_task(context, seconds=3600)
    assert out["capped"] is True and out["requested_seconds"] == 3600


def test_tool_arguments_from_the_model_are_validated():
    registry = default_registry()
    with pytest.raises(ToolError, match="'seconds': Input should be greater than or equal to 0"):
        registry.get("slow_task").validate({"seconds": -1})
    with pytest.raises(ToolError, match="'value': Input should be a finite number"):
        registry.get("convert_units").validate({"value": "nan", "from_unit": "m", "to_unit": "km"})
    assert registry.get("convert_units").invoke({"value": "2", "from_unit": "m", "to_unit": "cm"}, ToolContext())["result"] == 200
