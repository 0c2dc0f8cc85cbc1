"""What every API request needs: its settings, the shared store, the caller and their archive."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from chatcore.app_config import load_app_config
from chatcore.archive import ChatArchive
from chatcore.limits import Guard, LimitCounters, Limits, LimitsConfigError, client_address, requester_for
from chatcore.services import operator_provider, store_opener, turn_hub
from chatcore.session import ChatSession
from chatcore.store import ChatStore, StoreError
from ui.tool_sources import tool_catalog

from .access import Caller, identify
from .responses import ApiRefusal
from .schemas import validation_problems
from .settings import ApiSettings

M = TypeVar("M", bound=BaseModel)


@dataclass
class RequestContext:
    settings: ApiSettings
    store: ChatStore
    caller: Caller
    peer: str | None = None  # the socket's address, and what a proxy said in X-Forwarded-For
    forwarded_for: str | None = None

    def guard(self) -> Guard:
        """The demo's limits (``CHAT_LIMIT_*``), counted in the shared store exactly as for the
        dashboard: an API client is no way round them."""
        try:
            limits = Limits.from_sources(self.settings.flat_secrets, os.environ, dict(load_app_config().limits))
        except LimitsConfigError as exc:
            raise ApiRefusal(503, f"The app's limits are misconfigured: {exc}.") from None
        address = client_address(self.peer, self.forwarded_for, limits.trusted_proxies)
        visitor = self.caller.visitor
        return Guard(limits, LimitCounters(self.store), requester_for(visitor.user_id, visitor.browser_key, address))

    def archive(self) -> ChatArchive:
        return ChatArchive(self.store, self.caller.visitor)

    def session(self) -> ChatSession:
        # The dashboard's tool catalog (built-in, tools/ files, MCP servers): the same tools on both faces.
        return ChatSession(registry=tool_catalog().view().registry, archive=self.archive(), hub=turn_hub(),
                           guard=self.guard(), shared_providers=operator_provider)


def _open_store(settings: ApiSettings) -> ChatStore | None:
    try:
        return store_opener(settings.flat_secrets).get()
    except StoreError:
        return None


async def request_context(request: Request) -> RequestContext:
    settings = ApiSettings.load()
    if not settings.enabled:
        raise ApiRefusal(404, "The API is turned off on this server (CHAT_API = \"off\").")
    store = await run_in_threadpool(_open_store, settings)
    caller = await run_in_threadpool(identify, request, settings, store)
    if store is None:
        raise ApiRefusal(503, "Conversations cannot be saved right now: the database is unavailable.")
    peer = request.client.host if request.client is not None else None
    return RequestContext(settings, store, caller, peer, request.headers.get("x-forwarded-for"))


async def parsed_body(request: Request, model: type[M], max_bytes: int) -> M:
    """The body as ``model``; a 422 naming each bad field when it is not."""
    try:
        return model.model_validate(await json_body(request, max_bytes))
    except ValidationError as exc:
        raise ApiRefusal(422, "The request is not valid.", problems=validation_problems(exc)) from None


async def json_body(request: Request, max_bytes: int) -> Any:
    """The request's JSON body, refused with 413/415/422 when too big, not JSON, or malformed."""
    if "application/json" not in request.headers.get("content-type", ""):
        raise ApiRefusal(415, "Send the body as application/json.")
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > max_bytes):
        raise ApiRefusal(413, f"The body is larger than {max_bytes:,} bytes.")
    body = bytearray()
    async for part in request.stream():
        body += part
        if len(body) > max_bytes:
            raise ApiRefusal(413, f"The body is larger than {max_bytes:,} bytes.")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiRefusal(422, "The body is not valid JSON.", problems=[{"field": "body", "message": str(exc)}]) from None


__all__ = ["RequestContext", "json_body", "parsed_body", "request_context"]
