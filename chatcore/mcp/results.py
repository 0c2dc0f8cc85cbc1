"""An MCP ``tools/call`` outcome in the app's terms: a JSON-able value for the panel and the
model, a ``ToolError`` for ``isError``, and failures of the connection in plain words."""

from __future__ import annotations

import json
from typing import Any

from mcp_types import CallToolResult

from chatcore.tools.errors import ToolError


def tool_value(result: CallToolResult, server: str) -> Any:
    """Structured content when the server sends it, else its text; images ride along for the panel."""
    texts: list[str] = []
    images: list[dict[str, Any]] = []
    others: list[Any] = []
    for part in result.content or ():
        kind = getattr(part, "type", "")
        if kind == "text":
            texts.append(str(getattr(part, "text", "")))
        elif kind == "image":
            images.append({"mime_type": getattr(part, "mime_type", ""), "data": getattr(part, "data", "")})
        elif kind == "audio":  # not playable in a panel: say what it is
            data = str(getattr(part, "data", ""))
            others.append({"type": "audio", "mime_type": getattr(part, "mime_type", ""), "bytes": len(data) * 3 // 4})
        else:  # resource links and embedded resources: what they are, not their bytes
            others.append(part.model_dump(mode="json", exclude_none=True, exclude={"blob"}))
    text = "\n".join(texts)
    if result.is_error:
        raise ToolError(text.strip() or f"The MCP server '{server}' reported an error without a message.")
    if result.structured_content is not None:
        value: Any = result.structured_content
    elif len(texts) == 1:
        value = _maybe_json(texts[0])
    else:
        value = text or None
    if not images and not others:
        return value
    out: dict[str, Any] = {} if value is None else {"result": value}
    if others:
        out["other_content"] = others
    if images:
        out["images"] = images
    return out


def _maybe_json(text: str) -> Any:
    stripped = text.strip()
    if stripped[:1] in ("{", "["):
        try:
            return json.loads(stripped)
        except ValueError:
            pass
    return text


__all__ = ["tool_value"]
