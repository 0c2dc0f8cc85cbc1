"""How a turn maps onto rows: the message columns copied from its record, its tool calls."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, insert

from .schema import tool_calls


def db_text(text: str) -> str:
    """Text any database takes: no NUL (PostgreSQL refuses it), valid UTF-8 (surrogate pairs joined)."""
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def turn_columns(record: dict[str, Any]) -> dict[str, Any]:
    """The searchable copies of a turn record, stored next to it."""
    segments = record["segments"]
    return {
        "role": "assistant",
        "content": db_text("".join(s["text"] for s in segments if s["kind"] == "text")),
        "reasoning": db_text("".join(s["text"] for s in segments if s["kind"] == "reasoning")),
        "status": record["status"],
        "model": record["model"] or "",
        "usage": record["usage"],
        "timings": {k: record[k] for k in ("started_at", "first_token_s", "total_s")},
        "record": record,
    }


def write_tool_calls(conn: Connection, message_id: int, record: dict[str, Any], *, replace: bool) -> None:
    calls = record["tool_calls"]
    if replace and calls:
        conn.execute(delete(tool_calls).where(tool_calls.c.message_id == message_id))
    if calls:
        conn.execute(
            insert(tool_calls),
            [
                {
                    "message_id": message_id,
                    "call_id": call["id"],
                    "position": i,
                    "step": call["step"],
                    "name": db_text(call["name"] or ""),
                    "arguments": db_text(call["arguments"] or ""),
                    "complete": bool(call["complete"]),
                    "state": call["state"],
                    "result": call["result"],
                    "error": None if call["error"] is None else db_text(call["error"]),
                    "duration": call["duration"],
                }
                for i, call in enumerate(calls)
            ],
        )


def record_from_columns(row: Any) -> dict[str, Any]:
    """For an answer row with no record (this store always writes one): its text and status."""
    text = [{"kind": "text", "step": 0, "text": row.content, "tool_id": ""}] if row.content else []
    return {"model": row.model, "status": row.status, "started_at": row.created_at, "segments": text}


__all__ = ["db_text", "record_from_columns", "turn_columns", "write_tool_calls"]
