"""A tool panel's label names the call's key argument: ``current_time · Asia/Tokyo``."""

from __future__ import annotations

from chatcore.tools import default_registry
from chatcore.tools.key_argument import key_argument, string_parameters

TOOLS = {tool.name: string_parameters(tool.parameters) for tool in default_registry()}


def test_the_first_required_string_argument_wins():
    assert key_argument({"value": 10, "from_unit": "km", "to_unit": "mi"}, TOOLS["convert_units"]) == "km"
    assert key_argument({"end_date": "2027-01-01", "start_date": "2026-12-02"}, TOOLS["days_between"]) == "2026-12-02"
    assert key_argument({"expression": "23*17+4"}, TOOLS["calculator"]) == "23*17+4"


def test_an_optional_string_is_used_when_none_is_required():
    assert TOOLS["current_time"] == ("timezone",)
    assert key_argument({"timezone": "Asia/Tokyo"}, TOOLS["current_time"]) == "Asia/Tokyo"


def test_no_string_argument_no_label_part():
    assert key_argument({"seconds": 3}, TOOLS["slow_task"]) is None
    assert key_argument({}, TOOLS["calculator"]) is None
    assert key_argument(None, TOOLS["calculator"]) is None
    assert key_argument({"timezone": "   "}, TOOLS["current_time"]) is None


def test_a_tool_without_a_known_schema_shows_its_first_string_argument():
    assert key_argument({"count": 3, "target": "the moon", "mode": "fast"}) == "the moon"


def test_values_are_trimmed_to_one_short_line():
    value = key_argument({"expression": "  1 +\n 2 " + "+ 3 " * 40}, TOOLS["calculator"])
    assert value.startswith("1 + 2 + 3") and "\n" not in value
    assert len(value) <= 40 and value.endswith("…")


def test_string_parameters_puts_required_first_in_schema_order():
    schema = {"properties": {"a": {"type": "string"}, "b": {"type": "integer"}, "c": {"type": "string"}, "d": {"type": "string"}},
              "required": ["d", "b"]}
    assert string_parameters(schema) == ("d", "a", "c")
