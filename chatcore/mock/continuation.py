"""Continuing a stopped answer, the way a real model would.

When the last user message is the app's continue instruction, the mock replays the
scenario of the prompt before it and sends only what the stopped answer had not yet
said, so "Continue" after Stop picks up mid-sentence.
"""

from __future__ import annotations

from typing import Any, Callable

from ..messages import CONTINUE_INSTRUCTION
from .conversation import Conversation, read_conversation, text_of
from .turn import Turn


def is_continue_request(conv: Conversation) -> bool:
    return conv.prompt.strip() == CONTINUE_INSTRUCTION


def continue_turn(conv: Conversation, replay: Callable[[Conversation], Turn]) -> Turn:
    """The rest of the answer the previous prompt would have got, after what was already said."""
    messages = list(conv.messages)
    user_positions = [i for i, m in enumerate(messages) if m.get("role") == "user"]
    if len(user_positions) < 2:
        return Turn(content="There is nothing to continue yet.")
    previous = user_positions[-2]
    said = "".join(text_of(m.get("content")) for m in messages[previous + 1 : user_positions[-1]] if m.get("role") == "assistant")
    earlier: dict[str, Any] = {**conv.raw, "messages": messages[: previous + 1]}
    full = replay(read_conversation(earlier)).content
    if said and full.startswith(said):
        rest = full[len(said) :]
        return Turn(content=rest or "That was the whole answer.")
    return Turn(content="Picking up from there:\n\n" + full)


__all__ = ["continue_turn", "is_continue_request"]
