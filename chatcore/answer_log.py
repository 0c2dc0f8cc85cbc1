"""One JSON log line per answer, for whoever operates the app.

``{"event": "answer", "conversation": …, "turn": …, "visitor": "user"|"anonymous"|"unknown",
"model": …, "status": …, "ttft_s": …, "duration_s": …, "prompt_tokens": …,
"completion_tokens": …, "total_tokens": …, "tool_calls": 2, "tools": ["calculator"],
"error_kind": …}`` on the ``chatcore.answers`` logger. Never the API key (nothing here ever
holds it) and never what was said, unless ``include_text`` (``CHAT_LOG_MESSAGES=1``) asks for
the prompt and the answer too.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import IO, Any

from .turn import Turn

LOGGER_NAME = "chatcore.answers"
log = logging.getLogger(LOGGER_NAME)


def answer_record(turn: Turn, *, conversation_id: str, visitor: str, prompt: str | None = None,
                  include_text: bool = False) -> dict[str, Any]:
    usage = turn.usage
    record: dict[str, Any] = {
        "event": "answer",
        "conversation": conversation_id,
        "turn": turn.message_id,
        "visitor": visitor,
        "model": turn.model,
        "status": turn.status,
        "ttft_s": None if turn.first_token_s is None else round(turn.first_token_s, 3),
        "duration_s": None if turn.total_s is None else round(turn.total_s, 3),
        "prompt_tokens": usage.prompt_tokens if usage is not None else None,
        "completion_tokens": turn.completion_tokens,
        "total_tokens": usage.total_tokens if usage is not None else None,
        "tool_calls": len(turn.tool_calls),
        "tools": sorted({call.name for call in list(turn.tool_calls.values())}),
        "error_kind": turn.error.kind if turn.error is not None else None,
    }
    if include_text:
        record["prompt"] = prompt
        record["answer"] = turn.text
    return record


def log_answer(turn: Turn, **details: Any) -> None:
    """Write ``answer_record(turn, **details)`` as one JSON line. Never raises."""
    try:
        log.info(json.dumps(answer_record(turn, **details), ensure_ascii=False, default=str))
    except Exception:  # noqa: BLE001 - a log line must never break the chat
        logging.getLogger(__name__).warning("could not write an answer's log line", exc_info=True)


def enable_answer_log(stream: IO[str] | None = None) -> None:
    """Print the answer lines (bare JSON, one per line) to ``stream`` (stdout). Idempotent."""
    if any(getattr(h, "_chatcore_answers", False) for h in log.handlers):
        return
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler._chatcore_answers = True  # type: ignore[attr-defined]
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


__all__ = ["LOGGER_NAME", "answer_record", "enable_answer_log", "log_answer"]
