"""Merge streamed tool-call fragments into whole calls, tolerating what real servers send.

Quirks handled (see the wire-format notes): a whole call in one delta; the first fragment
already carrying arguments; ``index`` missing, or ``0`` for every parallel call with a new
``id`` each time; ``id``/``name`` repeated or sent as ``""`` later; ``arguments`` sent as a
JSON object instead of a string; ``""`` arguments for a tool with no parameters.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Iterable

from ..events import ToolCall


def _get(obj: Any, name: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


class _Pending:
    __slots__ = ("id", "name", "pieces")

    def __init__(self, call_id: str, name: str) -> None:
        self.id = call_id
        self.name = name
        self.pieces: list[str] = []

    @property
    def arguments(self) -> str:
        return "".join(self.pieces)

    def event(self, complete: bool = False) -> ToolCall:
        arguments = self.arguments
        if not complete:
            return ToolCall(id=self.id, name=self.name, arguments=arguments)
        return ToolCall(id=self.id, name=self.name, arguments=arguments or "{}", complete=True, parsed=parse_arguments(arguments))


def parse_arguments(arguments: str) -> dict[str, Any] | None:
    """The arguments as a dict, or None when they are not a JSON object."""
    if not arguments.strip():
        return {}
    try:
        value = json.loads(arguments)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


class ToolCallAssembler:
    def __init__(self) -> None:
        self._calls: list[_Pending] = []
        self._by_index: dict[int, _Pending] = {}
        self._by_id: dict[str, _Pending] = {}

    @property
    def has_calls(self) -> bool:
        return bool(self._calls)

    def add(self, deltas: Iterable[Any]) -> list[ToolCall]:
        """Take one chunk's ``delta.tool_calls``; return a partial event per call touched."""
        touched: list[_Pending] = []
        for delta in deltas:
            call = self._route(delta)
            if call is None:
                continue
            function = _get(delta, "function")
            name = _get(function, "name")
            if name and not call.name:
                call.name = name
            arguments = _get(function, "arguments")
            if isinstance(arguments, (dict, list)):
                call.pieces = [json.dumps(arguments)]  # a whole object: replaces, never appends
            elif isinstance(arguments, str) and arguments:
                call.pieces.append(arguments)
            if call not in touched:
                touched.append(call)
        return [call.event() for call in touched]

    def _route(self, delta: Any) -> _Pending | None:
        call_id = _get(delta, "id") or ""
        index = _get(delta, "index")
        if call_id and call_id in self._by_id:
            return self._by_id[call_id]
        known = self._by_index.get(index) if index is not None else None
        if known is not None and (not call_id or call_id == known.id):
            return known
        if not call_id and index is None:
            if self._calls:  # a continuation fragment with no handle: the latest call
                return self._calls[-1]
            call_id = ""
        # A new call: new index, or a new id at a used index (servers that send index 0 for all).
        call = _Pending(call_id or f"call_{uuid.uuid4().hex[:24]}", "")
        self._calls.append(call)
        self._by_id[call.id] = call
        if index is not None:
            self._by_index[index] = call
        return call

    def finish(self) -> list[ToolCall]:
        """The complete calls, in the order they began."""
        return [call.event(complete=True) for call in self._calls]


__all__ = ["ToolCallAssembler", "parse_arguments"]
