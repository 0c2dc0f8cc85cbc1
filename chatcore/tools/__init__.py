"""Tools the model can call: a registry derived from typed functions, a concurrent
runner that turns every outcome into a ``ToolResult``, and the built-in demo tools."""

from chatcore.tools.builtin import (
    calculator,
    convert_units,
    current_time,
    days_between,
    default_registry,
    slow_task,
)
from chatcore.tools.calculator import CalculatorError, evaluate
from chatcore.tools.context import ToolContext
from chatcore.tools.errors import ToolArgumentsError, ToolError
from chatcore.tools.registry import BUILT_IN, Tool, ToolRegistry
from chatcore.tools.runner import run_tool_calls

__all__ = [
    "BUILT_IN",
    "CalculatorError",
    "Tool",
    "ToolArgumentsError",
    "ToolContext",
    "ToolError",
    "ToolRegistry",
    "calculator",
    "convert_units",
    "current_time",
    "days_between",
    "default_registry",
    "evaluate",
    "run_tool_calls",
    "slow_task",
]
