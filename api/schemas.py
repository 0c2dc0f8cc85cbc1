"""What API clients may send, as pydantic models: unknown fields and wrong types are refused
with a 422 that names the field (``extra="forbid"`` everywhere)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

MAX_MESSAGES = 500


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=200_000)


class ChatMessage(_Strict):
    role: Literal["user", "assistant"]
    content: str


class ChatRequest(_Strict):
    """Start an answer: either ``messages`` (a whole conversation, the last one the user's), or a
    ``sessionId`` to go on with plus the new ``message``."""

    messages: list[ChatMessage] | None = Field(default=None, max_length=MAX_MESSAGES)
    sessionId: str | None = Field(default=None, max_length=64)  # noqa: N815 - the wire name
    message: str | None = None
    model: str | None = Field(default=None, max_length=200)
    tools: list[str] | None = Field(default=None, max_length=100)
    system: str | None = Field(default=None, max_length=20_000)
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, ge=1, le=1_000_000)
    resumable: bool = False

    @model_validator(mode="after")
    def _one_way_to_say_it(self) -> ChatRequest:
        if self.messages is not None:
            if self.sessionId is not None or self.message is not None:
                raise ValueError("send either messages, or sessionId with message, not both")
            if not self.messages or self.messages[-1].role != "user":
                raise ValueError("messages must end with a user message")
        elif self.message is None or not self.message.strip():
            raise ValueError("send messages, or a non-empty message (with an optional sessionId)")
        return self

    def prompt(self) -> str:
        if self.messages is not None:
            return self.messages[-1].content
        return self.message or ""


class RenameRequest(_Strict):
    title: str = Field(min_length=1, max_length=200)


class TokenRequest(_Strict):
    name: str = Field(default="API token", max_length=80)


def validation_problems(exc: ValidationError) -> list[dict[str, Any]]:
    """pydantic's errors as ``{"field": "messages.0.role", "message": ...}`` for a 422 body."""
    problems = []
    for error in exc.errors(include_url=False, include_input=False):
        field = ".".join(str(part) for part in error.get("loc", ())) or "body"
        problems.append({"field": field, "message": error.get("msg", "invalid")})
    return problems


__all__ = ["ChatMessage", "ChatRequest", "RenameRequest", "TokenRequest", "validation_problems"]
