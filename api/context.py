"""What every API request needs: its settings, the shared store, the caller and their archive."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from chatcore.archive import ChatArchive
from chatcore.services import operator_provider, store_opener, turn_hub
from chatcore.session import ChatSession
from chatcore.store import ChatStore, StoreError
from ui.tool_sources import tool_catalog

from .access import Caller, identify
from .responses import ApiRefusal
from .settings import ApiSettings


@dataclass
class RequestContext:
    settings: ApiSettings
    store: ChatStore
    caller: Caller

    def archive(self) -> ChatArchive:
        return ChatArchive(self.store, self.caller.visitor)

    def session(self) -> ChatSession:
        # The dashboard's tool catalog (built-in, tools/ files, MCP servers): the same tools on both faces.
        return ChatSession(registry=tool_catalog().view().registry, archive=self.archive(), hub=turn_hub(),
                           shared_providers=operator_provider)


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
    return RequestContext(settings, store, caller)


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


__all__ = ["RequestContext", "json_body", "request_context"]
