"""Voice to text: a recording sent to the server's ``/v1/audio/transcriptions``.

``transcribe`` uses the same ``ProviderConfig`` as the chat, so it goes to the same server
with the same key, as ``provider_policy`` chose them (the operator's key only ever to the
operator's server): nothing here picks another address. The built-in mock transcribes
in-process through the same SDK call (``chatcore.mock.transcription``: an honest
description of the recording, not invented words).

When the server cannot transcribe (404: no such endpoint; 400/415/422: model or format not
supported; or it cannot be reached), the recording is kept and ``meta["transcript_error"]``
says so in plain words; ``text`` stays "". Never raises for the server's failures.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import TYPE_CHECKING

import httpx2
import openai

from ..errors import describe
from ..scrub import scrub_credentials
from .model import Attachment

if TYPE_CHECKING:
    from ..mock.options import MockOptions
    from ..settings import ProviderConfig

DEFAULT_MODEL = "whisper-1"
TIMEOUT_S = 120.0  # a minute of speech takes a few seconds; a slow CPU server more
_EXTENSIONS = {"audio/wav": "wav", "audio/webm": "webm", "audio/ogg": "ogg", "audio/mpeg": "mp3"}


def transcribe(config: ProviderConfig, audio: Attachment, *, model: str = DEFAULT_MODEL,
               mock: MockOptions | None = None, http_client: httpx2.Client | None = None) -> Attachment:
    """``audio`` with its transcript in ``text`` (or, when there is none, ``meta["transcript_error"]``).

    ``http_client``: the transport to use (tests; default: a new one, or the mock's for the mock)."""
    if audio.kind != "audio":
        raise ValueError(f"only recordings are transcribed, not a {audio.kind}")
    client = _client(config, mock, http_client)
    filename = f"recording.{_EXTENSIONS.get(audio.mime, 'wav')}"  # the server sees no visitor-chosen name
    try:
        result = client.audio.transcriptions.create(model=model, file=(filename, audio.data, audio.mime))
        text = str(getattr(result, "text", "") or "").strip()
    except openai.APIStatusError as exc:
        return _failed(audio, _status_reason(exc, config))
    except Exception as exc:  # noqa: BLE001 - network trouble, a bad body: the recording is kept, the reason shown
        return _failed(audio, describe(exc, base_url=config.base_url, secrets=(config.api_key,)).message)
    finally:
        client.close()
    if not text:
        return _failed(audio, "The server heard no speech in this recording.")
    meta = {k: v for k, v in audio.meta.items() if k != "transcript_error"}
    meta["transcription_model"] = model
    return replace(audio, text=text, meta=MappingProxyType(meta))


def _client(config: ProviderConfig, mock: MockOptions | None, http_client: httpx2.Client | None) -> openai.OpenAI:
    if config.is_mock and http_client is None:
        from ..mock.options import MockOptions
        from ..mock.transport import mock_http_client

        http_client = mock_http_client(mock or MockOptions())
    return openai.OpenAI(api_key=config.api_key or "no-key", base_url=config.base_url, max_retries=1,
                         timeout=TIMEOUT_S, default_headers=dict(config.extra_headers) or None, http_client=http_client)


def _status_reason(exc: openai.APIStatusError, config: ProviderConfig) -> str:
    status = exc.status_code
    if status in (400, 404, 405, 415, 422, 501):
        said = scrub_credentials(_server_message(exc.body), (config.api_key,))
        why = f"{status}: {said}" if said else f"{status}"
        return f"This server can't transcribe audio ({why}). The recording is kept; type your message instead."
    return describe(exc, base_url=config.base_url, secrets=(config.api_key,)).message


def _server_message(body: object) -> str:
    inner = body.get("error", body) if isinstance(body, dict) else body
    if isinstance(inner, dict):
        inner = inner.get("message") or inner.get("detail") or ""
    return " ".join(str(inner or "").split())[:200]


def _failed(audio: Attachment, reason: str) -> Attachment:
    meta = dict(audio.meta)
    meta["transcript_error"] = reason
    return replace(audio, text="", meta=MappingProxyType(meta))


__all__ = ["DEFAULT_MODEL", "transcribe"]
