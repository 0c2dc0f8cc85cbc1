"""The tools a model may call, described once by their Python signatures.

Register a typed, documented function and the registry derives everything the chat API
needs (name, description, JSON schema) plus a validator for the arguments the model
sends back. A registry is a plain object, so each session can hold its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, TypeVar, overload

from chatcore.tools.call_styles import settle
from chatcore.tools.context import ToolContext
from chatcore.tools.schema import ArgumentsSpec, derive_arguments, validate_arguments

F = TypeVar("F", bound=Callable[..., Any])
_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # what OpenAI accepts as a function name
BUILT_IN = "built-in"


@dataclass(frozen=True)
class Tool:
    """One callable tool: what the model sees (name, description, schema) and the code."""

    name: str
    description: str
    parameters: dict[str, Any]
    fn: Callable[..., Any]
    timeout: float | None = None  # seconds; None means the runner's default
    spec: ArgumentsSpec | None = field(default=None, repr=False, compare=False)
    source: str = BUILT_IN  # where it came from: "built-in", "tools/x.py:12", "mcp:<server>"
    # A tool that is not a Python signature (an MCP server's): called with the validated
    # arguments as one dict and the ``ToolContext``, instead of ``fn(**arguments)``.
    call_raw: Callable[[dict[str, Any], ToolContext], Any] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_function(
        cls,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        description: str | None = None,
        timeout: float | None = None,
        source: str = BUILT_IN,
    ) -> Tool:
        """Derive a tool from a typed function and its Google-style docstring."""
        tool_name: str = name or getattr(fn, "__name__", None) or ""
        if not _NAME_RE.match(tool_name):
            raise ValueError(f"invalid tool name {tool_name!r}: use 1-64 letters, digits, '_' or '-'")
        if timeout is not None and not timeout > 0:
            raise ValueError(f"tool {tool_name!r}: timeout must be positive, got {timeout!r}")
        spec = derive_arguments(fn, tool_name)
        return cls(
            name=tool_name,
            description=spec.description if description is None else description,
            parameters=spec.parameters,
            fn=fn,
            timeout=timeout,
            spec=spec,
            source=source,
        )

    def validate(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Check and coerce the model's arguments; raises ``ToolArgumentsError``."""
        if self.spec is None:  # built by hand without a spec: trust the arguments
            return dict(arguments)
        return validate_arguments(self.spec, self.name, arguments)

    def invoke(self, arguments: dict[str, Any], context: ToolContext) -> Any:
        """Validate ``arguments`` and call the function, handing it ``context`` if it asks."""
        kwargs = self.validate(arguments)
        if self.call_raw is not None:
            return self.call_raw(kwargs, context)
        for param in self.spec.context_params if self.spec else ():
            kwargs[param] = context
        return settle(self.fn(**kwargs), context)

    def openai_schema(self) -> dict[str, Any]:
        """This tool in the OpenAI ``tools`` shape."""
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": self.parameters},
        }


class ToolRegistry:
    """An ordered set of tools, looked up by name."""

    def __init__(self, tools: Iterable[Tool] = ()) -> None:
        self._tools: dict[str, Tool] = {}
        for tool in tools:
            self.add(tool)

    def add(self, tool: Tool) -> Tool:
        """Add a ready-made ``Tool``; names must be unique."""
        if tool.name in self._tools:
            raise ValueError(f"a tool named {tool.name!r} is already registered")
        self._tools[tool.name] = tool
        return tool

    def register(self, fn: Callable[..., Any], *, name: str | None = None, timeout: float | None = None) -> Tool:
        """Register a typed function as a tool and return the derived ``Tool``."""
        return self.add(Tool.from_function(fn, name=name, timeout=timeout))

    @overload
    def tool(self, fn: F, /) -> F: ...

    @overload
    def tool(self, /, *, name: str | None = None, timeout: float | None = None) -> Callable[[F], F]: ...

    def tool(self, fn: Any = None, /, *, name: str | None = None, timeout: float | None = None) -> Any:
        """Decorator form: ``@registry.tool`` or ``@registry.tool(timeout=2)``; returns ``fn`` unchanged."""

        def decorate(func: F) -> F:
            self.register(func, name=name, timeout=timeout)
            return func

        return decorate(fn) if fn is not None else decorate

    def get(self, name: str) -> Tool | None:
        return self._tools.get(name)

    def names(self) -> list[str]:
        return list(self._tools)

    def subset(self, names: Iterable[str]) -> ToolRegistry:
        """A new registry with only the named tools (registry order; unknown names ignored)."""
        wanted = set(names)
        return ToolRegistry(tool for tool in self._tools.values() if tool.name in wanted)

    def openai_tools(self, names: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """The ``tools`` list for a chat completions request (optionally only ``names``)."""
        registry = self if names is None else self.subset(names)
        return [tool.openai_schema() for tool in registry]

    def __iter__(self) -> Iterator[Tool]:
        return iter(list(self._tools.values()))

    def __len__(self) -> int:
        return len(self._tools)

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __repr__(self) -> str:
        return f"ToolRegistry({', '.join(self._tools)})"


__all__ = ["BUILT_IN", "Tool", "ToolRegistry"]
