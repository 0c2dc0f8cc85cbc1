"""Turn any upstream failure into words a user understands.

The tree the UI sees is flat on purpose: every failure becomes one ``Error`` event with a
``kind`` (see ``events.ErrorKind``), a sentence for the user, whether trying again could
help, the HTTP status and request id when there are some. ``describe()`` is the only
place that knows about the openai SDK's exception classes.

    openai.APIStatusError (4xx/5xx before the stream) -> auth / permission / not_found /
                                                        bad_request / rate_limit / server
    openai.APITimeoutError                            -> timeout
    openai.APIConnectionError                         -> connection
    openai.APIError (in-band {"error": ...})          -> stream_error
    json.JSONDecodeError / bad chunk                  -> malformed
    anything else                                     -> internal
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any, Iterable

import openai

from .events import Error, ErrorKind
from .scrub import scrub_credentials

# Statuses worth retrying before the first token (idempotent from the user's view).
RETRYABLE_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529})

_MAX_DETAIL = 300

IMAGES_REFUSED = "This model can't read images; pick a vision model or remove the image"
# How servers word "no images here" (OpenAI, vLLM, llama.cpp, Ollama, LiteLLM, Groq...), checked on a 400/415/422.
_IMAGE_REFUSALS = re.compile(
    r"image_url|image[_ ]not[_ ]supported|does(?: not|n't) support (?:image|vision)|"
    r"(?:image|vision|multimodal)[\w\s-]{0,30}(?:is |are )?not supported|not (?:a )?(?:multimodal|vision)|"
    r"cannot (?:read|process|accept) images",
    re.IGNORECASE,
)


def refuses_images(detail: str) -> bool:
    """Does the server's message say the model cannot take image input?"""
    return bool(_IMAGE_REFUSALS.search(detail))


def _server_detail(body: Any, fallback: str = "") -> str:
    """The server's own message, whatever shape it came in (OpenAI JSON, {"detail"}, text)."""
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            for key in ("message", "detail", "msg"):
                value = inner.get(key)
                if isinstance(value, str) and value.strip():
                    return value.strip()[:_MAX_DETAIL]
        elif isinstance(inner, str) and inner.strip():
            return inner.strip()[:_MAX_DETAIL]
        detail = body.get("detail")
        if isinstance(detail, str):
            return detail.strip()[:_MAX_DETAIL]
        if detail is not None:
            return json.dumps(detail)[:_MAX_DETAIL]
    if isinstance(body, str) and body.strip():
        return body.strip()[:_MAX_DETAIL]
    return fallback.strip()[:_MAX_DETAIL]


def retry_after_seconds(headers: Any) -> float | None:
    """Seconds the server asked us to wait (``retry-after-ms`` or ``Retry-After``), if any."""
    if headers is None:
        return None
    try:
        ms = headers.get("retry-after-ms")
        if ms is not None:
            return max(0.0, float(ms) / 1000.0)
        value = headers.get("retry-after")
        if value is not None:
            return max(0.0, float(value))
    except (TypeError, ValueError):
        return None  # HTTP-date form: fall back to our own backoff
    return None


def _status_error(exc: openai.APIStatusError, model: str, base_url: str) -> Error:
    status = exc.status_code
    detail = _server_detail(exc.body, fallback=_safe_text(exc.response))
    request_id = getattr(exc, "request_id", None)
    kind: ErrorKind
    if status == 401:
        kind, message = "auth", "The API key was rejected (401). Check the key in the sidebar or OPENAI_API_KEY."
    elif status == 403:
        kind, message = "permission", "Access denied (403): this key may not use this model or endpoint."
    elif status == 404:
        kind = "not_found"
        message = f"Model '{model}' was not found at {base_url} (404). Pick another model or check the base URL."
    elif status == 429:
        kind, message = "rate_limit", "Rate limited by the server (429). Wait a moment and retry."
    elif status >= 500:
        kind, message = "server", f"The server had an error ({status}). Try again in a moment."
    elif status in (400, 415, 422) and refuses_images(detail):
        return Error(kind="bad_request", message=IMAGES_REFUSED, retryable=False, status=status, request_id=request_id)
    else:
        kind, message = "bad_request", f"The server rejected the request ({status})."
    if detail and detail.lower() not in message.lower():
        message = f"{message} Server said: {detail}"
    return Error(
        kind=kind,
        message=message,
        retryable=status in RETRYABLE_STATUSES,
        status=status,
        request_id=request_id,
    )


def _safe_text(response: Any) -> str:
    try:
        return response.text if response is not None else ""
    except Exception:  # a streamed body that was never read
        return ""


def describe(
    exc: BaseException,
    *,
    model: str = "",
    base_url: str = "",
    read_timeout: float | None = None,
    mid_answer: bool = False,
    secrets: Iterable[str] = (),
) -> Error:
    """Map an exception raised while talking to the server to a user-facing ``Error``.

    ``mid_answer``: part of the answer is already on screen (it is kept, say so).
    ``secrets``: the key in use. This is where upstream text becomes user text, so the
    message is scrubbed of credentials here, before anything shows or stores it.
    """
    error = _describe(exc, model=model, base_url=base_url, read_timeout=read_timeout, mid_answer=mid_answer)
    message = scrub_credentials(error.message, secrets)
    return error if message == error.message else replace(error, message=message)


def _describe(exc: BaseException, *, model: str, base_url: str, read_timeout: float | None, mid_answer: bool) -> Error:
    if isinstance(exc, openai.APIStatusError):
        return _status_error(exc, model, base_url)
    if isinstance(exc, openai.APITimeoutError):
        waited = f" for {read_timeout:g} s" if read_timeout else ""
        return Error(
            kind="timeout",
            message=f"The server stopped responding (no data{waited})."
            + (" The answer so far is kept; retry to try again." if mid_answer else " Retry to try again."),
            retryable=True,
        )
    if isinstance(exc, openai.APIConnectionError):
        if mid_answer:
            return Error(
                kind="connection",
                message="The connection dropped mid-answer. The text so far is kept; retry to try again.",
                retryable=True,
            )
        where = f" at {base_url}" if base_url else ""
        return Error(
            kind="connection",
            message=f"Could not reach the server{where}, or the connection dropped. Check the base URL and your network.",
            retryable=True,
        )
    if isinstance(exc, openai.APIError):  # an in-band {"error": ...} event mid-stream
        detail = _server_detail({"error": exc.body}, fallback=str(exc.message))
        return Error(
            kind="stream_error",
            message=f"The server reported an error mid-answer: {detail}",
            retryable=True,
        )
    if isinstance(exc, (json.JSONDecodeError, UnicodeDecodeError)):
        return Error(
            kind="malformed",
            message="The server sent a malformed chunk, so the answer stopped there.",
            retryable=True,
        )
    return Error(kind="internal", message=f"Unexpected error: {type(exc).__name__}: {str(exc)[:_MAX_DETAIL]}", retryable=True)


def is_stream_options_rejection(exc: BaseException) -> bool:
    """Some servers reject ``stream_options``: we then retry once without it."""
    if not isinstance(exc, openai.APIStatusError) or exc.status_code not in (400, 422):
        return False
    text = (_server_detail(exc.body) + " " + _safe_text(exc.response)).lower()
    return "stream_options" in text or "include_usage" in text


__all__ = ["IMAGES_REFUSED", "RETRYABLE_STATUSES", "describe", "refuses_images", "is_stream_options_rejection", "retry_after_seconds"]
