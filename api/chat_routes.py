"""``POST /api/chat`` (start an answer, stream it), ``POST /api/chat/{turn_id}/stop`` and
``GET /api/chat/{turn_id}/events`` (replay what was missed, then go on live)."""

from __future__ import annotations

import math
import os
import time
from collections import ChainMap
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from chatcore.conversation import Conversation
from chatcore.events import Chunk, End
from chatcore.limits import LimitExceeded
from chatcore.live_turn import LiveTurn
from chatcore.mock.options import MockOptions
from chatcore.services import turn_hub
from chatcore.session import ChatSession
from chatcore.settings import DEFAULT_SYSTEM_PROMPT, GenerationSettings, ProviderConfig
from chatcore.turn import Turn
from chatcore.user_text import clean_user_text, max_prompt_chars, prompt_too_long

from .context import RequestContext, parsed_body, request_context
from .responses import ApiRefusal
from .schemas import ChatRequest
from .stream import answer_events

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}  # nginx: do not buffer


def _settings(ctx: RequestContext, req: ChatRequest, session: ChatSession) -> tuple[ProviderConfig, GenerationSettings]:
    config = ProviderConfig.from_sources(secrets=ctx.settings.flat_secrets)  # the operator's, never the client's
    if req.model:
        config = config.with_changes(model=req.model)
    known = set(session.registry.names())
    for i, name in enumerate(req.tools or ()):
        if name not in known:
            raise ApiRefusal(422, f"Unknown tool {name!r}.", problems=[{"field": f"tools.{i}", "message": "unknown tool"}])
    generation = GenerationSettings(
        system_prompt=DEFAULT_SYSTEM_PROMPT if req.system is None else req.system,
        temperature=req.temperature,
        max_tokens=req.max_tokens,
        tools=None if req.tools is None else tuple(req.tools),
    )
    return config, generation


def _start(ctx: RequestContext, req: ChatRequest) -> LiveTurn:
    """Open or build the conversation, save it as it goes, and start the answer (blocking: DB)."""
    session = ctx.session()
    limit = max_prompt_chars(ChainMap(ctx.settings.flat_secrets, os.environ))
    field = "message" if req.messages is None else f"messages.{len(req.messages) - 1}.content"
    too_long = prompt_too_long(req.prompt(), limit)
    if too_long:
        raise ApiRefusal(422, too_long, problems=[{"field": field, "message": too_long}])
    config, generation = _settings(ctx, req, session)
    if req.sessionId is not None:
        if not session.open_conversation(req.sessionId):
            raise ApiRefusal(404, "No such session, or it is not yours to open.")
    elif req.messages is not None:
        session.conversation = _conversation_from(req, session)
    no_room = session.no_room(req.prompt())  # the visitor's stored conversations and bytes
    if no_room:
        raise ApiRefusal(403, no_room)
    try:
        return session.send(clean_user_text(req.prompt()), config, generation, MockOptions(), keep_for_replay=True)
    except LimitExceeded as refused:  # a limit of this demo: nothing was sent upstream or saved
        wait = None if refused.resets_at is None else max(1, math.ceil(refused.resets_at - time.time()))
        raise ApiRefusal(429, refused.message, limit=refused.limit, retry_after_s=wait) from None


def _conversation_from(req: ChatRequest, session: ChatSession) -> Conversation:
    """A new conversation holding the messages before the last, saved as they are."""
    conversation = Conversation()
    assert req.messages is not None  # noqa: S101 - the caller checked
    archive = session.archive
    for message in req.messages[:-1]:
        if message.role == "user":
            entry = conversation.add_user(clean_user_text(message.content))
            if archive is not None:
                archive.save_prompt(conversation, entry, {})
        else:
            turn = Turn()
            turn.apply(Chunk(message.content))
            turn.apply(End("stop"))
            conversation.add_turn(turn)
            if archive is not None:
                archive.save_answer(conversation, turn)
    return conversation


async def post_chat(request: Request) -> Response:
    ctx = await request_context(request)
    req = await parsed_body(request, ChatRequest, ctx.settings.max_body_bytes)
    live = await run_in_threadpool(_start, ctx, req)
    first: dict[str, Any] = {"type": "start", "turn_id": live.turn_id, "session_id": live.conversation_id,
                             "resumable": req.resumable}
    stream = answer_events(request, live, position=0, resumable=req.resumable,
                           keepalive_s=ctx.settings.keepalive_s, first=first)
    headers = {**SSE_HEADERS, "X-Turn-Id": live.turn_id, "X-Session-Id": live.conversation_id}
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)


async def _find_turn(request: Request) -> tuple[RequestContext, LiveTurn]:
    """The answer named in the path, if this caller may open its conversation; else 404."""
    ctx = await request_context(request)
    live = turn_hub().find_turn(request.path_params["turn_id"])
    if live is None:
        raise ApiRefusal(404, "No such answer (answers are kept for replay for 10 minutes after they end).")
    opened = await run_in_threadpool(lambda: ctx.archive().open(live.conversation_id))
    if opened is None:
        raise ApiRefusal(404, "No such answer (answers are kept for replay for 10 minutes after they end).")
    return ctx, live


async def stop_turn(request: Request) -> Response:
    _, live = await _find_turn(request)
    live.stop("stop", "Stopped.")
    await run_in_threadpool(live.wait, 5.0)
    return JSONResponse({"turn_id": live.turn_id, "session_id": live.conversation_id, "status": live.turn.status})


async def turn_events(request: Request) -> Response:
    ctx, live = await _find_turn(request)
    raw = request.headers.get("last-event-id") or request.query_params.get("lastEventId") or "0"
    if not raw.isdigit():
        raise ApiRefusal(422, "Last-Event-ID must be a number.", problems=[{"field": "Last-Event-ID", "message": "not a number"}])
    position = min(int(raw), live.events_so_far)
    # Whoever resumes a turn does not own its lifetime: leaving this stream never stops it.
    stream = answer_events(request, live, position=position, resumable=True, keepalive_s=ctx.settings.keepalive_s)
    return StreamingResponse(stream, media_type="text/event-stream", headers=SSE_HEADERS)


__all__ = ["post_chat", "stop_turn", "turn_events"]
