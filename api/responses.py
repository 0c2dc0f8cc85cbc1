"""JSON error bodies, one shape for every refusal: ``{"error": {"status", "message", ...}}``."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


class ApiRefusal(Exception):
    """Raised anywhere in a route; the app turns it into its JSON response."""

    def __init__(self, status: int, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details

    def response(self) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if self.status == 401 else None
        return JSONResponse({"error": {"status": self.status, "message": self.message, **self.details}},
                            status_code=self.status, headers=headers)


__all__ = ["ApiRefusal"]
