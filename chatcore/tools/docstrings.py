"""Read a tool's description from its docstring, so there is one place to write it.

The first paragraph describes the tool to the model; a Google-style ``Args:`` section
describes each parameter::

    def convert(value: float, unit: str) -> dict:
        \"\"\"Convert a value to another unit.

        Args:
            value: The number to convert.
            unit (str): Target unit, e.g. "km". Continuation lines
                are joined with a space.
        \"\"\"
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field

_ARGS_HEADERS = {"args", "arguments", "parameters", "params", "keyword args", "keyword arguments"}
_SECTION_RE = re.compile(r"^([A-Za-z][A-Za-z ]*):\s*$")
_ENTRY_RE = re.compile(r"^\*{0,2}(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")


@dataclass(frozen=True)
class ParsedDocstring:
    summary: str = ""
    params: dict[str, str] = field(default_factory=dict)


def parse_docstring(obj: object) -> ParsedDocstring:
    """Split a docstring into its first paragraph and its ``Args:`` entries."""
    doc = inspect.getdoc(obj) or ""
    lines = doc.expandtabs().splitlines()
    return ParsedDocstring(summary=_first_paragraph(lines), params=_args_section(lines))


def _first_paragraph(lines: list[str]) -> str:
    para: list[str] = []
    for line in lines:
        stripped = line.strip()
        if not stripped:
            if para:
                break
            continue
        if _is_section_header(line):
            break
        para.append(stripped)
    return " ".join(para)


def _is_section_header(line: str) -> bool:
    return line == line.lstrip() and bool(_SECTION_RE.match(line.strip()))


def _args_section(lines: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    in_args = False
    entry_indent: int | None = None
    current: str | None = None
    for line in lines:
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if indent == 0:
            header = _SECTION_RE.match(line.strip())
            in_args = header is not None and header.group(1).strip().lower() in _ARGS_HEADERS
            entry_indent, current = None, None
            continue
        if not in_args:
            continue
        if entry_indent is None:
            entry_indent = indent
        if indent <= entry_indent:
            match = _ENTRY_RE.match(line.strip())
            current = match.group(1) if match else None
            if current and match:
                params[current] = match.group(2).strip()
        elif current:
            params[current] = f"{params[current]} {line.strip()}".strip()
    return params


__all__ = ["ParsedDocstring", "parse_docstring"]
