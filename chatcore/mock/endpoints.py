"""The mock's HTTP surface: map (method, path, body) to a planned ``Reply``.

Both transports route through ``route`` so the in-process client and the real HTTP
server expose the same endpoints, errors included.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from .faults import error_body
from .options import MockOptions
from .profiles import PROFILES
from .reply import Reply
from .scenarios import plan_reply
from .transcription import transcription_reply

# The server profiles are listed too, so a model picker (and the doctor) can choose them.
MODELS = ("mock-gpt", "mock-reasoner", "mock-bench", *(f"mock-{name}" for name in PROFILES if name != "full"))
MODELS_CREATED = 1_700_000_000


def models_body() -> dict[str, Any]:
    data = [{"id": m, "object": "model", "created": MODELS_CREATED, "owned_by": "chatcore-mock"} for m in MODELS]
    return {"object": "list", "data": data}


def _endpoint(path: str) -> str:
    """``/v1/chat/completions?x=1`` -> ``chat/completions`` (the /v1 prefix is optional)."""
    path = path.split("?", 1)[0].strip("/")
    return path[len("v1/") :] if path.startswith("v1/") else path


def route(method: str, path: str, raw_body: bytes, headers: Mapping[str, str], options: MockOptions) -> Reply:
    endpoint, method = _endpoint(path), method.upper()
    if endpoint == "models":
        if method != "GET":
            return Reply(405, body=error_body(f"Method {method} not allowed on /v1/models.", "invalid_request_error"))
        return Reply(200, body=models_body())
    if endpoint == "chat/completions":
        if method != "POST":
            return Reply(405, body=error_body(f"Method {method} not allowed; use POST.", "invalid_request_error"))
        try:
            body = json.loads(raw_body or b"null")
        except ValueError:
            return Reply(400, body=error_body("The request body is not valid JSON.", "invalid_request_error"))
        return plan_reply(body, headers, options)
    if endpoint == "audio/transcriptions":
        if method != "POST":
            return Reply(405, body=error_body(f"Method {method} not allowed; use POST.", "invalid_request_error"))
        return transcription_reply(raw_body, headers)
    message = (f"Invalid URL ({method} /{endpoint}). The mock serves /v1/models, /v1/chat/completions "
               "and /v1/audio/transcriptions.")
    return Reply(404, body=error_body(message, "invalid_request_error", "unknown_url"))


__all__ = ["MODELS", "models_body", "route"]
