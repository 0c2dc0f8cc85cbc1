"""The argument that says what a tool call is about, for its panel's label.

``current_time · Asia/Tokyo`` tells three parallel calls apart at a glance, where
``current_time`` three times does not. The key argument is the first *required* string
parameter of the tool's schema, else its first string parameter, else (a tool the schema
does not know) the first string among the arguments the model sent; whitespace is
collapsed and a long value is cut, so a label stays one short line.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

MAX_CHARS = 40


def string_parameters(parameters: Mapping[str, Any]) -> tuple[str, ...]:
    """A JSON schema's string parameters: the required ones first, each group in schema order."""
    properties = parameters.get("properties") or {}
    strings = [name for name, spec in properties.items() if isinstance(spec, Mapping) and spec.get("type") == "string"]
    required = set(parameters.get("required") or ())
    return tuple([n for n in strings if n in required] + [n for n in strings if n not in required])


def key_argument(parsed: Mapping[str, Any] | None, candidates: Sequence[str] = (), max_chars: int = MAX_CHARS) -> str | None:
    """The value worth showing next to the tool's name, or None."""
    if not parsed:
        return None
    names = [n for n in candidates if isinstance(parsed.get(n), str)]
    if not names and not candidates:
        names = [n for n, v in parsed.items() if isinstance(v, str)]
    for name in names:
        value = " ".join(parsed[name].split())
        if value:
            return value if len(value) <= max_chars else value[: max_chars - 1].rstrip() + "…"
    return None


__all__ = ["MAX_CHARS", "key_argument", "string_parameters"]
