"""Server profiles: mock models that imitate servers lacking one capability each.

Real OpenAI-compatible servers differ (see the endpoint doctor, ``chatcore.probe``): some
never send usage, reject ``stream_options``, ignore tools, name the reasoning field
``reasoning``, insist on ``max_completion_tokens``, refuse images or JSON mode. Choose one
with the model name ``mock-<profile>`` (e.g. ``mock-no-usage``); every other model is the
``full`` server, which has every capability. The profile only changes *how the server
treats a request*; what the model says still comes from the scenarios and faults.

All profiles are listed here, in one place, so the doctor's tests can walk them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any, Literal

from .faults import error_body
from .reply import Reply
from .tokens import token_pieces
from .turn import PlannedCall, Turn

LimitParam = Literal["either", "max_completion_tokens"]


@dataclass(frozen=True)
class ServerProfile:
    name: str
    description: str
    usage: bool = True  # honours stream_options.include_usage
    accepts_stream_options: bool = True  # False: a request with stream_options gets a 400
    tools: bool = True  # False: `tools` is ignored, the model answers in words (no error)
    parallel_tools: bool = True  # False: only the first of several calls is made
    tool_choice_required: bool = True  # False: tool_choice="required" gets a 400
    reasoning_field: str = "reasoning_content"  # the delta key reasoning streams under
    images: bool = True  # False: a message with an image part gets a 400
    json_mode: bool = True  # False: response_format gets a 400
    limit_param: LimitParam = "either"  # max_completion_tokens: `max_tokens` gets a 400


FULL = ServerProfile("full", "every capability (any model not named below)")
PROFILES: dict[str, ServerProfile] = {
    p.name: p
    for p in (
        FULL,
        ServerProfile("no-usage", "ignores stream_options.include_usage: no usage in the stream", usage=False),
        ServerProfile("rejects-stream-options", "400 on stream_options (and so no usage)",
                      usage=False, accepts_stream_options=False),
        ServerProfile("no-tools", "ignores `tools`: tool calls never come", tools=False),
        ServerProfile("no-parallel-tools", "makes only the first of several tool calls", parallel_tools=False),
        ServerProfile("no-tool-choice-required", "400 on tool_choice=\"required\"", tool_choice_required=False),
        ServerProfile("reasoning-field", "streams reasoning as `reasoning`, not `reasoning_content`",
                      reasoning_field="reasoning"),
        ServerProfile("needs-max-completion-tokens", "400 on max_tokens: wants max_completion_tokens",
                      limit_param="max_completion_tokens"),
        ServerProfile("no-images", "400 on image inputs", images=False),
        ServerProfile("no-json-mode", "400 on response_format", json_mode=False),
    )
}


def profile_for_model(model: str) -> ServerProfile:
    """``mock-<profile>`` selects a profile; any other model is the full server."""
    name = model.lower().removeprefix("mock-")
    return PROFILES.get(name, FULL) if model.lower().startswith("mock-") else FULL


def _has_image(messages: Any) -> bool:
    for message in messages if isinstance(messages, list) else []:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list) and any(isinstance(p, dict) and p.get("type") == "image_url" for p in content):
            return True
    return False


def _bad_request(message: str, param: str, code: str) -> Reply:
    return Reply(400, body=error_body(message, "invalid_request_error", code, param), fault=f"profile:{param}")


def refusal(profile: ServerProfile, body: dict[str, Any]) -> Reply | None:
    """The 400 this server gives the request, worded like the real servers that do; else None."""
    if not profile.accepts_stream_options and "stream_options" in body:
        return _bad_request("Unrecognized request argument supplied: stream_options", "stream_options",
                            "unsupported_parameter")
    if profile.limit_param == "max_completion_tokens" and body.get("max_tokens") is not None:
        return _bad_request("Unsupported parameter: 'max_tokens' is not supported with this model. "
                            "Use 'max_completion_tokens' instead.", "max_tokens", "unsupported_parameter")
    if not profile.tool_choice_required and body.get("tool_choice") == "required" and profile.tools:
        return _bad_request("tool_choice 'required' is not supported by this server.", "tool_choice",
                            "unsupported_value")
    if not profile.images and _has_image(body.get("messages")):
        return _bad_request("Image input is not supported by this model.", "messages", "image_not_supported")
    if not profile.json_mode and body.get("response_format") is not None:
        return _bad_request("response_format is not supported by this model.", "response_format",
                            "unsupported_parameter")
    return None


def adapt_request(profile: ServerProfile, body: dict[str, Any]) -> dict[str, Any]:
    """The request as this server reads it: what it ignores is dropped."""
    body = dict(body)
    if not profile.tools:
        for key in ("tools", "tool_choice", "functions"):
            body.pop(key, None)
    if not profile.usage:
        body.pop("stream_options", None)
    return body


def token_limit(body: dict[str, Any]) -> int | None:
    for key in ("max_completion_tokens", "max_tokens"):
        value = body.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


def shape_turn(profile: ServerProfile, body: dict[str, Any], turn: Turn, has_results: bool, offered: frozenset[str]) -> Turn:
    """What the model says under this request's options: forced tool calls, JSON mode, the token limit."""
    if turn.tool_calls and not profile.parallel_tools:
        turn = replace(turn, tool_calls=turn.tool_calls[:1])
    choice = body.get("tool_choice")
    forced = choice == "required" or (isinstance(choice, dict) and choice.get("type") == "function")
    if forced and offered and not has_results and not turn.tool_calls:
        named = str(((choice or {}).get("function") or {}).get("name", "")) if isinstance(choice, dict) else ""
        turn = Turn(tool_calls=(PlannedCall(named if named in offered else sorted(offered)[0], "{}"),))
    response_format = body.get("response_format")
    wants_json = isinstance(response_format, dict) and response_format.get("type") in ("json_object", "json_schema")
    if wants_json and not turn.tool_calls:
        turn = Turn(content=json.dumps({"ok": True, "answer": "mock"}))
    limit = token_limit(body)
    if limit is not None and not turn.tool_calls:
        reasoning = token_pieces(turn.reasoning)
        content = list(turn.content_pieces) if turn.content_pieces is not None else token_pieces(turn.content)
        if len(reasoning) + len(content) > limit:
            reasoning = reasoning[:limit]
            content = content[: max(0, limit - len(reasoning))]
            turn = replace(turn, reasoning="".join(reasoning), content="".join(content),
                           content_pieces=tuple(content), cut_short=True)
    return turn


def rename_reasoning(profile: ServerProfile, payloads: list[dict[str, Any]]) -> None:
    """Move reasoning to the key this server uses, in chunk deltas or a completion's message."""
    if profile.reasoning_field == "reasoning_content":
        return
    for payload in payloads:
        for choice in payload.get("choices") or []:
            for part in (choice.get("delta"), choice.get("message")):
                if isinstance(part, dict) and "reasoning_content" in part:
                    part[profile.reasoning_field] = part.pop("reasoning_content")


__all__ = ["FULL", "PROFILES", "ServerProfile", "adapt_request", "profile_for_model", "refusal", "rename_reasoning", "shape_turn", "token_limit"]
