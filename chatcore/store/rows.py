"""How a turn maps onto rows: the message columns copied from its record, its tool calls."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, or_, update

from .schema import messages, tool_calls


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


def _value(column: str) -> Any:
    return bindparam(f"v_{column}", type_=messages.c[column].type)


# A checkpoint's UPDATE, built once: every streaming answer runs it each second, and building
# and keying the statement cost more than running it. Only the answer's writer saves, and a
# checkpoint racing the end must not turn a finished answer back into 'streaming'.
_SAVED_COLUMNS = ("role", "content", "reasoning", "status", "model", "usage", "timings", "record", "updated_at", "writer")
_CHECKPOINT = (
    update(messages)
    .where(
        messages.c.id == bindparam("w_id"),
        messages.c.role == "assistant",
        or_(messages.c.status == "streaming", messages.c.status == "interrupted"),
        or_(messages.c.writer == bindparam("w_writer"), messages.c.writer.is_(None)),
    )
    .values({name: _value(name) for name in _SAVED_COLUMNS})
)


def checkpoint_row(conn: Connection, message_id: int, writer: str, now: float, columns: dict[str, Any]) -> bool:
    """Save a streaming answer's columns (``turn_columns``) if it still streams and ``writer``
    writes it. False when it does not (finished, deleted, or another writer's)."""
    params = {f"v_{name}": value for name, value in columns.items()}
    params.update(w_id=message_id, w_writer=writer, v_updated_at=now, v_writer=writer)
    return conn.execute(_CHECKPOINT, params).rowcount == 1


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


__all__ = ["checkpoint_row", "db_text", "record_from_columns", "turn_columns", "write_tool_calls"]
