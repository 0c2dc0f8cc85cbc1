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
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from .chat_routes import post_chat, stop_turn, turn_events
from .openapi import openapi_document
from .responses import ApiRefusal
from .session_routes import delete_session, get_session, list_sessions, rename_session
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
            Route("/sessions/{session_id}", get_session, methods=["GET"]),
            Route("/sessions/{session_id}", rename_session, methods=["PATCH"]),
            Route("/sessions/{session_id}", delete_session, methods=["DELETE"]),
            Route("/openapi.json", _openapi, methods=["GET"]),
            Route("/demo", _demo, methods=["GET"]),
        ],
        middleware=middleware,
        exception_handlers={ApiRefusal: _refused, 404: _not_found, Exception: _failed},
    )


def api_routes() -> list[BaseRoute]:
    """What ``app.py`` mounts beside the dashboard (nothing when ``CHAT_API = "off"``)."""
    settings = ApiSettings.load()
    return [Mount("/api", app=api_app(settings))] if settings.enabled else []


__all__ = ["api_app", "api_routes"]
