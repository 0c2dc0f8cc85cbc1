"""The HTTP API: the dashboard's engine, tools and conversations over HTTP, served by the same
``streamlit run app.py`` process (``app.py`` mounts these routes beside the dashboard).

This package is a face, like ``ui/``: the only code that imports Starlette. It calls the same
``chatcore`` functions the pages call, with the same store, the same running-answer hub and the
same owner rules.

    POST   /api/chat                     start an answer; text/event-stream
    POST   /api/chat/{turn_id}/stop      stop it from anywhere
    GET    /api/chat/{turn_id}/events    replay from Last-Event-ID, then live
    GET    /api/sessions                 the caller's conversations
    GET/PATCH/DELETE /api/sessions/{id}
    GET    /api/openapi.json, /api/demo  the description and a reference client

Beside it, always (also with ``CHAT_API = "off"``): ``POST /_chat/stop``, the chat page's fast
Stop, whose only authority is a stop link's token (``page_stop.py``).
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from .chat_routes import post_chat, stop_turn, turn_events
from .openapi import openapi_document
from .page_stop import PageStopDispatch
from .responses import ApiRefusal
from .session_routes import list_sessions, session_resource
from .settings import ApiSettings

DEMO_PAGE = Path(__file__).with_name("static") / "demo.html"


async def _openapi(request: Request) -> Response:
    return JSONResponse(openapi_document())


async def _demo(request: Request) -> Response:
    return FileResponse(DEMO_PAGE, media_type="text/html", headers={
        "Content-Security-Policy": "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
        "X-Content-Type-Options": "nosniff",
    })


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiRefusal)  # noqa: S101 - registered for ApiRefusal only
    return exc.response()


async def _failed(request: Request, exc: Exception) -> Response:
    return ApiRefusal(500, "The server failed to handle this request.").response()


async def _not_found(request: Request, exc: Exception) -> Response:
    return ApiRefusal(404, "No such API path.").response()


async def _wrong_method(request: Request, exc: Exception) -> Response:
    response = ApiRefusal(405, f"{request.method} is not allowed here.").response()
    allow = getattr(exc, "headers", None) or {}
    if "Allow" in allow:
        response.headers["Allow"] = allow["Allow"]
    return response


def api_app(settings: ApiSettings | None = None) -> Starlette:
    """The API as an ASGI app of its own (mounted at ``/api``; tests can serve it alone)."""
    settings = settings or ApiSettings.load()
    middleware = []
    if settings.cors_origins:  # off unless the operator lists origins
        middleware.append(Middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                                     allow_methods=["GET", "POST", "PATCH", "DELETE"],
                                     allow_headers=["Authorization", "Content-Type", "Last-Event-ID"],
                                     expose_headers=["X-Turn-Id", "X-Session-Id"]))
    return Starlette(
        routes=[
            Route("/chat", post_chat, methods=["POST"]),
            Route("/chat/{turn_id}/stop", stop_turn, methods=["POST"]),
            Route("/chat/{turn_id}/events", turn_events, methods=["GET"]),
            Route("/sessions", list_sessions, methods=["GET"]),
            Route("/sessions/{session_id}", session_resource, methods=["GET", "PATCH", "DELETE"]),
            Route("/openapi.json", _openapi, methods=["GET"]),
            Route("/demo", _demo, methods=["GET"]),
        ],
        middleware=middleware,
        exception_handlers={ApiRefusal: _refused, 404: _not_found, 405: _wrong_method, Exception: _failed},
    )


class ApiDispatch:
    """ASGI middleware: every request under ``/api`` goes to the API, the rest to the dashboard.

    Not a ``Mount`` route: Starlette's route patterns cannot match a path holding a newline
    (``%0A``), which then fell through to a plain-text 404; here any ``/api`` path, however
    odd, gets the API's own JSON answer."""

    def __init__(self, app: ASGIApp, api: ASGIApp) -> None:
        self.app = app
        self.api = api

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and (path == "/api" or path.startswith("/api/")):
            root = scope.get("root_path", "")
            await self.api({**scope, "root_path": root + "/api", "path": root + path}, receive, send)
            return
        await self.app(scope, receive, send)


def api_middleware() -> list[Middleware]:
    """What ``app.py`` adds in front of the dashboard: the page's fast Stop, and the API
    (left out when ``CHAT_API = "off"``)."""
    settings = ApiSettings.load()
    api = [Middleware(ApiDispatch, api=api_app(settings))] if settings.enabled else []
    return [Middleware(PageStopDispatch), *api]


__all__ = ["ApiDispatch", "api_app", "api_middleware"]
