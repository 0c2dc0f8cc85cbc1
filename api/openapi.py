"""The API described for clients and fuzzers: ``GET /api/openapi.json``."""

from __future__ import annotations

from typing import Any

from .schemas import ChatRequest, RenameRequest

_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["status", "message"],
                             "properties": {"status": {"type": "integer"}, "message": {"type": "string"}}}},
}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(c): {"description": "refused", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            for c in codes}


_EVENT_TYPES = ["start", "chunk", "reasoning", "tool_call", "tool_result", "usage", "end", "error"]
_SSE_EVENT = {  # one event as an SSE parser sees it; ``data`` is JSON with a ``type`` of _EVENT_TYPES
    "type": "object",
    "required": ["data"],
    "properties": {"id": {"type": "string", "pattern": "^[0-9]+$"}, "event": {"type": "string"},
                   "data": {"type": "string", "contentMediaType": "application/json"}},
}
_SSE = {"description": "Server-Sent Events, each data line a JSON object whose type is one of " + ", ".join(_EVENT_TYPES),
        "content": {"text/event-stream": {"schema": _SSE_EVENT}}}
_ID = {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}  # URL-safe ids, as the server hands them out
_TURN_ID = {"name": "turn_id", "in": "path", "required": True, "schema": _ID}
_SESSION_ID = {"name": "session_id", "in": "path", "required": True, "schema": _ID}
_SESSION = {
    "type": "object",
    "required": ["id", "title", "messages"],
    "properties": {"id": {"type": "string"}, "title": {"type": "string"}, "messages": {"type": "array", "items": {"type": "object"}}},
}


def openapi_document() -> dict[str, Any]:
    def schema(model: Any) -> dict[str, Any]:
        return model.model_json_schema(ref_template="#/components/schemas/{model}")

    chat = schema(ChatRequest)
    components = {"Error": _ERROR, "RenameRequest": schema(RenameRequest), **chat.pop("$defs", {}), "ChatRequest": chat}
    json_body = {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ChatRequest"}}}}
    rename_body = {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RenameRequest"}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Streaming Chat API", "version": "1",
                 "description": "The dashboard's engine over HTTP. Events stream as Server-Sent Events."},
        "components": {"schemas": components,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}, {}],
        "paths": {
            "/api/chat": {"post": {"operationId": "chat", "requestBody": json_body,
                                   "responses": {"200": _SSE, **_errors(401, 403, 404, 413, 415, 422, 429, 503)}}},
            "/api/chat/{turn_id}/stop": {"post": {"operationId": "stopTurn", "parameters": [_TURN_ID],
                                                  "responses": {"200": {"description": "stopped"}, **_errors(401, 404)}}},
            "/api/chat/{turn_id}/events": {"get": {
                "operationId": "turnEvents",
                "parameters": [_TURN_ID, {"name": "Last-Event-ID", "in": "header", "required": False,
                                          "schema": {"type": "string"}}],
                "responses": {"200": _SSE, **_errors(401, 404, 422)}}},
            "/api/sessions": {"get": {"operationId": "listSessions",
                                      "parameters": [{"name": "q", "in": "query", "required": False, "schema": {"type": "string"}}],
                                      "responses": {"200": {"description": "the caller's sessions"}, **_errors(401)}}},
            "/api/sessions/{session_id}": {
                "get": {"operationId": "getSession", "parameters": [_SESSION_ID],
                        "responses": {"200": {"description": "one session",
                                              "content": {"application/json": {"schema": _SESSION}}}, **_errors(401, 404)}},
                "patch": {"operationId": "renameSession", "parameters": [_SESSION_ID], "requestBody": rename_body,
                          "responses": {"200": {"description": "renamed"}, **_errors(401, 404, 413, 415, 422)}},
                "delete": {"operationId": "deleteSession", "parameters": [_SESSION_ID],
                           "responses": {"204": {"description": "deleted"}, **_errors(401, 404)}},
            },
        },
    }


__all__ = ["openapi_document"]
