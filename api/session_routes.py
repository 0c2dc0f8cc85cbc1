"""``/api/sessions``: the caller's conversations (the dashboard's History, over HTTP)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from chatcore.conversation import Conversation, UserEntry
from chatcore.store import ConversationSummary

from .context import parsed_body, request_context
from .responses import ApiRefusal
from .schemas import RenameRequest

NOT_FOUND = "No such session, or it is not yours to open."


def summary_json(s: ConversationSummary) -> dict[str, Any]:
    return {"id": s.id, "title": s.title, "created_at": s.created_at, "updated_at": s.updated_at,
            "message_count": s.message_count, "model": s.model, "owned": s.is_creator}


def conversation_json(conversation: Conversation) -> dict[str, Any]:
    messages: list[dict[str, Any]] = []
    for entry in conversation.entries:
        if isinstance(entry, UserEntry):
            if not entry.hidden:
                messages.append({"role": "user", "content": entry.content, "created_at": entry.created_at})
            continue
        messages.append({
            "role": "assistant",
            "content": entry.text,
            "created_at": entry.started_at,
            "status": entry.status,
            "model": entry.model,
            "reasoning": entry.reasoning or None,
            "tool_calls": [
                {"id": r.id, "name": r.name, "arguments": r.parsed if r.parsed is not None else r.arguments,
                 "state": r.state, "result": r.result, "error": r.error, "duration": r.duration}
                for r in entry.tool_calls.values()
            ],
        })
    return {"id": conversation.id, "title": conversation.title, "messages": messages}


async def list_sessions(request: Request) -> Response:
    ctx = await request_context(request)
    search = request.query_params.get("q", "")[:200]
    summaries = await run_in_threadpool(ctx.archive().list, search)
    return JSONResponse({"sessions": [summary_json(s) for s in summaries]})


async def get_session(request: Request) -> Response:
    ctx = await request_context(request)
    conversation = await run_in_threadpool(ctx.archive().open, request.path_params["session_id"])
    if conversation is None:
        raise ApiRefusal(404, NOT_FOUND)
    return JSONResponse(conversation_json(conversation))


async def rename_session(request: Request) -> Response:
    ctx = await request_context(request)
    req = await parsed_body(request, RenameRequest, ctx.settings.max_body_bytes)
    archive = ctx.archive()
    session_id = request.path_params["session_id"]

    def rename() -> bool:
        return archive.open(session_id) is not None and archive.rename(session_id, req.title.strip())

    if not await run_in_threadpool(rename):
        raise ApiRefusal(404, NOT_FOUND)
    return JSONResponse({"id": session_id, "title": req.title.strip()})


async def delete_session(request: Request) -> Response:
    ctx = await request_context(request)
    archive = ctx.archive()
    session_id = request.path_params["session_id"]

    def delete() -> bool:
        return archive.open(session_id) is not None and archive.delete(session_id)

    if not await run_in_threadpool(delete):
        raise ApiRefusal(404, NOT_FOUND)
    return Response(status_code=204)


async def session_resource(request: Request) -> Response:
    """``/api/sessions/{id}``: one route for its three methods, so a 405 lists them all."""
    handler = {"GET": get_session, "PATCH": rename_session, "DELETE": delete_session}[request.method]
    return await handler(request)


__all__ = ["delete_session", "get_session", "list_sessions", "rename_session", "session_resource"]
